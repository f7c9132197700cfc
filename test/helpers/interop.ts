/**
 * Interop fixtures: a network namespace of the test's own with a TAP, a
 * board on that TAP in real time (the board's process is the test's, in the
 * root namespace), and the board's apps. Linux reaches the board only from
 * inside the namespace (`ns.exec([...])`), so all traffic stays there.
 *
 * Gating: outside CI a machine without root, iproute2, /dev/net/tun or a
 * needed tool skips these tests with a printed reason; with CI set they run
 * and fail loudly instead.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Board, type BoardApp, type BoardEvent } from "../../host-sim/board.js";
import { RealClock } from "../../host-sim/clock.js";
import { createNetns, type Netns, netnsUnavailable } from "../../host-sim/netns.js";
import type { ConfigName } from "../../host-sim/abi-tables.js";

export const BOARD_IP = "10.9.0.2";
export const LINUX_IP = "10.9.0.1";
export const BOARD_MAC = "02:00:00:00:09:02";

/** Whether the interop tests can run here; prints why not (outside CI only). */
export function interopGate(tools: string[] = []): boolean {
  const why = netnsUnavailable() ?? tools.map((t) => (spawnSync("sh", ["-c", `command -v ${t}`], { stdio: "ignore" }).status === 0 ? null : `${t} is not installed`)).find((x) => x) ?? null;
  if (!why) return true;
  if (process.env.CI) return true;
  console.warn(`skipping interop tests: ${why} (they run in CI, which must provide it)`);
  return false;
}

export interface Rig {
  ns: Netns;
  board: Board;
  events: BoardEvent[];
  teardown(): Promise<void>;
}

/** A namespace, a TAP and a board behind it running `apps`. */
export async function boardBehindTap(opts: { apps?: BoardApp[]; config?: Partial<Record<ConfigName, number>>; seed?: number } = {}): Promise<Rig> {
  const ns = await createNetns({ hostAddr: `${LINUX_IP}/24` });
  const events: BoardEvent[] = [];
  let board: Board;
  try {
    board = new Board({
      name: "board", link: ns.tap, clock: new RealClock(), mac: BOARD_MAC, ip: BOARD_IP, gateway: LINUX_IP,
      seed: opts.seed ?? 0x5eed, config: opts.config, onEvent: (e) => events.push(e),
    }).start(opts.apps ?? []);
  } catch (e) {
    await ns.destroy();
    throw e;
  }
  const teardown = async () => {
    board.stop();
    await ns.destroy();
  };
  return { ns, board, events, teardown };
}

/** build/<name>, the directory created. */
export function buildArtifact(name: string): string {
  const dir = join(process.cwd(), "build");
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

/** A tshark capture of the namespace's TAP; stop() ends it and returns the file. */
export async function startCapture(ns: Netns, file: string, filter = "tcp"): Promise<{ stop(): Promise<string> }> {
  const p = ns.spawn(["tshark", "-n", "-q", "-i", ns.tapName, "-f", filter, "-w", file]);
  let err = "";
  p.stderr!.on("data", (d: Buffer) => { err += d.toString(); });
  const deadline = Date.now() + 15_000;
  while (!/Capturing on/.test(err)) {
    if (p.exitCode !== null || Date.now() > deadline) throw new Error(`tshark did not start: ${err.trim() || "no output"}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  // dumpcap reports "Capturing on" a little before packets are really taken.
  await new Promise((r) => setTimeout(r, 1000));
  return {
    async stop() {
      // Let the last frames reach the capture, then stop it cleanly so the file is complete.
      await new Promise((r) => setTimeout(r, 300));
      const exited = new Promise<void>((r) => { if (p.exitCode !== null) r(); else p.once("exit", () => r()); });
      p.kill("SIGINT");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (p.exitCode === null) p.kill("SIGKILL");
      return file;
    },
  };
}

/** One row per TCP segment of a capture: tshark's fields, split on tabs. */
export async function tcpRows(file: string, fields: string[], filter = "tcp"): Promise<string[][]> {
  const { run } = await import("../../host-sim/netns.js");
  const r = await run(["tshark", "-n", "-r", file, "-Y", filter, "-T", "fields", ...fields.flatMap((f) => ["-e", f])], { timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(`tshark -r ${file}: ${r.stderr.trim()}`);
  return r.stdout.toString().split("\n").filter(Boolean).map((l) => l.split("\t"));
}

/** Wait until a TCP port listens inside the namespace. */
export async function waitListening(ns: Netns, port: number, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const r = await ns.exec(["ss", "-Hltn", `sport = :${port}`]);
    if (r.stdout.toString().trim()) return;
    if (Date.now() > end) throw new Error(`nothing listens on port ${port} in ${ns.name} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The Python client that opens `n` echo connections at once (run inside the
 * namespace): IP PORT N SIZE TIMEOUT_S [SPREAD_MS]. All threads leave one
 * barrier; with SPREAD_MS, client i then waits i · SPREAD_MS / N ms first.
 */
export const CONCURRENT_ECHO_PY = String.raw`
import socket, sys, threading, time
ip, port, n, size, timeout = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
spread = float(sys.argv[6]) / 1000 if len(sys.argv) > 6 else 0.0
lock = threading.Lock(); ok = [0]; errs = []
start = threading.Barrier(n)
def one(i):
    msg = (("client %03d " % i) * (size // 11 + 1))[:size].encode()
    try:
        start.wait()
        if spread: time.sleep(spread * i / n)
        s = socket.create_connection((ip, port), timeout=timeout)
        s.sendall(msg); s.shutdown(socket.SHUT_WR)
        got = b""
        while True:
            d = s.recv(65536)
            if not d: break
            got += d
        s.close()
        with lock:
            if got == msg: ok[0] += 1
            else: errs.append("client %d: %d bytes back, expected %d" % (i, len(got), len(msg)))
    except Exception as e:
        with lock: errs.append("client %d: %r" % (i, e))
ts = [threading.Thread(target=one, args=(i,)) for i in range(n)]
for t in ts: t.start()
for t in ts: t.join()
print("ok %d" % ok[0])
for e in errs[:10]: print(e)
`;
