#!/usr/bin/env node
// Writes the seed corpus of the fuzz target (ports/fuzz/corpus/*.bin): real
// handshakes, transfers and closes in the target's operation encoding
// (docs/PORTS.md, "Fuzzing"). The peer's segments are built by the target
// from what the board last sent, so these seeds need no sequence numbers.
//   node ports/fuzz/corpus.mjs
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const OP = { raw: 0, fixed: 1, peer: 2, syn: 3, clock16: 4, clock8: 5, call: 6, arp: 7 };
const F = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 };
const u16 = (v) => [(v >> 8) & 255, v & 255];
const u32 = (v) => [...u16(v >>> 16), ...u16(v & 0xffff)];

/** SYN to port index (0 echo 7, 1 http 80, 2 discard 9, 3 chargen 19) with MSS 1460. */
const syn = (portIndex, sport, seq) => [OP.syn, portIndex, ...u16(sport), ...u32(seq), 231];
/** A peer segment: pattern payload of 6 × len bytes (len < 128), in sequence. */
const peer = (flags, len = 0, win = 64240) => [OP.peer, flags, ...u16(win), len, 1];
/** A peer segment carrying these bytes (at most 127). */
const peerBytes = (flags, text) => [OP.peer, flags, ...u16(64240), 0x80 | text.length, ...Buffer.from(text), 1];
/** A peer segment `delta` bytes ahead of what the board expects (out of order). */
const peerAhead = (flags, len, delta) => [OP.peer, flags, ...u16(64240), len, 0, ...u32(delta)];
const clock = (ms) => (ms < 256 ? [OP.clock8, ms] : [OP.clock16, ...u16(ms)]);
const call = (slot, which, ...args) => [OP.call, slot, which, ...args];
const handshake = (portIndex, sport = 40000) => [OP.arp, ...syn(portIndex, sport, 0x01020304), ...peer(F.ACK)];

function icmpEcho() {
  const f = new Uint8Array(14 + 20 + 8 + 32);
  f.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00]);
  f.set([0x45, 0, ...u16(60), 0, 1, 0x40, 0, 64, 1, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2], 14);
  f.set([8, 0, 0, 0, 0x12, 0x34, 0, 1], 34);
  for (let i = 0; i < 32; i++) f[42 + i] = i;
  return [OP.fixed, ...u16(f.length), ...f];
}

export const SEEDS = {
  "ping": [OP.arp, ...icmpEcho(), ...clock(10)],
  "echo-handshake-transfer-close": [...handshake(0), ...peer(F.PSH | F.ACK, 50), ...clock(10), ...peer(F.ACK),
    ...peer(F.PSH | F.ACK, 120), ...clock(40), ...peer(F.ACK), ...peer(F.FIN | F.ACK), ...clock(10), ...peer(F.ACK), ...clock(61000)],
  "http-get": [...handshake(1), ...peerBytes(F.PSH | F.ACK, "GET / HTTP/1.1\r\nHost: 10.0.0.2\r\n\r\n"), ...clock(20),
    ...peer(F.ACK), ...clock(20), ...peer(F.ACK), ...peer(F.FIN | F.ACK), ...clock(30), ...peer(F.ACK)],
  "discard-bulk": [...handshake(2), ...Array.from({ length: 12 }, () => [...peer(F.ACK, 120), ...clock(1)]).flat(),
    ...peer(F.FIN | F.ACK), ...clock(250), ...peer(F.ACK)],
  "out-of-order-and-retransmit": [...handshake(0), ...peerAhead(F.ACK, 120, 1458), ...peer(F.PSH | F.ACK, 120),
    ...clock(250), ...clock(1200), ...peer(F.ACK), ...clock(3000)],
  "reset": [...handshake(0), ...peer(F.PSH | F.ACK, 10), ...peer(F.RST)],
  "active-open-send-close": [...call(0, 0, 1, ...u16(5000)), OP.arp, ...peer(F.SYN | F.ACK), ...call(0, 1, ...u16(100), ...Buffer.alloc(100, 0x61)),
    ...clock(5), ...peer(F.ACK), ...call(0, 3), ...clock(5), ...peer(F.FIN | F.ACK), ...clock(200), ...clock(61000)],
  "syn-flood-cookies": [OP.arp, ...Array.from({ length: 40 }, (_, i) => syn(0, 1024 + i, i * 7919)).flat(), ...peer(F.ACK), ...clock(3000)],
  "api-bad-calls": [...handshake(0), ...call(1, 10, ...u32(0xfffffff0), ...u32(64), ...u32(70000), ...u32(0x7fffffff)),
    ...call(2, 11, ...u32(0x12345), ...u32(0xfffffffc)), ...call(0, 8, 3, ...u32(0xffffffff)), ...call(0, 6, 63), ...call(0, 7)],
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = join(dirname(fileURLToPath(import.meta.url)), "corpus");
  mkdirSync(dir, { recursive: true });
  for (const [name, ops] of Object.entries(SEEDS)) writeFileSync(join(dir, `${name}.bin`), Uint8Array.from(ops));
  console.log(`${Object.keys(SEEDS).length} seeds in ${dir}`);
}
