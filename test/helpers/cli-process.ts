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

/** A long-running `embertcp` process (sim, bridge): its output so far, waits, and a stop that reports how it ended. */
export interface CliProcess {
  readonly out: () => string;
  /** Resolves true once stdout+stderr matches `re` (false after `ms`). */
  waitFor(re: RegExp, ms?: number): Promise<boolean>;
  /** SIGTERM, then SIGKILL after `ms`; resolves with the exit code (null if killed). */
  stop(ms?: number): Promise<number | null>;
  /** Resolves with the exit code once the process ends by itself (or null after `ms`, killing it). */
  exited(ms?: number): Promise<number | null>;
}

export function startEmbertcp(args: string[]): CliProcess {
  const p = spawn(process.execPath, [EMBERTCP, ...args], { cwd: projectRoot(), stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  p.stdout.on("data", (d) => { text += d; });
  p.stderr.on("data", (d) => { text += d; });
  const closed = new Promise<number | null>((resolve) => p.on("close", (code) => resolve(code)));
  const exited = async (ms = 10_000) => {
    const t = setTimeout(() => p.kill("SIGKILL"), ms);
    try { return await closed; } finally { clearTimeout(t); }
  };
  return {
    out: () => text,
    async waitFor(re, ms = 10_000) {
      const end = Date.now() + ms;
      while (!re.test(text) && Date.now() < end && p.exitCode === null) await new Promise((r) => setTimeout(r, 20));
      return re.test(text);
    },
    stop(ms = 10_000) { if (p.exitCode === null) p.kill("SIGTERM"); return exited(ms); },
    exited,
  };
}
