/**
 * Pseudo-terminal pairs from socat for the serial-link tests:
 * `socat -d -d pty,raw,echo=0 pty,raw,echo=0` prints "PTY is /dev/pts/N"
 * twice on stderr, then relays bytes between the two until killed.
 */

import { spawn, spawnSync, type ChildProcess } from "node:child_process";

export interface PtyPair { paths: [string, string]; proc: ChildProcess; kill(): Promise<void>; }

export function haveTool(cmd: string, arg = "-V"): boolean {
  const r = spawnSync(cmd, [arg], { stdio: "ignore" });
  return !r.error;
}

/**
 * Whether tests needing `tool` should run. Outside CI a missing tool skips
 * with a message; in CI (CI set) it must be there, so the caller runs the
 * tests anyway and they fail loudly.
 */
export function toolGate(tool: string, arg = "-V"): boolean {
  if (haveTool(tool, arg)) return true;
  if (process.env.CI) return true;
  console.warn(`skipping tests that need ${tool}: it is not installed (install it, or set CI to make this a failure)`);
  return false;
}

/**
 * Start `cmd` and wait until `announced` finds what it prints on `stream`
 * (or fail after `timeoutMs`); `kill` stops it with `signal` and waits for
 * its exit.
 */
function startAnnouncing<T>(cmd: string, args: string[], stream: "stdout" | "stderr", signal: NodeJS.Signals,
  announced: (text: string) => T | null, timeoutMs: number): Promise<{ value: T; proc: ChildProcess; kill(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(cmd, args, { stdio: ["pipe", stream === "stdout" ? "pipe" : "ignore", stream === "stderr" ? "pipe" : "inherit"] });
    const exited = new Promise<void>((r) => proc.once("exit", () => r()));
    let text = "";
    const timer = setTimeout(() => { proc.kill("SIGKILL"); reject(new Error(`${cmd} did not start: ${text}`)); }, timeoutMs);
    proc.once("error", (e) => { clearTimeout(timer); reject(e); });
    proc[stream]!.on("data", (d: Buffer) => {
      text += d.toString();
      const value = announced(text);
      if (value === null) return;
      clearTimeout(timer);
      resolve({
        value, proc,
        kill: async () => { if (proc.exitCode === null && proc.signalCode === null) { proc.kill(signal); await exited; } },
      });
    });
  });
}

export async function ptyPair(timeoutMs = 10_000): Promise<PtyPair> {
  const { value, proc, kill } = await startAnnouncing("socat", ["-d", "-d", "pty,raw,echo=0", "pty,raw,echo=0"], "stderr", "SIGTERM",
    (text) => {
      const paths = [...text.matchAll(/PTY is (\S+)/g)].map((m) => m[1]);
      return paths.length === 2 ? [paths[0], paths[1]] as [string, string] : null;
    }, timeoutMs);
  return { paths: value, proc, kill };
}

/** Poll `cond` every few ms until it holds, or fail after `ms`, saying what was awaited (`what` may describe the state then). */
export async function waitFor(cond: () => boolean, ms = 10_000, what: string | (() => string) = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${typeof what === "string" ? what : what()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * A pty whose far end (a python3 process holding the master) never reads
 * what is written to the tty: once the tty's buffers are full, every write
 * to it waits. `inject` makes the far end write bytes to the tty.
 */
export interface StuckPty { path: string; inject(bytes: Uint8Array): void; kill(): Promise<void>; }

const STUCK_PTY_PY = `
import os, sys
master, slave = os.openpty()
print(os.ttyname(slave), flush=True)
for line in sys.stdin:
    os.write(master, bytes.fromhex(line.strip()))
`;

export async function stuckPty(timeoutMs = 10_000): Promise<StuckPty> {
  const { value, proc, kill } = await startAnnouncing("python3", ["-c", STUCK_PTY_PY], "stdout", "SIGKILL",
    (text) => (text.includes("\n") ? text.trim() : null), timeoutMs);
  return { path: value, inject: (bytes) => proc.stdin!.write(Buffer.from(bytes).toString("hex") + "\n"), kill };
}
