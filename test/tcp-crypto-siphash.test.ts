// SipHash-2-4 (assembly/siphash.ts) against the reference vectors of
// Aumasson & Bernstein, "SipHash: a fast short-input PRF", appendix A /
// reference implementation: key 00 01 .. 0f, message 00 01 .. (len-1), for
// every length 0..63; and against an independent BigInt model written from
// the paper for random keys and messages.

import { beforeAll, describe, expect, test } from "vitest";
import { tcpCrypto, tcpCryptoModule, prngEntropy, type TcpCryptoExports } from "../bench/tcp-crypto-wasm.js";

const K0 = 0x0706050403020100n;
const K1 = 0x0f0e0d0c0b0a0908n;

// SipHash-2-4 with 64-bit output, key 00..0f, message 00..len-1, len = index.
const VECTORS: bigint[] = [
  0x726fdb47dd0e0e31n, 0x74f839c593dc67fdn, 0x0d6c8009d9a94f5an, 0x85676696d7fb7e2dn,
  0xcf2794e0277187b7n, 0x18765564cd99a68dn, 0xcbc9466e58fee3cen, 0xab0200f58b01d137n,
  0x93f5f5799a932462n, 0x9e0082df0ba9e4b0n, 0x7a5dbbc594ddb9f3n, 0xf4b32f46226bada7n,
  0x751e8fbc860ee5fbn, 0x14ea5627c0843d90n, 0xf723ca908e7af2een, 0xa129ca6149be45e5n,
  0x3f2acc7f57c29bdbn, 0x699ae9f52cbe4794n, 0x4bc1b3f0968dd39cn, 0xbb6dc91da77961bdn,
  0xbed65cf21aa2ee98n, 0xd0f2cbb02e3b67c7n, 0x93536795e3a33e88n, 0xa80c038ccd5ccec8n,
  0xb8ad50c6f649af94n, 0xbce192de8a85b8ean, 0x17d835b85bbb15f3n, 0x2f2e6163076bcfadn,
  0xde4daaaca71dc9a5n, 0xa6a2506687956571n, 0xad87a3535c49ef28n, 0x32d892fad841c342n,
  0x7127512f72f27ccen, 0xa7f32346f95978e3n, 0x12e0b01abb051238n, 0x15e034d40fa197aen,
  0x314dffbe0815a3b4n, 0x027990f029623981n, 0xcadcd4e59ef40c4dn, 0x9abfd8766a33735cn,
  0x0e3ea96b5304a7d0n, 0xad0c42d6fc585992n, 0x187306c89bc215a9n, 0xd4a60abcf3792b95n,
  0xf935451de4f21df2n, 0xa9538f0419755787n, 0xdb9acddff56ca510n, 0xd06c98cd5c0975ebn,
  0xe612a3cb9ecba951n, 0xc766e62cfcadaf96n, 0xee64435a9752fe72n, 0xa192d576b245165an,
  0x0a8787bf8ecb74b2n, 0x81b3e73d20b49b6fn, 0x7fa8220ba3b2ecean, 0x245731c13ca42499n,
  0xb78dbfaf3a8d83bdn, 0xea1ad565322a1a0bn, 0x60e61c23a3795013n, 0x6606d7e446282b93n,
  0x6ca4ecb15c5f91e1n, 0x9f626da15c9625f3n, 0xe51b38608ef25f57n, 0x958a324ceb064572n,
];

const M64 = (1n << 64n) - 1n;
const rotl = (x: bigint, b: bigint) => ((x << b) | (x >> (64n - b))) & M64;

/** SipHash-2-4 written from the paper (§2), in BigInt, independent of the wasm code. */
function modelSipHash(k0: bigint, k1: bigint, msg: Uint8Array): bigint {
  let v0 = k0 ^ 0x736f6d6570736575n, v1 = k1 ^ 0x646f72616e646f6dn;
  let v2 = k0 ^ 0x6c7967656e657261n, v3 = k1 ^ 0x7465646279746573n;
  const round = () => {
    v0 = (v0 + v1) & M64; v1 = rotl(v1, 13n) ^ v0; v0 = rotl(v0, 32n);
    v2 = (v2 + v3) & M64; v3 = rotl(v3, 16n) ^ v2;
    v0 = (v0 + v3) & M64; v3 = rotl(v3, 21n) ^ v0;
    v2 = (v2 + v1) & M64; v1 = rotl(v1, 17n) ^ v2; v2 = rotl(v2, 32n);
  };
  const padded = new Uint8Array((Math.floor(msg.length / 8) + 1) * 8);
  padded.set(msg);
  padded[padded.length - 1] = msg.length & 0xff;
  const view = new DataView(padded.buffer);
  for (let i = 0; i < padded.length; i += 8) {
    const m = view.getBigUint64(i, true);
    v3 ^= m; round(); round(); v0 ^= m;
  }
  v2 ^= 0xffn;
  round(); round(); round(); round();
  return v0 ^ v1 ^ v2 ^ v3;
}

const u64 = (x: bigint) => BigInt.asUintN(64, x);
/** The vector message 00 01 .. (n-1) as little-endian u64 word `i`. */
const word = (i: number) => {
  let w = 0n;
  for (let j = 7; j >= 0; j--) w = (w << 8n) | BigInt(8 * i + j);
  return w;
};

let x: TcpCryptoExports;
let buf: number;

