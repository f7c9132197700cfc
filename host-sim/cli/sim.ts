/**
 * `embertcp sim`: every option is checked here, before the serial port or
 * TAP is opened (host-sim/sim.ts then runs the board).
 */
import { makeApps } from "../apps/index.js";
import { runSim } from "../sim.js";
import { type AddrOptions, checkAddrOptions } from "../sim-addr.js";
import { limitError, type Limits, parseSetting } from "../limits.js";
import { type CommandSpec, type Parsed, UsageError } from "./args.js";
import { dotted, netnsName, parseGateway, parseMac, parseSubnet, type Subnet, tapName, writableFile } from "./validate.js";

const TAP_ONLY = ["--netns", "--host-ip", "--no-host-ip"], SERIAL_ONLY = ["--baud", "--pace"];

/** --tap/--serial and the options that only go with one of them. */
function linkChoice(a: Parsed): { serial?: string; tap?: string; netns?: string } {
  const serial = a.get("--serial"), tap = a.get("--tap");
  if (!serial === !tap) throw new UsageError("give exactly one of --serial PATH or --tap NAME");
  const wrong = (serial ? TAP_ONLY : SERIAL_ONLY).find((o) => a.has(o));
  if (wrong) throw new UsageError(`${wrong} goes with ${serial ? "--tap" : "--serial"}, not ${serial ? "--serial" : "--tap"}`);
  if (tap !== undefined) tapName("--tap", tap);
  return { serial, tap, netns: netnsName("--netns", a.get("--netns")) };
}

/** --host-ip / --no-host-ip: the address Linux gets on the TAP ("auto": the first free one). */
function hostSide(a: Parsed, board: Subnet): string | null {
  if (a.has("--no-host-ip")) {
    if (a.has("--host-ip")) throw new UsageError("give --host-ip A.B.C.D/NN or --no-host-ip, not both");
    return null;
  }
  const v = a.get("--host-ip");
  if (v === undefined) return "auto";
  const h = parseSubnet("--host-ip", v);
  if (((h.ipN & ~(board.broadcast - board.network)) >>> 0) !== board.network) {
    throw new UsageError(`--host-ip ${v} is outside the board's subnet ${dotted(board.network)}/${board.prefix}`);
  }
  if (h.ipN === board.ipN) throw new UsageError(`--host-ip ${v} is the board's own address`);
  return `${h.ip}/${h.prefix}`;
}

/** --link, --tcbs, --rings, --synq and every --set (docs/SIMULATOR.md), checked before anything is opened. */
function tuning(a: Parsed): { link: "enc28j60" | "host"; limits: Partial<Limits>; config: Record<string, number> } {
  const link = a.get("--link") ?? "enc28j60";
  if (link !== "enc28j60" && link !== "host") throw new UsageError(`--link must be enc28j60 or host, not "${link}"`);
  const limits: Partial<Limits> = {};
  for (const [key, opt] of [["tcbs", "--tcbs"], ["rings", "--rings"], ["synq", "--synq"]] as const) {
    const v = a.get(opt);
    if (v === undefined) continue;
    const n = /^\d+$/.test(v) ? Number(v) : NaN;
    const e = limitError(key, n);
    if (e) throw new UsageError(e);
    limits[key] = n;
  }
  const config: Record<string, number> = {};
  for (const v of a.all("--set")) {
    const r = parseSetting(v);
    if (typeof r === "string") throw new UsageError(r);
    config[r.name] = r.value;
  }
  return { link, limits, config };
}

/** --dhcp, --hostname, --dns, --resolve (docs/UDP.md): checked like the rest, before anything is opened. */
function addressing(a: Parsed): Omit<AddrOptions, "ip"> {
  if (a.has("--dhcp") && a.has("--ip")) throw new UsageError("give --ip A.B.C.D/NN or --dhcp, not both");
  const addr = { dhcp: a.has("--dhcp"), hostname: a.get("--hostname"), dns: a.all("--dns"), resolve: a.all("--resolve") };
  try { checkAddrOptions({ ip: "", ...addr }); } catch (e) { throw new UsageError((e as Error).message); }
  return addr;
}

