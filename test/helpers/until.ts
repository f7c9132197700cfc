/**
 * Poll `cond` every 10 ms for up to `ms` ms of real time: true as soon as
 * it holds, false once the time is up. `cond` runs once per poll and never
 * again after it holds, so it may consume what it finds (a DNS result).
 */
export async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (cond()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
}
