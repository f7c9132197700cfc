/**
 * The actions a fuzz instance draws from, with their weights: peers that
 * open, send, close, reset, vanish, retransmit, change their window and
 * send duplicate ACKs; mutated segments; SYN floods; the board's own
 * active opens; echo requests; bad application calls; aborts; clock jumps
 * (small, long, and across 2^32); and restarts.
 */
import { ACK, ICMP_ECHO_REQUEST, IPPROTO_ICMP, SYN, buildEthernet, buildIcmp, buildIpv4, ETHERTYPE_IPV4, ipNumber, ipString, tcpFrame } from "../wire/index.js";
import { badCall } from "./calls.js";
import type { Instance } from "./instance.js";
import { ENOMEM } from "./module.js";
import { mutate, randomBytes } from "./mutate.js";
import { Peer, seqGt } from "./peer.js";
import { BOARD_IP, BOARD_MAC, INVALID_SOURCES, LISTEN_PORT, hostMac } from "./world.js";

type Action = (x: Instance) => void;
const pickOf = <T>(x: Instance, xs: readonly T[]): T => xs[x.r.below(xs.length)];

function anyPeer(x: Instance, open = true): Peer | null {
  const ps = [...x.peers.values()].filter((p) => !open || p.state === "open");
  return ps.length ? pickOf(x, ps) : null;
}

/** A new peer with a seeded stream; `listen` for one the board will open to. */
export function newPeer(x: Instance, state: "listen" | "syn-sent", port = LISTEN_PORT): Peer {
  const r = x.r;
  const p = new Peer({
    ip: ipNumber("10.0.0.10") + r.below(40), port: 1024 + (x.portSeq++ % 64000),
    boardPort: port, iss: r.below(2 ** 32), mss: pickOf(x, [1460, 1460, 536, 1000, 64 + r.below(1397)]), // 64: the smallest MSS the board honours
    wnd: pickOf(x, [65535, 65535, 8192, 4096, 1460, 409, 100 + r.below(3000)]), seed: r.below(2 ** 31) + 1, stream: r.below(12000),
  }, state);
  x.peers.delete(p.key);
  x.peers.set(p.key, p);
  return p;
}

