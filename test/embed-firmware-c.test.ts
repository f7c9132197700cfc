/**
 * Instance-level linking from C: examples/firmware-c is compiled with clang
 * and lld against include/embertcp.h, then instantiated with embertcp's
 * exports as its "embertcp" imports on one shared memory
 * (embertcp.imported-memory.wasm). Also checks that the header declares
 * exactly the real module's imports and exports, with their signatures,
 * and that bad pointers from the firmware get EINVAL and write nothing.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, test } from "vitest";
import { ipToNumber, macToBytes } from "../host-sim/stack.js";
import { arpRequestFrame, echoRequestFrame } from "../host-sim/ping.js";
import { buildPath, projectRoot } from "../host-sim/paths.js";
// @ts-expect-error: the example's build script is plain JavaScript
import { buildFirmwareC } from "../examples/firmware-c/build.mjs";
import {
  BOARD_IP, CLIENT_IP, IMPORTED_MEMORY_BASE, IMPORTED_MEMORY_PAGES, Wire, cFirmwareBoard, echoThrough, frameIn, startFirmware,
} from "./helpers/embed-board.js";
import { moduleSignatures, parseHeader } from "./helpers/embed-wasm.js";
import { toolGate } from "./helpers/links-socat.js";

const header = parseHeader(readFileSync(`${projectRoot()}/include/embertcp.h`, "utf8"));

describe("include/embertcp.h against the built modules", () => {
  test.each(["embertcp.wasm", "embertcp.imported-memory.wasm"])("declares exactly the exports of %s, with their signatures", (file) => {
    const sigs = moduleSignatures(readFileSync(buildPath(file)));
    const fns = [...sigs.exports].filter(([, v]) => typeof v === "object");
    expect(header.exports.map((d) => d.name).sort()).toEqual(fns.map(([k]) => k).sort());
    for (const d of header.exports) expect({ name: d.name, params: d.params, results: d.results }).toEqual({ name: d.name, ...(sigs.exports.get(d.name) as object) });
    expect([...sigs.exports].filter(([, v]) => typeof v !== "object").map(([k]) => k)).toEqual(["memory"]);
  });

  test.each(["embertcp.wasm", "embertcp.imported-memory.wasm"])("declares exactly the hal imports of %s, with their signatures", (file) => {
    const sigs = moduleSignatures(readFileSync(buildPath(file)));
    const fns = [...sigs.imports].filter(([, v]) => typeof v === "object");
    expect(fns.every(([k]) => k.startsWith("hal."))).toBe(true);
    expect(header.imports.map((d) => `hal.${d.name}`).sort()).toEqual(fns.map(([k]) => k).sort());
    for (const d of header.imports) expect({ params: d.params, results: d.results }).toEqual(sigs.imports.get(`hal.${d.name}`));
  });

  test("the imported-memory base in the header is the build's (asconfig memoryBase)", () => {
    const asconfig = JSON.parse(readFileSync(`${projectRoot()}/asconfig.json`, "utf8"));
    expect(header.memoryBase).toBe(asconfig.targets["imported-memory"].memoryBase);
    expect(header.memoryBase).toBe(IMPORTED_MEMORY_BASE);
  });
});

// clang and lld: installed by .ci/run; outside CI their absence skips with a message.
const haveClang = toolGate("clang", "--version") && toolGate("wasm-ld", "--version");

describe.runIf(haveClang)("C firmware (examples/firmware-c)", () => {
  let path = "";
  beforeAll(() => { path = buildFirmwareC(); }, 120_000);

  test("imports env.memory and only calls that the header declares from module embertcp", () => {
    const sigs = moduleSignatures(readFileSync(path));
    expect(sigs.imports.get("env.memory")).toBe("memory");
    const declared = new Set(header.exports.map((d) => d.name));
    for (const k of sigs.imports.keys()) if (k !== "env.memory") {
      expect(k.startsWith("embertcp.") && declared.has(k.slice(9)), k).toBe(true);
    }
  });

  test("its stack and data end below EMBERTCP_IMPORTED_MEMORY_BASE", () => {
    const b = cFirmwareBoard(path);
    const heapBase = (b.c.__heap_base as WebAssembly.Global).value as number;
    expect(heapBase).toBeGreaterThan(0);
    expect(heapBase).toBeLessThanOrEqual(IMPORTED_MEMORY_BASE);
    expect(b.memory.buffer.byteLength).toBe(IMPORTED_MEMORY_PAGES * 65536);
  });

  test("starts, listens, and answers ARP and ping", () => {
    const b = cFirmwareBoard(path);
    startFirmware(b);
    b.fw.fw_loop(0);
    b.outbox.length = 0;
    const mac = macToBytes("02:00:00:00:00:20"), host = macToBytes("02:00:00:00:00:01");
    expect(frameIn(b, arpRequestFrame(host, ipToNumber(CLIENT_IP), ipToNumber(BOARD_IP)))).toBe(0);
    expect([...b.outbox.shift()!.subarray(22, 28)]).toEqual([...mac]);
    const data = Uint8Array.from({ length: 300 }, (_, i) => 255 - (i & 0xff));
    frameIn(b, echoRequestFrame({ srcMac: host, dstMac: mac, src: ipToNumber(CLIENT_IP), dst: ipToNumber(BOARD_IP), id: 2, seq: 7, data }));
    const reply = b.outbox.shift()!;
    expect(reply[34]).toBe(0);
    expect(Buffer.compare(reply.subarray(42), data)).toBe(0);
    expect(b.stack.list().some((e) => e.state === 1 && e.localPort === 7)).toBe(true);
  });

  test("echo server: a client Stack sends 20 KB over TCP and reads the same bytes back", () => {
    const b = cFirmwareBoard(path);
    startFirmware(b);
    const w = new Wire(b);
    const data = Uint8Array.from({ length: 20_000 }, (_, i) => (i * 29 + 3) & 0xff);
    const back = echoThrough(w, data);
    expect(back.length).toBe(data.length);
    expect(Buffer.compare(back, data)).toBe(0);
    expect(b.fw.fw_echoed()).toBe(data.length);
  });

  test("bad pointers and lengths from the firmware: every call EINVAL, and no byte of memory written but the counter", () => {
    const b = cFirmwareBoard(path);
    startFirmware(b);
    b.fw.fw_loop(0);
    const einvalBefore = b.stack.stats().api_einval;
    const before = new Uint8Array(b.memory.buffer).slice();
    const probe = b.c.fw_probe_bad_inputs as () => number;
    expect(probe()).toBe(0);
    const after = new Uint8Array(b.memory.buffer);
    const changed: number[] = [];
    for (let i = 0; i < after.length; i++) if (after[i] !== before[i]) changed.push(i);
    // Only the api_einval counter (one u32 in embertcp's static data) moved.
    expect(changed.length).toBeGreaterThan(0);
    expect(changed[changed.length - 1] - (changed[0] & ~3)).toBeLessThan(4);
    expect(changed[0]).toBeGreaterThanOrEqual(IMPORTED_MEMORY_BASE);
    const calls = (b.c.fw_probe_count as () => number)();
    expect(b.stack.stats().api_einval - einvalBefore).toBe(calls);
  });

  test("good ranges: tcp_recv, tcp_status and tcp_list write inside the range they were given, not a byte past it", () => {
    const b = cFirmwareBoard(path);
    startFirmware(b);
    const w = new Wire(b);
    const c = w.client;
    const conn = c.connect(BOARD_IP, 7);
    w.runUntil(() => c.pollConn(conn).established, 30_000, "the handshake");
    c.send(conn, Uint8Array.from({ length: 100 }, (_, i) => i + 1));
    w.runUntil(() => c.status(conn).recv_queued === 100, 30_000, "the echo");
    const ex = c.exports, p = ex.net_scratch();
    const fenced = (len: number, call: () => number) => {
      const mem = c.memory;
      mem.fill(0xa5, p, p + 256);
      const r = call();
      expect(r).toBeGreaterThanOrEqual(0);
      const after = c.memory;
      for (let i = p + len; i < p + 256; i++) if (after[i] !== 0xa5) throw new Error(`byte ${i - p} past a ${len}-byte range was written`);
      return r;
    };
    expect(fenced(10, () => ex.tcp_recv(conn, p, 10))).toBe(10);
    expect([...c.memory.subarray(p, p + 10)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    fenced(96, () => ex.tcp_status(conn, p));
    expect(fenced(24, () => ex.tcp_list(p, 1))).toBe(1);
    expect(fenced(0, () => ex.tcp_list(p, 0))).toBe(0);
  });
});
