/**
 * The Linux client suite: what a Linux host measures against a board (any
 * TCP/IP stack serving echo on 7, discard on 9 and chargen on 19) that it
 * reaches through a TAP inside a network namespace. Every client runs
 * inside that namespace (`ip netns exec`), so all traffic stays there; each
 * step is bounded in count and time.
 *
 *   1. connect+close: N sequential connect() then close() to echo
 *   2. echo: N round trips of 64 bytes on one connection (TCP_NODELAY)
 *   3. bulk: BYTES into discard, BYTES out of chargen (each timed alone)
 *   4. concurrent: N connections at once, each echoing 64 bytes
 *   5. flood: `hping3 -S --flood --rand-source` at echo for FLOOD_S seconds
 *      while a client attempts connections at a fixed rate with a 1 s
 *      timeout; then one echo round trip (the board still serving)
 *
 * Used by bench/linux.ts against the simulator; any other board on a TAP
 * can be measured with the same call:
 *
 *   const f = await runLinuxClientSuite({ netns: "myns", ip: "10.66.0.2" });
 *   printSuite("my board", f);
 */

import { spawn } from "node:child_process";
import { run } from "../host-sim/netns.js";
import { figure } from "./report.js";

export interface SuiteTarget {
  /** The namespace the clients run in (it holds the TAP the board is behind). */
  netns: string;
  /** The board's address. */
  ip: string;
  /** Ports (defaults 7, 9, 19). */
  echoPort?: number;
  discardPort?: number;
  chargenPort?: number;
}

