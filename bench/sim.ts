/**
 * Simulator figures: what a UART costs and what the board does with Linux as
 * the peer.
 *
 * Serial (virtual time, deterministic): two boards on an in-process serial
 * line that carries SLIP-framed frames at 115200, 921600 and 3,000,000 baud
 * (10 bits a byte); goodput A -> B (into discard), B -> A (out of chargen),
 * and connections per second (connect, close, both FINs).
 *
 * TAP (real time; needs root, iproute2, python3, nc, curl, hping3; else
 * printed as skipped): a board behind a TAP in a namespace of its own;
 * Linux -> board into discard, board -> Linux out of chargen (MB/s of wall
 * time), Linux connects per second to echo, and whether curl gets the
 * status page during `hping3 --flood --rand-source -S`.
 */
import { spawnSync } from "node:child_process";
import { ChargenServer, DiscardServer, EchoServer, HttpServer, TcpClient } from "../host-sim/apps/index.js";
import { Board, runVirtual } from "../host-sim/board.js";
import { RealClock, VirtualClock } from "../host-sim/clock.js";
import { createPair } from "../host-sim/links/index.js";
import { createNetns, netnsUnavailable } from "../host-sim/netns.js";
import { figure, section } from "./report.js";

function serialPair(baud: number) {
  const clock = new VirtualClock();
  const [a, b] = createPair(clock, { baud, checkFcs: true });
  const discard = new DiscardServer(), chargen = new ChargenServer(), echo = new EchoServer();
  const server = new Board({ name: "B", link: b, clock, mac: "02:00:00:00:00:02", ip: "10.0.0.2", seed: 2 }).start([discard, chargen, echo]);
  const client = new Board({ name: "A", link: a, clock, mac: "02:00:00:00:00:01", ip: "10.0.0.1", seed: 1, config: { msl_ms: 500 } }).start();
  runVirtual(clock, 100);
  return { clock, server, client, discard };
}

/** Goodput of one transfer in virtual time, bytes per second (from connect to the last byte). */
function serialGoodput(baud: number, dir: "up" | "down", bytes: number): number {
  const p = serialPair(baud);
  const c = dir === "up"
    ? new TcpClient({ ip: "10.0.0.2", port: 9, send: bytes, keep: false })
    : new TcpClient({ ip: "10.0.0.2", port: 19, closeAfterSend: false, readLimit: bytes, keep: false });
  const t0 = p.clock.now();
  p.client.addApp(c);
  const lastByte = () => (dir === "up" ? p.discard.discarded >= bytes : c.bytesIn >= bytes);
  runVirtual(p.clock, 3_600_000, lastByte, 50);
  const ms = p.clock.now() - t0;
  p.client.stop(); p.server.stop();
  return lastByte() ? (bytes / ms) * 1000 : 0;
}

/** Sequential connect + close to echo, per second of virtual time. */
function serialConnectRate(baud: number, n: number): number {
  const p = serialPair(baud);
  const t0 = p.clock.now();
  let done = 0;
  for (let i = 0; i < n; i++) {
    const c = new TcpClient({ ip: "10.0.0.2", port: 7 });
    p.client.addApp(c);
    runVirtual(p.clock, 60_000, () => c.done, 1);
    if (c.done && !c.error) done++;
    p.client.apps.splice(p.client.apps.indexOf(c), 1);
  }
  const ms = p.clock.now() - t0;
  p.client.stop(); p.server.stop();
  return (done / ms) * 1000;
}

export function benchSerial(): void {
  section("Serial link between two boards (SLIP, 10 bits a byte, virtual time)");
  for (const baud of [115200, 921600, 3_000_000]) {
    const bytes = baud <= 115200 ? 32 * 1024 : 256 * 1024;
    const line = baud / 10;
    const up = serialGoodput(baud, "up", bytes);
    const down = serialGoodput(baud, "down", bytes);
    figure(`${baud} baud: A -> B goodput (${bytes / 1024} KiB into discard)`, (up / 1000).toFixed(1), `kB/s (${((up / line) * 100).toFixed(0)}% of the ${(line / 1000).toFixed(1)} kB/s line)`);
    figure(`${baud} baud: B -> A goodput (${bytes / 1024} KiB out of chargen)`, (down / 1000).toFixed(1), `kB/s (${((down / line) * 100).toFixed(0)}% of the line)`);
    figure(`${baud} baud: connect + close to echo, sequential`, serialConnectRate(baud, 20).toFixed(1), "per s");
  }
}

