/**
 * Linux's end of a TAP gets an address so the host can reach the board at
 * once (`ping 10.0.0.2` works without an `ip addr add`): the one asked for,
 * or the first address of the board's subnet that is neither the board's
 * nor already used on this host. A TAP that already has an IPv4 address
 * (someone configured it, or runs a DHCP server on it) is left as it is,
 * and so is a subnet another interface already routes. The address goes
 * away with the TAP when it is not persistent.
 */
import { spawnSync } from "node:child_process";

export interface HostSide {
  /** What was done, one line for the user. */
  line: string;
  /** The address now on the TAP (A.B.C.D/NN), or null. */
  address: string | null;
}

function ip(netns: string | undefined, args: string[]): { ok: boolean; out: string; err: string } {
  const r = spawnSync("ip", [...(netns ? ["-n", netns] : []), ...args], { encoding: "utf8", timeout: 10_000 });
  return { ok: r.status === 0, out: r.stdout ?? "", err: (r.stderr || r.error?.message || "").trim() };
}

/** IPv4 addresses on this host (or namespace) as [device, u32, prefix]. */
function addresses(netns: string | undefined): Array<[string, number, number]> {
  const out: Array<[string, number, number]> = [];
  for (const line of ip(netns, ["-o", "-4", "addr", "show"]).out.split("\n")) {
    const m = /^\d+:\s+(\S+)\s+inet\s+(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)/.exec(line);
    if (m) out.push([m[1], ((+m[2] << 24) | (+m[3] << 16) | (+m[4] << 8) | +m[5]) >>> 0, +m[6]]);
  }
  return out;
}

const dotted = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
const maskOf = (prefix: number) => (0xffffffff << (32 - prefix)) >>> 0;

/**
 * Give TAP `name` Linux's address for a board at `boardIp/prefix`: `want`
 * ("A.B.C.D/NN"), or "auto" for the first free one. Never throws.
 */
export function configureHostSide(name: string, netns: string | undefined, boardIp: number, prefix: number, want: string): HostSide {
  const all = addresses(netns);
  const own = all.filter(([dev]) => dev === name);
  if (own.length) return { line: `TAP ${name} already has ${own.map(([, a, p]) => `${dotted(a)}/${p}`).join(", ")}; left as it is`, address: null };
  const mask = maskOf(prefix), net = (boardIp & mask) >>> 0;
  const clash = all.find(([dev, a, p]) => dev !== name && ((a & maskOf(Math.min(p, prefix))) >>> 0) === ((net & maskOf(Math.min(p, prefix))) >>> 0));
  if (want === "auto" && clash) {
    return { line: `${dotted(net)}/${prefix} is already on ${clash[0]} (${dotted(clash[1])}/${clash[2]}); TAP ${name} left without an address (give --host-ip or --no-host-ip)`, address: null };
  }
  let address = want;
  if (want === "auto") {
    const used = new Set(all.map(([, a]) => a));
    let pick = 0;
    for (let a = net + 1; a < ((net | ~mask) >>> 0); a++) if (a !== boardIp && !used.has(a)) { pick = a; break; }
    if (!pick) return { line: `no free address in ${dotted(net)}/${prefix} for Linux; TAP ${name} left without one`, address: null };
    address = `${dotted(pick)}/${prefix}`;
  }
  const r = ip(netns, ["addr", "add", address, "dev", name]);
  if (!r.ok) return { line: `could not put ${address} on TAP ${name}: ${r.err}; add one with \`ip addr add\``, address: null };
  return { line: `host side: ${address} on TAP ${name}${netns ? ` in namespace ${netns}` : ""}`, address };
}
