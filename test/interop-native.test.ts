/**
 * The native Linux host (build/native/embertcp-tap: the wasm2c C of the
 * release module, ports/runtime, ports/apps, ports/linux) against Linux's
 * own tools through a TAP in the test's namespace: ping, curl of the
 * status page, a 1 MiB echo byte for byte, 20 MB each way checked by
 * SHA-256, an oversize frame, a clean SIGINT with its summary, and a TAP
 * deleted under the running process.
 */
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { chargenStream } from "../host-sim/apps/index.js";
import { BOARD_IP } from "./helpers/interop.js";
import { nativeGate, type NativeRig, startNative } from "./helpers/native.js";

const run = nativeGate(["ping", "curl", "nc", "sha256sum"]);
const MB20 = 20_000_000;
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe.runIf(run)("native host: Linux peers on a TAP", () => {
  let rig: NativeRig;
  beforeAll(async () => { rig = await startNative(); }, 20_000);
  afterAll(async () => { await rig?.stop(); });

  test("answers ping", async () => {
    const r = await rig.ns.exec(["ping", "-c", "5", "-i", "0.2", "-W", "2", BOARD_IP], { timeoutMs: 15_000 });
    expect(r.stdout.toString()).toMatch(/5 packets transmitted, 5 received/);
    await rig.waitLine(/arp: cache updated/);
  });

  test("asks Linux for an 8192-frame queue on its TAP, so a flood's bursts wait instead of being dropped", async () => {
    const r = await rig.ns.exec(["cat", `/sys/class/net/${rig.tap}/tx_queue_len`]);
    expect(Number(r.stdout.toString())).toBe(8192);
  });

  test("curl gets the status page with the counters, and its JSON", async () => {
    const page = await rig.ns.exec(["curl", "-sS", "-i", "--max-time", "5", `http://${BOARD_IP}/`], { timeoutMs: 8000 });
    const text = page.stdout.toString();
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    const body = text.slice(text.indexOf("\r\n\r\n") + 4);
    expect(Number(/Content-Length: (\d+)/.exec(text)![1])).toBe(Buffer.byteLength(body));
    expect(body).toContain('<table id="counters">');
    expect(body).toMatch(/<tr><td>eth_rx_frames<\/td><td>[1-9]\d*<\/td><\/tr>/);
    expect(body).toMatch(/<td>10\.9\.0\.2:80<\/td><td>\*:\*<\/td><td class="state">LISTEN<\/td>/);
    const json = await rig.ns.exec(["curl", "-sS", "--max-time", "5", `http://${BOARD_IP}/status.json`], { timeoutMs: 8000 });
    const s = JSON.parse(json.stdout.toString());
    expect(s.ip).toBe(BOARD_IP);
    expect(s.stats.tcp_passive_opens).toBeGreaterThanOrEqual(2);
    expect(s.connections.filter((c: { state: string }) => c.state === "LISTEN").map((c: { local: string }) => c.local).sort())
      .toEqual(["10.9.0.2:19", "10.9.0.2:7", "10.9.0.2:80", "10.9.0.2:9"]);
    const missing = await rig.ns.exec(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", `http://${BOARD_IP}/nope`]);
    expect(missing.stdout.toString()).toBe("404");
  });

  test("echoes 1 MiB byte for byte", async () => {
    const data = randomBytes(1 << 20);
    const r = await rig.ns.exec(["nc", "-N", "-w", "20", BOARD_IP, "7"], { input: data, timeoutMs: 30_000 });
    expect(r.timedOut).toBe(false);
    expect(r.stdout.length).toBe(data.length);
    expect(Buffer.compare(r.stdout, data)).toBe(0);
    await rig.waitLine(/conn: echo 10\.9\.0\.1:\d+ closed, 1048576 bytes in, 1048576 out/);
  }, 40_000);

  test("20 MB each way: echo and chargen by SHA-256, discard by count, all at once", async () => {
    const data = randomBytes(MB20);
    const started = Date.now();
    const [echo, chargen, discard] = await Promise.all([
      rig.ns.exec(["sh", "-c", `nc -N -w 30 ${BOARD_IP} 7 | sha256sum`], { input: data, timeoutMs: 100_000 }),
      rig.ns.exec(["sh", "-c", `nc -d -w 30 ${BOARD_IP} 19 | head -c ${MB20} | sha256sum`], { timeoutMs: 100_000 }),
      rig.ns.exec(["nc", "-N", "-w", "30", BOARD_IP, "9"], { input: data, timeoutMs: 100_000 }),
    ]);
    const secs = (Date.now() - started) / 1000;
    console.log(`native host: 20 MB echoed, 20 MB from chargen, 20 MB to discard at once in ${secs.toFixed(2)} s`);
    for (const r of [echo, chargen, discard]) expect(r.timedOut).toBe(false);
    expect(echo.stdout.toString().split(" ")[0]).toBe(sha(data));
    expect(chargen.stdout.toString().split(" ")[0]).toBe(sha(chargenStream(MB20)));
    await rig.waitLine(new RegExp(`conn: discard 10\\.9\\.0\\.1:\\d+ closed, ${MB20} bytes in, 0 out`));
  }, 120_000);

  test("prints connection events from tcp_list like embertcp sim: listeners, a new connection, its close", async () => {
    await rig.waitLine(/conn: 10\.9\.0\.2:80 \*:\* LISTEN$/);
    const r = await rig.ns.exec(["sh", "-c", `(echo hello; sleep 1) | nc -N -w 5 -p 40123 ${BOARD_IP} 7`], { timeoutMs: 10_000 });
    expect(r.stdout.toString()).toBe("hello\n");
    await rig.waitLine(/conn: 10\.9\.0\.2:7 10\.9\.0\.1:40123 ESTABLISHED$/);
    await rig.waitLine(/conn: 10\.9\.0\.2:7 10\.9\.0\.1:40123 gone \(was [A-Z-]+\)$/, 5000);
  }, 20_000);

  test("a frame over the MTU is dropped and counted, and the board keeps answering", async () => {
    await rig.ns.exec(["ip", "link", "set", rig.tap, "mtu", "4000"]);
    const big = await rig.ns.exec(["ping", "-c", "1", "-W", "1", "-s", "3000", BOARD_IP], { timeoutMs: 5000 });
    expect(big.stdout.toString()).toMatch(/1 packets transmitted, 0 received/);
    await rig.ns.exec(["ip", "link", "set", rig.tap, "mtu", "1500"]);
    const ok = await rig.ns.exec(["ping", "-c", "2", "-i", "0.2", "-W", "2", BOARD_IP], { timeoutMs: 8000 });
    expect(ok.stdout.toString()).toMatch(/2 received/);
  });

  test("SIGINT ends it cleanly with a summary line and status 0", async () => {
    const code = await rig.stop();
    expect(code).toBe(0);
    const last = rig.lines.at(-1)!;
    expect(last).toMatch(/^stopped: \d+ frames in, \d+ out, \d+ connections accepted, [1-9]\d* oversize frames dropped, \d+ frames not sent, \d+ dropped by the TAP queue$/);
  });
});

describe.runIf(run)("native host: the TAP goes away", () => {
  test("deleting the TAP under it gives one line and status 1, no crash", async () => {
    const rig = await startNative();
    try {
      await rig.ns.exec(["ip", "link", "del", rig.tap]);
      const code = await Promise.race([rig.exited, new Promise((r) => setTimeout(() => r("still running"), 5000))]);
      expect(code).toBe(1);
      expect(rig.lines.some((l) => /link: TAP gone; stopping/.test(l))).toBe(true);
      expect(rig.lines.at(-1)).toMatch(/^stopped: /);
    } finally {
      await rig.stop();
    }
  }, 20_000);
});
