// Diagnostic lines to hal.log. Messages are string literals (static data,
// no allocation); they are narrowed to ASCII into one static line buffer.

import { log } from "./hal";

// @ts-ignore: decorator
@inline const LINE_MAX: i32 = 120;
const line = memory.data(LINE_MAX);

/** Log an ASCII message, followed by a decimal number when `n` is given (>= 0 shown). */
export function logLine(level: i32, msg: string, n: i64 = -1): void {
  let len = min(msg.length, LINE_MAX - 21);
  for (let i = 0; i < len; i++) {
    const c = msg.charCodeAt(i);
    store<u8>(line + <usize>i, c < 0x80 ? <u8>c : 0x3f);
  }
  if (n >= 0) {
    store<u8>(line + <usize>len, 0x20);
    len++;
    let digits = 1;
    for (let t = n; t >= 10; t /= 10) digits++;
    let v = n;
    for (let d = digits - 1; d >= 0; d--) {
      store<u8>(line + <usize>(len + d), <u8>(0x30 + <i32>(v % 10)));
      v /= 10;
    }
    len += digits;
  }
  log(level, line, len);
}
