// Argument checks shared by the exported calls (index.ts and exports/):
// pointers from the host are checked against linear memory, and every
// EINVAL an export returns is counted (API_EINVAL).

import { EINVAL } from "./errors";
import { Stat, count } from "./stats";

/** `len` bytes at `ptr` lie inside linear memory (no wrap-around). */
export function validRange(ptr: usize, len: i32): bool {
  if (len < 0) return false;
  const end = ptr + <usize>len;
  return end >= ptr && end <= (<usize>memory.size() << 16);
}

/** EINVAL, counted. */
export function invalid(): i32 {
  count(Stat.API_EINVAL);
  return EINVAL;
}

/** Pass a call's result through, counting an EINVAL (bad or stale handle) like our own checks. */
export function counted(r: i32): i32 {
  if (r == EINVAL) count(Stat.API_EINVAL);
  return r;
}
