/**
 * A host pinging a simulated board over the host-frames link: the host
 * answers nothing but ARP, sends echo requests and times the replies in
 * virtual time. Used by `embertcp ping` and as a smoke test of a build.
 */
import { Stack, ipToNumber, macToBytes } from "./stack.js";
import { internetChecksum } from "./inet.js";

export interface PingResult { seq: number; bytes: number; ok: boolean; ttl: number; }


function put32(b: Uint8Array, o: number, v: number) { b[o] = v >>> 24; b[o + 1] = (v >>> 16) & 255; b[o + 2] = (v >>> 8) & 255; b[o + 3] = v & 255; }

/** An Ethernet/IPv4/ICMP echo request. */
export function echoRequestFrame(o: { srcMac: Uint8Array; dstMac: Uint8Array; src: number; dst: number; id: number; seq: number; data: Uint8Array }): Uint8Array {
  const f = new Uint8Array(14 + 20 + 8 + o.data.length);
  f.set(o.dstMac, 0); f.set(o.srcMac, 6); f[12] = 8; f[13] = 0;
  const ip = 14;
  f[ip] = 0x45; f[ip + 2] = (20 + 8 + o.data.length) >> 8; f[ip + 3] = (20 + 8 + o.data.length) & 255;
  f[ip + 6] = 0x40; f[ip + 8] = 64; f[ip + 9] = 1;
  put32(f, ip + 12, o.src); put32(f, ip + 16, o.dst);
  const c = internetChecksum(f, ip, ip + 20); f[ip + 10] = c >> 8; f[ip + 11] = c & 255;
  const ic = ip + 20;
  f[ic] = 8; f[ic + 4] = o.id >> 8; f[ic + 5] = o.id & 255; f[ic + 6] = o.seq >> 8; f[ic + 7] = o.seq & 255;
  f.set(o.data, ic + 8);
  const k = internetChecksum(f, ic, f.length); f[ic + 2] = k >> 8; f[ic + 3] = k & 255;
  return f;
}

/** An ARP request from `srcMac/src` for `target`. */
export function arpRequestFrame(srcMac: Uint8Array, src: number, target: number): Uint8Array {
  const f = new Uint8Array(42);
  f.fill(0xff, 0, 6); f.set(srcMac, 6); f[12] = 8; f[13] = 6;
  f.set([0, 1, 8, 0, 6, 4, 0, 1], 14); f.set(srcMac, 22); put32(f, 28, src); put32(f, 38, target);
  return f;
}

/** Ping a fresh simulated board `count` times and report each reply. */
export function pingBoard(count: number, size: number, print: (line: string) => void): PingResult[] {
  const board = new Stack({ seed: 7 });
  const boardMac = macToBytes("02:00:00:00:00:01");
  const hostMac = macToBytes("02:00:00:00:00:02");
  const boardIp = ipToNumber("10.0.0.2"), hostIp = ipToNumber("10.0.0.1");
  board.init({ mac: boardMac, ip: boardIp, netmask: "255.255.255.0" });
  print(`board 10.0.0.2 (02:00:00:00:00:01) up; host 10.0.0.1 pings it with ${size} data bytes`);
  board.takeSent();
  board.input(arpRequestFrame(hostMac, hostIp, boardIp));
  const arpReply = board.takeSent()[0];
  print(`ARP: who-has 10.0.0.2 → is-at ${[...arpReply.subarray(22, 28)].map((x) => x.toString(16).padStart(2, "0")).join(":")}`);
  const results: PingResult[] = [];
  const data = Uint8Array.from({ length: size }, (_, i) => i & 0xff);
  for (let seq = 1; seq <= count; seq++) {
    board.poll(seq * 1000);
    board.input(echoRequestFrame({ srcMac: hostMac, dstMac: boardMac, src: hostIp, dst: boardIp, id: 0x1234, seq, data }));
    const reply = board.takeSent().find((f) => f[12] === 8 && f[13] === 0 && f[34] === 0);
    const ok = !!reply && reply[40] === seq >> 8 && reply[41] === (seq & 255) && internetChecksum(reply, 34, reply.length) === 0 &&
      Buffer.compare(reply.subarray(42), data) === 0;
    const r = { seq, bytes: reply ? reply.length - 34 : 0, ok, ttl: reply ? reply[22] : 0 };
    results.push(r);
    print(ok ? `${r.bytes} bytes from 10.0.0.2: icmp_seq=${seq} ttl=${r.ttl}` : `icmp_seq=${seq}: no valid reply`);
  }
  const s = board.stats();
  print(`--- 10.0.0.2 ping statistics: ${count} transmitted, ${results.filter((r) => r.ok).length} received; board counters: icmp_rx=${s.icmp_rx} icmp_echo_replies=${s.icmp_echo_replies} arp_replies_sent=${s.arp_replies_sent}`);
  return results;
}
