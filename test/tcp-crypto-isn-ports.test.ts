// RFC 6528 initial sequence numbers (assembly/tcp/isn.ts) and RFC 6056
// Algorithm 3 ephemeral ports (assembly/tcp/ports.ts). A fresh wasm instance
// per test, hal.entropy seeded per instance.

import { describe, expect, test } from "vitest";
import {
  CONFIG_EPHEMERAL_HIGH, CONFIG_EPHEMERAL_LOW, prngEntropy, tcpCrypto, type TcpCrypto,
} from "../bench/tcp-crypto-wasm.js";

const LOCAL = 0x0a000002; // 10.0.0.2
const PEER = 0xc0a80107; // 192.168.1.7

async function isnBoard(seed: number, nowMs = 0): Promise<TcpCrypto> {
  const b = await tcpCrypto(seed);
  b.x.isnInitX();
  b.x.setNow(nowMs);
  return b;
}

async function portBoard(seed: number): Promise<TcpCrypto> {
  const b = await tcpCrypto(seed);
  b.x.portsInitX();
  return b;
}

const u32 = (n: number) => n >>> 0;

describe("RFC 6528 ISN", () => {
  test("isnInit draws the 128-bit secret from exactly four entropy() calls", async () => {
    const b = await tcpCrypto(3);
    expect(b.entropyCalls()).toBe(0);
    b.x.isnInitX();
    expect(b.entropyCalls()).toBe(4);
    b.x.isn(LOCAL, 80, PEER, 40000);
    expect(b.entropyCalls()).toBe(4);
  });

  test("changing any one field of the 4-tuple changes the ISN", async () => {
    const { x } = await isnBoard(1, 5000);
    const base = x.isn(LOCAL, 80, PEER, 40000);
    const variants = [
      x.isn(LOCAL + 1, 80, PEER, 40000),
      x.isn(LOCAL, 81, PEER, 40000),
      x.isn(LOCAL, 80, PEER + 1, 40000),
      x.isn(LOCAL, 80, PEER, 40001),
      x.isn(PEER, 40000, LOCAL, 80), // the same connection seen from the other end
      x.isn(LOCAL, 40000, PEER, 80), // ports swapped
    ];
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
  });

  test("10,000 random 4-tuples at one instant give 10,000 distinct ISNs with balanced bits", async () => {
    const { x } = await isnBoard(1, 123_456);
    const rnd = prngEntropy(99);
    const seen = new Set<number>();
    const ones = new Array<number>(32).fill(0);
    const n = 10_000;
    for (let i = 0; i < n; i++) {
      const v = u32(x.isn(rnd(), rnd() & 0xffff, rnd(), rnd() & 0xffff));
      seen.add(v);
      for (let bit = 0; bit < 32; bit++) ones[bit] += (v >>> bit) & 1;
    }
    expect(seen.size).toBe(n);
    for (let bit = 0; bit < 32; bit++) {
      expect(ones[bit], `bit ${bit}`).toBeGreaterThan(n * 0.45);
      expect(ones[bit], `bit ${bit}`).toBeLessThan(n * 0.55);
    }
  });

  test("for a fixed 4-tuple the ISN grows by 250 per ms (a 4-µs clock), wrapping mod 2^32", async () => {
    const { x } = await isnBoard(1, 0);
    const at = (ms: number) => { x.setNow(ms); return u32(x.isn(LOCAL, 80, PEER, 40000)); };
    const base = at(0);
    expect(u32(at(1) - base)).toBe(250);
    expect(u32(at(1000) - base)).toBe(250_000);
    expect(u32(at(64_000) - base)).toBe(16_000_000);
    // 2^32 / 250 ms ≈ 4.77 h: one full turn of the sequence space.
    expect(u32(at(17_179_869) - base)).toBe(u32(17_179_869 * 250));
    // The ms clock itself wraps at 2^32: M = ms * 250 mod 2^32 stays continuous.
    expect(u32(at(0xffffffff) - base)).toBe(u32(Math.imul(0xffffffff, 250)));
    expect(u32(at(0) - at(0xffffffff))).toBe(250);
  });

  test("the same tuple at the same time gives the same ISN (no hidden state)", async () => {
    const { x } = await isnBoard(1, 777);
    expect(x.isn(LOCAL, 80, PEER, 40000)).toBe(x.isn(LOCAL, 80, PEER, 40000));
  });

  test("instances with different entropy give unrelated ISNs; the same entropy gives the same", async () => {
    const a = (await isnBoard(1, 1000)).x;
    const b = (await isnBoard(2, 1000)).x;
    const a2 = (await isnBoard(1, 1000)).x;
    let equal = 0;
    for (let p = 0; p < 200; p++) {
      const ia = a.isn(LOCAL, 80, PEER, 40000 + p);
      if (ia === b.isn(LOCAL, 80, PEER, 40000 + p)) equal++;
      expect(a2.isn(LOCAL, 80, PEER, 40000 + p)).toBe(ia);
    }
    expect(equal).toBe(0);
  });

  test("an attacker who learns one connection's ISN cannot predict a neighbour's", async () => {
    // The gap between the ISNs of two tuples that differ only in the remote
    // port is what an off-path attacker would need (RFC 6528 §1); with a
    // secret it changes with every secret.
    const gaps = new Set<number>();
    for (let seed = 1; seed <= 50; seed++) {
      const { x } = await isnBoard(seed, 5000);
      gaps.add(u32(x.isn(LOCAL, 80, PEER, 40001) - x.isn(LOCAL, 80, PEER, 40000)));
    }
    expect(gaps.size).toBe(50);
  });
});

