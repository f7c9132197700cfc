/*
 * entropy.c - 32 bits at a time from the seed, a counter and the timing
 * pool (entropy.h). The mixer is two rounds of an add-rotate-xor
 * permutation keyed by the seed, then a 32-bit finaliser with full
 * avalanche: every output bit depends on every input bit.
 */
#include "entropy.h"

static uint32_t rotl(uint32_t x, uint32_t r) { return (x << r) | (x >> (32u - r)); }

void entropy_init(struct entropy *e, const volatile uint32_t seed[4]) {
  for (int i = 0; i < 4; i++) e->key[i] = seed[i];
  e->counter = 0;
}

uint32_t entropy_next(struct entropy *e) {
  uint32_t a = e->key[0] ^ ++e->counter, b = e->key[1] ^ e->jitter, c = e->key[2], d = e->key[3];
  for (int round = 0; round < 2; round++) {
    a += b; d = rotl(d ^ a, 16);
    c += d; b = rotl(b ^ c, 12);
    a += b; d = rotl(d ^ a, 8);
    c += d; b = rotl(b ^ c, 7);
  }
  uint32_t x = a ^ b ^ c ^ d;
  x ^= x >> 16; x *= 0x7FEB352Du;
  x ^= x >> 15; x *= 0x846CA68Bu;
  x ^= x >> 16;
  /* Feed the output back so the stream moves on even without new timing. */
  e->key[0] ^= x;
  return x;
}
