/**
 * What the ENC28J60 timing model predicts for one board talking to a fast
 * peer, worked out in virtual time before a sim starts, so the figures a
 * Linux peer measures over the TAP can be read against them: the ping round
 * trip (56 data bytes) and TCP goodput each way.
 *
 * The board is the real thing (the module on link 1, the chip model at the
 * given SPI clock, 10BASE-T wire time); the peer is a board on the
 * host-frames link, which costs no modelled time, joined by an in-process
 * pair with no latency, the way Linux behind a TAP looks to the board.
 */

import { ChargenServer, DiscardServer, TcpClient } from "./apps/index.js";
import { Board, runVirtual } from "./board.js";
import { VirtualClock } from "./clock.js";
import { appendFcs } from "./crc32.js";
import type { Limits } from "./limits.js";
import { createPair } from "./links/pair.js";
import { arpRequestFrame, echoRequestFrame } from "./ping.js";
import { ipToNumber, macToBytes } from "./stack.js";

export interface ModelFigures {
  /** Ping round trip, 56 data bytes, ms. */
  pingMs: number;
  /** Goodput peer -> board (into discard) and board -> peer (out of chargen), MB/s. */
  upMBps: number;
  downMBps: number;
  spiHz: number;
  /** One line for the sim's start-up output. */
  line: string;
}

const BOARD = { ip: "10.0.0.2", mac: "02:00:00:00:00:02" };
const PEER = { ip: "10.0.0.1", mac: "02:00:00:00:00:01" };

function boardOnPair(module: WebAssembly.Module, limits: Limits | undefined, spiHz: number) {
  const clock = new VirtualClock();
  const [a, b] = createPair(clock, { checkFcs: true });
  const discard = new DiscardServer(), chargen = new ChargenServer();
  const board = new Board({ name: "model", link: a, clock, ...BOARD, seed: 2, spiHz, module, limits }).start([discard, chargen]);
  runVirtual(clock, 50);
  return { clock, a, b, board, discard };
}

/** Ping round trip in model time: an echo request in, the reply out, ARP done first. */
function pingMs(module: WebAssembly.Module, limits: Limits | undefined, spiHz: number): number {
  const p = boardOnPair(module, limits, spiHz);
  let replyAt = -1;
  p.b.onFrame = (f) => { if (f[12] === 8 && f[13] === 0 && f[23] === 1 && f[34] === 0) replyAt = p.clock.now(); };
  const mac = macToBytes(PEER.mac), src = ipToNumber(PEER.ip), dst = ipToNumber(BOARD.ip);
  p.b.send(appendFcs(arpRequestFrame(mac, src, dst)));
  runVirtual(p.clock, 20);
  const data = Uint8Array.from({ length: 56 }, (_, i) => i);
  const t0 = p.clock.now();
  p.b.send(appendFcs(echoRequestFrame({ srcMac: mac, dstMac: macToBytes(BOARD.mac), src, dst, id: 1, seq: 1, data })));
  runVirtual(p.clock, 1000, () => replyAt >= 0, 0.01);
  p.board.stop();
  return replyAt - t0;
}

/** Goodput of `bytes` one way in model time, MB/s (from the connection being up to the last byte). */
function goodputMBps(module: WebAssembly.Module, limits: Limits | undefined, spiHz: number, dir: "up" | "down", bytes: number): number {
  const p = boardOnPair(module, limits, spiHz);
  const peer = new Board({ name: "peer", link: p.b, clock: p.clock, ...PEER, seed: 1, module, limits, linkMode: "host" }).start();
  const c = dir === "up"
    ? new TcpClient({ ip: BOARD.ip, port: 9, send: bytes, keep: false })
    : new TcpClient({ ip: BOARD.ip, port: 19, closeAfterSend: false, readLimit: bytes, keep: false });
  peer.addApp(c);
  runVirtual(p.clock, 10_000, () => c.connectedAt >= 0, 1);
  const t0 = p.clock.now();
  const done = () => (dir === "up" ? p.discard.discarded >= bytes : c.bytesIn >= bytes);
  runVirtual(p.clock, 600_000, done, 5);
  const ms = p.clock.now() - t0;
  peer.stop();
  p.board.stop();
  return done() ? bytes / 1000 / ms : 0;
}

/** The model's ping round trip and goodput for a board built with `module` (half duplex, as the sim runs it). */
export function predictEnc28j60(module: WebAssembly.Module, limits?: Limits, spiHz = 20e6, bytes = 256 * 1024): ModelFigures {
  const ping = pingMs(module, limits, spiHz);
  const up = goodputMBps(module, limits, spiHz, "up", bytes);
  const down = goodputMBps(module, limits, spiHz, "down", bytes);
  const line = `ENC28J60 at SPI ${spiHz / 1e6} MHz predicts ping ${ping.toFixed(3)} ms, goodput ${up.toFixed(3)} MB/s in, ${down.toFixed(3)} MB/s out (virtual time)`;
  return { pingMs: ping, upMBps: up, downMBps: down, spiHz, line };
}
