// SipHash-2-4, the keyed pseudo-random function of Aumasson & Bernstein,
// "SipHash: a fast short-input PRF" (INDOCRYPT 2012), with 64-bit output.
// It is the F of RFC 6528 ISNs (tcp/isn.ts), of RFC 6056 port offsets
// (tcp/ports.ts), the MAC of SYN cookies (tcp/cookie.ts) and the source of
// unpredictable IPv4 identifications (ip/ipv4.ts), so it sits below both
// layers.
//
// The key is 128 bits given as two u64 words: k0 = key bytes 0..7 and
// k1 = key bytes 8..15, both little-endian (paper §2). Messages are bytes in
// linear memory; wasm loads are little-endian, which is exactly how the paper
// reads message words m_i. The callers hash a few fixed-size words, so the
// fixed-size entry points (sipHash2/4: 2 or 4 u32 lanes = 8 or 16 bytes;
// sipHash21: 21 bytes) put the words into a static block and run the one core. No
// allocation; nothing here can trap.
//
// Checked against the reference vectors of the paper's appendix (key
// 00 01 .. 0f, message 00 01 .. of every length 0..63) in
// test/tcp-crypto-siphash.test.ts.

// Initial-state constants, "somepseudorandomlygeneratedbytes" (paper §2.1).
// @ts-ignore: decorator
@inline const IV0: u64 = 0x736f6d6570736575;
// @ts-ignore: decorator
@inline const IV1: u64 = 0x646f72616e646f6d;
// @ts-ignore: decorator
@inline const IV2: u64 = 0x6c7967656e657261;
// @ts-ignore: decorator
@inline const IV3: u64 = 0x7465646279746573;

/** SipRounds per message block (the "2" of SipHash-2-4). */
// @ts-ignore: decorator
@inline const C_ROUNDS: i32 = 2;
/** SipRounds of finalisation (the "4"). */
// @ts-ignore: decorator
@inline const D_ROUNDS: i32 = 4;

// Message block for the fixed-size entry points (2 words).
const words = memory.data(16);

/**
 * SipHash-2-4 of `len` bytes at `ptr` under key (k0, k1).
 *
 * Paper §2.2: the message is cut into 8-byte little-endian words; the last
 * word holds the 0..7 remaining bytes and, in its top byte, len mod 256.
 */
export function sipHashBytes(k0: u64, k1: u64, ptr: usize, len: usize): u64 {
  const tail = ptr + (len & ~7);
  let last: u64 = 0;
  for (let j: usize = 0; j < (len & 7); j++) last |= <u64>load<u8>(tail + j) << (<u64>j << 3);
  return sipHashTail(k0, k1, ptr, len, last);
}

/**
 * SipHash-2-4 of a `len`-byte message whose whole words (len >> 3 of them)
 * are at `ptr` and whose last len & 7 bytes are the low bytes of `last`
 * (little-endian; its higher bytes must be zero). A caller with a short tail
 * in a register hands it over here instead of storing and reloading it byte
 * by byte.
 *
 * Each word m is absorbed as v3 ^= m, c SipRounds, v0 ^= m; finalisation is
 * v2 ^= 0xff, d SipRounds, and the result v0 ^ v1 ^ v2 ^ v3 (paper §2.2).
 */
function sipHashTail(k0: u64, k1: u64, ptr: usize, len: usize, last: u64): u64 {
  let v0 = k0 ^ IV0;
  let v1 = k1 ^ IV1;
  let v2 = k0 ^ IV2;
  let v3 = k1 ^ IV3;
  const full = len >> 3;
  // Steps 0..full-1 absorb whole words, step `full` the length word, step
  // full+1 is finalisation (it absorbs m = 0, which changes nothing). One
  // round body for all three keeps the code small.
  for (let i: usize = 0; i <= full + 1; i++) {
    let m: u64 = 0;
    let rounds = C_ROUNDS;
    if (i < full) {
      m = load<u64>(ptr + (i << 3));
    } else if (i == full) {
      m = last | (<u64>(len & 0xff) << 56);
    } else {
      v2 ^= 0xff;
      rounds = D_ROUNDS;
    }
    v3 ^= m;
    for (let r = 0; r < rounds; r++) {
      // SipRound (paper §2.1, figure 2.1).
      v0 += v1; v1 = rotl<u64>(v1, 13); v1 ^= v0; v0 = rotl<u64>(v0, 32);
      v2 += v3; v3 = rotl<u64>(v3, 16); v3 ^= v2;
      v0 += v3; v3 = rotl<u64>(v3, 21); v3 ^= v0;
      v2 += v1; v1 = rotl<u64>(v1, 17); v1 ^= v2; v2 = rotl<u64>(v2, 32);
    }
    v0 ^= m;
  }
  return v0 ^ v1 ^ v2 ^ v3;
}

/** SipHash-2-4 of the `nWords` u64 words (8·nWords bytes) at `ptr`. */
export function sipHashWords(k0: u64, k1: u64, ptr: usize, nWords: i32): u64 {
  return sipHashBytes(k0, k1, ptr, <usize>max(nWords, 0) << 3);
}

/** SipHash-2-4 of the 8 bytes of w0 (little-endian): two u32 lanes. */
export function sipHash2(k0: u64, k1: u64, w0: u64): u64 {
  store<u64>(words, w0);
  return sipHashTail(k0, k1, words, 8, 0);
}

/** SipHash-2-4 of the 16 bytes w0 ‖ w1 (each little-endian): four u32 lanes. */
export function sipHash4(k0: u64, k1: u64, w0: u64, w1: u64): u64 {
  store<u64>(words, w0);
  store<u64>(words, w1, 8);
  return sipHashTail(k0, k1, words, 16, 0);
}

/**
 * SipHash-2-4 of the 21 bytes w0 ‖ w1 ‖ the low five bytes of w2 (each
 * little-endian). Two SipRounds cheaper than 24 bytes: the five bytes ride in
 * the length word instead of a block of their own.
 */
export function sipHash21(k0: u64, k1: u64, w0: u64, w1: u64, w2: u64): u64 {
  store<u64>(words, w0);
  store<u64>(words, w1, 8);
  return sipHashTail(k0, k1, words, 21, w2 & 0xff_ffff_ffff);
}
