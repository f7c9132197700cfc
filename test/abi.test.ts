import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { Stack, loadModule } from "../host-sim/stack.js";
import { CONFIG_DEFAULTS, CONFIG_KEYS, STAT_NAMES } from "../host-sim/abi-tables.js";
import { ERRNO } from "../host-sim/errors.js";
import { buildPath } from "../host-sim/paths.js";

const ABI_IMPORTS = ["entropy", "frame_out", "log", "spi_select", "spi_transfer"];
const ABI_EXPORTS = [
  "dns_query", "dns_result", "dns_server",
  "memory", "net_addr", "net_config", "net_hostname", "net_init", "net_input", "net_poll", "net_scratch", "net_scratch_size", "net_stats",
  "tcp_abort", "tcp_accept", "tcp_close", "tcp_connect", "tcp_list", "tcp_listen", "tcp_option", "tcp_poll",
  "tcp_recv", "tcp_send", "tcp_state", "tcp_status",
  "udp_bind", "udp_close", "udp_port", "udp_recvfrom", "udp_sendto",
];

describe.each(["embertcp.wasm", "embertcp.debug.wasm"])("module %s", (file) => {
  const mod = loadModule(buildPath(file));

  test("imports exactly the five hal functions of the ABI, nothing else", () => {
    const imports = WebAssembly.Module.imports(mod);
    expect(imports.every((i) => i.module === "hal" && i.kind === "function")).toBe(true);
    expect(imports.map((i) => i.name).sort()).toEqual(ABI_IMPORTS);
  });

  test("exports exactly the ABI", () => {
    expect(WebAssembly.Module.exports(mod).map((e) => e.name).sort()).toEqual(ABI_EXPORTS);
  });
});

describe("memory", () => {
  test("is fixed: initial equals maximum, and net_init does not grow it", () => {
    const s = new Stack();
    const before = s.exports.memory.buffer.byteLength;
    s.init({ mac: "02:00:00:00:00:01", ip: "10.0.0.2" });
    expect(s.exports.memory.buffer.byteLength).toBe(before);
    expect(() => s.exports.memory.grow(1)).toThrow();
  });

  test("net_scratch offers at least 1536 bytes inside memory", () => {
    const s = new Stack();
    const p = s.exports.net_scratch();
    expect(s.exports.net_scratch_size()).toBeGreaterThanOrEqual(1536);
    expect(p + s.exports.net_scratch_size()).toBeLessThanOrEqual(s.exports.memory.buffer.byteLength);
  });
});

describe("net_init", () => {
  const mac = (s: Stack, bytes: number[]) => { s.memory.set(bytes, s.exports.net_scratch()); return s.exports.net_scratch(); };
  const good = [2, 0, 0, 0, 0, 1];

  test.each([
    ["link 2", 2, good, 0x0a000002, 0xffffff00, 0],
    ["multicast MAC", 0, [1, 0, 0x5e, 0, 0, 1], 0x0a000002, 0xffffff00, 0],
    ["all-zero MAC", 0, [0, 0, 0, 0, 0, 0], 0x0a000002, 0xffffff00, 0],
    ["address 0.0.0.0", 0, good, 0, 0xffffff00, 0],
    ["address 255.255.255.255", 0, good, 0xffffffff, 0xffffff00, 0],
    ["multicast address", 0, good, 0xe0000001, 0xffffff00, 0],
    ["non-contiguous netmask", 0, good, 0x0a000002, 0xff00ff00, 0],
    ["netmask /32", 0, good, 0x0a000002, 0xffffffff, 0],
    ["gateway off the subnet", 0, good, 0x0a000002, 0xffffff00, 0x0b000001],
  ])("%s → EINVAL", (_n, link, bytes, ip, mask, gw) => {
    const s = new Stack();
    expect(s.exports.net_init(link, mac(s, bytes), ip, mask, gw)).toBe(ERRNO.EINVAL);
    expect(s.stats().api_einval).toBe(1);
  });

  test("MAC pointer past the end of memory → EINVAL", () => {
    const s = new Stack();
    expect(s.exports.net_init(0, s.exports.memory.buffer.byteLength - 3, 0x0a000002, 0xffffff00, 0)).toBe(ERRNO.EINVAL);
  });

  test("link 1 with nothing on the SPI bus (EREVID reads FFh) → ENODEV", () => {
    const s = new Stack();
    expect(s.exports.net_init(1, mac(s, good), 0x0a000002, 0xffffff00, 0)).toBe(ERRNO.ENODEV);
  });

  test("before net_init, net_poll and net_input answer ENODEV", () => {
    const s = new Stack();
    expect(s.exports.net_poll(0)).toBe(ERRNO.ENODEV);
    expect(s.exports.net_input(s.exports.net_scratch(), 60)).toBe(ERRNO.ENODEV);
  });

  test("net_init logs one line through hal.log", () => {
    const s = new Stack();
    s.init({ mac: "02:00:00:00:00:01", ip: "10.0.0.2" });
    expect(s.logs).toEqual(["embertcp up on link 0"]);
  });
});

