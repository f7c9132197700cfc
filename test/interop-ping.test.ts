/**
 * Linux pings a board through a TAP in a namespace of this test's own, and
 * the board answers ARP; then the TAP vanishes and the board reports it.
 * The pinger is Linux's own `ping` (iputils; CI installs it).
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { boardBehindTap, BOARD_IP, BOARD_MAC, interopGate, type Rig } from "./helpers/interop.js";

const run = interopGate(["ping"]);

describe.runIf(run)("interop: ping through a TAP", () => {
  let rig: Rig;
  beforeAll(async () => { rig = await boardBehindTap(); });
  afterAll(async () => { await rig?.teardown(); });

  test("5 pings of 1000 bytes get 5 replies and Linux learns the board's MAC", async () => {
    const r = await rig.ns.exec(["ping", "-n", "-c", "5", "-i", "0.2", "-s", "1000", "-W", "2", BOARD_IP], { timeoutMs: 15_000 });
    const out = r.stdout.toString();
    expect(out).toMatch(/5 packets transmitted, 5 received, 0% packet loss/);
    // Each reply carries the 1000 data bytes back (ping checks their content too).
    expect(out.match(/^1008 bytes from 10\.9\.0\.2: icmp_seq=\d+ ttl=64/gm)).toHaveLength(5);
    const neigh = await rig.ns.exec(["ip", "neigh", "show", BOARD_IP]);
    expect(neigh.stdout.toString()).toContain(BOARD_MAC);
    const s = rig.board.stack.stats();
    expect(s.icmp_echo_replies).toBeGreaterThanOrEqual(5);
    expect(rig.board.failure).toBeNull();
  });

  test("300 pings 5 ms apart, bounded in count and time, lose nothing", async () => {
    const before = rig.board.stack.stats().icmp_echo_replies;
    const r = await rig.ns.exec(["ping", "-n", "-q", "-c", "300", "-i", "0.005", "-W", "2", BOARD_IP], { timeoutMs: 15_000 });
    // Should ping count a loss or a duplicate, say which side it came from:
    // the replies the stack made, the frames its driver and the chip model
    // sent, and the TAP link's counters.
    const replies = rig.board.stack.stats().icmp_echo_replies - before;
    const where = `the board made ${replies} replies; frames sent by the driver ${rig.board.stack.stats().enc_tx_frames}, ` +
      `by the chip ${rig.board.chip.counters.txFrames}; TAP link ${JSON.stringify(rig.ns.tap.stats())}`;
    expect(r.stdout.toString(), where).toMatch(/300 packets transmitted, 300 received, 0% packet loss/);
    expect(replies).toBe(300);
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
