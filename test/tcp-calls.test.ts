/**
 * The TCP user calls as the ABI defines them (docs/ABI.md, RFC 9293 §3.9.1):
 * bad and stale handles, ENOMEM when TCBs run out, tcp_list (what netstat
 * prints), tcp_poll flags, the send ring's bound, ABORT's reset (§3.10.5),
 * RFC 6056 ephemeral ports and RFC 6528 initial sequence numbers.
 */
import { describe, expect, test } from "vitest";
import { STATUS_FIELDS } from "../host-sim/abi-tables.js";
import {
  ACK, BOARD_IP, CLIENT_PORT, ERRNO, PEER_IP, RST, SERVER_PORT, State, TCB_COUNT, type Board,
  activeEstablished, advance, errnoOf, established, expectNothing, newBoard, send, statsDelta, synSent, takeReplies,
} from "./helpers/tcp-harness.js";
import { ipNumber, pattern, seqAdd, seqDiff, text } from "./helpers/tcp-packets.js";

/** tcp_connect from `b`, returning the handle and the ISS / port its SYN carried. */
function connectOnce(b: Board, port = SERVER_PORT): { h: number; iss: number; port: number } {
  const h = b.stack.connect(PEER_IP, port);
  const syn = takeReplies(b).find((r) => r.seg.flags === 2);
  if (!syn) throw new Error("tcp_connect sent no SYN");
  return { h, iss: syn.seg.seq, port: syn.seg.srcPort };
}

describe("handles (docs/ABI.md: unknown or stale → EINVAL)", () => {
  const calls: [string, (b: Board, h: number) => unknown][] = [
    ["tcp_accept", (b, h) => b.stack.accept(h)],
    ["tcp_send", (b, h) => b.stack.send(h, text("x"))],
    ["tcp_recv", (b, h) => b.stack.recv(h)],
    ["tcp_close", (b, h) => b.stack.close(h)],
    ["tcp_abort", (b, h) => b.stack.abort(h)],
    ["tcp_poll", (b, h) => b.stack.pollConn(h)],
    ["tcp_state", (b, h) => b.stack.state(h)],
    ["tcp_status", (b, h) => b.stack.status(h)],
  ];

  test.each(calls)("%s with handles 0, -1, 12345 and 2^31-1 → EINVAL", (_n, call) => {
    const b = newBoard();
    for (const h of [0, -1, 12345, 0x7fffffff]) expect(errnoOf(() => call(b, h)), `handle ${h}`).toBe("EINVAL");
  });

  test("every TCP call rejected with EINVAL is counted in api_einval (docs/ABI.md counter 66)", () => {
    const b = newBoard();
    const before = b.stack.stats().api_einval;
    for (const [, call] of calls) expect(errnoOf(() => call(b, 4242))).toBe("EINVAL");
    expect(b.stack.stats().api_einval - before).toBe(calls.length);
  });

  test("tcp_status with a bad handle writes nothing, wherever out_ptr points: the 4-tuple index of a live connection survives", () => {
    // libFuzzer's call: a random handle and an out_ptr on the hash chains.
    // Clearing the record there before the handle check linked a chain to
    // itself; sweeping out_ptr over all memory reaches the chains here too.
    const { b, c } = established();
    const ex = b.stack.exports;
    const before = new Uint8Array(ex.memory.buffer).slice();
    const record = STATUS_FIELDS.length * 4;
    for (let p = 0; p + record <= before.length; p += record) expect(ex.tcp_status(0x0f07030b, p)).toBe(ERRNO.EINVAL);
    const after = new Uint8Array(ex.memory.buffer);
    const changed: number[] = [];
    for (let i = 0; i < after.length; i++) if (after[i] !== before[i]) changed.push(i);
    // Only the api_einval counter (one u32) moved.
    expect(changed.length).toBeGreaterThan(0);
    expect(changed[changed.length - 1] - (changed[0] & ~3)).toBeLessThan(4);
    // The connection's segments still find it.
    c.peerSends(text("still here"));
    expect(c.appReads()).toEqual(text("still here"));
  });

  test("a handle whose TCB was freed and reused → EINVAL, never the new connection", () => {
    const b = newBoard();
    const first = connectOnce(b).h;
    b.stack.abort(first);
    const handles: number[] = [];
    for (let i = 0; i < TCB_COUNT; i++) handles.push(connectOnce(b, SERVER_PORT + i).h);
    expect(handles).not.toContain(first);
    expect(errnoOf(() => b.stack.state(first))).toBe("EINVAL");
    expect(errnoOf(() => b.stack.send(first, text("x")))).toBe("EINVAL");
    for (const h of handles) expect(b.stack.state(h)).toBe(State.SYN_SENT);
  });

  test("net_init again → every connection and listener forgotten, their handles EINVAL", () => {
    const { b, listener, c } = established({ config: { syncookies: 0 } });
    b.stack.init({ mac: b.mac, ip: b.ip, netmask: "255.255.255.0", gateway: b.peerIp });
    b.stack.takeSent();
    b.out.length = 0;
    expect(b.stack.list()).toEqual([]);
    expect(errnoOf(() => b.stack.state(c.handle))).toBe("EINVAL");
    expect(errnoOf(() => b.stack.state(listener))).toBe("EINVAL");
  });

  test("a handle from before net_init never names what comes after: the new stack's first listener and connection are not reachable through old handles", () => {
    const { b, listener, c } = established({ config: { syncookies: 0 } });
    b.stack.init({ mac: b.mac, ip: b.ip, netmask: "255.255.255.0", gateway: b.peerIp });
    b.stack.takeSent();
    b.out.length = 0;
    // The same slots are taken again, in the same order as before the restart.
    const newListener = b.stack.listen(SERVER_PORT, 4);
    const newConn = b.stack.connect(PEER_IP, 7);
    takeReplies(b);
    expect(newListener).not.toBe(listener);
    expect(newConn).not.toBe(c.handle);
    expect(errnoOf(() => b.stack.close(listener))).toBe("EINVAL");
    expect(errnoOf(() => b.stack.abort(c.handle))).toBe("EINVAL");
    expect(b.stack.state(newListener)).toBe(State.LISTEN);
    expect(b.stack.state(newConn)).toBe(State.SYN_SENT);
  });
});

