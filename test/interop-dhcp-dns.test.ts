/**
 * Real servers as peers: Debian's dnsmasq, in a network namespace of this
 * test's own on the Linux end of the TAP, is the board's DHCP server (a
 * 2-minute lease, dnsmasq's minimum, with T1 10 s and T2 20 s so renewing
 * and rebinding happen within seconds) and its DNS server (host records and
 * a CNAME). The board gets a lease, dnsmasq's lease file shows its host
 * name, Linux pings the leased address, names resolve, renewals come at T1,
 * a stopped dnsmasq makes the board rebind and give its address up at
 * expiry, a restarted one gives it back; nc exchanges datagrams with the
 * board's UDP echo.
 */
import { type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Board, type BoardEvent } from "../host-sim/board.js";
import { RealClock } from "../host-sim/clock.js";
import { createNetns, type Netns } from "../host-sim/netns.js";
import { NetWatch, UdpEchoServer } from "../host-sim/apps/index.js";
import { interopGate } from "./helpers/interop.js";
import { until } from "./helpers/until.js";

const run = interopGate(["dnsmasq", "nc"]);
const LINUX_IP = "10.9.0.1";
const MAC = "02:00:00:00:09:57";
const HOSTNAME = `ember${process.pid}`.slice(0, 32);
const LEASES = join(tmpdir(), `embertcp-dnsmasq-${process.pid}.leases`);

/** dnsmasq as DHCP and DNS server on the namespace's TAP, in the foreground (killed with the namespace). */
function startDnsmasq(ns: Netns): ChildProcess {
  return ns.spawn([
    "dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--log-dhcp",
    `--interface=${ns.tapName}`, "--bind-interfaces", `--listen-address=${LINUX_IP}`, "--pid-file=",
    `--dhcp-leasefile=${LEASES}`, "--dhcp-range=10.9.0.50,10.9.0.59,255.255.255.0,2m", "--dhcp-authoritative",
    "--dhcp-option=option:T1,10", "--dhcp-option=option:T2,20", `--dhcp-option=option:dns-server,${LINUX_IP}`,
    "--local=/test/", "--host-record=alpha.test,10.9.0.77", "--host-record=beta.test,10.9.0.78", "--cname=www.test,alpha.test",
  ]);
}

