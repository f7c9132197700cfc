/**
 * Synthetic captures for the pcap and trace tests, written through the real
 * PcapWriter with a VirtualClock: a handshake (A seq 10000, B seq 20000),
 * a data phase and the four-way close, plus four data-phase rows of a
 * capture that starts mid-connection (seq 40000 / ack 70000, 1514-byte
 * frames, numbered 23-26 after 22 other frames).
 */

import { VirtualClock } from "../../host-sim/clock.js";
import { appendFcs } from "../../host-sim/crc32.js";
import { PcapWriter } from "../../host-sim/pcap.js";
import { ACK, FIN, PSH, RST, SYN, type TcpSegment, pattern, tcpFrame, udpFrame } from "../../host-sim/wire/index.js";

export const A_IP = "10.0.0.1", B_IP = "10.0.0.2", A_PORT = 49152, B_PORT = 80;
export const A_MAC = "02:00:00:00:00:01", B_MAC = "02:00:00:00:00:02";

/** A segment and the MACs of the frame that carries it. */
export type CaptureSpec = TcpSegment & { srcMac?: string; dstMac?: string };

type Seg = Omit<CaptureSpec, "srcIp" | "dstIp" | "srcPort" | "dstPort" | "srcMac" | "dstMac">;
const fromA = (s: Seg): CaptureSpec => ({ ...s, srcIp: A_IP, dstIp: B_IP, srcPort: A_PORT, dstPort: B_PORT, srcMac: A_MAC, dstMac: B_MAC });
const fromB = (s: Seg): CaptureSpec => ({ ...s, srcIp: B_IP, dstIp: A_IP, srcPort: B_PORT, dstPort: A_PORT, srcMac: B_MAC, dstMac: A_MAC });

/** Handshake, 2×1460 bytes A→B each ACKed, 100 bytes B→A, then A closes first (four-way). */
export function sampleConversation(): CaptureSpec[] {
  const d1 = pattern(1460, 11), d2 = pattern(1460, 12), d3 = pattern(100, 13);
  return [
    fromA({ seq: 10000, flags: SYN, mss: 1460 }),
    fromB({ seq: 20000, ack: 10001, flags: SYN | ACK, mss: 1460 }),
    fromA({ seq: 10001, ack: 20001, flags: ACK }),
    fromA({ seq: 10001, ack: 20001, flags: ACK, payload: d1 }),
    fromB({ seq: 20001, ack: 11461, flags: ACK }),
    fromA({ seq: 11461, ack: 20001, flags: PSH | ACK, payload: d2 }),
    fromB({ seq: 20001, ack: 12921, flags: ACK }),
    fromB({ seq: 20001, ack: 12921, flags: PSH | ACK, payload: d3 }),
    fromA({ seq: 12921, ack: 20101, flags: ACK }),
    fromA({ seq: 12921, ack: 20101, flags: FIN | ACK }),
    fromB({ seq: 20101, ack: 12922, flags: ACK }),
    fromB({ seq: 20101, ack: 12922, flags: FIN | ACK }),
    fromA({ seq: 12922, ack: 20102, flags: ACK }),
  ];
}

/** Data-phase rows of a capture that starts mid-connection (frames 23-26 of it). */
export function midStreamRows(): TcpSegment[] {
  const A2 = { srcIp: "192.168.1.10", dstIp: "192.168.1.20", srcPort: 50000, dstPort: 8080 };
  const B2 = { srcIp: "192.168.1.20", dstIp: "192.168.1.10", srcPort: 8080, dstPort: 50000 };
  return [
    { ...A2, seq: 40000, ack: 70000, flags: ACK, payload: pattern(1460, 21) },
    { ...B2, seq: 70000, ack: 41460, flags: ACK },
    { ...A2, seq: 41460, ack: 70000, flags: ACK, payload: pattern(1460, 22) },
    { ...B2, seq: 70000, ack: 42920, flags: ACK },
  ];
}

/** A refused connection: SYN answered by RST/ACK instead of SYN/ACK (RFC 9293 §3.10.7.1). */
export function refusedConnection(): TcpSegment[] {
  return [
    { srcIp: A_IP, dstIp: B_IP, srcPort: 49153, dstPort: 23, seq: 5000, flags: SYN },
    { srcIp: B_IP, dstIp: A_IP, srcPort: 23, dstPort: 49153, seq: 0, ack: 5001, flags: RST | ACK },
  ];
}

/** Write `specs` as wire frames (with FCS, as links carry them) at `stepMs` spacing. */
export function writeCapture(path: string, specs: CaptureSpec[], opts: { stepMs?: number; leadingNoise?: number } = {}): void {
  const clock = new VirtualClock(1_000);
  const w = new PcapWriter(path, { clock, epochMs: Date.UTC(2024, 0, 1) });
  for (let i = 0; i < (opts.leadingNoise ?? 0); i++) {
    w.write(appendFcs(udpFrame({ srcIp: "10.0.0.9", dstIp: "10.0.0.255", srcPort: 40001, dstPort: 40002, payload: pattern(30, i + 1) })));
    clock.advance(opts.stepMs ?? 0.5);
  }
  for (const s of specs) {
    w.write(appendFcs(tcpFrame(s, { srcMac: s.srcMac, dstMac: s.dstMac })));
    clock.advance(opts.stepMs ?? 0.5);
  }
  w.close();
}
