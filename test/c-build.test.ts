/**
 * `npm run build:c` (scripts/build-c.mjs): the EMBER_* variables it takes
 * from the environment, and the C it writes. A limit must be a positive
 * integer and a part switch (EMBER_UDP, EMBER_DHCP, EMBER_DNS) 0 or 1;
 * anything else is one line and status 2. The generated C addresses the
 * runtime's static memory directly, each load or store site checks its
 * own address, and the module's functions name the one instance rather
 * than pass it (ports/runtime/README.md).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { buildPath, projectRoot } from "../host-sim/paths.js";
import { toolGate } from "./helpers/links-socat.js";
import { specialiseInstance } from "../scripts/build-c.mjs";

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
    [{ EMBER_CONGESTION_CONTROL: "2" }, "build:c: EMBER_CONGESTION_CONTROL=2 must be 0 (off) or 1"],
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
    // The loads and stores take the host address that each site's own
    // check computed from the runtime's memory base; fill and copy compare
    // with a constant size.
    expect(c).toContain("wasm_rt_memcpy(&result, (u8*)(uintptr_t)addr, sizeof(t1));");
    expect(c).toContain("(embertcp_rt_memory_base + (u32)(x) + (k))");
    expect(c).toMatch(/i32_load\(&embertcp_rt_instance\.w2c_memory, EMBERTCP_AT\(w2c_i\d+, \d+u, 4u\)\)/);
    expect(c).not.toMatch(/_(load|store)\w*\([^,]*, \(u64\)/);
    expect(c).toContain("> (uint64_t)EMBERTCP_MEMORY_BYTES))");
    // The module's functions name the one instance instead of passing it,
    // the exports too, as the header declares them and the runtime calls
    // them (EMBERTCP_ONE_INSTANCE).
    expect(c).toMatch(/^static u32 w2c_f\d+\(u32\);$/m);
    expect(c).not.toMatch(/^static .*\(Z_embertcp_instance_t\*/m);
    expect(c).not.toContain("instance->");
    expect(c).toMatch(/^u32 Z_embertcpZ_net_poll\(u32 w2c_p0\) \{\n  return w2c_net_poll\(w2c_p0\);$/m);
    expect(c).toMatch(/^u32 Z_embertcpZ_net_scratch\(void\) \{$/m);
    const h = readFileSync(join(out, "embertcp_w2c.h"), "utf8");
    expect(h).toMatch(/^u32 Z_embertcpZ_tcp_send\(u32, u32, u32\);$/m);
    expect(h).not.toMatch(/Z_embertcpZ_\w+\(Z_embertcp_instance_t/);
    // The runtime clears the instance first, so only globals that start
    // elsewhere than zero are set at instantiation.
    const initGlobals = /^static void init_globals\(void\) \{\n([\s\S]*?)^\}$/m.exec(c)?.[1] ?? "";
    expect(initGlobals).toMatch(/^  embertcp_rt_instance\.w2c_g\d+ = 4294967295u;$/m);
    expect(initGlobals).not.toMatch(/ = 0u(ll)?;/);
    // No table, so no function type is registered and the runtime leaves its registry out.
    expect(c).not.toContain("wasm_rt_register_func_type(");
    expect(readFileSync(join(out, "embertcp_memory.h"), "utf8")).toContain("#define EMBERTCP_TABLES 0\n#define EMBERTCP_ONE_INSTANCE 1\n");
    expect(JSON.parse(readFileSync(join(out, "config.json"), "utf8")))
      .toMatchObject({ use: { EMBER_UDP: 0 }, memorySpecialised: true, instanceSpecialised: true });
  }, 120_000);

  test("a module with a table keeps wasm2c's instance passing and function types: its references carry their instance", () => {
    const dir = buildPath("c-table");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "table.wat"), `(module
  (type $t (func (param i32) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $f $g)
  (memory 1)
  (func $f (param i32) (result i32) local.get 0)
  (func $g (param i32) (result i32) local.get 0 i32.const 1 i32.add)
  (func (export "call") (param i32 i32) (result i32) local.get 1 local.get 0 call_indirect (type $t)))
`);
    const wasm = join(dir, "table.wasm");
    expect(spawnSync("wat2wasm", [join(dir, "table.wat"), "-o", wasm], { encoding: "utf8" }).status).toBe(0);
    const cFile = join(dir, "embertcp_w2c.c");
    expect(spawnSync("wasm2c", [wasm, "-n", "embertcp", "-o", cFile], { encoding: "utf8" }).status).toBe(0);
    const generated = readFileSync(cFile, "utf8");
    expect(generated).toContain("CALL_INDIRECT(instance->");
    const header = readFileSync(join(dir, "embertcp_w2c.h"), "utf8");
    expect(specialiseInstance(generated, header)).toEqual({ c: generated, h: header, specialised: false });
  });

  test("a site's check traps exactly when address + offset + width passes the memory's end, with no 32-bit wrap", () => {
    // The EMBERTCP_AT macro as build:c wrote it, compiled against a
    // 1000-byte memory with a trap that reports instead of stopping.
    const c = readFileSync(buildPath("c-tcp-only/embertcp_w2c.c"), "utf8");
    const macro = /#if WASM_RT_MEMCHECK_SIGNAL_HANDLER\n#define EMBERTCP_AT[\s\S]*?#endif\n/.exec(c)?.[0];
    expect(macro).toBeDefined();
    const dir = buildPath("c-site-check");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "check.c"), `#include <stdint.h>
#include <stdio.h>
#include <setjmp.h>
typedef uint32_t u32;
typedef uint64_t u64;
#define EMBERTCP_MEMORY_BYTES 1000u
#define WASM_RT_MEMCHECK_SIGNAL_HANDLER 0
/* The offset itself instead of the host address, so the output shows it. */
#define EMBERTCP_HOST(x, k) ((u64)(u32)(x) + (k))
static jmp_buf trapped;
#define TRAP(x) (longjmp(trapped, 1), 0)
${macro}
static void at(u32 x, u32 k, u32 n) {
  if (setjmp(trapped)) { printf("%u+%u+%u trap\\n", x, k, n); return; }
  printf("%u+%u+%u %llu\\n", x, k, n, (unsigned long long)EMBERTCP_AT(x, k, n));
}
int main(void) {
  at(996, 0, 4); at(997, 0, 4); at(992, 4, 4); at(993, 4, 4); at(0, 999, 1); at(0, 1000, 1);
  at(4294967295u, 8, 4); at(8, 4294967292u, 4); at(0, 0, 8); at(999, 0, 1);
  return 0;
}
`);
    const exe = join(dir, "check");
    const cc = spawnSync(process.env.CC || "cc", ["-std=c11", "-O2", "-o", exe, join(dir, "check.c")], { encoding: "utf8" });
    expect(cc.status, cc.stderr).toBe(0);
    expect(spawnSync(exe, { encoding: "utf8" }).stdout.trim().split("\n")).toEqual([
      "996+0+4 996", "997+0+4 trap", "992+4+4 996", "993+4+4 trap", "0+999+1 999", "0+1000+1 trap",
      "4294967295+8+4 trap", "8+4294967292+4 trap", "0+0+8 0", "999+0+1 999",
    ]);
  });
});