export interface SuiteOptions {
  connects?: number;
  echoes?: number;
  bulkBytes?: number;
  concurrent?: number;
  floodSeconds?: number;
  /** Connections attempted during the flood, evenly spread over it. */
  floodAttempts?: number;
  /** Leave out the hping3 flood (e.g. hping3 missing). */
  noFlood?: boolean;
  /** Leave out the bulk transfers (a peer without discard and chargen). */
  noBulk?: boolean;
  /** Run the Python clients on this CPU only (taskset). */
  clientCpu?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface Latency { n: number; ok: number; medianMs: number; p99Ms: number; error?: string; }

export interface SuiteFigures {
  connectClose: Latency;
  echo: Latency;
  bulkUpMBps: number;
  bulkDownMBps: number;
  bulkError?: string;
  concurrentOk: number;
  concurrentN: number;
  concurrentMs: number;
  flood?: { attempts: number; ok: number; medianConnectMs: number; hpingSent: string; servingAfter: boolean };
}

/** One Python program, one mode per run; prints one JSON object. */
export const CLIENT_PY = String.raw`
import json, socket, sys, threading, time
mode, ip = sys.argv[1], sys.argv[2]
args = [int(a) for a in sys.argv[3:]]
def stats(ts):
    ts = sorted(ts)
    if not ts: return {"ok": 0, "medianMs": 0, "p99Ms": 0}
    return {"ok": len(ts), "medianMs": ts[len(ts) // 2] * 1e3, "p99Ms": ts[min(len(ts) - 1, int(len(ts) * 0.99))] * 1e3}
def conn(port, timeout=5.0):
    s = socket.socket(); s.settimeout(timeout); s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.connect((ip, port)); return s
def recv_n(s, n):
    got = 0
    while got < n:
        d = s.recv(n - got)
        if not d: raise EOFError("closed after %d bytes" % got)
        got += len(d)
out = {}
try:
    if mode == "connect":
        port, n = args; ts = []
        for _ in range(n):
            t = time.perf_counter(); s = conn(port); s.close(); ts.append(time.perf_counter() - t)
        out = stats(ts)
    elif mode == "echo":
        port, n, size = args; s = conn(port); msg = b"e" * size; ts = []
        for _ in range(n):
            t = time.perf_counter(); s.sendall(msg); recv_n(s, size); ts.append(time.perf_counter() - t)
        s.close(); out = stats(ts)
    elif mode == "up":
        port, n = args; s = conn(port, 120); buf = b"u" * 65536; t = time.perf_counter(); left = n
        while left > 0:
            k = s.send(buf[:min(left, len(buf))]); left -= k
        s.shutdown(socket.SHUT_WR)
        while s.recv(65536): pass
        out = {"seconds": time.perf_counter() - t}; s.close()
    elif mode == "down":
        port, n = args; s = conn(port, 120); t = time.perf_counter(); recv_n(s, n)
        out = {"seconds": time.perf_counter() - t}; s.close()
    elif mode == "concurrent":
        port, n, size = args; lock = threading.Lock(); ok = [0]; errs = []; bar = threading.Barrier(n)
        def one(i):
            try:
                bar.wait(); s = conn(port, 20); s.sendall(b"c" * size); recv_n(s, size); s.close()
                with lock: ok[0] += 1
            except Exception as e:
                with lock: errs.append(repr(e))
        t = time.perf_counter(); th = [threading.Thread(target=one, args=(i,)) for i in range(n)]
        for x in th: x.start()
        for x in th: x.join()
        out = {"ok": ok[0], "seconds": time.perf_counter() - t, "errors": errs[:3]}
    elif mode == "attempts":
        port, n, every_ms = args; lock = threading.Lock(); ts = []
        def one():
            try:
                t = time.perf_counter(); s = conn(port, 1.0); d = time.perf_counter() - t; s.close()
                with lock: ts.append(d)
            except Exception: pass
        th = []; t0 = time.perf_counter()
        for i in range(n):
            time.sleep(max(0, t0 + i * every_ms / 1e3 - time.perf_counter()))
            x = threading.Thread(target=one); x.start(); th.append(x)
        for x in th: x.join()
        out = stats(ts)
except Exception as e:
    out["error"] = repr(e)
print(json.dumps(out))
`;

type Json = Record<string, unknown> & { error?: string };

async function client(t: SuiteTarget, argv: Array<string | number>, timeoutMs: number, cpu?: number): Promise<Json> {
  const pin = cpu === undefined ? [] : ["taskset", "-c", String(cpu)];
  const r = await run(["ip", "netns", "exec", t.netns, ...pin, "python3", "-c", CLIENT_PY, ...argv.map(String)], { timeoutMs });
  const line = r.stdout.toString().trim().split("\n").pop() ?? "";
  try { return JSON.parse(line) as Json; } catch { return { error: r.timedOut ? `timed out after ${timeoutMs} ms` : (r.stderr.trim() || `exit ${r.code}`).slice(0, 200) }; }
}

function latency(j: Json, n: number): Latency {
  return { n, ok: Number(j.ok ?? 0), medianMs: Number(j.medianMs ?? 0), p99Ms: Number(j.p99Ms ?? 0), error: j.error };
}

/** hping3 SYN flood from random sources at the echo port for `seconds`, with connection attempts alongside. */
async function floodStep(t: SuiteTarget, o: Required<Pick<SuiteOptions, "floodSeconds" | "floodAttempts">>): Promise<SuiteFigures["flood"]> {
  const echo = t.echoPort ?? 7;
  const h = spawn("ip", ["netns", "exec", t.netns, "timeout", "-s", "INT", "-k", "2", String(o.floodSeconds), "hping3", "-q", "-S", "--flood", "--rand-source", "-p", String(echo), t.ip],
    { stdio: ["ignore", "pipe", "pipe"] });
  let said = "";
  h.stdout.on("data", (d: Buffer) => { said += d.toString(); });
  h.stderr.on("data", (d: Buffer) => { said += d.toString(); });
  const hDone = new Promise<void>((r) => h.once("exit", () => r()));
  await new Promise((r) => setTimeout(r, 300));
  const every = Math.floor(((o.floodSeconds - 0.5) * 1000) / o.floodAttempts);
  const a = await client(t, ["attempts", t.ip, echo, o.floodAttempts, every], (o.floodSeconds + 30) * 1000);
  await Promise.race([hDone, new Promise((r) => setTimeout(r, (o.floodSeconds + 5) * 1000))]);
  // SIGTERM reaches hping3 through timeout; a SIGKILL would leave it flooding.
  if (h.exitCode === null) h.kill("SIGTERM");
  await new Promise((r) => setTimeout(r, 1000));
  const after = await client(t, ["echo", t.ip, echo, 1, 64], 15_000);
  const sent = /(\d+) packets transmitted/.exec(said)?.[1] ?? "?";
  return { attempts: o.floodAttempts, ok: Number(a.ok ?? 0), medianConnectMs: Number(a.medianMs ?? 0), hpingSent: sent, servingAfter: Number(after.ok ?? 0) === 1 };
}

/** Run the whole suite against `t`; nothing throws for a board that misbehaves (its figures show it). */
export async function runLinuxClientSuite(t: SuiteTarget, opts: SuiteOptions = {}): Promise<SuiteFigures> {
  const log = opts.log ?? (() => {});
  const o = { connects: 500, echoes: 1000, bulkBytes: 20_000_000, concurrent: 200, floodSeconds: 10, floodAttempts: 200, ...opts };
  const echo = t.echoPort ?? 7;
  const cpu = o.clientCpu;
  log(`${o.connects} sequential connect+close`);
  const connectClose = latency(await client(t, ["connect", t.ip, echo, o.connects], 120_000, cpu), o.connects);
  log(`${o.echoes} echo round trips of 64 bytes`);
  const echoRtt = latency(await client(t, ["echo", t.ip, echo, o.echoes, 64], 120_000, cpu), o.echoes);
  let up: Json = {}, down: Json = {};
  if (!o.noBulk) {
    log(`${o.bulkBytes} bytes each way`);
    up = await client(t, ["up", t.ip, t.discardPort ?? 9, o.bulkBytes], 300_000, cpu);
    down = await client(t, ["down", t.ip, t.chargenPort ?? 19, o.bulkBytes], 300_000, cpu);
  }
  log(`${o.concurrent} simultaneous echo connections`);
  const conc = await client(t, ["concurrent", t.ip, echo, o.concurrent, 64], 60_000, cpu);
  const f: SuiteFigures = {
    connectClose, echo: echoRtt,
    bulkUpMBps: up.seconds ? o.bulkBytes / 1e6 / Number(up.seconds) : 0,
    bulkDownMBps: down.seconds ? o.bulkBytes / 1e6 / Number(down.seconds) : 0,
    bulkError: up.error ?? down.error,
    concurrentOk: Number(conc.ok ?? 0), concurrentN: o.concurrent, concurrentMs: Number(conc.seconds ?? 0) * 1000,
  };
  if (!o.noFlood) {
    log(`${o.floodSeconds} s hping3 SYN flood with ${o.floodAttempts} connection attempts`);
    f.flood = await floodStep(t, o);
  }
  return f;
}

/** Print the figures, one a line. */
export function printSuite(name: string, f: SuiteFigures): void {
  const lat = (l: Latency) => `median ${l.medianMs.toFixed(3)} ms, p99 ${l.p99Ms.toFixed(3)} ms (${l.ok}/${l.n} ok${l.error ? `; ${l.error}` : ""})`;
  figure(`${name}: connect+close`, lat(f.connectClose), "");
  figure(`${name}: echo 64 B round trip`, lat(f.echo), "");
  figure(`${name}: bulk Linux -> board / board -> Linux`, `${f.bulkUpMBps.toFixed(2)} / ${f.bulkDownMBps.toFixed(2)}`, `MB/s${f.bulkError ? ` (${f.bulkError})` : ""}`);
  figure(`${name}: simultaneous echo connections served`, `${f.concurrentOk}/${f.concurrentN}`, `in ${f.concurrentMs.toFixed(0)} ms`);
  if (f.flood) {
    const fl = f.flood;
    figure(`${name}: connects during hping3 SYN flood`, `${fl.ok}/${fl.attempts} (${((100 * fl.ok) / fl.attempts).toFixed(1)} %)`,
      `median connect ${fl.medianConnectMs.toFixed(2)} ms; hping3 sent ${fl.hpingSent}; still serving after: ${fl.servingAfter ? "yes" : "NO"}`);
  }
}
