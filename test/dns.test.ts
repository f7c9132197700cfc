/**
 * The DNS stub resolver on the wire (RFC 1035 §4.1, §7; RFC 5452): the
 * query it sends, the answers it takes and the hostile ones it drops, the
 * CNAME chain, the TTL cache, retries across both servers, and the names
 * it refuses to ask about.
 */
import { describe, expect, test } from "vitest";
import { ERRNO } from "../host-sim/errors.js";
import { udpFrame } from "../host-sim/wire/index.js";
import { BOARD_IP, BOARD_MAC, PEER_IP, PEER_MAC, advance, newIpBoard, peerArpRequest, type IpBoard } from "./helpers/board.js";
import { dnsAnswer, dnsName, parseDnsQuery, ptr, readUdpFrame, type Rr } from "./helpers/udp-packets.js";
import { errnoOf } from "./helpers/tcp-harness.js";

const NS2 = "10.0.0.53";
const NS2_MAC = "02:00:00:00:00:53";

function resolverBoard(o: { seed?: number; second?: boolean } = {}): IpBoard {
  const b = newIpBoard({ seed: o.seed });
  b.stack.input(peerArpRequest());
  b.stack.input(peerArpRequest({ mac: NS2_MAC, ip: NS2 }));
  b.stack.takeSent();
  b.stack.dnsServer(0, PEER_IP);
  if (o.second) b.stack.dnsServer(1, NS2);
  return b;
}

interface SentQuery { port: number; to: string; ethDst: string; q: ReturnType<typeof parseDnsQuery>; checksummed: boolean }

function queries(b: IpBoard): SentQuery[] {
  return b.stack.takeSent().map((f) => {
    const { eth, ip, udp } = readUdpFrame(f);
    expect(ip.src).toBe(BOARD_IP);
    expect(udp.dstPort).toBe(53);
    return { port: udp.srcPort, to: ip.dst, ethDst: eth.dst, q: parseDnsQuery(udp.payload), checksummed: udp.checksummed };
  });
}

/** An answer datagram from `from`:53 to the board's port. */
function answerFrame(sq: SentQuery, body: Uint8Array, o: { from?: string; srcPort?: number; dstPort?: number } = {}): Uint8Array {
  const from = o.from ?? sq.to;
  return udpFrame(
    { srcIp: from, dstIp: BOARD_IP, srcPort: o.srcPort ?? 53, dstPort: o.dstPort ?? sq.port, payload: body },
    { srcMac: from === NS2 ? NS2_MAC : PEER_MAC, dstMac: BOARD_MAC },
  );
}

const A = (name: number[], addr: string, ttl = 300): Rr => ({ name, type: 1, ttl, rdata: addr.split(".").map(Number) });
const CNAME = (name: number[], target: number[], ttl = 300): Rr => ({ name, type: 5, ttl, rdata: target });

function deliver(b: IpBoard, frame: Uint8Array): void {
  b.stack.input(frame);
  b.stack.poll(b.now);
}

describe("the query (RFC 1035 §4.1, RFC 5452 §9.2)", () => {
  test("one recursive A/IN question, lower-cased, from a random ephemeral port with a random ID", () => {
    const b = resolverBoard();
    const h = b.stack.dnsQuery("WWW.Example.ORG");
    expect(b.stack.dnsResult(h)).toBeNull();
    const [s, ...rest] = queries(b);
    expect(rest).toEqual([]);
    expect(s).toMatchObject({ to: PEER_IP, ethDst: PEER_MAC, checksummed: true });
    expect(s.port).toBeGreaterThanOrEqual(49152);
    expect(s.q).toMatchObject({ flags: 0x0100, qdcount: 1, ancount: 0, nscount: 0, arcount: 0, qname: "www.example.org", qtype: 1, qclass: 1 });
    expect(s.q.length).toBe(12 + 17 + 4);
  });

  test("queries get different IDs and ports (two per seed, three seeds)", () => {
    const ids = new Set<number>();
    const ports = new Set<number>();
    for (const seed of [1, 2, 3]) {
      const b = resolverBoard({ seed });
      b.stack.dnsQuery("a.example");
      b.stack.dnsQuery("b.example");
      for (const s of queries(b)) { ids.add(s.q.id); ports.add(s.port); }
    }
    expect(ids.size).toBe(6);
    expect(ports.size).toBe(6);
  });

  test("a trailing dot is the same name", () => {
    const b = resolverBoard();
    b.stack.dnsQuery("host.example.");
    expect(queries(b)[0].q.qname).toBe("host.example");
  });
});

