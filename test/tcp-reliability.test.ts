/**
 * Reliability on a HostNet under a virtual clock: RFC 6298 retransmission
 * timing and backoff, ETIMEDOUT, fast retransmit and NewReno recovery
 * (RFC 5681, RFC 6582), zero-window probing, delayed ACKs and Nagle
 * (RFC 9293 §3.8.6, §3.7.4). Segments are picked off the wire by filters,
 * so each test loses exactly what it means to.
 */
import { describe, expect, test, beforeAll } from "vitest";
import { TCP_FLAGS, tcpView, type Host, type HostNet } from "../host-sim/hostnet.js";
import { connected, randomBytes, runTransfers, sha256, Transfer, TCP_STATE } from "./helpers/hostnet-tcp.js";
import { variantModule } from "./helpers/hostnet-variant.js";
import { boardConnections, drain, echoBehindShutWindow } from "./helpers/fuzz-peer.js";

/** Times (virtual ms) at which `from` sent a data segment starting at `seq`. */
function watchSends(net: HostNet, from: Host) {
  const data: { at: number; seq: number; len: number; flags: number }[] = [];
  const acks: { at: number; ack: number; window: number }[] = [];
  net.tap = (h, f, now) => {
    const v = tcpView(f);
    if (!v) return;
    if (h === from && v.payloadLen > 0) data.push({ at: now, seq: v.seq, len: v.payloadLen, flags: v.flags });
    if (h !== from && (v.flags & TCP_FLAGS.ACK)) acks.push({ at: now, ack: v.ack, window: v.window });
  };
  return { data, acks };
}

/** Drop data segments from `from` that start at `seq`, `times` times. */
function dropSeq(net: HostNet, from: Host, seq: number, times = 1) {
  let left = times;
  return net.filter(from, null, (f) => {
    const v = tcpView(f);
    if (v && v.payloadLen > 0 && v.seq === seq && left > 0) { left--; return null; }
    return f;
  });
}

