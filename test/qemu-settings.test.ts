/**
 * The settings block `embertcp qemu` writes into a copy of the Cortex-M
 * image (layout in ports/cortex-m/config.h), and the command's refusal of
 * bad options in one line with exit code 2, before QEMU or a TAP starts.
 */
import { afterEach, describe, expect, test, vi } from "vitest";
import { main } from "../host-sim/cli.js";
import { CONFIG_MAGIC, patchSettings } from "../host-sim/qemu.js";

/** A fake image: 0xA5 filler around the block's magic and 48 zero bytes. */
function image(copies = 1): Uint8Array {
  const parts: number[] = [...new Array(100).fill(0xa5)];
  for (let i = 0; i < copies; i++) parts.push(...Buffer.from(CONFIG_MAGIC, "latin1"), ...new Array(48).fill(0), ...new Array(20).fill(0xa5));
  return Uint8Array.from(parts);
}

describe("settings block", () => {
  test("every field lands at its offset, little-endian, addresses as big-endian numbers", () => {
    const seed = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
    const out = patchSettings(image(), { ip: "10.9.5.2/20", gateway: "10.9.0.1", mac: "02:aa:bb:cc:dd:ee", baud: 921600, pace: true, apps: "echo,http", seed });
    const at = 100;
    expect(out.readUInt32LE(at + 16)).toBe(0x0a090502);
    expect(out.readUInt32LE(at + 20)).toBe(0xfffff000);
    expect(out.readUInt32LE(at + 24)).toBe(0x0a090001);
    expect([...out.subarray(at + 28, at + 34)]).toEqual([0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee]);
    expect(out.readUInt32LE(at + 36)).toBe(921600);
    expect(out.readUInt32LE(at + 40)).toBe(1);
    expect(out.readUInt32LE(at + 44)).toBe(0b1001);
    expect([...out.subarray(at + 48, at + 64)]).toEqual([...seed]);
    // Nothing outside the block changes.
    expect([...out.subarray(0, at)].every((b) => b === 0xa5)).toBe(true);
    expect([...out.subarray(at + 64)].every((b) => b === 0xa5)).toBe(true);
  });

  test("defaults: MAC from the address, no gateway, 115200 unpaced, all four apps, a fresh seed each time", () => {
    const a = patchSettings(image(), { ip: "10.0.0.7/24" }), b = patchSettings(image(), { ip: "10.0.0.7/24" });
    expect([...a.subarray(128, 134)]).toEqual([0x02, 0x00, 10, 0, 0, 7]);
    expect(a.readUInt32LE(124)).toBe(0);
    expect(a.readUInt32LE(136)).toBe(115200);
    expect(a.readUInt32LE(140)).toBe(0);
    expect(a.readUInt32LE(144)).toBe(0b1111);
    expect(Buffer.compare(a.subarray(148, 164), b.subarray(148, 164))).not.toBe(0);
  });

  test.each([
    ["no block", image(0), { ip: "10.0.0.2/24" }, /no settings block/],
    ["two blocks", image(2), { ip: "10.0.0.2/24" }, /more than one settings block/],
    ["bad address", image(), { ip: "10.0.0.256/24" }, /bad IPv4 address/],
    ["bad MAC", image(), { ip: "10.0.0.2/24", mac: "02:00:00:00:00" }, /bad MAC/],
    ["unknown app", image(), { ip: "10.0.0.2/24", apps: "echo,telnet" }, /unknown app "telnet"/],
  ])("%s is refused", (_, img, s, why) => {
    expect(() => patchSettings(img, s)).toThrow(why);
  });
});

describe("embertcp qemu options", () => {
  afterEach(() => vi.restoreAllMocks());

  test.each([
    [["--ip", "10.0.0.2/24"], /needs --tap NAME and --ip/],
    [["--tap", "q0", "--ip", "10.0.0.2/31"], /--ip 10\.0\.0\.2\/31: the prefix length must be 1\.\.30/],
    [["--tap", "q0", "--ip", "10.0.0.0/24"], /is the network address/],
    [["--tap", "q0", "--ip", "10.0.0.2/24", "--cpu", "m0"], /--cpu is m4/],
    [["--tap", "q0", "--ip", "10.0.0.2/24", "--firmware", "/nonexistent.elf"], /no firmware at \/nonexistent\.elf/],
    [["--tap", "q0", "--ip", "10.0.0.2/24", "--speed", "9"], /unknown option --speed/],
  ])("%j: one line, exit 2", async (args, why) => {
    const err = vi.spyOn(console, "error").mockImplementation(() => {});
    expect(await main(["qemu", ...args])).toBe(2);
    expect(err).toHaveBeenCalledTimes(1);
    expect(String(err.mock.calls[0][0])).toMatch(why);
  });
});
