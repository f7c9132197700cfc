/**
 * Checks of the values a user types for a board: its address and prefix,
 * gateway, MAC and capture file. Each failure is a UsageError naming the
 * option and saying what is allowed, so a bad value stops the command
 * before any device is opened (the stack itself would only answer EINVAL).
 *
 * The rules: the board's address is a unicast host address of its subnet
 * (RFC 1122 §3.2.1.3: not 0/8, 127/8, class D/E, the subnet's network or
 * broadcast address); the gateway is another host address inside that
 * subnet (RFC 1122 §3.3.1.1: a first-hop gateway is on a connected
 * network); the MAC is individual (IEEE 802 bit 0 of the first octet clear)
 * and not all zeros.
 */
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { UsageError } from "./args.js";

/** A board's address on its subnet. */
export interface Subnet {
  ip: string;
  prefix: number;
  netmask: string;
  /** Numbers (u32) of the address, network and broadcast. */
  ipN: number;
  network: number;
  broadcast: number;
}

export function dotted(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/** A dotted quad as u32, or null when malformed. */
export function quad(s: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const p = m.slice(1).map(Number);
  if (p.some((x) => x > 255)) return null;
  return ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0;
}

/** Why `n` cannot be a host's own address anywhere, or null. */
function notUnicast(n: number): string | null {
  const top = n >>> 24;
  if (n === 0xffffffff) return "the limited broadcast address";
  if (top >= 224 && top <= 239) return "a multicast address";
  if (top >= 240) return "a reserved (class E) address";
  if (top === 0) return "in 0.0.0.0/8 (\"this network\")";
  if (top === 127) return "a loopback address";
  return null;
}

/** `--ip A.B.C.D/NN` (prefix 1..30, default 24) for a board. */
export function parseSubnet(opt: string, s: string): Subnet {
  const m = /^([^/]+)(?:\/(\d{1,2}))?$/.exec(s);
  const ipN = m ? quad(m[1]) : null;
  if (!m || ipN === null) throw new UsageError(`${opt} ${s}: write an IPv4 address with a prefix length, e.g. ${opt} 10.0.0.2/24`);
  const prefix = m[2] === undefined ? 24 : Number(m[2]);
  if (prefix < 1 || prefix > 30) throw new UsageError(`${opt} ${s}: the prefix length must be 1..30`);
  const why = notUnicast(ipN);
  if (why) throw new UsageError(`${opt} ${s}: ${m[1]} is ${why}; give a unicast host address such as 10.0.0.2/24`);
  const mask = (0xffffffff << (32 - prefix)) >>> 0;
  const network = (ipN & mask) >>> 0, broadcast = (network | ~mask) >>> 0;
  if (ipN === network) throw new UsageError(`${opt} ${s}: ${m[1]} is the network address of ${dotted(network)}/${prefix}; give a host address ${dotted(network + 1)}..${dotted(broadcast - 1)}`);
  if (ipN === broadcast) throw new UsageError(`${opt} ${s}: ${m[1]} is the broadcast address of ${dotted(network)}/${prefix}; give a host address ${dotted(network + 1)}..${dotted(broadcast - 1)}`);
  return { ip: m[1], prefix, netmask: dotted(mask), ipN, network, broadcast };
}

/** `--gw A.B.C.D`: another host address of the board's subnet. */
export function parseGateway(opt: string, s: string, board: Subnet): string {
  const n = quad(s);
  if (n === null) throw new UsageError(`${opt} ${s}: write an IPv4 address, e.g. ${opt} ${dotted(board.network + 1)}`);
  const range = `${dotted(board.network + 1)}..${dotted(board.broadcast - 1)}`;
  if (((n & ~(board.broadcast - board.network)) >>> 0) !== board.network) {
    throw new UsageError(`${opt} ${s} is outside the board's subnet ${dotted(board.network)}/${board.prefix}; give an address in ${range}`);
  }
  if (n === board.network || n === board.broadcast) throw new UsageError(`${opt} ${s} is the subnet's ${n === board.network ? "network" : "broadcast"} address; give an address in ${range}`);
  if (n === board.ipN) throw new UsageError(`${opt} ${s} is the board's own address; give the router's address in ${range}`);
  return s;
}

/** `--mac aa:bb:cc:dd:ee:ff`: an individual (unicast), non-zero address. */
export function parseMac(opt: string, s: string): string {
  const m = /^[0-9a-fA-F]{2}([:-])[0-9a-fA-F]{2}(\1[0-9a-fA-F]{2}){4}$/.exec(s);
  if (!m) throw new UsageError(`${opt} ${s}: write six hex bytes, e.g. ${opt} 02:00:00:00:00:01`);
  const b = s.split(/[:-]/).map((h) => parseInt(h, 16));
  if (b[0] & 1) throw new UsageError(`${opt} ${s} is a group (multicast) address; the first byte must be even, e.g. 02:...`);
  if (b.every((x) => x === 0)) throw new UsageError(`${opt} ${s}: the all-zero address is not a station address`);
  return s.toLowerCase();
}

/** A file path we can create or overwrite (checked now, written later). */
export function writableFile(opt: string, path: string): string {
  const full = resolve(path);
  let st: ReturnType<typeof statSync> | null = null;
  try { st = statSync(full); } catch { /* does not exist yet */ }
  if (st?.isDirectory()) throw new UsageError(`${opt} ${path} is a directory; give a file name`);
  try {
    accessSync(st ? full : dirname(full), constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${opt} ${path}: ${code === "ENOENT" ? `directory ${dirname(full)} does not exist` : `cannot write there (${code})`}`);
  }
  if (!st && !statSync(dirname(full)).isDirectory()) throw new UsageError(`${opt} ${path}: ${dirname(full)} is not a directory`);
  return path;
}

/** `--tap NAME`: a Linux interface name (IFNAMSIZ - 1 = 15 characters). */
export function tapName(opt: string, s: string): string {
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(s)) throw new UsageError(`${opt} ${s}: a Linux interface name is 1..15 letters, digits, '-', '_' or '.'`);
  return s;
}

/** `--netns NS`: a namespace that exists (ip netns keeps them in /run/netns). */
export function netnsName(opt: string, s: string | undefined): string | undefined {
  if (s !== undefined && !existsSync(`/run/netns/${s}`)) {
    throw new UsageError(`${opt} ${s}: no such network namespace (\`ip netns list\` shows them; \`ip netns add ${s}\` makes one)`);
  }
  return s;
}