beforeAll(async () => {
  x = (await tcpCrypto(1)).x;
  buf = x.buffer();
  const mem = new Uint8Array(x.memory.buffer);
  for (let i = 0; i < 64; i++) mem[buf + i] = i;
});

describe("SipHash-2-4 reference vectors (key 00..0f, message 00..len-1)", () => {
  test("the BigInt model reproduces all 64 vectors (15 bytes: 0xa129ca6149be45e5, as in the paper)", () => {
    expect(VECTORS[15]).toBe(0xa129ca6149be45e5n);
    for (let len = 0; len < 64; len++) {
      expect(modelSipHash(K0, K1, Uint8Array.from({ length: len }, (_, i) => i)), `${len} bytes`).toBe(VECTORS[len]);
    }
  });

  test.each(VECTORS.map((v, len) => [len, v] as const))("sipHashBytes, %i bytes", (len, v) => {
    expect(u64(x.hashBytes(K0, K1, buf, len))).toBe(v);
  });

  test("sipHash2 (8 bytes as one word) gives the 8-byte vector", () => {
    expect(word(0)).toBe(0x0706050403020100n);
    expect(u64(x.hash2(K0, K1, word(0)))).toBe(0x93f5f5799a932462n);
  });

  test("sipHash4 (16 bytes as two words) gives the 16-byte vector", () => {
    expect(u64(x.hash4(K0, K1, word(0), word(1)))).toBe(0x3f2acc7f57c29bdbn);
  });

  test("sipHash21 (two words and five bytes) gives the 21-byte vector, ignoring w2's top three bytes", () => {
    expect(u64(x.hash21(K0, K1, word(0), word(1), word(2)))).toBe(VECTORS[21]);
    expect(u64(x.hash21(K0, K1, word(0), word(1), word(2) & 0xff_ffff_ffffn))).toBe(VECTORS[21]);
  });

  test("sipHashWords over 0..8 words gives the vectors for 0, 8, .., 64 bytes", () => {
    // 64 bytes needs the message 00..3f, which is the whole buffer prefix.
    for (let n = 0; n < 8; n++) expect(u64(x.hashWords(K0, K1, buf, n))).toBe(VECTORS[8 * n]);
    expect(u64(x.hashWords(K0, K1, buf, 8))).toBe(modelSipHash(K0, K1, Uint8Array.from({ length: 64 }, (_, i) => i)));
  });

  test("a negative word count hashes the empty message instead of trapping", () => {
    expect(u64(x.hashWords(K0, K1, buf, -5))).toBe(VECTORS[0]);
  });
});

describe("SipHash-2-4 against the BigInt model", () => {
  test("300 random keys and messages of 0..200 bytes agree", () => {
    const rnd = prngEntropy(42);
    const big = () => (BigInt(rnd()) << 32n) | BigInt(rnd());
    const mem = new Uint8Array(x.memory.buffer);
    for (let t = 0; t < 300; t++) {
      const k0 = big(), k1 = big();
      const len = rnd() % 201;
      const msg = Uint8Array.from({ length: len }, () => rnd() & 0xff);
      mem.set(msg, buf + 3); // an unaligned start: wasm loads allow it
      expect(u64(x.hashBytes(k0, k1, buf + 3, len)), `trial ${t}, ${len} bytes`).toBe(modelSipHash(k0, k1, msg));
    }
    for (let i = 0; i < 64; i++) mem[buf + i] = i;
  });

  test("the fixed-size forms equal hashing the same little-endian bytes", () => {
    const rnd = prngEntropy(7);
    const big = () => (BigInt(rnd()) << 32n) | BigInt(rnd());
    for (let t = 0; t < 100; t++) {
      const k0 = big(), k1 = big(), w = [big(), big(), big()];
      const bytes = new Uint8Array(24);
      const view = new DataView(bytes.buffer);
      w.forEach((v, i) => view.setBigUint64(8 * i, v, true));
      expect(u64(x.hash2(k0, k1, w[0]))).toBe(modelSipHash(k0, k1, bytes.subarray(0, 8)));
      expect(u64(x.hash4(k0, k1, w[0], w[1]))).toBe(modelSipHash(k0, k1, bytes.subarray(0, 16)));
      expect(u64(x.hash21(k0, k1, w[0], w[1], w[2]))).toBe(modelSipHash(k0, k1, bytes.subarray(0, 21)));
    }
  });

  test("one flipped key bit changes about half of the output bits", () => {
    const base = u64(x.hash4(K0, K1, word(0), word(1)));
    let total = 0;
    for (let b = 0n; b < 64n; b++) {
      const h = u64(x.hash4(K0 ^ (1n << b), K1, word(0), word(1)));
      const diff = (h ^ base).toString(2).replace(/0/g, "").length;
      expect(diff).toBeGreaterThan(12);
      total += diff;
    }
    expect(total / 64).toBeGreaterThan(28);
    expect(total / 64).toBeLessThan(36);
  });
});

describe("module", () => {
  test("imports only the HAL functions of the ABI", async () => {
    const imports = WebAssembly.Module.imports(await tcpCryptoModule());
    const abi = new Set(["spi_select", "spi_transfer", "frame_out", "entropy", "log"]);
    for (const i of imports) {
      expect(i.module).toBe("hal");
      expect(abi.has(i.name), i.name).toBe(true);
    }
    expect(imports.map((i) => i.name)).toContain("entropy");
  });
});
