/** `embertcp bridge`: a TAP device and a serial port joined frame for frame (host-sim/tap/bridge.ts). */
import { SerialLink } from "../links/serial.js";
import { serialOpenError, tapOpenError } from "../open-hints.js";
import { LinkBridge } from "../tap/bridge.js";
import { TapLink } from "../tap/link.js";
import { type CommandSpec, UsageError } from "./args.js";
import { untilSignal } from "./running.js";
import { netnsName, tapName as checkTap } from "./validate.js";

export const bridge: CommandSpec = {
  name: "bridge",
  summary: "join a Linux TAP device and a serial port, frame for frame, until Ctrl-C",
  usage: "embertcp bridge --tap NAME --serial PATH [--baud N] [--pace] [--netns NS]",
  options: [
    { name: "--tap", value: "NAME", help: "the Linux TAP device (made if missing; needs root or CAP_NET_ADMIN)" },
    { name: "--serial", value: "PATH", help: "the serial port or pty a board's UART is on" },
    { name: "--baud", value: "N", def: "115200", help: "serial bit rate, 1200..12000000" },
    { name: "--pace", help: "send serial bytes no faster than --baud (a pty has no bit rate of its own)" },
    { name: "--netns", value: "NS", def: "the current namespace", help: "open the TAP inside this existing network namespace" },
  ],
  notes: ["The TAP gets no address: give Linux one with `ip addr add A.B.C.D/NN dev NAME`."],
  example: "sudo embertcp bridge --tap ember0 --serial /dev/ttyUSB0 --baud 921600",
  run: async (a) => {
    const name = a.get("--tap"), path = a.get("--serial");
    if (!name || !path) throw new UsageError("bridge needs both --tap NAME and --serial PATH");
    const tapName = checkTap("--tap", name), netns = netnsName("--netns", a.get("--netns"));
    const baud = a.int("--baud", 115200, 1200, 12_000_000);
    const tap = new TapLink({ name: tapName, netns });
    try { await tap.opened(); } catch (e) { tap.close(); throw tapOpenError(tapName, e as Error); }
    const serial = new SerialLink({ path, baudRate: baud, pace: a.has("--pace") });
    try { await serial.opened(); } catch (e) { serial.close(); tap.close(); throw serialOpenError(path, e as Error); }
    const link = new LinkBridge(tap, serial, [`TAP ${tapName}`, `serial ${path}`], (line) => console.log(line));
    // Listening before saying so: a signal sent as soon as the line is read then never meets the default handler.
    const signalled = untilSignal();
    console.log(`bridging TAP ${tapName} <-> serial ${path} at ${baud} baud; Ctrl-C to stop`);
    let last = "";
    const progress = setInterval(() => { const p = link.progress(); if (p !== last) console.log(p); last = p; }, 5000);
    await signalled;
    clearInterval(progress);
    console.log(`stopped: ${link.progress()}`);
    link.close();
    await tap.exited();
    return link.down.length ? 1 : 0;
  },
};