describe("tcp_connect to an address no host may be (RFC 1122 §4.2.3.10: a local OPEN for an invalid remote address MUST be rejected)", () => {
  test.each([
    ["the subnet broadcast", "10.0.0.255"], ["the limited broadcast", "255.255.255.255"], ["multicast", "224.0.0.251"],
    ["loopback", "127.0.0.1"], ["this network (0/8)", "0.1.2.3"], ["0.0.0.0", "0.0.0.0"], ["class E", "240.0.0.1"],
  ])("%s (%s) → EINVAL, no SYN, no TCB taken", (_name, ip) => {
    const b = newBoard();
    expect(errnoOf(() => b.stack.connect(ipNumber(ip), SERVER_PORT))).toBe("EINVAL");
    expectNothing(b);
    expect(b.stack.list()).toEqual([]);
  });
});

describe("tcp_connect with no route (docs/ABI.md: ENETUNREACH)", () => {
  test("off the subnet with no gateway → ENETUNREACH, no SYN, no TCB taken; on the subnet it still connects", () => {
    const b = newBoard({ gateway: "0.0.0.0" });
    // Refused before any state: no active open, no datagram to drop (ip_drop_no_route), no counter moves.
    const d = statsDelta(b, () => expect(errnoOf(() => b.stack.connect("192.0.2.1", SERVER_PORT))).toBe("ENETUNREACH"));
    expect(d).toEqual({});
    expectNothing(b, { within: 5000 });
    expect(b.stack.list()).toEqual([]);
    expect(connectOnce(b).h).toBeGreaterThan(0);
  });
});

describe("TCB exhaustion (TCB_COUNT = 8)", () => {
  test("tcp_connect: 8 connections succeed, the 9th → ENOMEM; aborting one makes room again", () => {
    const b = newBoard();
    const hs = Array.from({ length: TCB_COUNT }, (_, i) => connectOnce(b, 1000 + i).h);
    expect(new Set(hs).size).toBe(TCB_COUNT);
    expect(errnoOf(() => b.stack.connect(PEER_IP, 2000))).toBe("ENOMEM");
    expectNothing(b);
    b.stack.abort(hs[3]);
    expect(connectOnce(b, 2000).h).toBeGreaterThan(0);
  });

  test("tcp_listen: more listeners than slots → ENOMEM, and the existing ones keep working", () => {
    const b = newBoard();
    const ok: number[] = [];
    let err = "ok";
    for (let p = 1; p <= 16 && err === "ok"; p++) {
      err = errnoOf(() => ok.push(b.stack.listen(p, 2)));
    }
    expect(err).toBe("ENOMEM");
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const l of ok) expect(b.stack.state(l)).toBe(State.LISTEN);
  });
});

