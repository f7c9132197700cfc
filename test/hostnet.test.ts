/**
 * The in-process network itself: hub delivery by MAC, per-direction
 * filters, latency under the virtual clock, polling at the stacks'
 * deadlines, the seeded fault filter's rates and determinism.
 */
import { describe, expect, test } from "vitest";
import { HostNet, seededFaults, tcpView, TCP_FLAGS } from "../host-sim/hostnet.js";
import { SocketApi } from "../host-sim/socket.js";
import { connected, TCP_STATE } from "./helpers/hostnet-tcp.js";

describe("HostNet", () => {
  test("stations get distinct MACs and addresses and resolve each other by ARP", () => {
    const net = new HostNet();
    const [a, b, c] = [net.add(), net.add(), net.add()];
    expect([a.ip, b.ip, c.ip].map((x) => x & 255)).toEqual([1, 2, 3]);
    const api = SocketApi.of(a);
    SocketApi.of(c).listen(80);
    const s = api.connect(c.ip, 80);
    net.run(100);
    expect(s.state).toBe(TCP_STATE.ESTABLISHED);
    expect(a.stack.stats().arp_cache_updates).toBeGreaterThan(0);
  });

  test("unicast frames reach only the addressed station (hub with MAC filtering)", () => {
    const net = new HostNet();
    const [a, b, c] = [net.add(), net.add(), net.add()];
    net.run(10);
    SocketApi.of(c).listen(80);
    const seen = new Map<string, number>();
    net.filter(null, null, (f, ctx) => { if (tcpView(f)) seen.set(ctx.to.name, (seen.get(ctx.to.name) ?? 0) + 1); return f; });
    SocketApi.of(a).connect(c.ip, 80);
    net.run(100);
    expect(seen.get(b.name)).toBeUndefined();
    expect(seen.get(c.name)).toBeGreaterThan(0);
    expect(seen.get(a.name)).toBeGreaterThan(0);
  });

  test("a filter applies to its direction only: dropping a→b connection requests leaves b→a ones alone", () => {
    const net = new HostNet();
    const a = net.add(), b = net.add();
    SocketApi.of(b).listen(80);
    SocketApi.of(a).listen(81);
    // Pure SYNs only: a's SYN-ACK to b must still pass.
    net.filter(a, b, (f) => { const v = tcpView(f); return v && v.flags === TCP_FLAGS.SYN ? null : f; });
    const ab = SocketApi.of(a).connect(b.ip, 80);
    const ba = SocketApi.of(b).connect(a.ip, 81);
    net.run(500);
    expect(ab.state).toBe(TCP_STATE.SYN_SENT);
    expect(ba.state).toBe(TCP_STATE.ESTABLISHED);
  });

  test("latency delays every frame: the handshake takes three one-way trips", () => {
    const c = connected({ net: { latencyMs: 25 } });
    const t0 = c.net.now;
    const s = c.apiA.connect(c.b.ip, 80);
    c.net.runUntil(() => s.state === TCP_STATE.ESTABLISHED, 1000);
    expect(c.net.now - t0).toBe(50);
  });

  test("an idle network schedules nothing until a stack has a deadline", () => {
    const net = new HostNet();
    net.add();
    net.add();
    net.run(1000);
    expect(net.clock.pending).toBeLessThanOrEqual(2);
  });

  test("the seeded fault filter hits its rates within a few percent and repeats with the same seed", () => {
    const mk = () => seededFaults({ seed: 5, drop: 0.1, duplicate: 0.02, reorder: 0.05, corrupt: 0.01 });
    const later: Uint8Array[] = [];
    const ctx = { later: (f: Uint8Array) => later.push(f) } as never;
    const f1 = mk(), f2 = mk();
    const frame = new Uint8Array(100);
    const out1 = [], out2 = [];
    for (let i = 0; i < 20000; i++) { out1.push(f1(frame, ctx)); out2.push(f2(frame, ctx)); }
    expect(f1.counts).toEqual(f2.counts);
    expect(f1.counts.dropped / 20000).toBeCloseTo(0.1, 1);
    expect(f1.counts.duplicated / 20000).toBeCloseTo(0.02, 1);
    expect(f1.counts.reordered / 20000).toBeCloseTo(0.05, 1);
    expect(f1.counts.corrupted / 20000).toBeCloseTo(0.01, 1);
  });

  test("a corrupted frame is dropped by a checksum and counted, never delivered as data", () => {
    const c = connected();
    let n = 0;
    c.net.filter(c.a, c.b, (f) => {
      const v = tcpView(f);
      if (v && v.payloadLen > 0 && n++ === 0) { const g = f.slice(); g[g.length - 1] ^= 0x40; return g; }
      return f;
    });
    c.client.send(new TextEncoder().encode("exact"));
    c.net.run(2000);
    expect(new TextDecoder().decode(c.server.recv()!)).toBe("exact");
    expect(c.b.stack.stats().tcp_drop_checksum).toBe(1);
  });
});
