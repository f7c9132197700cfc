#!/usr/bin/env node
// Builds the TAP relay (host-sim/tap/relay.c) into build/embertcp-tap-relay
// with the system C compiler. Without a compiler (or on a system that is not
// Linux) it prints why and stops without failing: the simulator then uses
// its Python relay, which is slower (see docs/SIMULATOR.md).
import { spawnSync } from "node:child_process";
import { mkdirSync, renameSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "build", "embertcp-tap-relay");
const cc = process.env.CC || "cc";

if (process.platform !== "linux") {
  console.log(`TAP relay not built: TAP devices are Linux only (this is ${process.platform})`);
  process.exit(0);
}
if (spawnSync(cc, ["--version"], { stdio: "ignore" }).error) {
  console.log(`TAP relay not built: no C compiler (${cc}); the simulator falls back to its Python relay`);
  process.exit(0);
}
mkdirSync(dirname(out), { recursive: true });
const tmp = `${out}.${process.pid}.tmp`;
const r = spawnSync(cc, ["-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", "-pthread", "-o", tmp, join(root, "host-sim", "tap", "relay.c")], { stdio: "inherit" });
if (r.status !== 0) {
  console.error(`TAP relay: ${cc} failed (exit ${r.status}); the simulator falls back to its Python relay`);
  process.exit(1);
}
renameSync(tmp, out);
