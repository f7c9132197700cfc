/**
 * Bulk transfer between two stacks on a HostNet: byte-exact delivery
 * (SHA-256) both ways at once through a seeded lossy wire, out-of-order
 * arrival with holes, duplicates, half-close, many connections at once,
 * and the fixed memory of a no-allocation build.
 */
import { describe, expect, test } from "vitest";
import { seededFaults, tcpView, type HostNet, type Host } from "../host-sim/hostnet.js";
import { connected, pair, randomBytes, runTransfers, sha256, Transfer, TCP_STATE } from "./helpers/hostnet-tcp.js";

const LOSSY = { drop: 0.1, duplicate: 0.02, reorder: 0.05, corrupt: 0.01 };

describe("bulk transfer", () => {
  test("10 MB each way at once through 10 % loss, 2 % duplication, 5 % reordering and 1 % corruption arrive byte-exact", () => {
    const c = connected();
    const ab = seededFaults({ seed: 0x1001, ...LOSSY });
    const ba = seededFaults({ seed: 0x2002, ...LOSSY });
    c.net.filter(c.a, c.b, ab);
    c.net.filter(c.b, c.a, ba);
    const up = randomBytes(10_000_000, 1);
    const down = randomBytes(10_000_000, 2);
    const t1 = new Transfer(c.client, c.server, up);
    const t2 = new Transfer(c.server, c.client, down);
    expect(runTransfers(c.net, [t1, t2], 100_000_000)).toBe(true);
    expect(sha256(t1.bytes())).toBe(sha256(up));
    expect(sha256(t2.bytes())).toBe(sha256(down));
    // The wire really was that bad, and the stacks noticed.
    for (const f of [ab, ba]) {
      expect(f.counts.dropped / f.counts.offered).toBeGreaterThan(0.08);
      expect(f.counts.corrupted).toBeGreaterThan(0);
      expect(f.counts.duplicated).toBeGreaterThan(0);
      expect(f.counts.reordered).toBeGreaterThan(0);
    }
    for (const h of [c.a, c.b]) {
      const s = h.stack.stats();
      expect(s.tcp_retransmits + s.tcp_fast_retransmits).toBeGreaterThan(100);
      expect(s.tcp_drop_checksum + s.ip_drop_checksum + s.eth_drop_not_ours + s.ip_drop_header).toBeGreaterThan(0);
      expect(s.tcp_ooo_segments).toBeGreaterThan(0);
      expect(s.tcp_timeouts).toBe(0);
    }
  }, 120_000);

  test("the same seeds give the same run: identical counters twice", () => {
    const run = () => {
      const c = connected();
      c.net.filter(c.a, c.b, seededFaults({ seed: 7, ...LOSSY }));
      c.net.filter(c.b, c.a, seededFaults({ seed: 8, ...LOSSY }));
      const t = new Transfer(c.client, c.server, randomBytes(300_000, 3));
      runTransfers(c.net, [t], 10_000_000);
      return { now: c.net.now, a: c.a.stack.stats(), b: c.b.stack.stats() };
    };
    expect(run()).toEqual(run());
  });

  test("a clean wire carries 1 MB in full-sized segments (MSS 1460 from MTU 1500) with no retransmission", () => {
    const c = connected();
    const sizes = new Map<number, number>();
    c.net.tap = (h, f) => {
      const v = tcpView(f);
      if (h === c.a && v && v.payloadLen > 0) sizes.set(v.payloadLen, (sizes.get(v.payloadLen) ?? 0) + 1);
    };
    const data = randomBytes(1_000_000, 4);
    const t = new Transfer(c.client, c.server, data);
    expect(runTransfers(c.net, [t], 60_000)).toBe(true);
    expect(sha256(t.bytes())).toBe(sha256(data));
    // Most bytes travel in full-sized segments. The rest are the short tails
    // at the 4 KiB send ring's edge and of the 1536-byte writes, which
    // Minshall's Nagle (docs/TCP.md "Nagle") sends without waiting for the
    // full segments before them: at most one short segment per full one.
    const full = sizes.get(1460) ?? 0;
    const short = [...sizes.entries()].filter(([n]) => n < 1460).reduce((a, [, k]) => a + k, 0);
    expect(full * 1460).toBeGreaterThan(0.65 * data.length);
    expect(short).toBeLessThanOrEqual(full);
    expect(Math.max(...sizes.keys())).toBe(1460);
    expect(c.a.stack.stats().tcp_retransmits).toBe(0);
    expect(c.client.status().snd_mss).toBe(1460);
  });

  test("every frame duplicated: the copies are discarded and the stream is exact", () => {
    const c = connected();
    c.net.filter(null, null, (f) => [f, f.slice()]);
    const data = randomBytes(200_000, 5);
    const t = new Transfer(c.client, c.server, data);
    expect(runTransfers(c.net, [t], 60_000)).toBe(true);
    expect(sha256(t.bytes())).toBe(sha256(data));
  });
});

/** Hold back the data segments from `from` whose index (among data segments) is in `which`, for `ms`. */
function delayDataSegments(net: HostNet, from: Host, which: Set<number>, ms: number) {
  let i = 0;
  net.filter(from, null, (f, ctx) => {
    const v = tcpView(f);
    if (!v || v.payloadLen === 0) return f;
    if (which.has(i++)) { ctx.later(f, ms); return null; }
    return f;
  });
}

