/**
 * Compile-time opt-out (docs/EMBEDDING.md "Leaving out UDP, DHCP or DNS"):
 * a build with EMBER_UDP=0, EMBER_DHCP=0 or EMBER_DNS=0 has none of that
 * part's exports, keeps working for what remains, and is smaller.
 */
import { describe, expect, test } from "vitest";
import { compileAssemblyScript } from "../host-sim/asc.js";
import { Stack } from "../host-sim/stack.js";
import { STAT_NAMES } from "../host-sim/abi-tables.js";
import { ERRNO } from "../host-sim/errors.js";

const UDP = ["udp_bind", "udp_close", "udp_port", "udp_recvfrom", "udp_sendto"];
const DHCP = ["net_addr", "net_hostname"];
const DNS = ["dns_query", "dns_result", "dns_server"];

const builds = new Map<string, Promise<Uint8Array>>();
function build(use: string[]): Promise<Uint8Array> {
  const key = use.join(",");
  if (!builds.has(key)) builds.set(key, compileAssemblyScript("assembly/index.ts", { args: use.flatMap((u) => ["--use", u]), pages: 3 }));
  return builds.get(key)!;
}
const exportsOf = (bytes: Uint8Array) => WebAssembly.Module.exports(new WebAssembly.Module(bytes)).map((e) => e.name);

describe.each([
  ["EMBER_UDP=0", ["EMBER_UDP=0"], [...UDP, ...DHCP, ...DNS]],
  ["EMBER_DHCP=0", ["EMBER_DHCP=0"], DHCP],
  ["EMBER_DNS=0", ["EMBER_DNS=0"], DNS],
])("%s", (_n, use, absent) => {
  test("the part's exports are absent, every other export is there", async () => {
    const [full, part] = await Promise.all([build([]), build(use)]);
    const names = exportsOf(part);
    for (const a of absent) expect(names).not.toContain(a);
    expect(names.sort()).toEqual(exportsOf(full).filter((n) => !absent.includes(n)).sort());
    expect(part.length).toBeLessThan(full.length);
  }, 120_000);
});

describe("TCP-only build (EMBER_UDP=0)", () => {
  test("net_init with address 0 is EINVAL (no DHCP client); net_stats writes every counter, the UDP/DHCP/DNS ones 0", async () => {
    const s = new Stack({ module: new WebAssembly.Module(await build(["EMBER_UDP=0"])) });
    const p = s.exports.net_scratch();
    s.memory.set([2, 0, 0, 0, 0, 1], p);
    expect(s.exports.net_init(0, p, 0, 0, 0)).toBe(ERRNO.EINVAL);
    s.init({ mac: "02:00:00:00:00:01", ip: "10.0.0.2" });
    // Positions never depend on the build: counters appended after the UDP
    // ones must read the same in every build.
    expect(s.exports.net_stats(s.exports.net_scratch())).toBe(STAT_NAMES.length);
    const stats = s.stats();
    for (const name of STAT_NAMES.filter((n) => /^(udp|dhcp|dns|icmp_unreach)_/.test(n))) expect(stats[name], name).toBe(0);
  }, 120_000);
});