describe("retransmission timeout (RFC 6298)", () => {
  test("a lost segment is sent again 1 s later (rto_min_ms 1000, §2.4) with the same bytes, and arrives once", () => {
    const c = connected({ a: { config: { rto_min_ms: 1000 } } });
    const w = watchSends(c.net, c.a);
    const seq = c.client.status().snd_nxt;
    dropSeq(c.net, c.a, seq);
    c.client.send(new TextEncoder().encode("hello"));
    c.net.run(5000);
    const sends = w.data.filter((d) => d.seq === seq);
    expect(sends.map((d) => d.at - sends[0].at)).toEqual([0, 1000]);
    expect(new TextDecoder().decode(c.server.recv()!)).toBe("hello");
    expect(c.a.stack.stats().tcp_retransmits).toBe(1);
  });

  test("each further loss doubles the wait: 1 s, 2 s, 4 s, 8 s (§5.5; rto_min_ms 1000)", () => {
    const c = connected({ a: { config: { rto_min_ms: 1000 } } });
    const w = watchSends(c.net, c.a);
    const seq = c.client.status().snd_nxt;
    dropSeq(c.net, c.a, seq, 4);
    c.client.send(new Uint8Array(100));
    c.net.run(30_000);
    const times = w.data.filter((d) => d.seq === seq).map((d) => d.at);
    expect(times.slice(1).map((t, i) => t - times[i])).toEqual([1000, 2000, 4000, 8000]);
    expect(c.server.recv()!.length).toBe(100);
  });

  test("the backoff stops at rto_max_ms (§5.5 upper bound)", () => {
    const c = connected({ a: { config: { rto_max_ms: 3000, rto_min_ms: 1000 } } });
    const w = watchSends(c.net, c.a);
    const seq = c.client.status().snd_nxt;
    dropSeq(c.net, c.a, seq, 5);
    c.client.send(new Uint8Array(10));
    c.net.run(60_000);
    const times = w.data.filter((d) => d.seq === seq).map((d) => d.at);
    expect(times.slice(1).map((t, i) => t - times[i])).toEqual([1000, 2000, 3000, 3000, 3000]);
  });

  test("after a measured round trip the RTO is SRTT + 4·RTTVAR, floored at rto_min_ms (§2.2-§2.4)", () => {
    const c = connected({ net: { latencyMs: 50 }, a: { config: { rto_min_ms: 10 } } });
    // A second connection, so its SYN does not wait for ARP: the handshake gives
    // the first sample R = 100 ms: SRTT = R, RTTVAR = R/2, RTO = R + 4·R/2 = 300 ms.
    const client = c.apiA.connect(c.b.ip, 80);
    expect(c.net.runUntil(() => c.listener.accept() !== null, 1000)).toBe(true);
    expect(client.status()).toMatchObject({ state: TCP_STATE.ESTABLISHED, srtt_ms: 100, rto_ms: 300 });
    // Two full segments leave the 4 KiB window closing, so their ACK waits for
    // the application's read, at most 1 ms (tcp/delack.ts), and nothing reads
    // here: the next sample is the round trip plus that millisecond.
    client.send(new Uint8Array(2 * 1460));
    c.net.run(1000);
    const s = client.status();
    // R' = 101 ms (§2.3): SRTT = 7/8·100 + 1/8·101 = 100.125, RTTVAR = 3/4·50 + 1/4·1 = 37.75, RTO = 100.125 + 4·37.75 = 251 ms.
    expect(s.srtt_ms).toBe(100);
    expect(s.rto_ms).toBe(251);
    const d = connected({ net: { latencyMs: 50 }, a: { config: { rto_min_ms: 1000 } } });
    d.client.send(new Uint8Array(2 * 1460));
    d.net.run(1000);
    expect(d.client.status().rto_ms).toBe(1000);
  });

  test("Karn: a retransmitted segment gives no RTT sample (SRTT unchanged by its ACK)", () => {
    const c = connected({ net: { latencyMs: 5 }, a: { config: { rto_min_ms: 1000 } } });
    // The handshake's sample is the only one: 20 ms, ARP's round trip and the SYN's.
    const { snd_nxt: seq, srtt_ms: srtt } = c.client.status();
    expect(srtt).toBe(20);
    dropSeq(c.net, c.a, seq);
    c.client.send(new Uint8Array(10));
    c.net.run(3000);
    const s = c.client.status();
    expect(c.server.recv()!.length).toBe(10);
    expect(s.srtt_ms).toBe(srtt);
    expect(s.rto_ms).toBe(1000);
  });

  test("tcp_max_retries expiries in a row → ETIMEDOUT from send and recv, error flag, counter", () => {
    const c = connected({ a: { config: { tcp_max_retries: 3, rto_min_ms: 1000 } } });
    c.net.filter(c.a, c.b, () => null);
    c.client.send(new Uint8Array(10));
    // 1 + 2 + 4 s of waits, then the fourth expiry at +15 s gives up.
    c.net.run(14_000);
    expect(c.client.state).toBe(TCP_STATE.ESTABLISHED);
    c.net.run(2_000);
    expect(c.client.poll().error).toBe(true);
    expect(() => c.client.send(new Uint8Array(1))).toThrow(expect.objectContaining({ errno: "ETIMEDOUT" }));
    expect(() => c.client.recv()).toThrow(expect.objectContaining({ errno: "ETIMEDOUT" }));
    expect(c.a.stack.stats().tcp_timeouts).toBe(1);
    expect(c.a.stack.stats().tcp_retransmits).toBe(3);
  });

  test("a SYN that is never answered is resent at 1, 2, 4 s and connect fails with ETIMEDOUT", () => {
    const c = connected({ a: { config: { tcp_max_retries: 3 } } });
    c.net.filter(c.a, c.b, (f) => (tcpView(f) ? null : f));
    const syns: number[] = [];
    c.net.tap = (h, f, now) => { const v = tcpView(f); if (h === c.a && v && (v.flags & TCP_FLAGS.SYN)) syns.push(now); };
    const s = c.apiA.connect(c.b.ip, 81);
    c.net.run(20_000);
    expect(syns.slice(1).map((t, i) => t - syns[i])).toEqual([1000, 2000, 4000]);
    expect(() => s.recv()).toThrow(expect.objectContaining({ errno: "ETIMEDOUT" }));
  });

  test("a closed connection whose FIN is lost resends it on RTO and still completes the close", () => {
    const c = connected();
    let dropped = 0;
    c.net.filter(c.a, c.b, (f) => {
      const v = tcpView(f);
      if (v && (v.flags & TCP_FLAGS.FIN) && dropped < 2) { dropped++; return null; }
      return f;
    });
    c.client.close();
    c.net.run(500);
    expect(c.server.poll().peer_closed).toBe(false);
    c.net.run(3000);
    expect(c.server.recv()!.length).toBe(0);
    expect(c.client.state).toBe(TCP_STATE.FIN_WAIT_2);
  });
});

