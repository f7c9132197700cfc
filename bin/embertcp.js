#!/usr/bin/env node
// The embertcp command: runs the compiled simulator CLI (npm run build makes dist/).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const cli = new URL("../dist/host-sim/cli.js", import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  console.error("embertcp: not built yet; run `npm run build` in the package directory first");
  process.exit(1);
}
// A reader that stops early (`embertcp trace x.pcap | head`) closes the
// pipe: that ends the output quietly, as it does for any Unix filter.
process.stdout.on("error", (e) => { if (e.code === "EPIPE") process.exit(0); throw e; });
const { main, exitWhenFlushed } = await import(cli.href);
// A command is over when main returns: exit then (host-sim/cli/exit.ts says
// why not at once, and why not when the last handle closes).
await exitWhenFlushed(await main(process.argv.slice(2)));