describe("tcp_list (netstat)", () => {
  test("a listener, a passive and an active connection → three entries with handle, state and 4-tuple", () => {
    const { b, listener, c } = established({ config: { syncookies: 0 } });
    const { h, port } = connectOnce(b, 8080);
    const list = b.stack.list().sort((x, y) => x.handle - y.handle);
    const me = ipNumber(BOARD_IP);
    const peer = ipNumber(PEER_IP);
    expect(list).toEqual([
      { handle: listener, state: State.LISTEN, localIp: expect.any(Number), localPort: SERVER_PORT, remoteIp: 0, remotePort: 0 },
      { handle: c.handle, state: State.ESTABLISHED, localIp: me, localPort: SERVER_PORT, remoteIp: peer, remotePort: CLIENT_PORT },
      { handle: h, state: State.SYN_SENT, localIp: me, localPort: port, remoteIp: peer, remotePort: 8080 },
    ].sort((x, y) => x.handle - y.handle));
  });

  test("tcp_list with max 1 → exactly one entry", () => {
    const { b } = established({ config: { syncookies: 0 } });
    expect(b.stack.list(1)).toHaveLength(1);
  });

  test("after tcp_abort the connection leaves tcp_list", () => {
    const { b, c } = activeEstablished();
    expect(b.stack.list().map((e) => e.handle)).toEqual([c.handle]);
    b.stack.abort(c.handle);
    expect(b.stack.list()).toEqual([]);
  });
});

describe("ABORT, POLL and the send ring", () => {
  test("ESTABLISHED: tcp_abort → a reset <SEQ=SND.NXT> (RFC 9293 §3.10.5), the TCB freed at once", () => {
    const { b, c } = activeEstablished();
    const d = pattern(10, 1);
    expect(c.appSends(d)).toBe(10);
    takeReplies(b);
    b.stack.abort(c.handle);
    const [r, ...more] = takeReplies(b);
    expect(more).toEqual([]);
    expect(r.seg.flags & RST).toBe(RST);
    expect(r.seg.flags & ~(RST | ACK)).toBe(0);
    expect([r.seg.seq, r.seg.srcPort, r.seg.dstPort, r.seg.payload.length]).toEqual([seqAdd(c.sndNxt, 10), c.boardPort, c.peerPort, 0]);
    expect(r.tcp.checksumValid).toBe(true);
    expect(errnoOf(() => b.stack.state(c.handle))).toBe("EINVAL");
    expect(b.stack.stats().tcp_rst_sent).toBe(1);
  });

  test("tcp_poll follows the connection: SYN-SENT nothing; ESTABLISHED writable; data → readable; FIN → peer_closed; RST → error", () => {
    const { b, c } = synSent();
    expect(b.stack.pollConn(c.handle)).toEqual({ readable: false, writable: false, peer_closed: false, error: false, established: false });
    send(b, c.seg({ seq: c.irs, flags: 0x12, mss: 1460 }));
    takeReplies(b);
    expect(b.stack.pollConn(c.handle)).toEqual({ readable: false, writable: true, peer_closed: false, error: false, established: true });
    c.peerSends(text("hi"));
    expect(b.stack.pollConn(c.handle)).toMatchObject({ readable: true, peer_closed: false });
    c.appReads();
    send(b, c.seg({ flags: 0x11 }));
    c.rcvNxt = seqAdd(c.rcvNxt, 1);
    expect(b.stack.pollConn(c.handle)).toMatchObject({ readable: true, peer_closed: true, error: false });
    send(b, c.seg({ flags: RST }));
    expect(b.stack.pollConn(c.handle)).toMatchObject({ error: true, readable: true });
  });

  test("tcp_send with the peer's window shut → the send ring takes exactly TCP_TX_BUF (4096) bytes, then 0", () => {
    const { b, c } = activeEstablished();
    send(b, c.seg({ window: 0 }));
    let total = 0;
    for (let i = 0; i < 4; i++) total += c.appSends(pattern(1536, i));
    expect(total).toBe(4096);
    expect(c.appSends(text("more"))).toBe(0);
    expect(b.stack.pollConn(c.handle).writable).toBe(false);
    expect(c.status().send_queued).toBe(4096);
  });

  test("tcp_recv returns 0 only at end of stream: EAGAIN before, data, then 0 after the FIN", () => {
    const { b, c } = activeEstablished();
    expect(b.stack.recv(c.handle)).toBeNull();
    c.peerSends(text("abc"));
    send(b, c.seg({ flags: 0x11 }));
    expect(new TextDecoder().decode(b.stack.recv(c.handle)!)).toBe("abc");
    expect(b.stack.recv(c.handle)).toEqual(new Uint8Array(0));
    expect(b.stack.recv(c.handle)).toEqual(new Uint8Array(0));
  });
});