describe("fast retransmit and NewReno (RFC 5681 §3.2, RFC 6582)", () => {
  let big: WebAssembly.Module;
  beforeAll(() => { big = variantModule({ TCP_TX_BUF: 32768, TCP_RX_BUF: 32768, TCB_COUNT: 2 }); }, 120_000);

  function bigPair() {
    return connected({ a: { module: big, config: { rto_min_ms: 1000 } }, b: { module: big }, net: { latencyMs: 10 } });
  }

  test("three duplicate ACKs resend the lost segment at once, without waiting for the RTO", () => {
    const c = bigPair();
    const w = watchSends(c.net, c.a);
    const base = c.client.status().snd_nxt;
    // Grow the window first so several segments are in flight.
    const warm = new Transfer(c.client, c.server, randomBytes(200_000, 3), false);
    runTransfers(c.net, [warm], 60_000);
    const seq = c.client.status().snd_nxt;
    expect(seq).not.toBe(base);
    dropSeq(c.net, c.a, seq);
    const t = new Transfer(c.client, c.server, randomBytes(30_000, 4), false);
    runTransfers(c.net, [t], 60_000);
    const sends = w.data.filter((d) => d.seq === seq);
    expect(sends.length).toBe(2);
    // Resent within a few round trips (20 ms each), far below the 1 s RTO.
    expect(sends[1].at - sends[0].at).toBeLessThan(100);
    const st = c.a.stack.stats();
    expect(st.tcp_fast_retransmits).toBe(1);
    expect(st.tcp_retransmits).toBe(0);
    expect(sha256(t.bytes())).toBe(sha256(t.data));
  });

  test("two losses in one window are both repaired in one recovery (partial ACK), with no timeout", () => {
    const c = bigPair();
    const warm = new Transfer(c.client, c.server, randomBytes(200_000, 5), false);
    runTransfers(c.net, [warm], 60_000);
    const seq = c.client.status().snd_nxt;
    const mss = c.client.status().snd_mss;
    dropSeq(c.net, c.a, seq);
    dropSeq(c.net, c.a, (seq + 3 * mss) >>> 0);
    const t = new Transfer(c.client, c.server, randomBytes(40_000, 6), false);
    runTransfers(c.net, [t], 60_000);
    const st = c.a.stack.stats();
    expect(st.tcp_fast_retransmits).toBe(2);
    expect(st.tcp_retransmits).toBe(0);
    expect(sha256(t.bytes())).toBe(sha256(t.data));
    // Recovery ended with the window deflated to ssthresh (RFC 6582 §3.2 step 3).
    const s = c.client.status();
    expect(s.cwnd).toBeLessThanOrEqual(Math.max(s.ssthresh, 2 * mss) + 40 * mss);
  });

  test("slow start grows cwnd by one SMSS per ACK from the initial window of 3 segments (RFC 5681 §3.1)", () => {
    const c = bigPair();
    expect(c.client.status().cwnd).toBe(3 * 1460);
    const t = new Transfer(c.client, c.server, randomBytes(20_000, 7), false);
    runTransfers(c.net, [t], 60_000);
    const s = c.client.status();
    expect(s.cwnd).toBeGreaterThan(3 * 1460);
    expect(s.ssthresh).toBe(65535);
  });

  test("after a timeout cwnd restarts at one SMSS (RFC 5681 §3.1 eq. 4) and ssthresh is 0.7 of the flight (RFC 9438 §4.8, β_cubic of §4.6)", () => {
    const c = bigPair();
    const warm = new Transfer(c.client, c.server, randomBytes(100_000, 8), false);
    runTransfers(c.net, [warm], 60_000);
    const cut = c.net.filter(c.a, c.b, () => null);
    c.client.send(randomBytes(8 * 1460, 9));
    c.net.run(500);
    const flight = (c.client.status().snd_nxt - c.client.status().snd_una) >>> 0;
    c.net.run(1100);
    const s = c.client.status();
    expect(s.cwnd).toBe(1460);
    expect(s.ssthresh).toBe(Math.max(Math.floor((flight * 7) / 10), 2 * 1460));
    cut();
  });
});

