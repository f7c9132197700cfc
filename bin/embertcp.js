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
const { main } = await import(cli.href);
// A command is over when main returns. Exit once its output has gone out
// (a write to a pipe that was full is still queued, and exiting would cut
// it off), not when the last handle closes: a handle left open (a TAP relay
// still writing its backlog of frames into the TAP after a flood) must not
// hold up the prompt exit that SIGINT and SIGTERM promise. A reader that
// stops reading altogether gets two seconds.
const code = await main(process.argv.slice(2));
const flushed = (stream) => new Promise((resolve) => stream.write("", resolve));
await Promise.race([Promise.all([flushed(process.stdout), flushed(process.stderr)]), new Promise((resolve) => setTimeout(resolve, 2000))]);
process.exit(code);
