/**
 * `npm run build:c` (scripts/build-c.mjs): the EMBER_* variables it takes
 * from the environment, and the C it writes. A limit must be a positive
 * integer and a part switch (EMBER_UDP, EMBER_DHCP, EMBER_DNS) 0 or 1;
 * anything else is one line and status 2. The generated C addresses the
 * runtime's static memory directly (ports/runtime/README.md).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { buildPath, projectRoot } from "../host-sim/paths.js";
import { toolGate } from "./helpers/links-socat.js";

const buildC = (env: Record<string, string>, out: string) =>
  spawnSync("node", ["scripts/build-c.mjs", "--out", out], {
    cwd: projectRoot(), encoding: "utf8", timeout: 120_000, env: { ...process.env, ...env },
  });

describe("build:c refuses bad EMBER_* values with one line and status 2", () => {
  test.each([
    [{ EMBER_TCB_COUNT: "0" }, "build:c: EMBER_TCB_COUNT=0 is not a positive integer"],
    [{ EMBER_TCP_RX_BUF: "4k" }, "build:c: EMBER_TCP_RX_BUF=4k is not a positive integer"],
    [{ EMBER_UDP: "2" }, "build:c: EMBER_UDP=2 must be 0 (leave the part out) or 1"],
    [{ EMBER_DNS: "off" }, "build:c: EMBER_DNS=off must be 0 (leave the part out) or 1"],
  ])("%o", (env, line) => {
    const r = buildC(env, buildPath("c-refused"));
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim()).toBe(line);
  });
});

describe.runIf(toolGate("wasm2c", "--version"))("build:c output", () => {
  test("EMBER_UDP=0 builds the TCP-only module: its C has no UDP, DHCP or DNS exports, and reaches memory directly", () => {
    const out = buildPath("c-tcp-only");
    const r = buildC({ EMBER_UDP: "0" }, out);
    expect(r.status, r.stderr).toBe(0);
    const c = readFileSync(join(out, "embertcp_w2c.c"), "utf8");
    expect(c).toContain("Z_embertcpZ_tcp_listen");
    for (const name of ["udp_bind", "net_addr", "dns_query"]) expect(c).not.toContain(`Z_embertcpZ_${name}`);
    // The loads and stores use the runtime's array and a constant size.
    expect(c).toContain("&embertcp_rt_memory[addr]");
    expect(c).toContain("> (uint64_t)EMBERTCP_MEMORY_BYTES))");
    expect(JSON.parse(readFileSync(join(out, "config.json"), "utf8"))).toMatchObject({ use: { EMBER_UDP: 0 }, memorySpecialised: true });
  }, 120_000);
});