describe.runIf(run)("interop: dnsmasq as the board's DHCP and DNS server", () => {
  let ns: Netns;
  let dnsmasq: ChildProcess;
  let board: Board;
  const events: BoardEvent[] = [];
  let boundAfterMs = 0;
  const dhcpLines = () => events.filter((e) => e.kind === "dhcp").map((e) => e.text);

  beforeAll(async () => {
    rmSync(LEASES, { force: true });
    ns = await createNetns({ hostAddr: `${LINUX_IP}/24` });
    dnsmasq = startDnsmasq(ns);
    board = new Board({ name: "board", link: ns.tap, clock: new RealClock(), mac: MAC, ip: 0, seed: 0xd4c9, onEvent: (e) => events.push(e) });
    board.stack.setHostname(HOSTNAME);
    const t0 = Date.now();
    board.start([new UdpEchoServer(), new NetWatch()]);
    await until(() => board.stack.netAddr().dhcpState === 5, 30_000);
    boundAfterMs = Date.now() - t0;
  }, 60_000);
  afterAll(async () => {
    board?.stop();
    await ns?.destroy();
    rmSync(LEASES, { force: true });
  });

  test("the board is bound to an address of the range, with dnsmasq's options, and its name is in the lease file", () => {
    console.log(`dhcp: bound after ${boundAfterMs} ms against dnsmasq (RFC 5227 probing included)`);
    const a = board.stack.netAddr();
    expect(a.ip).toMatch(/^10\.9\.0\.5\d$/);
    expect(a).toMatchObject({ netmask: "255.255.255.0", gateway: LINUX_IP, dns1: LINUX_IP, server: LINUX_IP, dhcpState: 5 });
    expect(a.leaseLeft).toBeGreaterThan(100);
    expect(a.leaseLeft).toBeLessThanOrEqual(120);
    expect(existsSync(LEASES)).toBe(true);
    const line = readFileSync(LEASES, "utf8").split("\n").find((l) => l.includes(MAC));
    expect(line?.split(" ").slice(1, 4)).toEqual([MAC, a.ip, HOSTNAME]);
    expect(dhcpLines().at(-1)).toMatch(new RegExp(`^bound ${a.ip.replace(/\./g, "\\.")}/24 gw ${LINUX_IP} dns ${LINUX_IP} lease \\d+ s from ${LINUX_IP}$`));
  });

  test("Linux pings the leased address", async () => {
    const r = await ns.exec(["ping", "-n", "-c", "3", "-i", "0.2", "-W", "2", board.stack.netAddr().ip], { timeoutMs: 10_000 });
    expect(r.stdout.toString()).toMatch(/3 packets transmitted, 3 received/);
  });

  test("names resolve through dnsmasq: host records, a CNAME, and NXDOMAIN", async () => {
    const ask = async (name: string) => {
      const q = board.stack.dnsQuery(name);
      board.kick();
      let r: string | null = null;
      let err = "";
      await until(() => {
        try { r = board.stack.dnsResult(q); return r !== null; } catch (e) { err = (e as { errno: string }).errno; return true; }
      }, 10_000);
      return r ?? err;
    };
    expect(await ask("alpha.test")).toBe("10.9.0.77");
    expect(await ask("www.test")).toBe("10.9.0.77");
    expect(await ask("BETA.test")).toBe("10.9.0.78");
    expect(await ask("nothing.test")).toBe("ENOTFOUND");
    expect(board.stack.stats().dns_drop_malformed).toBe(0);
  });

  test("nc -u from Linux exchanges datagrams with the UDP echo on port 7", async () => {
    const ip = board.stack.netAddr().ip;
    for (const msg of ["hello embertcp", "x".repeat(1000)]) {
      const r = await ns.exec(["sh", "-c", `printf '%s' '${msg}' | nc -u -w 2 ${ip} 7`], { timeoutMs: 10_000 });
      expect(r.stdout.toString()).toBe(msg);
    }
  });

  test("renewal at T1 (10 s) keeps the address", async () => {
    const ip = board.stack.netAddr().ip;
    expect(await until(() => dhcpLines().some((l) => l.startsWith("renewed")), 25_000)).toBe(true);
    expect(dhcpLines().some((l) => l.startsWith(`renewing (T1) with ${LINUX_IP}`))).toBe(true);
    expect(board.stack.netAddr()).toMatchObject({ ip, dhcpState: 5 });
  }, 30_000);

  test("dnsmasq stopped: RENEWING, REBINDING, then at expiry the address is given up; restarted: bound again", async () => {
    const ip = board.stack.netAddr().ip;
    dnsmasq.kill("SIGTERM");
    const from = events.length;
    const since = () => events.slice(from).filter((e) => e.kind === "dhcp").map((e) => e.text);
    expect(await until(() => since().some((l) => l.startsWith("rebinding (T2)")), 30_000)).toBe(true);
    expect(await until(() => since().some((l) => l.startsWith(`lease of ${ip} ended`)), 130_000)).toBe(true);
    expect(board.stack.netAddr().ip).toBe("0.0.0.0");
    const r = await ns.exec(["ping", "-n", "-c", "1", "-W", "1", ip], { timeoutMs: 5000 });
    expect(r.stdout.toString()).toMatch(/1 packets transmitted, 0 received/);
    dnsmasq = startDnsmasq(ns);
    expect(await until(() => board.stack.netAddr().dhcpState === 5, 90_000)).toBe(true);
    expect(board.stack.netAddr().ip).toBe(ip); // dnsmasq's lease file gives the same address back
  }, 240_000);
});