describe("argument checks", () => {
  const up = () => { const s = new Stack(); s.init({ mac: "02:00:00:00:00:01", ip: "10.0.0.2" }); return s; };

  test("net_input with a range outside memory → EINVAL, nothing read", () => {
    const s = up();
    const size = s.exports.memory.buffer.byteLength;
    expect(s.exports.net_input(size - 10, 60)).toBe(ERRNO.EINVAL);
    expect(s.exports.net_input(0, -1)).toBe(ERRNO.EINVAL);
    expect(s.exports.net_input(0xfffffff0, 0x20)).toBe(ERRNO.EINVAL);
    expect(s.stats().eth_rx_frames).toBe(0);
  });

  test("net_stats with an output range outside memory → EINVAL", () => {
    const s = up();
    expect(s.exports.net_stats(s.exports.memory.buffer.byteLength - 4)).toBe(ERRNO.EINVAL);
  });

  test.each([
    ["tcp_send", (s: Stack) => s.exports.tcp_send(1, s.exports.memory.buffer.byteLength, 1)],
    ["tcp_recv", (s: Stack) => s.exports.tcp_recv(1, s.exports.memory.buffer.byteLength - 1, 2)],
    ["tcp_status", (s: Stack) => s.exports.tcp_status(1, s.exports.memory.buffer.byteLength - 8)],
    ["tcp_list", (s: Stack) => s.exports.tcp_list(s.exports.memory.buffer.byteLength - 8, 2)],
    ["tcp_list (negative max)", (s: Stack) => s.exports.tcp_list(0, -1)],
    ["tcp_listen (port 0)", (s: Stack) => s.exports.tcp_listen(0, 1)],
    ["tcp_listen (port 65536)", (s: Stack) => s.exports.tcp_listen(65536, 1)],
    ["tcp_connect (port 0)", (s: Stack) => s.exports.tcp_connect(0x0a000001, 0)],
  ])("%s with bad arguments → EINVAL", (_n, call) => {
    const s = up();
    expect(call(s)).toBe(ERRNO.EINVAL);
  });
});

