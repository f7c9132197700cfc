/*
 * entropy.h - the hal entropy import on a board without a random number
 * generator. QEMU's MPS2 has no TRNG, so the bits come from a 128-bit seed
 * the host writes into the image for each boot (from its own CSPRNG, see
 * config.h), stirred with the arrival times of UART bytes, through a
 * keyed mixer. Quality: as unpredictable as the seed, and no better; with
 * the default (zero) seed the stream depends only on timing and is
 * guessable. A real board reads a hardware TRNG instead (STM32 RNG, nRF
 * RNG, SAM TRNG, RP2040 ROSC): see docs/EMBEDDING.md.
 */
#ifndef ENTROPY_H
#define ENTROPY_H

#include <stdint.h>

struct entropy {
  uint32_t key[4];
  uint32_t counter;
  volatile uint32_t jitter; /* stirred by the UART interrupt */
};

void entropy_init(struct entropy *e, const volatile uint32_t seed[4]);
/** Mix an event's timestamp into the pool (cheap enough for an ISR). */
static inline void entropy_stir(struct entropy *e, uint32_t stamp) {
  e->jitter = ((e->jitter << 7) | (e->jitter >> 25)) ^ stamp;
}
uint32_t entropy_next(struct entropy *e);

#endif /* ENTROPY_H */
