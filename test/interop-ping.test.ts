/**
 * Linux pings a board through a TAP in a namespace of this test's own, and
 * the board answers ARP; then the TAP vanishes and the board reports it.
 * The pinger is `hping3 --icmp` (CI installs hping3; iputils ping is not in
 * its list).
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { boardBehindTap, BOARD_IP, BOARD_MAC, interopGate, type Rig } from "./helpers/interop.js";

const run = interopGate(["hping3"]);

describe.runIf(run)("interop: ping through a TAP", () => {
  let rig: Rig;
  beforeAll(async () => { rig = await boardBehindTap(); });
  afterAll(async () => { await rig?.teardown(); });

  test("5 pings of 1000 bytes get 5 replies and Linux learns the board's MAC", async () => {
    const r = await rig.ns.exec(["hping3", "--icmp", "-c", "5", "-i", "u200000", "-d", "1000", BOARD_IP], { timeoutMs: 15_000 });
    expect(r.stdout.toString() + r.stderr).toMatch(/5 packets transmitted, 5 packets received/);
    const neigh = await rig.ns.exec(["ip", "neigh", "show", BOARD_IP]);
    expect(neigh.stdout.toString()).toContain(BOARD_MAC);
    const s = rig.board.stack.stats();
    expect(s.icmp_echo_replies).toBeGreaterThanOrEqual(5);
    expect(rig.board.failure).toBeNull();
  });

  test("300 pings 5 ms apart, bounded in count and time, lose nothing", async () => {
    const before = rig.board.stack.stats().icmp_echo_replies;
    const r = await rig.ns.exec(["hping3", "--icmp", "-c", "300", "-i", "u5000", BOARD_IP], { timeoutMs: 15_000 });
    expect(r.stdout.toString() + r.stderr).toMatch(/300 packets transmitted, 300 packets received/);
    expect(rig.board.stack.stats().icmp_echo_replies - before).toBe(300);
  });

  test("the TAP vanishing is reported once as a link event and the board keeps running", async () => {
    await rig.ns.exec(["ip", "link", "del", rig.ns.tapName]);
    const deadline = Date.now() + 5000;
    while (!rig.events.some((e) => e.text.startsWith("link down")) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const downs = rig.events.filter((e) => e.text.startsWith("link down"));
    expect(downs).toHaveLength(1);
    expect(downs[0].text).toMatch(/TAP etap0 gone|exited/);
    expect(rig.board.isRunning).toBe(true);
  });
});