describe("RFC 6056 Algorithm 3 ephemeral ports", () => {
  test("portsInit draws the secret from four entropy() calls; candidates draw none", async () => {
    const b = await tcpCrypto(5);
    b.x.portsInitX();
    expect(b.entropyCalls()).toBe(4);
    b.x.candidate(PEER, 80, 0);
    b.x.used();
    expect(b.entropyCalls()).toBe(4);
  });

  test("the default range is 49152..65535 (16384 ports) and every candidate lies in it", async () => {
    const { x } = await portBoard(1);
    expect(x.count()).toBe(16384);
    const rnd = prngEntropy(3);
    for (let i = 0; i < 2000; i++) {
      const p = x.candidate(rnd(), rnd() & 0xffff, rnd() & 0x7fffffff);
      expect(p).toBeGreaterThanOrEqual(49152);
      expect(p).toBeLessThanOrEqual(65535);
    }
  });

  test("a changed range applies to the next candidate and is covered exactly by its attempts", async () => {
    const { x } = await portBoard(1);
    expect(x.netConfig(CONFIG_EPHEMERAL_LOW, 40000)).toBe(0);
    expect(x.netConfig(CONFIG_EPHEMERAL_HIGH, 40009)).toBe(0);
    expect(x.count()).toBe(10);
    const ports = Array.from({ length: 10 }, (_, a) => x.candidate(PEER, 80, a));
    expect([...ports].sort((p, q) => p - q)).toEqual(Array.from({ length: 10 }, (_, i) => 40000 + i));
    // Attempt 10 wraps to attempt 0's port.
    expect(x.candidate(PEER, 80, 10)).toBe(ports[0]);
  });

  test("a one-port range always yields that port", async () => {
    const { x } = await portBoard(1);
    expect(x.netConfig(CONFIG_EPHEMERAL_HIGH, 50000)).toBe(0);
    expect(x.netConfig(CONFIG_EPHEMERAL_LOW, 50000)).toBe(0);
    for (let a = 0; a < 5; a++) expect(x.candidate(PEER + a, 80, a)).toBe(50000);
  });

  test("different destinations start at different ports (offset keyed on address and port)", async () => {
    const { x } = await portBoard(1);
    const byHost = new Set<number>();
    const byPort = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      byHost.add(x.candidate(PEER + i, 80, 0));
      byPort.add(x.candidate(PEER, 1000 + i, 0));
    }
    // 1000 draws from 16384 values: about 30 birthday collisions expected.
    expect(byHost.size).toBeGreaterThan(930);
    expect(byPort.size).toBeGreaterThan(930);
  });

  test("successive connections to one destination get successive, different ports", async () => {
    const { x } = await portBoard(1);
    const ports: number[] = [];
    for (let c = 0; c < 100; c++) {
      ports.push(x.candidate(PEER, 80, 0));
      x.used();
    }
    expect(new Set(ports).size).toBe(100);
    for (let c = 1; c < 100; c++) expect((ports[c] - ports[c - 1] + 16384) % 16384).toBe(1);
  });

  test("portUsed skips every port tried for the last connection, as the RFC's loop does", async () => {
    const { x } = await portBoard(1);
    const tried = [0, 1, 2].map((a) => x.candidate(PEER, 80, a)); // 0 and 1 busy, 2 taken
    x.used();
    const next = x.candidate(PEER, 80, 0);
    expect(tried).not.toContain(next);
    expect((next - tried[2] + 16384) % 16384).toBe(1);
  });

  test("attempts 0..count-1 reach every port of the range exactly once", async () => {
    const { x } = await portBoard(1);
    const seen = new Set<number>();
    for (let a = 0; a < x.count(); a++) seen.add(x.candidate(PEER, 80, a));
    expect(seen.size).toBe(16384);
    expect(Math.min(...seen)).toBe(49152);
    expect(Math.max(...seen)).toBe(65535);
  });

  test("different secrets give different ports for the same destination", async () => {
    const a = (await portBoard(1)).x;
    const b = (await portBoard(2)).x;
    let same = 0;
    for (let i = 0; i < 200; i++) if (a.candidate(PEER + i, 80, 0) === b.candidate(PEER + i, 80, 0)) same++;
    expect(same).toBeLessThan(5);
  });

  test("a negative attempt number is taken modulo the range, not trapped on", async () => {
    const { x } = await portBoard(1);
    for (const a of [-1, -16384, -0x80000000]) {
      const p = x.candidate(PEER, 80, a);
      expect(p).toBeGreaterThanOrEqual(49152);
      expect(p).toBeLessThanOrEqual(65535);
    }
  });
});
