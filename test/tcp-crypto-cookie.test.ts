// RFC 4987 §3.6 SYN cookies (assembly/tcp/cookie.ts): the MSS classes, the
// bit layout, validity across secret rotation, binding to the 4-tuple and
// the peer's ISN, and a million forged ACKs. A fresh wasm instance per test,
// hal.entropy seeded per instance, time set by hand (64 s periods unless a
// test changes COOKIE_PERIOD_MS).

import { describe, expect, test } from "vitest";
import { CONFIG_COOKIE_PERIOD_MS, tcpCrypto, type TcpCrypto } from "../bench/tcp-crypto-wasm.js";

const LOCAL = 0x0a000001; // 10.0.0.1, the listener
const LPORT = 80;
const PEER = 0xc0a80107; // 192.168.1.7, the forger's target tuple in cookieForgeryTrial
const PPORT = 40000;
const PEER_ISN = 0x12345678;
const PERIOD = 64_000;

const CLASSES = [64, 536, 1200, 1360, 1400, 1440, 1452, 1460];

async function listener(seed: number, nowMs = 1_000_000): Promise<TcpCrypto> {
  const b = await tcpCrypto(seed);
  b.x.setNow(nowMs);
  b.x.cookieInitX();
  return b;
}

const make = (b: TcpCrypto, mss = 1460, isn = PEER_ISN) => b.x.make(LOCAL, LPORT, PEER, PPORT, isn, mss) >>> 0;
const check = (b: TcpCrypto, cookie: number, isn = PEER_ISN) => b.x.check(LOCAL, LPORT, PEER, PPORT, isn, cookie);

describe("SYN cookie MSS classes", () => {
  test.each(CLASSES.map((m, i) => [m, i] as const))("peer MSS %i is class %i and comes back exactly", async (mss, cls) => {
    const b = await listener(1);
    const c = make(b, mss);
    expect((c >>> 27) & 7).toBe(cls);
    expect(check(b, c)).toBe(mss);
  });

  test.each([
    [65, 64], [238, 64], [535, 64], [537, 536], [1023, 536], [1199, 536], [1201, 1200], [1359, 1200], [1399, 1360],
    [1439, 1400], [1451, 1440], [1459, 1452], [1461, 1460], [9000, 1460], [65535, 1460],
  ])("peer MSS %i is rounded down to %i", async (mss, expected) => {
    const b = await listener(1);
    expect(check(b, make(b, mss))).toBe(expected);
  });

  test.each([[0], [1], [63]])("peer MSS %i (below every class) maps to the smallest class, 64 (the smallest MSS honoured)", async (mss) => {
    const b = await listener(1);
    const c = make(b, mss);
    expect((c >>> 27) & 7).toBe(0);
    expect(check(b, c)).toBe(64);
  });
});

describe("SYN cookie layout and secrets", () => {
  test("cookieInit draws two 128-bit secrets (eight entropy() calls); make/check within the period draw none", async () => {
    const b = await tcpCrypto(1);
    b.x.setNow(5000);
    b.x.cookieInitX();
    expect(b.entropyCalls()).toBe(8);
    const c = make(b);
    check(b, c);
    check(b, c ^ 1);
    expect(b.entropyCalls()).toBe(8);
  });

  test("the top 2 bits carry the period counter nowMs / COOKIE_PERIOD_MS", async () => {
    const b = await listener(1, 0);
    for (let t = 0; t < 6; t++) {
      b.x.setNow(t * PERIOD + 10);
      expect(make(b) >>> 30).toBe(t & 3);
    }
  });

  test("the cookie depends on the 4-tuple and the peer ISN, not only on time and MSS", async () => {
    const b = await listener(1);
    const cookies = new Set([
      make(b),
      make(b, 1460, PEER_ISN + 1),
      b.x.make(LOCAL + 1, LPORT, PEER, PPORT, PEER_ISN, 1460) >>> 0,
      b.x.make(LOCAL, LPORT + 1, PEER, PPORT, PEER_ISN, 1460) >>> 0,
      b.x.make(LOCAL, LPORT, PEER + 1, PPORT, PEER_ISN, 1460) >>> 0,
      b.x.make(LOCAL, LPORT, PEER, PPORT + 1, PEER_ISN, 1460) >>> 0,
    ]);
    expect(cookies.size).toBe(6);
  });

  test("a cookie from one listener is rejected by another with different entropy", async () => {
    const a = await listener(1);
    const b = await listener(2);
    for (let i = 0; i < 100; i++) expect(check(b, make(a, 1460, PEER_ISN + i), PEER_ISN + i)).toBe(-1);
  });
});