export const sim: CommandSpec = {
  name: "sim",
  summary: "run one board in real time on a serial port or a TAP device, printing link/ARP/connection events, until Ctrl-C",
  usage: "embertcp sim (--serial PATH [--baud N] [--pace] | --tap NAME [--netns NS] [--host-ip A.B.C.D/NN | --no-host-ip]) " +
    "[--ip A.B.C.D/NN | --dhcp [--hostname NAME]] [--dns A.B.C.D]... [--resolve NAME]... [--gw A.B.C.D] [--mac MAC] " +
    "[--apps LIST] [--control SOCKET] [--pcap FILE] [--msl MS] [--link enc28j60|host] [--tcbs N] [--rings BYTES] [--synq N] [--set KEY=VALUE ...]",
  options: [
    { name: "--serial", value: "PATH", help: "run on this serial port or pty; frames travel SLIP-encoded with their FCS" },
    { name: "--baud", value: "N", def: "115200", help: "serial bit rate, 1200..12000000" },
    { name: "--pace", help: "send serial bytes no faster than --baud (a pty has no bit rate of its own)" },
    { name: "--tap", value: "NAME", help: "run on a Linux TAP device (made if missing; needs root or CAP_NET_ADMIN)" },
    { name: "--netns", value: "NS", def: "the current namespace", help: "open the TAP inside this existing network namespace" },
    { name: "--host-ip", value: "A.B.C.D/NN", def: "the first free address of the board's subnet", help: "Linux's address on the TAP" },
    { name: "--no-host-ip", help: "leave the TAP without an address (for a DHCP server or your own `ip addr add`)" },
    { name: "--ip", value: "A.B.C.D/NN", def: "10.0.0.2/24", help: "the board's address and prefix length" },
    { name: "--dhcp", help: "get the address, gateway and DNS servers from a DHCP server instead of --ip" },
    { name: "--hostname", value: "NAME", def: "none", help: "the name sent to the DHCP server (option 12): 1..32 letters, digits, hyphens" },
    { name: "--dns", value: "A.B.C.D", repeat: true, def: "DHCP's, or none", help: "a DNS server (at most two; wins over DHCP's)" },
    { name: "--resolve", value: "NAME", repeat: true, def: "none", help: "resolve NAME once the board has an address and print `dns: NAME → A.B.C.D`" },
    { name: "--gw", value: "A.B.C.D", def: "none, on-link traffic only", help: "the board's default gateway, inside its subnet" },
    { name: "--mac", value: "MAC", def: "02:00 + the four bytes of --ip", help: "the board's Ethernet address (unicast)" },
    { name: "--apps", value: "LIST", def: "echo,discard,chargen,http,udp-echo", help: "servers to run: echo (7), discard (9), chargen (19), http (80), udp-echo (UDP 7)" },
    { name: "--control", value: "SOCKET", def: "$TMPDIR/embertcp-sim-PID.sock", help: "Unix socket that netstat and ping talk to" },
    { name: "--pcap", value: "FILE", def: "no capture", help: "write a capture of the board's wire" },
    { name: "--msl", value: "MS", def: "30000", help: "maximum segment lifetime; TIME-WAIT lasts 2 MSL, 100..600000" },
    { name: "--link", value: "enc28j60|host", def: "enc28j60", help: "enc28j60: the chip model paced in real time (wire and SPI time); host: frames straight into net_input, no pacing" },
    { name: "--tcbs", value: "N", def: "8, as the release build", help: "TCBs: builds the module with this limit, cached under build/sim" },
    { name: "--rings", value: "BYTES", def: "4096", help: "bytes of each send and receive ring, a power of two" },
    { name: "--synq", value: "N", def: "16", help: "half-open entries shared by all listeners" },
    { name: "--set", value: "key=value", repeat: true, def: "none", help: "a net_config tunable (docs/ABI.md), e.g. --set delack_ms=40; may be repeated" },
  ],
  notes: [
    "With --tap, Linux gets an address on the TAP unless it already has one, so `ping 10.0.0.2` works",
    "from this machine at once (with --netns: `ip netns exec NS ping 10.0.0.2`).",
  ],
  example: "sudo embertcp sim --tap ember0 --ip 10.0.0.2/24   # then: ping 10.0.0.2; curl http://10.0.0.2/",
  run: (a) => {
    const link = linkChoice(a);
    const board = parseSubnet("--ip", a.get("--ip") ?? "10.0.0.2/24");
    const gw = a.get("--gw"), mac = a.get("--mac"), pcap = a.get("--pcap"), control = a.get("--control");
    const apps = a.get("--apps") ?? "echo,discard,chargen,http,udp-echo";
    const addr = addressing(a);
    const t = tuning(a);
    try { makeApps(apps); } catch (e) { throw new UsageError(`--apps ${apps}: ${(e as Error).message}`); }
    const msl = a.has("--msl") ? a.int("--msl", 30000, 100, 600_000, " ms") : undefined;
    return runSim({
      ...link, baud: a.int("--baud", 115200, 1200, 12_000_000), pace: a.has("--pace"),
      // With --dhcp the TAP's side usually runs the DHCP server and has its own address.
      hostIp: link.tap ? (addr.dhcp && !a.has("--host-ip") ? null : hostSide(a, board)) : undefined,
      ...addr, ip: `${board.ip}/${board.prefix}`, gateway: gw === undefined ? undefined : parseGateway("--gw", gw, board),
      mac: mac === undefined ? undefined : parseMac("--mac", mac), apps,
      control: control === undefined ? undefined : writableFile("--control", control),
      pcap: pcap === undefined ? undefined : writableFile("--pcap", pcap),
      link: t.link, limits: t.limits,
      config: { ...(msl === undefined ? {} : { msl_ms: msl }), ...t.config },
    });
  },
};
