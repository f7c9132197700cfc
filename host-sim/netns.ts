/**
 * Network namespaces for running a board against the Linux kernel without
 * touching the host's own network: a namespace of our own, a TAP device
 * inside it (opened by the TAP helper started in that namespace), an address
 * on the TAP, and helpers that run commands in the namespace with a time
 * limit. The board's process stays in the root namespace; only the helper
 * runs inside, so every frame the kernel exchanges with the board stays in
 * the namespace. Everything here is bounded in time and undone by destroy(),
 * which is safe to call twice and after a failed create.
 *
 * Needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN), iproute2 and python3.
 */

import { spawn, spawnSync } from "node:child_process";
import { TapLink } from "./tap/link.js";

export interface ExecResult { code: number | null; signal: NodeJS.Signals | null; stdout: Buffer; stderr: string; timedOut: boolean; }

export interface ExecOptions {
  /** Kill the command after this many ms (default 20 s). */
  timeoutMs?: number;
  /** Bytes written to the command's stdin (then stdin is closed). */
  input?: Uint8Array;
}

/** Run a command (async, so the board keeps running meanwhile), killed after the time limit. */
export function run(argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve) => {
    const p = spawn(argv[0], argv.slice(1), { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let err = "";
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; p.kill("SIGKILL"); }, opts.timeoutMs ?? 20_000);
    p.stdout.on("data", (d: Buffer) => out.push(d));
    p.stderr.on("data", (d: Buffer) => { if (err.length < 65536) err += d.toString(); });
    p.stdin.on("error", () => {});
    p.on("error", (e) => { clearTimeout(timer); resolve({ code: null, signal: null, stdout: Buffer.alloc(0), stderr: e.message, timedOut }); });
    p.on("close", (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout: Buffer.concat(out), stderr: err, timedOut }); });
    if (opts.input) p.stdin.end(Buffer.from(opts.input));
    else p.stdin.end();
  });
}

