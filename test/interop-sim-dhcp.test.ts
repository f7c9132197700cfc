/**
 * `embertcp sim --dhcp --hostname NAME --resolve NAME...` on a TAP whose
 * Linux end runs dnsmasq (DHCP and DNS) in a namespace of this test's own:
 * the sim prints its `dhcp: bound …` line and one `dns:` line per name,
 * netstat shows the lease; bad address options are one line and exit 2.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import { createBareNetns, addAddress, type BareNetns } from "../host-sim/netns.js";
import { startSim, type SimHandle } from "../host-sim/sim.js";
import { formatSnapshot, snapshot } from "../host-sim/netstat.js";
import { interopGate } from "./helpers/interop.js";
import { until } from "./helpers/until.js";

const run = interopGate(["dnsmasq"]);

describe.runIf(run)("interop: sim --dhcp against dnsmasq", () => {
  let ns: BareNetns;
  let sim: SimHandle;
  const lines: string[] = [];

  beforeAll(async () => {
    ns = createBareNetns();
    sim = await startSim({
      tap: "etap0", netns: ns.name, dhcp: true, hostname: "simboard", ip: "", apps: "udp-echo", seed: 5,
      resolve: ["alpha.test", "www.test", "missing.test"], print: (l) => lines.push(l),
    });
    addAddress(ns.name, "etap0", "10.9.0.1/24");
    ns.spawn([
      "dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--interface=etap0", "--bind-interfaces",
      "--listen-address=10.9.0.1", "--pid-file=", "--dhcp-leasefile=/dev/null", "--dhcp-range=10.9.0.60,10.9.0.69,255.255.255.0,1h",
      "--local=/test/", "--host-record=alpha.test,10.9.0.77", "--cname=www.test,alpha.test",
    ]);
  }, 30_000);
  afterAll(async () => {
    await sim?.stop();
    await ns?.destroy();
  });

  test("prints the bound line, then one dns line per --resolve name; netstat shows the lease", async () => {
    // The two first queries leave together while the server's MAC is unknown: the link holds one frame
    // per next hop, so one of them is resent by the resolver 2 s later.
    expect(await until(() => ["alpha", "www", "missing"].every((n) => lines.some((l) => l.includes(` dns: ${n}.test`))), 40_000)).toBe(true);
    const text = lines.join("\n");
    expect(text).toMatch(/board address by DHCP as simboard \(02:00:d1:[0-9a-f:]+\) on TAP etap0/);
    expect(text).toMatch(/ dhcp: bound 10\.9\.0\.6\d\/24 gw 10\.9\.0\.1 dns 10\.9\.0\.1 lease 3\d{3} s from 10\.9\.0\.1$/m);
    expect(text).toMatch(/ dns: alpha\.test → 10\.9\.0\.77$/m);
    expect(text).toMatch(/ dns: www\.test → 10\.9\.0\.77$/m);
    expect(text).toMatch(/ dns: missing\.test: ENOTFOUND$/m);
    expect(formatSnapshot(snapshot(sim.board))).toMatch(/address: dhcp BOUND 10\.9\.0\.6\d\/24 gw 10\.9\.0\.1/);
  }, 60_000);
});

describe("sim address options", () => {
  test.each([
    [["--dhcp", "--hostname", "no_underscores"], /bad --hostname "no_underscores"/],
    [["--hostname", "board"], /--hostname is sent by DHCP: give --dhcp too/],
    [["--dhcp", "--ip", "10.0.0.2/24"], /give --ip A\.B\.C\.D\/NN or --dhcp, not both/],
    [["--dns", "1.2.3.4", "--dns", "5.6.7.8", "--dns", "9.9.9.9"], /at most two --dns servers/],
    [["--dns", "300.1.1.1"], /bad --dns "300\.1\.1\.1"/],
    [["--resolve"], /--resolve needs NAME/],
  ])("%j → one line, exit 2", (args, re) => {
    const r = spawnSync(process.execPath, ["bin/embertcp.js", "sim", "--tap", "nosuch0", ...args], { encoding: "utf8", timeout: 20_000 });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(re);
  });
});
