/**
 * The native host under load, with a build of enough TCBs for it
 * (EMBER_TCB_COUNT=256, 32 KiB rings: the build the Linux client bench
 * measures): 200 Linux clients at once on echo, and a bounded spoofed SYN
 * flood from hping3 during which a client still connects and gets the
 * status page. The forged sources are off-link, so the SYN-ACKs go to
 * Linux as the gateway, which does not forward them.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BOARD_IP, CONCURRENT_ECHO_PY } from "./helpers/interop.js";
import { buildNativeVariant, nativeGate, type NativeRig, startNative } from "./helpers/native.js";

const run = nativeGate(["python3", "hping3", "curl", "timeout"]);
const LARGE = { EMBER_TCB_COUNT: 256, EMBER_TCP_RX_BUF: 32768, EMBER_TCP_TX_BUF: 32768 };
const FLOOD_SECONDS = 5;

async function stats(rig: NativeRig): Promise<Record<string, number>> {
  const r = await rig.ns.exec(["curl", "-sS", "--max-time", "5", `http://${BOARD_IP}/status.json`], { timeoutMs: 8000 });
  return JSON.parse(r.stdout.toString()).stats;
}

describe.runIf(run)("native host, 256 TCBs: many clients and a SYN flood", () => {
  let rig: NativeRig;
  beforeAll(async () => {
    const exe = await buildNativeVariant("native-bench", LARGE);
    rig = await startNative({ exe });
  }, 180_000);
  afterAll(async () => { await rig?.stop(); });

  test("200 Linux clients at once on echo all get their bytes back", async () => {
    const r = await rig.ns.exec(["python3", "-c", CONCURRENT_ECHO_PY, BOARD_IP, "7", "200", "2000", "45"], { timeoutMs: 55_000 });
    expect(r.timedOut).toBe(false);
    expect(r.stdout.toString().trim()).toBe("ok 200");
    await rig.waitLine(/conn: echo .* closed, 2000 bytes in, 2000 out/);
  }, 60_000);

  test("a burst of handshakes larger than the accept queue, read in one batch, loses no SYN and no ACK", async () => {
    // The host is stopped while 60 clients send their SYNs, so it reads
    // them in one batch when it resumes; the clients' ACKs and data then
    // queue up while it writes the 60 SYN-ACKs and arrive in one batch
    // too. Each completes a handshake, four times what one accept queue
    // holds (APPS_BACKLOG, 16): the apps must take connections within the
    // batch, or the stack drops ACKs (acceptq_overflows) and SYNs
    // (listen_overflows) and the clients wait out their retransmissions.
    const before = await stats(rig);
    rig.proc.kill("SIGSTOP");
    const clients = rig.ns.exec(["python3", "-c", CONCURRENT_ECHO_PY, BOARD_IP, "7", "60", "100", "20"], { timeoutMs: 30_000 });
    await new Promise((r) => setTimeout(r, 600));
    rig.proc.kill("SIGCONT");
    const r = await clients;
    expect(r.stdout.toString().trim()).toBe("ok 60");
    const after = await stats(rig);
    const d = (k: string) => (after[k] ?? 0) - (before[k] ?? 0);
    expect({ acceptq: d("acceptq_overflows"), listen: d("listen_overflows") }).toEqual({ acceptq: 0, listen: 0 });
    expect(d("syn_rx")).toBeGreaterThanOrEqual(60);
  }, 40_000);

  test("curl still gets the status page during a spoofed hping3 SYN flood", async () => {
    await rig.ns.exec(["sysctl", "-qw", "net.ipv4.ip_forward=0"]);
    const before = await stats(rig);
    const flood = rig.ns.exec(["timeout", "-s", "INT", String(FLOOD_SECONDS), "hping3", "--flood", "--rand-source", "-S", "-p", "80", "-q", BOARD_IP],
      { timeoutMs: (FLOOD_SECONDS + 5) * 1000 });
    await new Promise((r) => setTimeout(r, 1000));
    const t0 = Date.now();
    const legit = await rig.ns.exec(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10", `http://${BOARD_IP}/`], { timeoutMs: 15_000 });
    const legitMs = Date.now() - t0;
    expect((await flood).timedOut).toBe(false);
    const after = await stats(rig);
    const d = (k: string) => (after[k] ?? 0) - (before[k] ?? 0);
    console.log(`native host: curl during the flood ${legit.stdout.toString() || legit.stderr.trim()} after ${legitMs} ms; ` +
      `SYNs ${d("syn_rx")}, cookies sent ${d("cookies_sent")}, SYN-queue overflows ${d("synq_overflows")}`);
    expect(legit.stdout.toString()).toBe("200");
    expect(d("syn_rx")).toBeGreaterThan(1000);
    expect(d("cookies_sent")).toBeGreaterThan(0);
    expect(rig.proc.exitCode).toBeNull();
    // What Linux could not queue to the host while it fell behind is counted, not lost silently.
    expect(await rig.stop()).toBe(0);
    const drops = /, (\d+) dropped by the TAP queue$/.exec(rig.lines.at(-1)!);
    expect(drops).not.toBeNull();
    console.log(`native host: ${drops![1]} frames dropped by the TAP queue during the flood`);
  }, 60_000);
});