describe("ephemeral ports (RFC 6056)", () => {
  test("tcp_connect ×8 → local ports in 49152–65535, all different", () => {
    const b = newBoard();
    const ports = Array.from({ length: TCB_COUNT }, () => connectOnce(b).port);
    for (const p of ports) {
      expect(p).toBeGreaterThanOrEqual(49152);
      expect(p).toBeLessThanOrEqual(65535);
    }
    expect(new Set(ports).size).toBe(TCB_COUNT);
  });

  test("a configured range 50000–50003 → every connection's port inside it, all different", () => {
    const b = newBoard({ config: { ephemeral_low: 50000, ephemeral_high: 50003 } });
    const ports = Array.from({ length: 4 }, () => connectOnce(b).port).sort();
    expect(ports).toEqual([50000, 50001, 50002, 50003]);
  });

  test("the first ephemeral port differs between two boards with different entropy (not a fixed start)", () => {
    const ports = [1, 2, 3, 4].map((seed) => connectOnce(newBoard({ seed })).port);
    expect(new Set(ports).size).toBeGreaterThan(1);
  });

  test("ephemeral_low above ephemeral_high → EINVAL, the range unchanged", () => {
    const b = newBoard();
    expect(errnoOf(() => b.stack.setConfig("ephemeral_low", 65535 + 1))).toBe("EINVAL");
    b.stack.setConfig("ephemeral_high", 50000);
    expect(errnoOf(() => b.stack.setConfig("ephemeral_low", 50001))).toBe("EINVAL");
    expect(b.stack.getConfig("ephemeral_low")).toBe(49152);
  });
});

describe("initial sequence numbers (RFC 6528, RFC 9293 §3.4.1)", () => {
  test("ISS differs across connections, and not by a constant step", () => {
    const b = newBoard();
    const iss = Array.from({ length: 6 }, (_, i) => connectOnce(b, 1000 + i).iss);
    expect(new Set(iss).size).toBe(iss.length);
    const steps = iss.slice(1).map((x, i) => seqDiff(x, iss[i]));
    expect(new Set(steps).size).toBeGreaterThan(1);
  });

  test("ISS differs across instances with different entropy for the same 4-tuple at the same time", () => {
    const iss = [7, 8, 9].map((seed) => {
      const b = newBoard({ seed, config: { ephemeral_low: 50000, ephemeral_high: 50000 } });
      return connectOnce(b).iss;
    });
    expect(new Set(iss).size).toBe(3);
  });

  test("the same 4-tuple 10 s later → an ISS ahead of the first by less than 2^30 (a clock term, §3.4.1)", () => {
    const b = newBoard({ config: { ephemeral_low: 50000, ephemeral_high: 50000 } });
    const first = connectOnce(b);
    b.stack.abort(first.h);
    advance(b, 10_000);
    takeReplies(b);
    const second = connectOnce(b);
    expect(second.port).toBe(first.port);
    const ahead = seqDiff(second.iss, first.iss);
    expect(ahead).toBeGreaterThan(0);
    expect(ahead).toBeLessThan(2 ** 30);
  });

  test("a listener's ISS for two clients differs, and differs from an earlier board's for the same client", () => {
    const isn = (seed: number, port: number) => {
      const { c } = established({ seed, config: { syncookies: 0 }, peerPort: port });
      return c.iss;
    };
    const a1 = isn(1, 40000);
    const a2 = isn(1, 40001);
    const b1 = isn(2, 40000);
    expect(new Set([a1, a2, b1]).size).toBe(3);
  });
});


