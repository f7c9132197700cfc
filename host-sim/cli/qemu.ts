/** `embertcp qemu`: the Cortex-M firmware in qemu-system-arm, its UART bridged to a TAP (host-sim/qemu.ts). */
import { checkQemuOptions, runQemu } from "../qemu.js";
import { type CommandSpec, UsageError } from "./args.js";
import { netnsName, parseGateway, parseMac, parseSubnet, tapName } from "./validate.js";

export const qemu: CommandSpec = {
  name: "qemu",
  summary: "boot the Cortex-M firmware (npm run build:mcu) in qemu-system-arm, its UART bridged to a TAP device, until Ctrl-C",
  usage: "embertcp qemu --tap NAME [--netns NS] --ip A.B.C.D/NN [--gw A.B.C.D] [--mac MAC] [--apps LIST] [--baud N] [--pace] [--cpu m4|m3] [--firmware ELF]",
  options: [
    { name: "--tap", value: "NAME", help: "the TAP device the board's UART is bridged to (made if missing; needs root)" },
    { name: "--netns", value: "NS", def: "the current namespace", help: "open the TAP inside this existing network namespace" },
    { name: "--ip", value: "A.B.C.D/NN", help: "the board's address and prefix length, patched into a copy of the image" },
    { name: "--gw", value: "A.B.C.D", def: "none", help: "the board's default gateway" },
    { name: "--mac", value: "MAC", def: "02:00 + the four bytes of --ip", help: "the board's Ethernet address" },
    { name: "--apps", value: "LIST", def: "echo,discard,chargen,http", help: "servers the firmware runs: echo (7), discard (9), chargen (19), http (80)" },
    { name: "--baud", value: "N", def: "115200", help: "the UART's bit rate on the bridge, 1200..12000000" },
    { name: "--pace", help: "send bytes to the UART no faster than --baud" },
    { name: "--cpu", value: "m4|m3", def: "m4", help: "m4: mps2-an386 (Cortex-M4); m3: mps2-an385 (Cortex-M3)" },
    { name: "--firmware", value: "ELF", def: "build/mcu/embertcp-cortex-<cpu>.elf", help: "the firmware image to boot" },
  ],
  example: "sudo embertcp qemu --tap q0 --ip 10.0.0.2/24   # then: ping 10.0.0.2; curl http://10.0.0.2/",
  run: (a) => {
    const tap = a.get("--tap"), ip = a.get("--ip"), cpu = a.get("--cpu") ?? "m4";
    if (!tap || !ip) throw new UsageError("qemu needs --tap NAME and --ip A.B.C.D/NN");
    tapName("--tap", tap);
    // The addresses are checked like sim's, before the firmware is looked for.
    const board = parseSubnet("--ip", ip);
    const gw = a.get("--gw"), mac = a.get("--mac");
    if (gw !== undefined) parseGateway("--gw", gw, board);
    if (mac !== undefined) parseMac("--mac", mac);
    if (cpu !== "m4" && cpu !== "m3") throw new UsageError("--cpu is m4 (mps2-an386) or m3 (mps2-an385)");
    const o = {
      tap, netns: netnsName("--netns", a.get("--netns")), ip, gateway: a.get("--gw"), mac: a.get("--mac"), apps: a.get("--apps"),
      baud: a.int("--baud", 115200, 1200, 12_000_000), pace: a.has("--pace"), cpu, firmware: a.get("--firmware"),
    } as const;
    try { checkQemuOptions(o); } catch (e) { throw new UsageError((e as Error).message); }
    return runQemu(o);
  },
};
