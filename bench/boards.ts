/**
 * TCP goodput between two full boards (wasm stack + ENC28J60 driver + chip
 * model) on the modelled 10BASE-T wire, in simulated time, at SPI 8 and
 * 20 MHz, both directions. The ceiling for MSS 1460 is 9.49 Mbit/s: 1460
 * payload bytes per 1538 bytes of wire time (preamble 8 + frame 1514 +
 * FCS 4 + gap 12), before the ACKs' share of a half-duplex wire.
 */
import { Board, runVirtual } from "../host-sim/board.js";
import { VirtualClock } from "../host-sim/clock.js";
import { createPair } from "../host-sim/links/index.js";
import { ChargenServer, DiscardServer, TcpClient } from "../host-sim/apps/index.js";
import { figure } from "./report.js";

const LIMIT_MBPS = (10 * 1460) / 1538;

function goodput(spiHz: number, dir: "up" | "down", bytes: number): number {
  const clock = new VirtualClock();
  const [a, b] = createPair(clock, { checkFcs: true });
  const discard = new DiscardServer(), chargen = new ChargenServer();
  const server = new Board({ name: "B", link: b, clock, mac: "02:00:00:00:00:02", ip: "10.0.0.2", seed: 2, spiHz }).start([discard, chargen]);
  const client = new Board({ name: "A", link: a, clock, mac: "02:00:00:00:00:01", ip: "10.0.0.1", seed: 1, spiHz }).start();
  runVirtual(clock, 100);
  const c = dir === "up"
    ? new TcpClient({ ip: "10.0.0.2", port: 9, send: bytes, keep: false })
    : new TcpClient({ ip: "10.0.0.2", port: 19, closeAfterSend: false, readLimit: bytes, keep: false });
  client.addApp(c);
  runVirtual(clock, 60_000, () => c.connectedAt >= 0, 1);
  const t0 = clock.now();
  const done = () => (dir === "up" ? discard.discarded >= bytes : c.bytesIn >= bytes);
  runVirtual(clock, 3_600_000, done, 5);
  const ms = clock.now() - t0;
  client.stop();
  server.stop();
  return done() ? (bytes * 8) / (ms * 1000) : 0;
}

export function benchBoards(): void {
  const bytes = 2 << 20;
  for (const spiHz of [8_000_000, 20_000_000]) {
    for (const dir of ["up", "down"] as const) {
      const mbps = goodput(spiHz, dir, bytes);
      const what = dir === "up" ? "A -> B (into discard)" : "B -> A (out of chargen)";
      figure(`TCP goodput, SPI ${spiHz / 1e6} MHz, ${what}, 2 MiB, 4 KiB rings`, mbps.toFixed(2),
        `Mbit/s (${((mbps / LIMIT_MBPS) * 100).toFixed(1)}% of the 9.49 Mbit/s 10BASE-T limit for MSS 1460)`);
    }
  }
}
