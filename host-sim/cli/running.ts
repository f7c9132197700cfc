/**
 * What several commands share at run time: waiting for Ctrl-C / SIGTERM,
 * and finding the sims running on this machine by their control sockets.
 */
import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Resolve on the first SIGINT or SIGTERM. */
export function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const done = (s: string) => { process.off("SIGINT", onInt); process.off("SIGTERM", onTerm); resolve(s); };
    const onInt = () => done("SIGINT"), onTerm = () => done("SIGTERM");
    process.once("SIGINT", onInt);
    process.once("SIGTERM", onTerm);
  });
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

/** Control sockets of sims running on this machine under their default names (embertcp-sim-PID.sock). */
export function runningSims(): string[] {
  try {
    return readdirSync(tmpdir()).filter((f) => /^embertcp-sim-\d+\.sock$/.test(f))
      .filter((f) => alive(Number(/(\d+)\.sock$/.exec(f)![1]))).map((f) => join(tmpdir(), f));
  } catch { return []; }
}