describe("zero window and the persist timer (RFC 9293 §3.8.6.1)", () => {
  test("a receiver that stops reading closes the window; the sender probes at RTO intervals and resumes when it reads", () => {
    const c = connected({ a: { config: { rto_min_ms: 1000 } } });
    const w = watchSends(c.net, c.a);
    const data = randomBytes(12_000, 11);
    let sent = c.client.send(data);
    c.net.run(100);
    sent += c.client.send(data.subarray(sent));
    c.net.run(100);
    expect(c.server.status().rcv_wnd).toBe(0);
    const before = w.data.length;
    c.net.run(8000);
    const probes = w.data.slice(before);
    expect(probes.length).toBeGreaterThanOrEqual(2);
    expect(probes.every((p) => p.len === 1)).toBe(true);
    // Backed off like the RTO: 1 s, then 2 s, then 4 s.
    expect(probes.slice(1).map((p, i) => p.at - probes[i].at).slice(0, 2)).toEqual([2000, 4000]);
    expect(c.a.stack.stats().tcp_persist_probes).toBe(probes.length);
    expect(c.client.state).toBe(TCP_STATE.ESTABLISHED);
    const t = new Transfer(c.client, c.server, data, false);
    t.sent = sent;
    expect(runTransfers(c.net, [t], 60_000)).toBe(true);
    expect(sha256(t.bytes())).toBe(sha256(data));
  });

  test("probing never times out while the peer keeps answering (no ETIMEDOUT after many probes)", () => {
    const c = connected({ a: { config: { tcp_max_retries: 2 } } });
    c.client.send(randomBytes(4096, 12));
    c.net.run(100);
    c.client.send(randomBytes(4096, 13));
    c.net.run(200_000);
    expect(c.client.state).toBe(TCP_STATE.ESTABLISHED);
    expect(c.a.stack.stats().tcp_timeouts).toBe(0);
    expect(c.a.stack.stats().tcp_persist_probes).toBeGreaterThan(3);
  });

  test("RFC 1122 §4.2.2.17: a peer that answers no probe at all → after tcp_max_retries unanswered probes, ETIMEDOUT (tcp_timeouts)", () => {
    const c = connected({ a: { config: { tcp_max_retries: 3, rto_min_ms: 1000 } } });
    const w = watchSends(c.net, c.a);
    c.client.send(randomBytes(4096, 12));
    c.net.run(100);
    c.client.send(randomBytes(4096, 13));
    c.net.run(100);
    expect(c.server.status().rcv_wnd).toBe(0);
    c.net.filter(c.b, c.a, () => null);
    const before = w.data.length;
    // Probes at +1, +2 (2 s later), +4 s; the fourth expiry, 8 s after the third probe, gives up.
    c.net.run(14_000);
    expect(c.client.state).toBe(TCP_STATE.ESTABLISHED);
    c.net.run(2_000);
    expect(w.data.slice(before).map((p) => p.len)).toEqual([1, 1, 1]);
    expect(c.client.poll().error).toBe(true);
    expect(() => c.client.send(new Uint8Array(1))).toThrow(expect.objectContaining({ errno: "ETIMEDOUT" }));
    expect(c.a.stack.stats().tcp_timeouts).toBe(1);
  });

  test("RFC 1122 §4.2.2.17: an answered probe starts the count of unanswered ones again", () => {
    const c = connected({ a: { config: { tcp_max_retries: 3, rto_min_ms: 1000 } } });
    c.client.send(randomBytes(4096, 12));
    c.net.run(100);
    c.client.send(randomBytes(4096, 13));
    c.net.run(100);
    // Every other answer is lost: never three probes in a row unanswered.
    let n = 0;
    c.net.filter(c.b, c.a, (f) => (n++ % 2 ? f : null));
    c.net.run(600_000);
    expect(c.client.state).toBe(TCP_STATE.ESTABLISHED);
    expect(c.a.stack.stats().tcp_timeouts).toBe(0);
    expect(c.a.stack.stats().tcp_persist_probes).toBeGreaterThan(6);
  });

  test("RFC 9293 §3.8.6.1, RFC 1122 §4.2.2.17: a closed connection whose peer falls silent with a shut window is given up, not probed for ever", () => {
    // FIN-WAIT-1 with a 1460-byte echo queued behind the peer's zero window; then the peer is gone.
    const { x } = echoBehindShutWindow();
    x.peers.clear();
    drain(x, 60 * 60_000);
    expect(boardConnections(x)).toEqual([]);
    expect(x.m.stack.stats().tcp_timeouts).toBe(1);
  });
});

