/**
 * Two full boards (wasm stack + ENC28J60 driver + chip model) on one
 * in-process cable with 10BASE-T wire time: they ping each other and move
 * 1 MiB by TCP byte-exact in each direction, at both ends of the SPI clock
 * range the driver supports.
 */
import { createHash } from "node:crypto";
import { describe, expect, test } from "vitest";
import { Board, runVirtual } from "../host-sim/board.js";
import { VirtualClock } from "../host-sim/clock.js";
import { createPair } from "../host-sim/links/index.js";
import { DiscardServer, EchoServer, TcpClient, patternByte } from "../host-sim/apps/index.js";

function twoBoards(spiHz: number) {
  const clock = new VirtualClock();
  const [a, b] = createPair(clock, { checkFcs: true });
  const echo = new EchoServer(), discard = new DiscardServer();
  const server = new Board({ name: "B", link: b, clock, mac: "02:00:00:00:00:02", ip: "10.0.0.2", seed: 2, spiHz }).start([echo, discard]);
  const client = new Board({ name: "A", link: a, clock, mac: "02:00:00:00:00:01", ip: "10.0.0.1", seed: 1, spiHz }).start();
  runVirtual(clock, 100);
  return { clock, server, client, discard };
}

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const MiB = 1 << 20;

describe.each([20_000_000, 8_000_000])("two boards, SPI at %i Hz", (spiHz) => {
  test("1 MiB to echo comes back byte-exact (SHA-256), with no chip errors", () => {
    const { clock, server, client } = twoBoards(spiHz);
    const data = Uint8Array.from({ length: MiB }, (_, i) => patternByte(i));
    const c = new TcpClient({ ip: "10.0.0.2", port: 7, send: data });
    client.addApp(c);
    expect(runVirtual(clock, 600_000, () => c.done, 5)).toBe(true);
    expect(c.error).toBeNull();
    expect(c.bytesIn).toBe(MiB);
    expect(sha(c.received)).toBe(sha(data));
    for (const b of [server, client]) {
      const s = b.stack.stats();
      expect(b.failure).toBeNull();
      expect(s.enc_tx_errors).toBe(0);
      expect(s.enc_rx_resets).toBe(0);
      expect(s.tcp_drop_checksum).toBe(0);
    }
  });

  test("1 MiB one way into discard arrives whole", () => {
    const { clock, client, discard } = twoBoards(spiHz);
    const c = new TcpClient({ ip: "10.0.0.2", port: 9, send: MiB, keep: false });
    client.addApp(c);
    expect(runVirtual(clock, 600_000, () => discard.discarded >= MiB && c.done, 5)).toBe(true);
    expect(c.error).toBeNull();
    expect(discard.discarded).toBe(MiB);
  });
});

describe("a connect after the board sat idle", () => {
  // The module's clock is the time of its last net_poll (docs/ABI.md); an
  // idle board polls rarely, so a connect must not arm its retransmission
  // timer from that old time and resend the SYN at once.
  test("sends its SYN once and gets ESTABLISHED without a retransmission", () => {
    const { clock, client } = twoBoards(20_000_000);
    const first = new TcpClient({ ip: "10.0.0.2", port: 7, send: 10 });
    client.addApp(first);
    expect(runVirtual(clock, 10_000, () => first.done, 5)).toBe(true);
    runVirtual(clock, 5_000);
    const c = new TcpClient({ ip: "10.0.0.2", port: 9, send: 10 });
    client.addApp(c);
    expect(runVirtual(clock, 10_000, () => c.connectedAt >= 0, 1)).toBe(true);
    expect(client.stack.stats().tcp_retransmits).toBe(0);
  });
});