describe("answers", () => {
  test("an A record → the address, counted, and cached for the next query (no traffic)", () => {
    const b = resolverBoard();
    const h = b.stack.dnsQuery("www.example.org");
    const [s] = queries(b);
    deliver(b, answerFrame(s, dnsAnswer({ id: s.q.id, question: dnsName("www.example.org"), answers: [A(ptr(12), "192.0.2.7")] })));
    expect(b.stack.dnsResult(h)).toBe("192.0.2.7");
    expect(errnoOf(() => b.stack.dnsResult(h))).toBe("EINVAL"); // freed by the read
    const h2 = b.stack.dnsQuery("WWW.example.org");
    expect(queries(b)).toEqual([]);
    expect(b.stack.dnsResult(h2)).toBe("192.0.2.7");
    expect(b.stack.stats()).toMatchObject({ dns_answers: 1, dns_cache_hits: 1, dns_queries_sent: 1 });
  });

  test("the cache keeps an answer for its TTL, then asks again", () => {
    const b = resolverBoard();
    const h = b.stack.dnsQuery("ttl.example");
    const [s] = queries(b);
    deliver(b, answerFrame(s, dnsAnswer({ id: s.q.id, question: dnsName("ttl.example"), answers: [A(ptr(12), "192.0.2.8", 30)] })));
    expect(b.stack.dnsResult(h)).toBe("192.0.2.8");
    advance(b, 29_000);
    expect(b.stack.dnsResult(b.stack.dnsQuery("ttl.example"))).toBe("192.0.2.8");
    expect(queries(b)).toEqual([]);
    advance(b, 1_000);
    expect(b.stack.dnsResult(b.stack.dnsQuery("ttl.example"))).toBeNull();
    expect(queries(b)).toHaveLength(1);
  });

  test("a TTL of 0 is not cached", () => {
    const b = resolverBoard();
    const h = b.stack.dnsQuery("zero.example");
    const [s] = queries(b);
    deliver(b, answerFrame(s, dnsAnswer({ id: s.q.id, question: dnsName("zero.example"), answers: [A(ptr(12), "192.0.2.9", 0)] })));
    expect(b.stack.dnsResult(h)).toBe("192.0.2.9");
    b.stack.dnsQuery("zero.example");
    expect(queries(b)).toHaveLength(1);
  });

  test("a CNAME chain inside the answer (compressed, out of order) → the A record at its end", () => {
    const b = resolverBoard();
    const h = b.stack.dnsQuery("www.example.org");
    const [s] = queries(b);
    const q = dnsName("www.example.org"); // at offset 12
    // RR 1 at 12 + q.length + 4: "cdn" + pointer to example.org (offset 16), so the name is cdn.example.org.
    const first = 12 + q.length + 4;
    const cdnName = [3, ...new TextEncoder().encode("cdn"), ...ptr(16)];
    const answers = [
      CNAME(ptr(12), cdnName, 600), // www → cdn.example.org, its name stored at rdata of this RR
      A([4, ...new TextEncoder().encode("edge"), 0], "198.51.100.1"), // unrelated record
      A(ptr(first + 2 + 10), "203.0.113.5", 120), // cdn.example.org (pointer to the CNAME's rdata) A
    ];
    deliver(b, answerFrame(s, dnsAnswer({ id: s.q.id, question: q, answers })));
    expect(b.stack.dnsResult(h)).toBe("203.0.113.5");
  });

  test.each([
    ["NXDOMAIN", { rcode: 3 }],
    ["NOERROR with no A record", { answers: [] }],
    ["only a CNAME, no A at its end", { answers: [CNAME(ptr(12), dnsName("other.example"))] }],
    ["an A record for another name", { answers: [A(dnsName("other.example"), "192.0.2.1")] }],
  ])("%s → ENOTFOUND, nothing cached", (_n, over) => {
    const b = resolverBoard();
    const h = b.stack.dnsQuery("missing.example");
    const [s] = queries(b);
    deliver(b, answerFrame(s, dnsAnswer({ id: s.q.id, question: dnsName("missing.example"), ...over })));
    expect(errnoOf(() => b.stack.dnsResult(h))).toBe("ENOTFOUND");
    b.stack.dnsQuery("missing.example");
    expect(queries(b)).toHaveLength(1);
    expect(b.stack.stats().dns_answers).toBe(1);
  });

  test("a CNAME loop ends in ENOTFOUND, not a hang", () => {
    const b = resolverBoard();
    const h = b.stack.dnsQuery("loop.example");
    const [s] = queries(b);
    const q = dnsName("loop.example");
    deliver(b, answerFrame(s, dnsAnswer({ id: s.q.id, question: q, answers: [CNAME(ptr(12), dnsName("x.example")), CNAME(dnsName("x.example"), ptr(12))] })));
    expect(errnoOf(() => b.stack.dnsResult(h))).toBe("ENOTFOUND");
  });
});

