/**
 * 64 KiB rings (a build with EMBER_TCP_RX_BUF = EMBER_TCP_TX_BUF = 65536):
 * the TCB keeps ring lengths in 16 bits and the window field carries at
 * most 65,535 (RFC 9293 §3.1, no window scaling), so such a ring holds
 * 65,535 bytes and keeps one free (config.ts TCP_RX_HOLD/TCP_TX_HOLD).
 * Before, a full ring's length wrapped to 0: the receiver advertised a
 * window it did not have and sent no window update when the reader drained
 * it, so each window waited for the sender's retransmission timer.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { compileAssemblyScript } from "../host-sim/asc.js";
import { connected, randomBytes, runTransfers, sha256, Transfer } from "./helpers/hostnet-tcp.js";

let module: WebAssembly.Module;
beforeAll(async () => {
  const wasm = await compileAssemblyScript("assembly/index.ts", {
    pages: 5,
    args: ["--use", "EMBER_TCB_COUNT=2", "--use", "EMBER_TCP_RX_BUF=65536", "--use", "EMBER_TCP_TX_BUF=65536"],
  });
  module = new WebAssembly.Module(wasm);
}, 120_000);

describe("64 KiB rings", () => {
  test("tcp_send takes at most 65,535 bytes into an empty 64 KiB send ring", () => {
    const c = connected({ a: { module }, b: { module } });
    expect(c.client.send(randomBytes(70_000, 9))).toBe(65_535);
  });

  test("4 MiB each way arrive byte-exact with no retransmission timeout: the window reopens as the reader drains", () => {
    const c = connected({ a: { module }, b: { module } });
    const up = randomBytes(4 << 20, 1);
    const down = randomBytes(4 << 20, 2);
    const t1 = new Transfer(c.client, c.server, up);
    const t2 = new Transfer(c.server, c.client, down);
    const start = c.net.now;
    expect(runTransfers(c.net, [t1, t2], 600_000)).toBe(true);
    expect(sha256(t1.bytes())).toBe(sha256(up));
    expect(sha256(t2.bytes())).toBe(sha256(down));
    for (const h of [c.a, c.b]) {
      const s = h.stack.stats();
      expect(s.tcp_retransmits).toBe(0);
      expect(s.tcp_persist_probes).toBe(0);
    }
    // A clean wire with no delay moves it without waiting on any timer.
    expect(c.net.now - start).toBeLessThan(200);
  }, 120_000);
});