function tool(t: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${t}`], { stdio: "ignore" }).status === 0;
}

const CONNECT_PY = String.raw`
import socket, sys, time
ip, n = sys.argv[1], int(sys.argv[2])
ok = 0; t = time.time()
for i in range(n):
    try:
        s = socket.create_connection((ip, 7), timeout=5); s.close(); ok += 1
    except Exception:
        pass
print("%d %.6f" % (ok, time.time() - t))
`;

export async function benchTap(): Promise<void> {
  section("TAP bridge: Linux <-> board (ENC28J60 model, 10BASE-T wire time, real time)");
  const why = netnsUnavailable() ?? ["nc", "curl", "hping3", "timeout"].map((t) => (tool(t) ? null : `${t} is not installed`)).find((x) => x);
  if (why) { figure("TAP figures", `skipped (${why})`); return; }
  const ns = await createNetns({ hostAddr: "10.9.0.1/24", prefix: "embtb" });
  const discard = new DiscardServer();
  const board = new Board({
    name: "bench", link: ns.tap, clock: new RealClock(), mac: "02:00:00:00:09:02", ip: "10.9.0.2", gateway: "10.9.0.1", seed: 9,
    config: { msl_ms: 1000 },
  }).start([discard, new ChargenServer(), new EchoServer(), new HttpServer()]);
  try {
    const MB = 4 * 1024 * 1024;
    let t = Date.now();
    const up = await ns.exec(["sh", "-c", `head -c ${MB} /dev/zero | nc -N -w 30 10.9.0.2 9`], { timeoutMs: 120_000 });
    const upS = (Date.now() - t) / 1000;
    figure("Linux -> board (4 MiB into discard)", up.code === 0 && discard.discarded >= MB ? (MB / 1e6 / upS).toFixed(2) : "failed", "MB/s");
    t = Date.now();
    const down = await ns.exec(["sh", "-c", `nc -d -w 30 10.9.0.2 19 | head -c ${MB} | wc -c`], { timeoutMs: 120_000 });
    const downS = (Date.now() - t) / 1000;
    figure("board -> Linux (4 MiB out of chargen)", Number(down.stdout.toString().trim()) === MB ? (MB / 1e6 / downS).toFixed(2) : "failed", "MB/s");
    const cr = await ns.exec(["python3", "-c", CONNECT_PY, "10.9.0.2", "200"], { timeoutMs: 120_000 });
    const [ok, secs] = cr.stdout.toString().trim().split(" ").map(Number);
    figure("Linux connects to echo, sequential (200)", ok > 0 ? (ok / secs).toFixed(0) : "failed", `per s (${ok}/200 connected)`);

    const before = board.stack.stats();
    const flood = ns.exec(["timeout", "-s", "INT", "6", "hping3", "--flood", "--rand-source", "-S", "-p", "80", "-q", "10.9.0.2"], { timeoutMs: 15_000 });
    await new Promise((r) => setTimeout(r, 500));
    const t0 = Date.now();
    const r = await ns.exec(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "25", "http://10.9.0.2/"], { timeoutMs: 30_000 });
    const curlS = (Date.now() - t0) / 1000;
    await flood;
    const s = board.stack.stats();
    figure("curl started 0.5 s into a 6 s hping3 --flood --rand-source -S", r.stdout.toString() === "200" ? `200 after ${curlS.toFixed(1)} s` : `failed (${r.stderr.trim()})`);
    figure("  SYNs reaching the board during the flood", s.syn_rx - before.syn_rx);
    figure("  frames dropped on the oversubscribed 10 Mb/s wire", board.wireDrops);
    figure("  SYN cookies sent / accepted", `${s.cookies_sent - before.cookies_sent} / ${s.cookies_accepted - before.cookies_accepted}`);
  } finally {
    board.stop();
    await ns.destroy();
  }
}

/** Every simulator figure. */
export async function benchSim(): Promise<void> {
  benchSerial();
  await benchTap();
}