/** Run a short command synchronously with a time limit; throws with its stderr on failure. */
function ipSync(args: string[], timeoutMs = 10_000): string {
  const r = spawnSync("ip", args, { encoding: "utf8", timeout: timeoutMs });
  if (r.error) throw new Error(`ip ${args.join(" ")}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`ip ${args.join(" ")}: ${(r.stderr || "").trim() || `exit ${r.status}`}`);
  return r.stdout;
}

export interface NetnsOptions {
  /** Name prefix; the process id and a counter are appended (default "embt"). */
  prefix?: string;
  /** TAP interface name inside the namespace (default "etap0"). */
  tap?: string;
  /** Linux's address on the TAP with prefix length (default 10.9.0.1/24). */
  hostAddr?: string;
}

/** A namespace with a TAP in it, ready for a board on `tap`. */
export interface Netns {
  readonly name: string;
  readonly tapName: string;
  /** Linux's address (without prefix). */
  readonly hostIp: string;
  /** The link end a board uses: frames to and from the TAP. */
  readonly tap: TapLink;
  /** Run a command inside the namespace. */
  exec(argv: string[], opts?: ExecOptions): Promise<ExecResult>;
  /** Start a long-running command inside the namespace (caller kills it). */
  spawn(argv: string[]): ReturnType<typeof spawn>;
  /** Close the TAP, kill what spawn() started, delete the namespace. */
  destroy(): Promise<void>;
}

let counter = 0;

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === "EPERM"; }
}

/**
 * Kill every process still inside namespace `name`, then delete it. Killing
 * what we started is not enough: `timeout` killed with SIGKILL cannot pass
 * the signal on, and its child (an hping3 flood) would run on, orphaned, in
 * a namespace nobody can name any more, burning a core for good.
 */
function deleteNamespace(name: string): void {
  let pids = "";
  try { pids = ipSync(["netns", "pids", name]); } catch { /* none, or gone */ }
  for (const pid of pids.split(/\s+/).filter(Boolean)) {
    try { process.kill(Number(pid), "SIGKILL"); } catch { /* already gone */ }
  }
  ipSync(["netns", "del", name]);
}

/** Delete namespaces named `<prefix><pid>x<n>` whose creating process is gone (left by a killed run). */
export function removeStaleNamespaces(prefix = "embt"): string[] {
  const removed: string[] = [];
  let list = "";
  try { list = ipSync(["netns", "list"]); } catch { return removed; }
  const re = new RegExp(`^${prefix}(\\d+)x\\d+$`);
  for (const line of list.split("\n")) {
    const name = line.split(" ")[0];
    const m = re.exec(name);
    if (!m || alive(Number(m[1]))) continue;
    try { deleteNamespace(name); removed.push(name); } catch { /* raced with another cleaner */ }
  }
  return removed;
}

/** Why namespaces cannot be made here, or null if they can (root, ip, /dev/net/tun, python3). */
export function netnsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return "not running as root";
  if (spawnSync("ip", ["-V"], { stdio: "ignore" }).error) return "iproute2 (ip) is not installed";
  if (spawnSync("python3", ["-c", ""], { stdio: "ignore", timeout: 10_000 }).status !== 0) return "python3 is not installed";
  const r = spawnSync("sh", ["-c", "test -c /dev/net/tun"], { stdio: "ignore" });
  if (r.status !== 0) return "/dev/net/tun is missing";
  return null;
}

/** A namespace without devices of its own (besides loopback). */
export interface BareNetns {
  readonly name: string;
  exec(argv: string[], opts?: ExecOptions): Promise<ExecResult>;
  spawn(argv: string[]): ReturnType<typeof spawn>;
  /** Kill what spawn() started, delete the namespace (and every device in it). */
  destroy(): Promise<void>;
}

/** Make an empty namespace with loopback up and IPv6 off (no router solicitations towards boards). */
export function createBareNetns(prefix = "embt"): BareNetns {
  removeStaleNamespaces(prefix);
  const name = `${prefix}${process.pid}x${++counter}`;
  const children = new Set<ReturnType<typeof spawn>>();
  let destroyed = false;
  ipSync(["netns", "add", name]);
  try {
    ipSync(["-n", name, "link", "set", "lo", "up"]);
    spawnSync("ip", ["netns", "exec", name, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"], { stdio: "ignore", timeout: 10_000 });
  } catch (e) {
    try { ipSync(["netns", "del", name]); } catch { /* gone */ }
    throw e;
  }
  return {
    name,
    exec: (argv, o) => run(["ip", "netns", "exec", name, ...argv], o),
    spawn: (argv) => {
      const c = spawn("ip", ["netns", "exec", name, ...argv], { stdio: ["pipe", "pipe", "pipe"] });
      c.on("error", () => {});
      children.add(c);
      return c;
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
      try { deleteNamespace(name); } catch { /* already gone */ }
    },
  };
}

/** Make a namespace with loopback up, IPv6 off, a TAP opened by the helper inside it, and Linux's address on the TAP. */
export async function createNetns(opts: NetnsOptions = {}): Promise<Netns> {
  const bare = createBareNetns(opts.prefix ?? "embt");
  const tapName = opts.tap ?? "etap0";
  const hostAddr = opts.hostAddr ?? "10.9.0.1/24";
  let tap: TapLink | null = null;
  const destroy = async () => {
    if (tap) { tap.close(); await Promise.race([tap.exited(), new Promise((r) => setTimeout(r, 3000))]); }
    await bare.destroy();
  };
  try {
    tap = new TapLink({ name: tapName, netns: bare.name });
    await Promise.race([tap.opened(), new Promise((_, rej) => setTimeout(() => rej(new Error(`TAP ${tapName} did not come up in 10 s`)), 10_000))]);
    ipSync(["-n", bare.name, "addr", "add", hostAddr, "dev", tapName]);
    ipSync(["-n", bare.name, "link", "set", tapName, "up"]);
  } catch (e) {
    await destroy();
    throw e;
  }
  return { name: bare.name, tapName, tap, hostIp: hostAddr.split("/")[0], exec: bare.exec, spawn: bare.spawn, destroy };
}

/** Put an address on a device in a namespace and bring it up. */
export function addAddress(netns: string, dev: string, cidr: string): void {
  ipSync(["-n", netns, "addr", "add", cidr, "dev", dev]);
  ipSync(["-n", netns, "link", "set", dev, "up"]);
}
