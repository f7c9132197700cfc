/**
 * The socket API (host-sim/socket.ts) over the tcp_* ABI, as a user sees
 * it: connect/accept/send/recv/close/abort/status and the error semantics
 * of docs/ABI.md (ENOMEM, EINVAL for stale handles, ECONNRESET,
 * ECONNREFUSED, ECLOSED, ENOTCONN, EAGAIN, 0 at end of stream).
 */
import { describe, expect, test } from "vitest";
import { EmberError } from "../host-sim/stack.js";
import { isErrno, stateName } from "../host-sim/socket.js";
import { connected, pair, TCP_STATE } from "./helpers/hostnet-tcp.js";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | null) => (b ? new TextDecoder().decode(b) : null);

describe("socket API: the connection life cycle", () => {
  test("connect → accept → send/recv both ways → close both → CLOSED, handles released", () => {
    const c = connected({ b: { config: { msl_ms: 500 } } });
    expect(c.client.stateName).toBe("ESTABLISHED");
    expect(c.server.stateName).toBe("ESTABLISHED");
    c.client.send(enc("GET / HTTP/1.0\r\n\r\n"));
    c.net.run(10);
    expect(dec(c.server.recv())).toBe("GET / HTTP/1.0\r\n\r\n");
    c.server.send(enc("HTTP/1.0 200 OK\r\n\r\nhi"));
    c.server.close();
    c.net.run(10);
    expect(dec(c.client.recv())).toBe("HTTP/1.0 200 OK\r\n\r\nhi");
    expect(c.client.recv()!.length).toBe(0);
    expect(c.client.stateName).toBe("CLOSE_WAIT");
    c.client.close();
    c.net.run(10);
    // The server closed first, so it waits in TIME-WAIT; the client is gone.
    expect(() => c.client.state).toThrow(EmberError);
    expect(c.server.stateName).toBe("TIME_WAIT");
    c.net.run(1000);
    expect(() => c.server.state).toThrow(EmberError);
  });

  test("status reports the 4-tuple, sequence variables and queues of both ends consistently", () => {
    const c = connected();
    c.client.send(enc("12345"));
    const s = c.client.status();
    expect(s).toMatchObject({ state: TCP_STATE.ESTABLISHED, local_ip: c.a.ip, remote_ip: c.b.ip, remote_port: 80, send_queued: 5, snd_mss: 1460 });
    expect((s.snd_una - s.iss) >>> 0).toBe(1);
    c.net.run(500);
    const sv = c.server.status();
    expect(sv).toMatchObject({ local_port: 80, remote_port: s.local_port, irs: s.iss, iss: s.irs, recv_queued: 5 });
    expect(sv.rcv_nxt).toBe(c.client.status().snd_nxt);
    expect(c.client.status().send_queued).toBe(0);
  });

  test("poll flags follow the connection: writable, readable, peer closed", () => {
    const c = connected();
    expect(c.client.poll()).toMatchObject({ writable: true, readable: false, established: true, error: false });
    c.server.send(enc("x"));
    c.net.run(10);
    expect(c.client.poll().readable).toBe(true);
    c.client.recv();
    expect(c.client.poll().readable).toBe(false);
    c.server.close();
    c.net.run(10);
    expect(c.client.poll()).toMatchObject({ readable: true, peer_closed: true });
  });

  test("tcp_list shows the listener and both connections with their 4-tuples", () => {
    const c = connected();
    const onB = c.b.stack.list();
    expect(onB.map((e) => stateName(e.state))).toEqual(["LISTEN", "ESTABLISHED"]);
    expect(onB[1]).toMatchObject({ handle: c.server.handle, localPort: 80, remoteIp: c.a.ip });
    const onA = c.a.stack.list();
    expect(onA).toEqual([expect.objectContaining({ handle: c.client.handle, localPort: c.client.status().local_port, remotePort: 80 })]);
  });

  test("tcp_list: a connection the application has closed shows handle -1 while it finishes its close (docs/ABI.md)", () => {
    const c = connected();
    c.client.close();
    c.net.run(10);
    // a: FIN sent and acknowledged, waiting for b's FIN in FIN-WAIT-2; b: CLOSE-WAIT, still held.
    expect(c.a.stack.list()).toEqual([expect.objectContaining({ handle: -1, state: TCP_STATE.FIN_WAIT_2, localPort: c.client.status().local_port })]);
    expect(c.b.stack.list()[1]).toMatchObject({ handle: c.server.handle, state: TCP_STATE.CLOSE_WAIT });
    c.server.close();
    c.net.run(10);
    expect(c.a.stack.list()).toEqual([expect.objectContaining({ handle: -1, state: TCP_STATE.TIME_WAIT })]);
  });

  test("a send larger than the ring is taken in part; the rest goes in as the peer reads", () => {
    const c = connected();
    const n = c.client.send(new Uint8Array(10_000));
    expect(n).toBe(4096);
    expect(c.client.send(new Uint8Array(10))).toBe(0);
    c.net.run(10);
    expect(c.server.recv()!.length).toBe(4096);
    c.net.run(10);
    expect(c.client.send(new Uint8Array(10))).toBe(10);
  });

  test("connections use distinct ephemeral ports from the configured range", () => {
    const p = pair({ a: { config: { ephemeral_low: 40000, ephemeral_high: 40009 } } });
    p.apiB.listen(80, 8);
    const ports = Array.from({ length: 6 }, () => p.apiA.connect(p.b.ip, 80).status().local_port);
    expect(new Set(ports).size).toBe(6);
    for (const x of ports) {
      expect(x).toBeGreaterThanOrEqual(40000);
      expect(x).toBeLessThanOrEqual(40009);
    }
  });
});

