// Domain names (RFC 1035 §2.3.1, §3.1, §4.1.4): checking a host name the
// application gives, encoding it as labels, and decoding a (possibly
// compressed) name out of an answer. Decoding trusts nothing: every label
// length and pointer is checked against the packet, a pointer must point
// before the name that uses it (so pointers cannot loop), label types 01
// and 10 are rejected, and a name longer than 255 bytes is an error.
// Names are kept in wire form, lower-cased, so comparisons are byte-wise.

// @ts-ignore: decorator
@inline export const NAME_MAX: i32 = 255;
// @ts-ignore: decorator
@inline const LABEL_MAX: i32 = 63;
// @ts-ignore: decorator
@inline const TEXT_MAX: i32 = 253;

// @ts-ignore: decorator
@inline function lower(c: u8): u8 { return c >= 0x41 && c <= 0x5a ? c | 0x20 : c; }

// @ts-ignore: decorator
@inline function ldh(c: u8): bool {
  return (c >= 0x30 && c <= 0x39) || (lower(c) >= 0x61 && lower(c) <= 0x7a) || c == 0x2d;
}

/**
 * Encode the host name `len` bytes at `p` into `out` as lower-case labels
 * ending with the root; its length, or -1 when it is not a valid host name
 * (RFC 1123 §2.1: letters, digits, hyphens; labels 1..63, at most 253
 * characters, one trailing dot allowed).
 */
export function encodeName(p: usize, len: i32, out: usize): i32 {
  if (len > 0 && load<u8>(p + <usize>(len - 1)) == 0x2e) len--;
  if (len < 1 || len > TEXT_MAX) return -1;
  let labelAt = 0;
  let w = 1;
  for (let i = 0; i <= len; i++) {
    const c: u8 = i < len ? load<u8>(p + <usize>i) : 0x2e;
    if (c == 0x2e) {
      const l = w - labelAt - 1;
      if (l < 1 || l > LABEL_MAX) return -1;
      store<u8>(out + <usize>labelAt, <u8>l);
      labelAt = w;
      w++;
      continue;
    }
    if (!ldh(c)) return -1;
    store<u8>(out + <usize>w, lower(c));
    w++;
  }
  store<u8>(out + <usize>labelAt, 0);
  return w;
}

let nameEnd: i32 = 0;

/** Where the name decoded last ended in the packet (the next field's offset). */
export function decodedEnd(): i32 { return nameEnd; }

/**
 * Decode the name at offset `off` of the `len`-byte packet `pkt` into
 * `out` (wire form, lower case); its length, or -1 when malformed. Sets
 * decodedEnd() to the offset after the name as it appears at `off`.
 */
export function decodeName(pkt: usize, len: i32, off: i32, out: usize): i32 {
  let i = off;
  let w = 0;
  let limit = off; // a pointer must go below this
  nameEnd = -1;
  for (;;) {
    if (i >= len) return -1;
    const l = <i32>load<u8>(pkt + <usize>i);
    if ((l & 0xc0) == 0xc0) {
      if (i + 1 >= len) return -1;
      const target = ((l & 0x3f) << 8) | <i32>load<u8>(pkt + <usize>(i + 1));
      if (nameEnd < 0) nameEnd = i + 2;
      if (target >= limit) return -1; // forward or self pointer: a loop or garbage
      limit = target;
      i = target;
      continue;
    }
    if ((l & 0xc0) != 0) return -1; // RFC 6891 extended label types: not for names we take
    if (w + 1 + l > NAME_MAX) return -1;
    if (l == 0) {
      store<u8>(out + <usize>w, 0);
      if (nameEnd < 0) nameEnd = i + 1;
      return w + 1;
    }
    if (i + 1 + l > len) return -1;
    store<u8>(out + <usize>w, <u8>l);
    for (let k = 1; k <= l; k++) store<u8>(out + <usize>(w + k), lower(load<u8>(pkt + <usize>(i + k))));
    w += 1 + l;
    i += 1 + l;
  }
  return -1;
}

/** Two wire-form names are equal (both already lower-cased). */
export function sameName(a: usize, aLen: i32, b: usize, bLen: i32): bool {
  if (aLen != bLen) return false;
  return memory.compare(a, b, <usize>aLen) == 0;
}

/** `len` bytes at `p` are a dotted quad; its address, or 0 when not one. */
export function parseDottedQuad(p: usize, len: i32): u32 {
  let addr: u32 = 0;
  let part: u32 = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i <= len; i++) {
    const c: u8 = i < len ? load<u8>(p + <usize>i) : 0x2e;
    if (c == 0x2e) {
      if (digits == 0 || part > 255) return 0;
      addr = (addr << 8) | part;
      part = 0;
      digits = 0;
      dots++;
      continue;
    }
    if (c < 0x30 || c > 0x39 || digits == 3) return 0;
    part = part * 10 + <u32>(c - 0x30);
    digits++;
  }
  return dots == 4 ? addr : 0;
}