describe("answers that do not count (dropped, counted, the query still pending and nothing cached)", () => {
  const name = "www.example.org";
  const good = (id: number) => dnsAnswer({ id, question: dnsName(name), answers: [A(ptr(12), "192.0.2.7")] });
  const cases: Array<[string, string, (s: SentQuery) => Uint8Array]> = [
    ["the wrong ID", "dns_drop_mismatch", (s) => answerFrame(s, good(s.q.id ^ 0x8000))],
    ["the wrong source port", "dns_drop_mismatch", (s) => answerFrame(s, good(s.q.id), { srcPort: 5353 })],
    ["a source that is no server of ours", "dns_drop_mismatch", (s) => answerFrame(s, good(s.q.id), { from: "10.0.0.66" })],
    ["another question", "dns_drop_mismatch", (s) => answerFrame(s, dnsAnswer({ id: s.q.id, question: dnsName("evil.example"), answers: [A(ptr(12), "6.6.6.6")] }))],
    ["an AAAA question", "dns_drop_mismatch", (s) => answerFrame(s, dnsAnswer({ id: s.q.id, question: dnsName(name), qtype: 28, answers: [A(ptr(12), "6.6.6.6")] }))],
    ["QR clear (a query, not an answer)", "dns_drop_mismatch", (s) => answerFrame(s, dnsAnswer({ id: s.q.id, question: dnsName(name), qr: false, answers: [A(ptr(12), "6.6.6.6")] }))],
    ["two questions", "dns_drop_mismatch", (s) => answerFrame(s, dnsAnswer({ id: s.q.id, question: dnsName(name), qdcount: 2, answers: [A(ptr(12), "6.6.6.6")] }))],
    ["TC set", "dns_drop_truncated", (s) => answerFrame(s, dnsAnswer({ id: s.q.id, question: dnsName(name), tc: true, answers: [A(ptr(12), "6.6.6.6")] }))],
    ["a compression loop in the answer name", "dns_drop_malformed", (s) => {
      const q = dnsName(name);
      const at = 12 + q.length + 4;
      return answerFrame(s, dnsAnswer({ id: s.q.id, question: q, answers: [A(ptr(at), "6.6.6.6")] }));
    }],
    ["a pointer to itself two labels on", "dns_drop_malformed", (s) => {
      const q = dnsName(name);
      const at = 12 + q.length + 4;
      return answerFrame(s, dnsAnswer({ id: s.q.id, question: q, answers: [A([1, 0x61, ...ptr(at)], "6.6.6.6")] }));
    }],
    ["a pointer past the packet", "dns_drop_malformed", (s) => answerFrame(s, dnsAnswer({ id: s.q.id, question: dnsName(name), answers: [A(ptr(0x3fff), "6.6.6.6")] }))],
    ["a forward pointer", "dns_drop_malformed", (s) => answerFrame(s, dnsAnswer({ id: s.q.id, question: dnsName(name), answers: [A(ptr(200), "6.6.6.6")], raw: new Array(200).fill(0) }))],
    ["ANCOUNT larger than the records", "dns_drop_malformed", (s) => answerFrame(s, dnsAnswer({ id: s.q.id, question: dnsName(name), ancount: 5, answers: [A(dnsName("other.example"), "6.6.6.6")] }))],
    ["RDLENGTH past the packet", "dns_drop_malformed", (s) => answerFrame(s, dnsAnswer({ id: s.q.id, question: dnsName(name), answers: [{ ...A(ptr(12), "6.6.6.6"), rdlength: 400 }] }))],
    ["an A record of 5 bytes", "dns_drop_malformed", (s) => answerFrame(s, dnsAnswer({ id: s.q.id, question: dnsName(name), answers: [{ name: ptr(12), type: 1, ttl: 60, rdata: [6, 6, 6, 6, 6] }] }))],
    ["a name over 255 bytes", "dns_drop_malformed", (s) => {
      const long = Array.from({ length: 5 }, () => [63, ...new Array(63).fill(0x61)]).flat().concat(0);
      return answerFrame(s, dnsAnswer({ id: s.q.id, question: dnsName(name), answers: [CNAME(ptr(12), long)] }));
    }],
    ["an extended label type (0x40)", "dns_drop_malformed", (s) => answerFrame(s, dnsAnswer({ id: s.q.id, question: dnsName(name), answers: [A([0x41, 0x61, 0], "6.6.6.6")] }))],
    ["a header cut short", "dns_drop_malformed", (s) => answerFrame(s, good(s.q.id).subarray(0, 11))],
    ["a question cut short", "dns_drop_malformed", (s) => answerFrame(s, good(s.q.id).subarray(0, 20))],
  ];
  test.each(cases)("%s → %s", (_n, counter, build) => {
    const b = resolverBoard();
    const h = b.stack.dnsQuery(name);
    const [s] = queries(b);
    deliver(b, build(s));
    expect(b.stack.dnsResult(h)).toBeNull();
    expect((b.stack.stats() as Record<string, number>)[counter]).toBe(1);
    // The real answer is still taken, and the forged address was never cached.
    deliver(b, answerFrame(s, good(s.q.id)));
    expect(b.stack.dnsResult(h)).toBe("192.0.2.7");
  });

  test("random answers of every length never trap or resolve", () => {
    const b = resolverBoard();
    const h = b.stack.dnsQuery(name);
    const [s] = queries(b);
    let seed = 99;
    for (let n = 12; n < 600; n += 5) {
      const body = new Uint8Array(n);
      for (let i = 0; i < n; i++) { seed = (seed * 1103515245 + 12345) >>> 0; body[i] = seed >>> 24; }
      body.set(good(s.q.id).subarray(0, 12 + dnsName(name).length + 4).subarray(0, Math.min(n, 33)));
      deliver(b, answerFrame(s, body));
    }
    const r = b.stack.exports.dns_result!(h, b.stack.exports.net_scratch());
    expect([ERRNO.EAGAIN, ERRNO.ENOTFOUND]).toContain(r);
  });
});

