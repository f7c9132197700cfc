/**
 * `embertcp sim` run as a user runs it, with `embertcp ping`, `netstat`
 * and a second sim as separate processes: ping reaches the sim whose board
 * has the address (or says clearly that none has it), netstat reports the
 * link down once the sim has, the built-in ping survives the board's ARP
 * refresh, and on a TAP Linux's side gets an address of the board's subnet
 * unless told otherwise or already configured. TAP tests run in a network
 * namespace of their own (root, in CI).
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type BareNetns, createBareNetns } from "../host-sim/netns.js";
import { type CliProcess, embertcp, startEmbertcp } from "./helpers/cli-process.js";
import { interopGate } from "./helpers/interop.js";
import { ptyPair, type PtyPair, toolGate } from "./helpers/links-socat.js";

test("the built-in ping answers past the board's 300 s ARP lifetime", async () => {
  const r = await embertcp(["ping", "--count", "400"], { timeoutMs: 60_000 });
  expect(r.code, r.out.slice(-400)).toBe(0);
  expect(r.out).toMatch(/icmp_seq=301 ttl=64/);
  expect(r.out).toMatch(/400 transmitted, 400 received/);
  expect(r.out).not.toMatch(/no reply/);
});

test("output to a reader that is slow to start is all there when the command exits", async () => {
  // 3,000 replies are about 130 KB, twice what a pipe holds: the rest waits
  // in Node's queue when the command is over, and exiting must not cut it off.
  const r = spawnSync("sh", ["-c", `node ${JSON.stringify(join(process.cwd(), "bin", "embertcp.js"))} ping --count 3000 | (sleep 1; cat)`],
    { encoding: "utf8", timeout: 60_000, maxBuffer: 1 << 24 });
  const lines = r.stdout.trimEnd().split("\n");
  expect(lines).toHaveLength(3003);
  expect(lines.at(-1)).toMatch(/3000 transmitted, 3000 received/);
}, 70_000);

describe.runIf(toolGate("socat"))("sim on a pty pair, as a process", () => {
  let pty: PtyPair;
  let sim: CliProcess;
  let control = "";

  beforeAll(async () => {
    pty = await ptyPair();
    // The default control socket, so `ping ADDRESS` finds the sim by itself.
    sim = startEmbertcp(["sim", "--serial", pty.paths[0], "--ip", "10.5.0.2/24", "--apps", "echo"]);
    expect(await sim.waitFor(/control socket \S+/), sim.out()).toBe(true);
    control = /control socket (\S+)/.exec(sim.out())![1];
  });
  afterAll(async () => { await sim?.stop(); await pty?.kill(); });

  test("ping ADDRESS pings that sim's board and exits 0", async () => {
    const r = await embertcp(["ping", "10.5.0.2", "--count", "3", "--interval", "0.1"]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^PING 10\.5\.0\.2 from 10\.5\.0\.254 /);
    expect(r.out.match(/^64 bytes from 10\.5\.0\.2: icmp_seq=\d ttl=64 time=[\d.]+ ms$/gm)).toHaveLength(3);
    expect(r.out).toMatch(/3 transmitted, 3 received, 0% loss/);
  });

  test("ping of an address no sim has is refused in one line naming the running sims, exit 1", async () => {
    const r = await embertcp(["ping", "10.5.0.77", "--control", control]);
    expect(r.code).toBe(1);
    expect(r.out).toBe("");
    expect(r.err).toBe(`embertcp ping: no running sim has the address 10.5.0.77 (running: 10.5.0.2 (${control})); ` +
      "start one with `embertcp sim --ip ADDRESS/NN ...`, or use the system ping for anything else\n");
  });

  test("after the line goes away, netstat says link down, and the sim still exits promptly on SIGTERM", async () => {
    expect((await embertcp(["netstat", "--control", control])).out).toMatch(/^sim 10\.5\.0\.2 {2}link up /);
    await pty.kill();
    expect(await sim.waitFor(/link: link down: /)).toBe(true);
    const r = await embertcp(["netstat", "--control", control]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^sim 10\.5\.0\.2 {2}link down \(.*disconnected.*\) /);
    expect(await sim.stop()).toBe(0);
  });
});

const tapOk = interopGate(["ping"]);

describe.runIf(tapOk)("sim --tap: Linux's side of the TAP", () => {
  let ns: BareNetns;
  const tap = `et${process.pid % 100000}`;
  beforeAll(() => { ns = createBareNetns("embc"); });
  afterAll(async () => { await ns?.destroy(); });

  const addrs = async (dev: string) => (await ns.exec(["ip", "-o", "-4", "addr", "show", "dev", dev])).stdout.toString();

  test("gets the first free address of the board's subnet, printed; ping works at once; a second sim on the TAP is told it is in use", async () => {
    const sim = startEmbertcp(["sim", "--tap", tap, "--netns", ns.name, "--ip", "10.61.0.2/24", "--apps", "echo"]);
    try {
      expect(await sim.waitFor(/host side: /), sim.out()).toBe(true);
      expect(sim.out()).toMatch(new RegExp(`host side: 10\\.61\\.0\\.1/24 on TAP ${tap} in namespace ${ns.name}`));
      expect(await addrs(tap)).toMatch(/inet 10\.61\.0\.1\/24/);
      const p = await ns.exec(["ping", "-c", "2", "-W", "2", "10.61.0.2"], { timeoutMs: 15_000 });
      expect(p.code, p.stderr).toBe(0);
      const again = await embertcp(["sim", "--tap", tap, "--netns", ns.name, "--ip", "10.61.0.3/24"]);
      expect(again.code).toBe(1);
      expect(again.err).toMatch(new RegExp(`^embertcp sim: cannot open TAP ${tap}: .*busy.*; another process holds TAP ${tap}`, "i"));
      expect(again.err).not.toMatch(/root/);
    } finally { expect(await sim.stop()).toBe(0); }
  });

  test("--host-ip picks the address; --no-host-ip leaves none", async () => {
    let sim = startEmbertcp(["sim", "--tap", tap, "--netns", ns.name, "--ip", "10.62.0.2/24", "--host-ip", "10.62.0.200/24"]);
    expect(await sim.waitFor(/host side: 10\.62\.0\.200\/24/), sim.out()).toBe(true);
    expect(await addrs(tap)).toMatch(/inet 10\.62\.0\.200\/24/);
    await sim.stop();
    sim = startEmbertcp(["sim", "--tap", tap, "--netns", ns.name, "--ip", "10.62.0.2/24", "--no-host-ip"]);
    expect(await sim.waitFor(/running; Ctrl-C/), sim.out()).toBe(true);
    expect(sim.out()).not.toMatch(/host side/);
    expect(await addrs(tap)).toBe("");
    await sim.stop();
  });

  test("a deleted TAP: the sim says link down, and so does netstat", async () => {
    const control = `/tmp/embertcp-tapdel-${process.pid}.sock`;
    const sim = startEmbertcp(["sim", "--tap", tap, "--netns", ns.name, "--ip", "10.64.0.2/24", "--control", control]);
    try {
      expect(await sim.waitFor(/running; Ctrl-C/), sim.out()).toBe(true);
      expect((await embertcp(["netstat", "--control", control])).out).toMatch(/^sim 10\.64\.0\.2 {2}link up /);
      expect((await ns.exec(["ip", "link", "del", tap])).code).toBe(0);
      expect(await sim.waitFor(/link: link down: /), sim.out()).toBe(true);
      expect((await embertcp(["netstat", "--control", control])).out).toMatch(/^sim 10\.64\.0\.2 {2}link down \(.+\) /);
    } finally { await sim.stop(); }
  });

  test("a TAP that already exists with an address is left as it is", async () => {
    const dev = `ep${process.pid % 100000}`;
    for (const c of [["ip", "tuntap", "add", "dev", dev, "mode", "tap"], ["ip", "addr", "add", "10.63.0.9/24", "dev", dev]]) {
      expect((await ns.exec(c)).code).toBe(0);
    }
    const sim = startEmbertcp(["sim", "--tap", dev, "--netns", ns.name, "--ip", "10.63.0.2/24"]);
    try {
      expect(await sim.waitFor(new RegExp(`TAP ${dev} already has 10\\.63\\.0\\.9/24; left as it is`)), sim.out()).toBe(true);
      expect((await addrs(dev)).match(/inet /g)).toHaveLength(1);
    } finally { await sim.stop(); }
  });
});

test("ping refuses a word that is not an address", async () => {
  const r = await embertcp(["ping", "board"]);
  expect(r.code).toBe(2);
  expect(r.err).toMatch(/^embertcp ping: board is not an IPv4 address/);
});