describe("net_config", () => {
  test("every key reads back its documented default", () => {
    const s = new Stack();
    for (const [name, key] of Object.entries(CONFIG_KEYS)) {
      expect([name, s.exports.net_config(key, -1)]).toEqual([name, CONFIG_DEFAULTS[name as keyof typeof CONFIG_DEFAULTS]]);
    }
  });

  test("a value in range is stored; out of range or unknown keys → EINVAL and unchanged", () => {
    const s = new Stack();
    s.setConfig("synack_retries", 3);
    expect(s.getConfig("synack_retries")).toBe(3);
    expect(s.exports.net_config(CONFIG_KEYS.syncookies, 3)).toBe(ERRNO.EINVAL);
    expect(s.getConfig("syncookies")).toBe(1);
    expect(s.exports.net_config(999, 1)).toBe(ERRNO.EINVAL);
    expect(s.exports.net_config(-5, 1)).toBe(ERRNO.EINVAL);
  });

  test("the ephemeral range cannot be inverted", () => {
    const s = new Stack();
    expect(s.exports.net_config(CONFIG_KEYS.ephemeral_low, 65535)).toBe(0);
    expect(s.exports.net_config(CONFIG_KEYS.ephemeral_high, 50000)).toBe(ERRNO.EINVAL);
  });

  test.each([
    ["ephemeral_low", "ephemeral_high"],
    ["rto_min_ms", "rto_max_ms"],
  ] as const)("%s may not pass %s, nor %s fall below it; meeting it is fine", (low, high) => {
    const s = new Stack();
    s.setConfig(low, 2000);
    s.setConfig(high, 3000);
    expect(s.exports.net_config(CONFIG_KEYS[low], 3001)).toBe(ERRNO.EINVAL);
    expect(s.exports.net_config(CONFIG_KEYS[high], 1999)).toBe(ERRNO.EINVAL);
    expect([s.getConfig(low), s.getConfig(high)]).toEqual([2000, 3000]);
    expect(s.exports.net_config(CONFIG_KEYS[low], 3000)).toBe(0);
    expect(s.exports.net_config(CONFIG_KEYS[high], 3000)).toBe(0);
    expect([s.getConfig(low), s.getConfig(high)]).toEqual([3000, 3000]);
  });
});

describe("net_stats", () => {
  test("writes one counter per documented name, in the documented order", () => {
    const s = new Stack();
    expect(s.exports.net_stats(s.exports.net_scratch())).toBe(STAT_NAMES.length);
    const full = readFileSync(new URL("../docs/ABI.md", import.meta.url), "utf8");
    const doc = full.slice(full.indexOf("<!-- gen:stats -->"), full.indexOf("<!-- /gen:stats -->"));
    const documented = [...doc.matchAll(/^\| (\d+) \| `([a-z0-9_]+)` \|/gm)].map((m) => [Number(m[1]), m[2]]);
    expect(documented).toEqual(STAT_NAMES.map((n, i) => [i, n]));
  });

  test("the names match the AssemblyScript Stat enum", () => {
    const src = readFileSync(new URL("../assembly/stats.ts", import.meta.url), "utf8");
    const body = src.slice(src.indexOf("export const enum Stat {"), src.indexOf("COUNT\n}"));
    const names = [...body.matchAll(/^\s+([A-Z0-9_]+)(?: = \d+)?,/gm)].map((m) => m[1].toLowerCase());
    expect(names).toEqual([...STAT_NAMES]);
  });
});

/** Function names from the wasm "name" custom section (subsection 1). */
function functionNames(bytes: Uint8Array): string[] {
  let p = 8;
  const leb = () => { let r = 0, s = 0, b: number; do { b = bytes[p++]; r |= (b & 0x7f) << s; s += 7; } while (b & 0x80); return r >>> 0; };
  const names: string[] = [];
  while (p < bytes.length) {
    const id = bytes[p++];
    const size = leb();
    const end = p + size;
    if (id === 0) {
      const nlen = leb();
      const secName = new TextDecoder().decode(bytes.subarray(p, p + nlen));
      p += nlen;
      if (secName === "name") {
        while (p < end) {
          const sub = bytes[p++];
          const subSize = leb();
          const subEnd = p + subSize;
          if (sub === 1) {
            const n = leb();
            for (let i = 0; i < n; i++) { leb(); const l = leb(); names.push(new TextDecoder().decode(bytes.subarray(p, p + l))); p += l; }
          }
          p = subEnd;
        }
      }
    }
    p = end;
  }
  return names;
}

describe("no allocation after net_init (docs/EMBEDDING.md)", () => {
  test("no allocator is linked in: the debug build names no __alloc, __new or memory-growing helper", () => {
    const names = functionNames(readFileSync(buildPath("embertcp.debug.wasm")));
    expect(names.length).toBeGreaterThan(100);
    expect(names.some((n) => n.includes("net_init"))).toBe(true);
    expect(names.filter((n) => /__alloc|__new|__renew|__realloc|maybeGrowMemory|~lib\/array|~lib\/map|~lib\/set/.test(n))).toEqual([]);
  });
});
