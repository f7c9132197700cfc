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

export function ptyPair(timeoutMs = 10_000): Promise<PtyPair> {
  return new Promise((resolve, reject) => {
    const proc = spawn("socat", ["-d", "-d", "pty,raw,echo=0", "pty,raw,echo=0"], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    const timer = setTimeout(() => { proc.kill("SIGKILL"); reject(new Error(`socat gave no ptys: ${err}`)); }, timeoutMs);
    const exited = new Promise<void>((r) => proc.once("exit", () => r()));
    proc.once("error", (e) => { clearTimeout(timer); reject(e); });
    proc.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
      const paths = [...err.matchAll(/PTY is (\S+)/g)].map((m) => m[1]);
      if (paths.length === 2) {
        clearTimeout(timer);
        resolve({
          paths: [paths[0], paths[1]], proc,
          kill: async () => { if (proc.exitCode === null && proc.signalCode === null) { proc.kill("SIGTERM"); await exited; } },
        });
      }
    });
  });
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

export function stuckPty(timeoutMs = 10_000): Promise<StuckPty> {
  return new Promise((resolve, reject) => {
    const proc = spawn("python3", ["-c", STUCK_PTY_PY], { stdio: ["pipe", "pipe", "inherit"] });
    const exited = new Promise<void>((r) => proc.once("exit", () => r()));
    const timer = setTimeout(() => { proc.kill("SIGKILL"); reject(new Error("python3 gave no pty")); }, timeoutMs);
    proc.once("error", (e) => { clearTimeout(timer); reject(e); });
    let out = "";
    proc.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (!out.includes("\n")) return;
      clearTimeout(timer);
      resolve({
        path: out.trim(),
        inject: (bytes) => proc.stdin!.write(Buffer.from(bytes).toString("hex") + "\n"),
        kill: async () => { if (proc.exitCode === null && proc.signalCode === null) { proc.kill("SIGKILL"); await exited; } },
      });
    });
  });
}
