/**
 * A spoofed SYN flood from Linux (`hping3 --flood --rand-source -S`, bounded
 * by `timeout`) against the board's HTTP port while curl keeps fetching the
 * status page: the board must keep serving, with the flood visible in its
 * SYN-queue and cookie counters. The forged sources are off-link, so the
 * board's SYN-ACKs go to Linux as its gateway, which does not forward them:
 * nothing leaves the namespace.
 *
 * What limits the legitimate client is not the board's state (the SYN queue
 * stays bounded and cookies answer every SYN) but bandwidth: the host relay
 * into the simulated board carries a few thousand frames a second, far less
 * than hping3 sends, so Linux's TAP queue overflows and drops at random, and
 * curl's segments are retransmitted until they get through. The test
 * therefore starts curl during the flood with a 25 s limit and prints how
 * long it took.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { HttpServer } from "../host-sim/apps/index.js";
import { boardBehindTap, BOARD_IP, interopGate, type Rig } from "./helpers/interop.js";

const run = interopGate(["hping3", "curl", "timeout"]);
const FLOOD_SECONDS = 5;

describe.runIf(run)("interop: SYN flood from hping3", () => {
  let rig: Rig;
  let http: HttpServer;
  beforeAll(async () => {
    http = new HttpServer();
    rig = await boardBehindTap({ apps: [http], config: { msl_ms: 1000 } });
  });
  afterAll(async () => { await rig?.teardown(); });

  test("curl still gets the status page during a spoofed SYN flood", async () => {
    await rig.ns.exec(["sysctl", "-qw", "net.ipv4.ip_forward=0"]);
    const before = rig.board.stack.stats();
    const drops0 = rig.board.wireDrops;
    const flood = rig.ns.exec(["timeout", "-s", "INT", String(FLOOD_SECONDS), "hping3", "--flood", "--rand-source", "-S", "-p", "80", "-q", BOARD_IP],
      { timeoutMs: (FLOOD_SECONDS + 5) * 1000 });
    await new Promise((r) => setTimeout(r, 500));
    // The legitimate client starts while the flood runs. A line-rate flood is several times what a
    // 10BASE-T board's wire carries, so its SYN and ACKs may be lost in the bridge and retransmitted;
    // it must still get the page, through the SYN cookies the full queue falls back to.
    const t0 = Date.now();
    const legit = await rig.ns.exec(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "25", `http://${BOARD_IP}/`], { timeoutMs: 30_000 });
    const legitMs = Date.now() - t0;
    const f = await flood;
    expect(f.timedOut).toBe(false);
    const s = rig.board.stack.stats();
    console.log(`curl during the flood: ${legit.stdout.toString() || legit.stderr.trim()} after ${legitMs} ms; SYNs at the board ${s.syn_rx - before.syn_rx}, ` +
      `frames dropped on the oversubscribed wire ${rig.board.wireDrops - drops0}, cookies sent ${s.cookies_sent - before.cookies_sent}, ` +
      `accepted ${s.cookies_accepted - before.cookies_accepted}, SYN-queue overflows ${s.synq_overflows - before.synq_overflows}`);
    expect(legit.stdout.toString()).toBe("200");
    // The flood reached the board and filled its SYN queue, so cookies were used.
    expect(s.syn_rx - before.syn_rx).toBeGreaterThan(1000);
    expect(s.cookies_sent - before.cookies_sent).toBeGreaterThan(0);
    // After the flood the page loads at once.
    const after = await rig.ns.exec(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", `http://${BOARD_IP}/`], { timeoutMs: 8000 });
    expect(after.stdout.toString()).toBe("200");
    expect(rig.board.failure).toBeNull();
  }, 60_000);
});
