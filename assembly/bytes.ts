// Network byte order (RFC 791 appendix B: big-endian) for 16-bit fields.
// Wasm loads and stores are little-endian, so every 16-bit header field
// is swapped on its way in and out. Written with the low byte masked
// and inlined, the swap is a pattern C compilers turn into one instruction
// (Arm rev16, an x86 rotate); the library's bswap<u16>, a function whose
// result is masked only by its callers, was compiled as written at each
// of its fifty call sites. Through wasm2c the change saved 44 instructions
// per flooding SYN on the Cortex-M4, 21 on x86-64 and 66 bytes of Thumb-2
// code; inlined, it costs the wasm module about 460 bytes. A 32-bit bswap
// shifted down did better on x86-64 but worse on the Cortex-M4 (+24
// instructions per SYN), and an out-of-line swap16 was not inlined by
// arm-none-eabi-gcc -Os (+79).

/** `x` with its two bytes exchanged. */
// @ts-ignore: decorator
@inline export function swap16(x: u16): u16 {
  return <u16>(((<u32>x & 0xff) << 8) | (<u32>x >>> 8));
}
