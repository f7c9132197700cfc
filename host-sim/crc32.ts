/**
 * CRC-32 as Ethernet uses it for the frame check sequence (IEEE 802.3 §3.2.9):
 * reflected polynomial 0xEDB88320, initial value and final XOR 0xFFFFFFFF,
 * transmitted least significant byte first.
 */

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 of `bytes[start, end)`. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The frame followed by its 4-byte FCS. */
export function appendFcs(frame: Uint8Array): Uint8Array {
  const out = new Uint8Array(frame.length + 4);
  out.set(frame);
  const c = crc32(frame);
  out[frame.length] = c & 0xff;
  out[frame.length + 1] = (c >>> 8) & 0xff;
  out[frame.length + 2] = (c >>> 16) & 0xff;
  out[frame.length + 3] = c >>> 24;
  return out;
}

/** True when the last four bytes are the FCS of the rest. */
export function fcsValid(frameWithFcs: Uint8Array): boolean {
  const n = frameWithFcs.length - 4;
  if (n < 0) return false;
  const c = crc32(frameWithFcs, 0, n);
  return (
    frameWithFcs[n] === (c & 0xff) &&
    frameWithFcs[n + 1] === ((c >>> 8) & 0xff) &&
    frameWithFcs[n + 2] === ((c >>> 16) & 0xff) &&
    frameWithFcs[n + 3] === c >>> 24
  );
}
