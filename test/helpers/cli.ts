/** Run the embertcp CLI in-process and capture what it prints. */
import { main } from "../../host-sim/cli.js";

export async function runCli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [], err: string[] = [];
  const log = console.log, error = console.error;
  console.log = (...a: unknown[]) => { out.push(a.join(" ")); };
  console.error = (...a: unknown[]) => { err.push(a.join(" ")); };
  try { return { code: await main(argv), out: out.join("\n"), err: err.join("\n") }; } finally { console.log = log; console.error = error; }
}
