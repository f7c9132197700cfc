// Diagnostic lines: a message (a string literal: static data, no
// allocation) narrowed to ASCII, with an optional decimal number, in one
// static line buffer. hal.ts hands the line to the host.

// @ts-ignore: decorator
@inline const LINE_MAX: i32 = 120;
/** The line buffer formatLine() writes (@lazy: placed above the hot statics, see netif.ts). */
// @ts-ignore: decorator
@lazy export const LINE = memory.data(LINE_MAX);

/**
 * Write `msg`, then " n" when `n` >= 0, into LINE; returns the length.
 * `n` is a u32 or -1 (an i64 holds both); its digits are made in 32 bits,
 * which on a 32-bit MCU is a divide instruction, not a library call.
 */
export function formatLine(msg: string, n: i64 = -1): i32 {
  let len = min(msg.length, LINE_MAX - 21);
  for (let i = 0; i < len; i++) {
    const c = msg.charCodeAt(i);
    store<u8>(LINE + <usize>i, c < 0x80 ? <u8>c : 0x3f);
  }
  if (n >= 0) {
    store<u8>(LINE + <usize>len, 0x20);
    len++;
    let digits = 1;
    for (let t = <u32>n; t >= 10; t /= 10) digits++;
    let v = <u32>n;
    for (let d = digits - 1; d >= 0; d--) {
      store<u8>(LINE + <usize>(len + d), <u8>(0x30 + <i32>(v % 10)));
      v /= 10;
    }
    len += digits;
  }
  return len;
}
