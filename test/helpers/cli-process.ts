/**
 * Run the built `embertcp` command (bin/embertcp.js over dist/) as a child
 * process, the way a user does, with a time limit: a command that hangs
 * instead of exiting is killed and reported as `timedOut`.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { projectRoot } from "../../host-sim/paths.js";

export interface CliRun { code: number | null; out: string; err: string; timedOut: boolean; }

export const EMBERTCP = join(projectRoot(), "bin", "embertcp.js");

/** `embertcp ...args`; `cwd` defaults to the repository. */
export function embertcp(args: string[], opts: { timeoutMs?: number; cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [EMBERTCP, ...args], { cwd: opts.cwd ?? projectRoot(), env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "", timedOut = false;
    const timer = setTimeout(() => { timedOut = true; p.kill("SIGKILL"); }, opts.timeoutMs ?? 20_000);
    p.stdout.on("data", (d) => { out += d; });
    p.stderr.on("data", (d) => { err += d; });
    p.on("close", (code) => { clearTimeout(timer); resolve({ code, out, err, timedOut }); });
  });
}

/** The lines of `text` without the trailing empty one. */
export function lines(text: string): string[] {
  return text.split("\n").filter((l, i, a) => l !== "" || i < a.length - 1);
}