describe("socket API: errors (docs/ABI.md)", () => {
  test("ENOMEM when every TCB is taken, and a connect succeeds again once one is freed", () => {
    const p = pair();
    const socks = Array.from({ length: 8 }, () => p.apiA.connect("10.0.0.77", 80));
    expect(() => p.apiA.connect("10.0.0.77", 80)).toThrow(expect.objectContaining({ errno: "ENOMEM" }));
    expect(p.a.stack.stats().tcp_no_tcb).toBe(1);
    socks[3].abort();
    expect(p.apiA.connect("10.0.0.77", 80).stateName).toBe("SYN_SENT");
  });

  test("a stale handle (its TCB freed and reused) is EINVAL, never another connection", () => {
    const p = pair();
    const old = p.apiA.connect("10.0.0.77", 80);
    old.abort();
    const fresh = p.apiA.connect("10.0.0.77", 81);
    expect(fresh.handle).not.toBe(old.handle);
    for (const call of [() => old.state, () => old.send(enc("x")), () => old.recv(), () => old.close(), () => old.status()]) {
      expect(call).toThrow(expect.objectContaining({ errno: "EINVAL" }));
    }
    expect(fresh.stateName).toBe("SYN_SENT");
  });

  test("made-up handles are EINVAL", () => {
    const p = pair();
    for (const h of [0, -1, 12345, 0x7fff0001, 0x8001]) {
      expect(p.a.stack.exports.tcp_state(h)).toBe(-1);
      expect(p.a.stack.exports.tcp_send(h, 0, 0)).toBe(-1);
    }
  });

  test("a peer's RST → ECONNRESET from recv and send until close, which frees the handle", () => {
    const c = connected();
    c.server.abort();
    c.net.run(10);
    expect(c.client.poll().error).toBe(true);
    expect(() => c.client.recv()).toThrow(expect.objectContaining({ errno: "ECONNRESET" }));
    expect(() => c.client.send(enc("x"))).toThrow(expect.objectContaining({ errno: "ECONNRESET" }));
    expect(c.a.stack.stats().tcp_established_resets).toBe(1);
    c.client.close();
    expect(() => c.client.state).toThrow(expect.objectContaining({ errno: "EINVAL" }));
  });

  test("connecting to a port nobody listens on → ECONNREFUSED", () => {
    const p = pair();
    const s = p.apiA.connect(p.b.ip, 9);
    p.net.run(100);
    expect(() => s.recv()).toThrow(expect.objectContaining({ errno: "ECONNREFUSED" }));
    expect(s.state).toBe(TCP_STATE.CLOSED);
  });

  test("send after close → ECLOSED; recv still works (half-close)", () => {
    const c = connected();
    c.client.close();
    expect(() => c.client.send(enc("late"))).toThrow(expect.objectContaining({ errno: "ECLOSED" }));
    c.server.send(enc("still here"));
    c.net.run(10);
    expect(dec(c.client.recv())).toBe("still here");
  });

  test("send before the handshake completes → ENOTCONN; recv → EAGAIN (null)", () => {
    const p = pair();
    const s = p.apiA.connect("10.0.0.77", 80);
    expect(() => s.send(enc("x"))).toThrow(expect.objectContaining({ errno: "ENOTCONN" }));
    expect(s.recv()).toBeNull();
  });

  test("recv with nothing to read → null (EAGAIN); accept with nobody waiting → null", () => {
    const c = connected();
    expect(c.client.recv()).toBeNull();
    expect(c.listener.accept()).toBeNull();
  });

  test("listening twice on a port → EADDRINUSE; a closed listener's port can listen again", () => {
    const p = pair();
    const l = p.apiB.listen(8080);
    let err: unknown;
    try { p.apiB.listen(8080); } catch (e) { err = e; }
    expect(isErrno(err, "EADDRINUSE")).toBe(true);
    l.close();
    expect(() => p.apiB.listen(8080)).not.toThrow();
  });

  test("abort sends a RST: the peer sees ECONNRESET at once", () => {
    const c = connected();
    c.client.abort();
    c.net.run(5);
    expect(() => c.server.recv()).toThrow(expect.objectContaining({ errno: "ECONNRESET" }));
    expect(c.a.stack.stats().tcp_rst_sent).toBe(1);
  });
});