describe("retries and failure", () => {
  test("no answer: 4 tries 2 s apart alternating between the two servers, then ETIMEDOUT", () => {
    const b = resolverBoard({ second: true });
    const h = b.stack.dnsQuery("slow.example");
    const sent: Array<{ at: number; to: string; id: number; port: number }> = [];
    for (let t = 0; t <= 9000; t += 100) {
      for (const s of queries(b)) sent.push({ at: b.now, to: s.to, id: s.q.id, port: s.port });
      if (t < 9000) advance(b, 100);
    }
    expect(sent.map((s) => [s.at, s.to])).toEqual([[0, PEER_IP], [2000, NS2], [4000, PEER_IP], [6000, NS2]]);
    expect(new Set(sent.map((s) => s.id)).size).toBe(1);
    expect(new Set(sent.map((s) => s.port)).size).toBe(1);
    expect(errnoOf(() => b.stack.dnsResult(h))).toBe("ETIMEDOUT");
    expect(b.stack.stats().dns_timeouts).toBe(1);
  });

  test("the second server's answer counts after the first was asked", () => {
    const b = resolverBoard({ second: true });
    const h = b.stack.dnsQuery("two.example");
    queries(b);
    advance(b, 2000);
    const [s] = queries(b);
    expect(s.to).toBe(NS2);
    deliver(b, answerFrame(s, dnsAnswer({ id: s.q.id, question: dnsName("two.example"), answers: [A(ptr(12), "192.0.2.77")] })));
    expect(b.stack.dnsResult(h)).toBe("192.0.2.77");
  });

  test("SERVFAIL moves to the next try at once", () => {
    const b = resolverBoard({ second: true });
    b.stack.dnsQuery("fail.example");
    const [s] = queries(b);
    deliver(b, answerFrame(s, dnsAnswer({ id: s.q.id, question: dnsName("fail.example"), rcode: 2 })));
    const [next] = queries(b);
    expect(next.to).toBe(NS2);
  });
});

