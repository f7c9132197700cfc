#!/usr/bin/env node
// The embertcp command: runs the compiled simulator CLI (npm run build makes dist/).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const cli = new URL("../dist/host-sim/cli.js", import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  console.error("embertcp: not built yet; run `npm run build` in the package directory first");
  process.exit(1);
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));
