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