describe("out-of-order arrival (RFC 9293 §3.10.7.4 seventh step)", () => {
  test("a segment overtaken by the next one is kept; the stream is delivered in order once the hole fills", () => {
    const c = connected({ net: { latencyMs: 1 } });
    delayDataSegments(c.net, c.a, new Set([0]), 30);
    const data = randomBytes(2 * 1460, 6);
    c.client.send(data);
    c.net.run(10);
    // The second segment sits behind a hole: nothing readable yet.
    expect(c.server.recv()).toBeNull();
    expect(c.b.stack.stats().tcp_ooo_segments).toBe(1);
    c.net.run(50);
    expect(sha256(c.server.recv()!)).toBe(sha256(data));
  });

  test("two holes at once are tracked and filled in either order", () => {
    const c = connected({ net: { latencyMs: 1 }, a: { config: { nagle: 0 } } });
    delayDataSegments(c.net, c.a, new Set([0, 2]), 40);
    const parts = [0, 1, 2, 3].map((k) => randomBytes(500, 10 + k));
    for (const p of parts) c.client.send(p);
    c.net.run(10);
    expect(c.server.recv()).toBeNull();
    expect(c.b.stack.stats().tcp_ooo_segments).toBe(2);
    c.net.run(100);
    const all = new Uint8Array(2000);
    parts.forEach((p, i) => all.set(p, i * 500));
    expect(sha256(c.server.recv()!)).toBe(sha256(all));
  });

  test("an out-of-order segment draws an immediate duplicate ACK (RFC 5681 §4.2)", () => {
    const c = connected({ net: { latencyMs: 1 }, a: { config: { nagle: 0 } } });
    delayDataSegments(c.net, c.a, new Set([0]), 50);
    const acks: number[] = [];
    c.net.tap = (h, f, now) => { const v = tcpView(f); if (h === c.b && v) acks.push(now); };
    c.client.send(new Uint8Array(100));
    c.client.send(new Uint8Array(100));
    c.net.run(5);
    expect(acks.length).toBe(1);
    expect(acks[0]).toBeLessThanOrEqual(c.net.now);
  });
});

describe("half-close (RFC 9293 §3.6)", () => {
  test("after the client's FIN the server can still send, and the client still receives it all", () => {
    const c = connected();
    c.client.send(new TextEncoder().encode("request"));
    c.client.close();
    c.net.run(100);
    expect(c.client.state).toBe(TCP_STATE.FIN_WAIT_2);
    expect(new TextDecoder().decode(c.server.recv()!)).toBe("request");
    expect(c.server.recv()!.length).toBe(0);
    expect(c.server.state).toBe(TCP_STATE.CLOSE_WAIT);
    const reply = randomBytes(50_000, 20);
    const t = new Transfer(c.server, c.client, reply);
    expect(runTransfers(c.net, [t], 60_000)).toBe(true);
    expect(sha256(t.bytes())).toBe(sha256(reply));
    c.net.run(100);
    expect(c.client.state).toBe(TCP_STATE.TIME_WAIT);
  });

  test("TIME-WAIT lasts 2·MSL and then the handle is gone", () => {
    const c = connected({ a: { config: { msl_ms: 1000 } } });
    c.client.close();
    c.net.run(10);
    c.server.close();
    c.net.run(10);
    expect(c.client.state).toBe(TCP_STATE.TIME_WAIT);
    c.net.run(1900);
    expect(c.client.state).toBe(TCP_STATE.TIME_WAIT);
    c.net.run(200);
    expect(() => c.client.state).toThrow(expect.objectContaining({ errno: "EINVAL" }));
    expect(() => c.server.state).toThrow(expect.objectContaining({ errno: "EINVAL" }));
  });
});

describe("many connections and fixed memory", () => {
  test("eight connections at once each carry their own 100 KB intact", () => {
    const p = pair();
    const l = p.apiB.listen(80, 8);
    const clients = Array.from({ length: 8 }, () => p.apiA.connect(p.b.ip, 80));
    const servers: ReturnType<typeof l.accept>[] = [];
    p.net.runUntil(() => {
      for (let s = l.accept(); s; s = l.accept()) servers.push(s);
      return servers.length === 8;
    }, 10_000);
    expect(servers.length).toBe(8);
    const byPort = new Map(servers.map((s) => [s!.status().remote_port, s!]));
    const transfers = clients.map((cl, i) => new Transfer(cl, byPort.get(cl.status().local_port)!, randomBytes(100_000, 30 + i)));
    expect(runTransfers(p.net, transfers, 600_000)).toBe(true);
    for (const t of transfers) expect(sha256(t.bytes())).toBe(sha256(t.data));
    expect(new Set(clients.map((c) => c.status().local_port)).size).toBe(8);
  });

  test("memory.buffer.byteLength does not change across heavy lossy traffic and connection churn", () => {
    const c = connected();
    const before = [c.a, c.b].map((h) => h.stack.exports.memory.buffer.byteLength);
    c.net.filter(null, null, seededFaults({ seed: 99, ...LOSSY }));
    const t = new Transfer(c.client, c.server, randomBytes(1_000_000, 40));
    const u = new Transfer(c.server, c.client, randomBytes(1_000_000, 41));
    expect(runTransfers(c.net, [t, u], 10_000_000)).toBe(true);
    for (let i = 0; i < 20; i++) {
      const s = c.apiA.connect(c.b.ip, 80);
      c.net.runUntil(() => s.state === TCP_STATE.ESTABLISHED, 60_000);
      c.listener.accept()?.abort();
      s.abort();
    }
    expect([c.a, c.b].map((h) => h.stack.exports.memory.buffer.byteLength)).toEqual(before);
  });
});
