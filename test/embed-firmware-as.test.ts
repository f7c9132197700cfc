/**
 * Source-level linking: examples/firmware-as imports embertcp's
 * AssemblyScript API and compiles with its echo server into one module,
 * which runs here on a simulated board (host-frames link) with an embertcp
 * Stack as the client.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { ipToNumber, macToBytes } from "../host-sim/stack.js";
import { arpRequestFrame, echoRequestFrame } from "../host-sim/ping.js";
// @ts-expect-error: the example's build script is plain JavaScript
import { buildFirmwareAs } from "../examples/firmware-as/build.mjs";
import { BOARD_IP, CLIENT_IP, Wire, asFirmwareBoard, echoThrough, frameIn, startFirmware } from "./helpers/embed-board.js";
import { moduleSignatures } from "./helpers/embed-wasm.js";

let path = "";
beforeAll(async () => { path = await buildFirmwareAs(); }, 120_000);

describe("AssemblyScript firmware (examples/firmware-as)", () => {
  test("is one module: imports only the hal functions, exports only the firmware's entry points and memory", () => {
    const sigs = moduleSignatures(readFileSync(path));
    expect([...sigs.imports.keys()].sort()).toEqual(["hal.entropy", "hal.frame_out", "hal.log", "hal.spi_select", "hal.spi_transfer"]);
    expect([...sigs.exports.keys()].sort()).toEqual(
      ["fw_echoed", "fw_frame_in", "fw_loop", "fw_rx_buffer", "fw_rx_buffer_size", "fw_start", "memory"]);
  });

  test("starts, listens, and answers ARP and ping through the stack compiled into it", () => {
    const b = asFirmwareBoard(path);
    startFirmware(b);
    b.fw.fw_loop(0);
    b.outbox.length = 0;
    const mac = macToBytes("02:00:00:00:00:10"), host = macToBytes("02:00:00:00:00:01");
    expect(frameIn(b, arpRequestFrame(host, ipToNumber(CLIENT_IP), ipToNumber(BOARD_IP)))).toBe(0);
    expect([...b.outbox.shift()!.subarray(22, 28)]).toEqual([...mac]);
    const data = Uint8Array.from({ length: 100 }, (_, i) => i);
    frameIn(b, echoRequestFrame({ srcMac: host, dstMac: mac, src: ipToNumber(CLIENT_IP), dst: ipToNumber(BOARD_IP), id: 1, seq: 1, data }));
    const reply = b.outbox.shift()!;
    expect(reply[34]).toBe(0); // echo reply
    expect(Buffer.compare(reply.subarray(42), data)).toBe(0);
  });

  test("a frame length past the RX buffer is EINVAL, not a read beyond it", () => {
    const b = asFirmwareBoard(path);
    startFirmware(b);
    expect(b.fw.fw_frame_in(-1)).toBe(-1);
    expect(b.fw.fw_frame_in(b.memory.buffer.byteLength)).toBe(-1);
  });

  test("echo server: a client Stack sends 20 KB over TCP and reads the same bytes back", () => {
    const b = asFirmwareBoard(path);
    startFirmware(b);
    const w = new Wire(b);
    const data = Uint8Array.from({ length: 20_000 }, (_, i) => (i * 13 + (i >> 8)) & 0xff);
    const back = echoThrough(w, data);
    expect(back.length).toBe(data.length);
    expect(Buffer.compare(back, data)).toBe(0);
    expect(b.fw.fw_echoed()).toBe(data.length);
  });

  test("built with the minimal limits (--use EMBER_TCB_COUNT=2, 1 KiB rings) it still builds as one module and echoes", async () => {
    const small = await buildFirmwareAs(
      ["--use", "EMBER_TCB_COUNT=2", "--use", "EMBER_TCP_TX_BUF=1024", "--use", "EMBER_TCP_RX_BUF=1024"],
      path.replace(/\.wasm$/, "-minimal.wasm"));
    const b = asFirmwareBoard(small);
    startFirmware(b);
    const w = new Wire(b);
    const data = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) & 0xff);
    expect(Buffer.compare(echoThrough(w, data), data)).toBe(0);
  });
});
