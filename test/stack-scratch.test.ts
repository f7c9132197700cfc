/**
 * The Stack wrapper stages host data in net_scratch (docs/ABI.md), and
 * refuses any copy that would pass its end: whatever lies beyond the
 * buffer is not the host's. net_scratch now sits at the top of the
 * module's statics, above the tables (assembly/netif.ts places the frame
 * buffers there); when the net_config table followed it, a raw overflow
 * (the old throughput bench's) silently reconfigured the stack.
 */
import { describe, expect, test } from "vitest";
import { Stack } from "../host-sim/stack.js";
import { CONFIG_DEFAULTS, type ConfigName } from "../host-sim/abi-tables.js";

function configNow(s: Stack): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of Object.keys(CONFIG_DEFAULTS) as ConfigName[]) out[name] = s.getConfig(name);
  return out;
}

describe("net_scratch copies through the Stack wrapper", () => {
  test("a copy longer than net_scratch throws a clear error and leaves every net_config value as it was", () => {
    const s = new Stack();
    s.init({ mac: "02:00:00:00:00:01", ip: "10.0.0.1" });
    const size = s.exports.net_scratch_size();
    const before = configNow(s);
    expect(() => s.writeScratch(new Uint8Array(5840).fill(0x0f))).toThrow(/5840 bytes at scratch offset 0 passes the end of net_scratch \(1536 bytes\)/);
    expect(() => s.writeScratch(new Uint8Array(size + 1))).toThrow(RangeError);
    expect(configNow(s)).toEqual(before);
    expect(before).toEqual(CONFIG_DEFAULTS);
  });

  test("a copy that ends exactly at the end fits; one byte further at an offset does not; negative offsets are refused", () => {
    const s = new Stack();
    const size = s.exports.net_scratch_size();
    const data = new Uint8Array(size).map((_, i) => i * 7);
    const p = s.writeScratch(data);
    expect(p).toBe(s.exports.net_scratch());
    expect(s.memory.slice(p, p + size)).toEqual(data);
    expect(s.writeScratch(Uint8Array.of(9), size - 1)).toBe(p + size - 1);
    expect(() => s.writeScratch(Uint8Array.of(1, 2), size - 1)).toThrow(/passes the end of net_scratch/);
    expect(() => s.writeScratch(Uint8Array.of(1), -1)).toThrow(RangeError);
  });

  test("net_scratch lies above the net_config table: bytes past it (what the old throughput bench wrote) change no value", () => {
    const s = new Stack();
    s.init({ mac: "02:00:00:00:00:01", ip: "10.0.0.1" });
    const p = s.exports.net_scratch(), size = s.exports.net_scratch_size();
    expect(size).toBeLessThan(5840);
    expect(p + 5840).toBeLessThanOrEqual(s.memory.length);
    s.memory.fill(0x0f, p, p + 5840);
    expect(configNow(s)).toEqual(CONFIG_DEFAULTS);
  });
});