describe("delayed ACK (RFC 9293 §3.8.6.3, RFC 1122 §4.2.3.2)", () => {
  test("one small segment, not read by the application, is acknowledged after the default delack_ms, not at once", () => {
    const c = connected();
    const w = watchSends(c.net, c.a);
    c.client.send(new Uint8Array(10));
    const sentAt = c.net.now;
    c.net.run(1000);
    const end = (c.client.status().snd_nxt) >>> 0;
    const ack = w.acks.find((a) => a.ack === end)!;
    // The default itself is part of the ABI (docs/ABI.md, checked by abi.test.ts).
    expect(ack.at - sentAt).toBe(c.b.stack.getConfig("delack_ms"));
    expect(c.b.stack.stats().tcp_delayed_acks).toBe(1);
  });

  test("delack_ms is a tunable: 50 ms gives an ACK 50 ms after the data", () => {
    const c = connected({ b: { config: { delack_ms: 50 } } });
    const w = watchSends(c.net, c.a);
    c.client.send(new Uint8Array(10));
    const sentAt = c.net.now;
    c.net.run(1000);
    expect(w.acks.find((a) => a.ack === c.client.status().snd_nxt)!.at - sentAt).toBe(50);
  });

  test("the second full-sized segment, leaving the window closing and not read, is acknowledged 1 ms later, not after delack_ms", () => {
    const c = connected();
    const w = watchSends(c.net, c.a);
    c.client.send(new Uint8Array(2 * 1460));
    const sentAt = c.net.now;
    c.net.run(1000);
    const first = w.acks.find((a) => a.ack === c.client.status().snd_nxt)!;
    // Nothing reads here, so the 1 ms timer sends it (tcp/delack.ts ACK_AFTER_READ_MS).
    expect(first.at - sentAt).toBe(1);
    expect(c.b.stack.stats().tcp_delayed_acks).toBe(1);
  });

  test("data going back carries the ACK: no separate delayed ACK is sent", () => {
    const c = connected();
    c.client.send(new TextEncoder().encode("ping"));
    c.net.run(10);
    expect(new TextDecoder().decode(c.server.recv()!)).toBe("ping");
    c.server.send(new TextEncoder().encode("pong"));
    c.net.run(1000);
    expect(c.b.stack.stats().tcp_delayed_acks).toBe(0);
  });
});

describe("Nagle (RFC 9293 §3.7.4, net_config nagle)", () => {
  function smallWrites(nagle: number) {
    const c = connected({ a: { config: { nagle } }, net: { latencyMs: 20 } });
    const w = watchSends(c.net, c.a);
    const t0 = c.net.now;
    for (let i = 0; i < 5; i++) c.client.send(new Uint8Array([i]));
    c.net.run(5);
    const early = w.data.filter((d) => d.at - t0 < 5).length;
    c.net.run(1000);
    const all = c.server.recv()!;
    return { early, total: w.data.length, all };
  }

  test("on: five 1-byte writes send one segment now and the rest together after the ACK", () => {
    const r = smallWrites(1);
    expect(r.early).toBe(1);
    expect(r.total).toBe(2);
    expect([...r.all]).toEqual([0, 1, 2, 3, 4]);
  });

  test("off: five 1-byte writes go out as five segments at once", () => {
    const r = smallWrites(0);
    expect(r.early).toBe(5);
    expect([...r.all]).toEqual([0, 1, 2, 3, 4]);
  });

  test("on: a full-sized segment is never held back", () => {
    const c = connected({ net: { latencyMs: 20 } });
    const w = watchSends(c.net, c.a);
    c.client.send(new Uint8Array(1));
    c.client.send(new Uint8Array(1460));
    c.net.run(1);
    expect(w.data.map((d) => d.len)).toEqual([1, 1460]);
  });
});