describe("dns_query arguments", () => {
  test("a dotted quad resolves at once, with no traffic", () => {
    const b = resolverBoard();
    const h = b.stack.dnsQuery("192.0.2.200");
    expect(queries(b)).toEqual([]);
    expect(b.stack.dnsResult(h)).toBe("192.0.2.200");
  });

  test.each([
    ["empty", ""],
    ["a 64-byte label", "a".repeat(64) + ".example"],
    ["254 characters", Array.from({ length: 51 }, () => "abcd").join(".") + "x"],
    ["an empty label", "a..example"],
    ["an underscore", "a_b.example"],
    ["a space", "a b.example"],
    ["two trailing dots", "example.."],
  ])("%s → EINVAL", (_n, name) => {
    const b = resolverBoard();
    expect(errnoOf(() => b.stack.dnsQuery(name))).toBe("EINVAL");
  });

  test("63-byte labels and 253 characters are fine", () => {
    const b = resolverBoard();
    const name = ["a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(61)].join(".");
    expect(name.length).toBe(253);
    b.stack.dnsQuery(name);
    expect(queries(b)[0].q.qname).toBe(name);
  });

  test("no server → ENETUNREACH; dns_server(i, 0) clears; bad index → EINVAL", () => {
    const b = resolverBoard();
    b.stack.dnsServer(0, 0);
    expect(errnoOf(() => b.stack.dnsQuery("x.example"))).toBe("ENETUNREACH");
    expect(errnoOf(() => b.stack.dnsServer(2, PEER_IP))).toBe("EINVAL");
    expect(errnoOf(() => b.stack.dnsServer(-1, PEER_IP))).toBe("EINVAL");
  });

  test("two queries in flight; a third → ENOMEM until one result is read", () => {
    const b = resolverBoard();
    const h1 = b.stack.dnsQuery("one.example");
    b.stack.dnsQuery("two.example");
    expect(errnoOf(() => b.stack.dnsQuery("three.example"))).toBe("ENOMEM");
    advance(b, 9000);
    expect(errnoOf(() => b.stack.dnsResult(h1))).toBe("ETIMEDOUT");
    expect(b.stack.dnsQuery("three.example")).toBeGreaterThan(0);
  });

  test("dns_result with a handle never issued or a bad pointer → EINVAL", () => {
    const b = resolverBoard();
    for (const h of [0, -1, 1, 3, 0x7fffffff]) expect(b.stack.exports.dns_result!(h, 0)).toBe(ERRNO.EINVAL);
    const h = b.stack.dnsQuery("1.2.3.4");
    expect(b.stack.exports.dns_result!(h, b.stack.exports.memory.buffer.byteLength - 2)).toBe(ERRNO.EINVAL);
  });

  test("the application's server wins over DHCP's (set later or earlier)", () => {
    const b = resolverBoard();
    b.stack.dnsServer(0, NS2);
    b.stack.dnsQuery("x.example");
    expect(queries(b)[0].to).toBe(NS2);
  });
});