describe("SYN cookie validity over time", () => {
  const START = 10 * PERIOD; // period counter 10

  test("accepted later in the same period", async () => {
    const b = await listener(1, START);
    const c = make(b);
    b.x.setNow(START + PERIOD - 1);
    expect(check(b, c)).toBe(1460);
  });

  test("accepted in the next period, after the secrets rotated (previous secret kept)", async () => {
    const b = await listener(1, START + PERIOD - 1); // made in the last ms of period 10
    const c = make(b);
    const calls = b.entropyCalls();
    b.x.setNow(START + PERIOD); // period 11: rotation draws one new secret
    expect(check(b, c)).toBe(1460);
    expect(b.entropyCalls()).toBe(calls + 4);
    b.x.setNow(START + 2 * PERIOD - 1);
    expect(check(b, c)).toBe(1460);
  });

  test("rejected two, three and four periods later (the 2-bit counter aliases at four)", async () => {
    const b = await listener(1, START);
    const c = make(b);
    for (const k of [2, 3, 4, 5]) {
      b.x.setNow(START + k * PERIOD);
      expect(check(b, c), `${k} periods later`).toBe(-1);
    }
  });

  test("rejected two periods later even when every period in between saw traffic", async () => {
    const b = await listener(1, START);
    const c = make(b);
    b.x.setNow(START + PERIOD);
    const c1 = make(b);
    b.x.setNow(START + 2 * PERIOD);
    expect(check(b, c)).toBe(-1);
    expect(check(b, c1)).toBe(1460);
    b.x.setNow(START + 3 * PERIOD);
    expect(check(b, c1)).toBe(-1);
  });

  test("cookies made before and after a rotation are both accepted in the new period", async () => {
    const b = await listener(1, START + 5);
    const before = make(b, 1200);
    b.x.setNow(START + PERIOD + 5);
    const after = make(b, 1400);
    expect(before >>> 30).not.toBe(after >>> 30);
    expect(check(b, before)).toBe(1200);
    expect(check(b, after)).toBe(1400);
  });

  test("after an idle gap of many periods both secrets are redrawn and a stale cookie whose counter bits alias is rejected", async () => {
    const b = await listener(1, START);
    const c = make(b);
    const calls = b.entropyCalls();
    b.x.setNow(START + 40 * PERIOD); // counter 50: 50 & 3 == 10 & 3
    expect(check(b, c)).toBe(-1);
    expect(b.entropyCalls()).toBe(calls + 8);
    expect(check(b, make(b))).toBe(1460);
  });

  test("a shorter COOKIE_PERIOD_MS shortens the lifetime to 1..2 of those periods", async () => {
    const b = await listener(1, 0);
    expect(b.x.netConfig(CONFIG_COOKIE_PERIOD_MS, 1000)).toBe(0);
    b.x.setNow(100_500);
    const c = make(b);
    b.x.setNow(101_999);
    expect(check(b, c)).toBe(1460);
    b.x.setNow(102_000);
    expect(check(b, c)).toBe(-1);
  });

  test("cookies keep working across the wrap of the u32 millisecond clock", async () => {
    const b = await listener(1, 0xffff_f000);
    expect(check(b, make(b))).toBe(1460);
    b.x.setNow(30_000); // wrapped; counter restarts at 0
    const c = make(b);
    b.x.setNow(30_000 + PERIOD);
    expect(check(b, c)).toBe(1460);
  });
});

describe("SYN cookie binding (forged and misdirected ACKs)", () => {
  test("rejected for any other 4-tuple", async () => {
    const b = await listener(1);
    const c = make(b);
    expect(b.x.check(LOCAL + 1, LPORT, PEER, PPORT, PEER_ISN, c)).toBe(-1);
    expect(b.x.check(LOCAL, LPORT + 1, PEER, PPORT, PEER_ISN, c)).toBe(-1);
    expect(b.x.check(LOCAL, LPORT, PEER + 1, PPORT, PEER_ISN, c)).toBe(-1);
    expect(b.x.check(LOCAL, LPORT, PEER, PPORT + 1, PEER_ISN, c)).toBe(-1);
    expect(b.x.check(PEER, PPORT, LOCAL, LPORT, PEER_ISN, c)).toBe(-1);
    expect(check(b, c)).toBe(1460);
  });

  test("rejected for another peer ISN (the ACK's seq - 1 must be the SYN's seq)", async () => {
    const b = await listener(1);
    const c = make(b);
    for (const d of [1, -1, 2, 0x10000, 0x80000000]) expect(check(b, c, (PEER_ISN + d) >>> 0)).toBe(-1);
  });

  test("every single-bit change of a valid cookie is rejected (counter, MSS class and MAC are all authenticated)", async () => {
    const b = await listener(1, 10 * PERIOD + PERIOD / 2);
    for (const mss of [536, 1460]) {
      const c = make(b, mss);
      for (let bit = 0; bit < 32; bit++) expect(check(b, (c ^ (1 << bit)) >>> 0), `bit ${bit}`).toBe(-1);
    }
  });

  test("1,000,000 random forged cookies against one tuple: zero accepted", async () => {
    const b = await listener(1);
    expect(b.x.cookieForgeryTrial(1_000_000, 0x9e3779b9, 0, 0)).toBe(0);
  });

  test("1,000,000 forged cookies with the right counter bits (an attacker who knows our clock): zero accepted", async () => {
    const b = await listener(1);
    const c = make(b);
    expect(b.x.cookieForgeryTrial(1_000_000, 12345, c, 0xc0000000)).toBe(0);
    expect(b.x.memory.buffer.byteLength).toBe(2 * 65536);
  });

  test("the forgery loop does count acceptances: guessing only the low 8 bits of a genuine cookie succeeds about 1 in 256", async () => {
    const b = await listener(1);
    const c = make(b);
    const hits = b.x.cookieForgeryTrial(25_600, 777, c, 0xffffff00);
    expect(hits).toBeGreaterThan(60);
    expect(hits).toBeLessThan(150);
  });
});
