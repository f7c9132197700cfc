/**
 * Application calls with bad arguments (docs/ABI.md): handles that were
 * never given out or are stale (aborted, or from before a net_init
 * restart), pointer ranges that leave linear memory, ports and addresses
 * no connection may use, unknown config keys. Each must come back with
 * its documented error and touch nothing.
 */
import { Prng } from "../links/faults.js";
import type { App } from "./app.js";
import { CONN_ERRORS, EADDRINUSE, EINVAL, Module } from "./module.js";
import { FuzzFailure, INVALID_SOURCES, LISTEN_PORT } from "./world.js";

const pick = <T>(r: Prng, xs: readonly T[]): T => xs[r.below(xs.length)];

/**
 * A call refused for its handle, with `ptr` anywhere in memory (the
 * stack's own pools included): it may move the api_einval counter, one
 * u32, and write nothing else (docs/ABI.md conventions).
 */
export function refused(m: Module, f: string, args: number[]): string {
  const before = m.memory.slice();
  m.expect(f, args, [EINVAL]);
  const after = m.memory;
  let first = -1, last = -1;
  for (let i = 0; i < after.length; i++) if (after[i] !== before[i]) { if (first < 0) first = i; last = i; }
  if (first >= 0 && last - (first & ~3) >= 4) throw new FuzzFailure(`${f}(${args.join(", ")}) was refused but wrote memory at ${first}..${last}`);
  return `${f}(${args.join(", ")})`;
}

/** Somewhere in memory for `len` bytes, stepped by the call count rather than drawn, so a seed's runs stay as they were. */
const anywhere = (m: Module, len: number): number => (m.calls * 7919) % (m.memBytes - len);

const HANDLE_CALLS = ["tcp_close", "tcp_abort", "tcp_poll", "tcp_state", "tcp_accept"] as const;

/** One call with a bad argument; returns what it was (for the action log). */
export function badCall(r: Prng, m: Module, app: App): string {
  const mem = m.memBytes;
  const bad = pick(r, [0, -1, -100, 0x7fffffff, -0x80000000, ...app.stale.slice(-8)]);
  const ranges: [number, number][] = [[mem, 1], [mem - 1, 2], [-1, 4], [0x7fffffff, 16], [mem - 100, 200], [m.scratch, -1]];
  const [ptr, len] = pick(r, ranges);
  const live = [...app.conns.keys()];
  const conn = live.length ? pick(r, live) : bad;
  switch (r.below(9)) {
    case 0: m.expect("tcp_send", [bad, m.scratch, 10], [EINVAL]); return `tcp_send(${bad})`;
    case 1: return refused(m, "tcp_recv", [bad, anywhere(m, 16), 16]);
    case 2: { const f = pick(r, HANDLE_CALLS); m.expect(f, [bad], [EINVAL]); return `${f}(${bad})`; }
    case 3: return refused(m, "tcp_status", [bad, anywhere(m, 96)]);
    case 4: m.expect("tcp_send", [conn, ptr, len], [EINVAL, ...CONN_ERRORS]); return `tcp_send(${conn}, ${ptr}, ${len})`;
    case 5: m.expect("tcp_recv", [conn, ptr, len], [EINVAL, ...CONN_ERRORS]); return `tcp_recv(${conn}, ${ptr}, ${len})`;
    case 6: {
      const f = pick(r, ["tcp_status", "tcp_list", "net_stats", "net_input"] as const);
      const args = f === "tcp_status" ? [conn, mem - 8] : f === "tcp_list" ? [mem - 30, 4] : f === "net_stats" ? [mem - 4] : [ptr, len];
      m.expect(f, args, [EINVAL]);
      return `${f}(${args.join(", ")})`;
    }
    case 7: {
      const [ip, port] = pick(r, [[pick(r, INVALID_SOURCES), 80], [0x0a00000a, 0], [0x0a00000a, 65536], [0x0a00000a, -1]]);
      m.expect("tcp_connect", [ip | 0, port], [EINVAL]);
      return `tcp_connect(${ip >>> 0}, ${port})`;
    }
    default: {
      const [f, args, want] = pick(r, [["tcp_listen", [0, 4], EINVAL], ["tcp_listen", [65536, 4], EINVAL], ["tcp_listen", [LISTEN_PORT, 4], EADDRINUSE],
        ["net_config", [999, 1], EINVAL], ["net_config", [0, 99], EINVAL]] as [string, number[], number][]);
      m.expect(f, args, [want]);
      return `${f}(${args.join(", ")})`;
    }
  }
}