const open: Action = (x) => { if (x.peers.size < 24) { const p = newPeer(x, "syn-sent"); x.note(`open ${p.key}`); x.sendSeg(p, p.syn()); } };
const send: Action = (x) => { const p = anyPeer(x); const s = p?.data(1 + x.r.below(3000)); if (p && s) x.sendSeg(p, s); };
const fin: Action = (x) => {
  const p = anyPeer(x);
  if (!p) return;
  const s = p.fin();
  if (s) { x.note(`fin ${p.key}`); x.sendSeg(p, s); }
};
const rst: Action = (x) => {
  const p = anyPeer(x);
  if (!p) return;
  x.note(`rst ${p.key}`);
  x.sendSeg(p, p.rst());
  x.peers.delete(p.key);
};
const vanish: Action = (x) => {
  const p = anyPeer(x, false);
  if (!p) return;
  x.note(`vanish ${p.key}`);
  x.peers.delete(p.key);
};
const retransmit: Action = (x) => { const p = anyPeer(x); const s = p?.retransmit(); if (p && s) x.sendSeg(p, s); };
const windowChange: Action = (x) => {
  const p = anyPeer(x);
  if (!p) return;
  p.wnd = pickOf(x, [0, 1, 409, 4096, 65535, x.r.below(65536)]);
  x.note(`window ${p.key} ${p.wnd}`);
  x.sendSeg(p, p.segment(ACK));
};
const dupAcks: Action = (x) => {
  const p = anyPeer(x);
  if (!p) return;
  x.note(`3 duplicate ACKs ${p.key}`);
  for (let i = 0; i < 3; i++) x.sendSeg(p, p.segment(ACK));
};
const mutated: Action = (x) => {
  const p = anyPeer(x, false);
  if (!p) return;
  const nxt = p.sndNxt;
  const seg = p.state === "syn-sent" || p.state === "listen" ? p.syn() : p.data(1 + x.r.below(1500)) ?? p.segment(ACK);
  p.sndNxt = nxt; // what the board takes of it, its ACKs will say
  p.clean = false;
  if (seg.flags & SYN) p.mssLoose = true;
  const ack = seg.ack;
  const m = mutate(x.r, seg, hostMac(p.ip));
  p.noteSeq(seg.seq);
  x.note(`mutated ${p.key}: ${m.what}`);
  // The board may take the window it carries, and a moved ACK number that
  // still acknowledges only what it sent (RFC 9293 §3.10.7.4, fifth step).
  if (ack !== undefined) p.noteOffer(ack, seg.window ?? 65535);
  if (seg.ack !== undefined && p.boardSent && seqGt(seg.ack, p.rcvNxt) && !seqGt(seg.ack, p.boardHigh)) p.noteOffer(seg.ack, seg.window ?? 65535);
  x.push(m.frame, m.silent);
};
const flood: Action = (x) => {
  const n = 5 + x.r.below(60);
  x.note(`SYN flood of ${n}`);
  for (let i = 0; i < n; i++) {
    const src = pickOf(x, [ipNumber("10.0.0.100") + x.r.below(150), ipNumber("198.51.100.0") + x.r.below(256), pickOf(x, INVALID_SOURCES)]);
    x.push(tcpFrame({ srcIp: ipString(src), dstIp: BOARD_IP, srcPort: 1 + x.r.below(65535), dstPort: x.r.below(8) ? LISTEN_PORT : 81, seq: x.r.below(2 ** 32), flags: SYN, mss: 1460 },
      { srcMac: hostMac(src), dstMac: BOARD_MAC }));
  }
};
const activeOpen: Action = (x) => {
  const p = newPeer(x, "listen", 0);
  const h = x.m.expect("tcp_connect", [p.ip | 0, p.port], [ENOMEM], 0x7fffffff);
  x.note(`tcp_connect ${p.key} → ${h}`);
  if (h > 0) x.app.adopt(h); else x.peers.delete(p.key);
};
const ping: Action = (x) => {
  const src = ipNumber("10.0.0.10") + x.r.below(40);
  const n = pickOf(x, [0, 56, 1472, 1473 + x.r.below(8)]);
  const ip = buildIpv4({ src: ipString(src), dst: BOARD_IP, protocol: IPPROTO_ICMP, payload: buildIcmp({ type: ICMP_ECHO_REQUEST, code: 0, id: 1, seq: x.frames & 0xffff, data: randomBytes(x.r, n) }) });
  x.push(buildEthernet({ dst: BOARD_MAC, src: hostMac(src), type: ETHERTYPE_IPV4, payload: ip }));
};
const bad: Action = (x) => x.note(badCall(x.r, x.m, x.app));
const abort: Action = (x) => { const hs = [...x.app.conns.keys()]; if (hs.length) { const h = pickOf(x, hs); x.note(`tcp_abort ${h}`); x.app.abort(h); } };
const closeEarly: Action = (x) => { const hs = [...x.app.conns.keys()]; if (hs.length) { const h = pickOf(x, hs); x.note(`tcp_close ${h}`); x.app.close(h); } };
const clock: Action = (x) => {
  const k = x.r.below(100);
  const dt = k < 70 ? 1 + x.r.below(300) : k < 95 ? 1000 + x.r.below(90_000) : 3_600_000 + x.r.below(2 ** 31 - 3_700_000);
  x.now = (x.now + dt) >>> 0;
  x.note(`clock +${dt} ms → ${x.now}`);
  x.poll();
};
const restart: Action = (x) => {
  x.note("net_init restart");
  for (const h of x.app.conns.keys()) x.app.stale.push(h);
  x.app.stale.push(x.app.listener);
  x.app.conns.clear();
  x.peers.clear();
  x.init();
};
const garbage: Action = (x) => { x.push(randomBytes(x.r, x.r.below(80))); };

export const ACTIONS: [Action, number][] = [
  [open, 8], [send, 30], [fin, 3], [rst, 1], [vanish, 1], [retransmit, 5], [windowChange, 3], [dupAcks, 3], [mutated, 12], [flood, 1],
  [activeOpen, 3], [ping, 2], [bad, 5], [abort, 1], [closeEarly, 1], [clock, 15], [restart, 0.1], [garbage, 1],
];
const TOTAL = ACTIONS.reduce((s, [, w]) => s + w, 0);

/** Draw one action by weight and run it. */
export function act(x: Instance): void {
  let v = x.r.next() * TOTAL;
  for (const [a, w] of ACTIONS) { if ((v -= w) < 0) { a(x); return; } }
}

