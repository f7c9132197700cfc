/**
 * The SYN flood (RFC 4987 §2: spoofed SYNs from addresses that never
 * answer fill the listener's queue until real SYNs are dropped): a server built with TCB_COUNT 4 and a listener with backlog
 * 4 takes 100,000 SYNs from random spoofed sources and ports, interleaved
 * with 100 real clients on the same in-process network, each of which
 * connects, exchanges 1 KiB and closes. All 100 must succeed, no live
 * connection may be reset, the server's memory and SYN-queue occupancy must
 * stay bounded, and once the flood stops the queue must drain within the
 * half-open lifetime (63 s with the defaults).
 */
import { beforeAll, describe, expect, test } from "vitest";
import { FLOOD_SYN_QUEUE, type FloodResult, floodServerModule, runFlood } from "../bench/flood-scenario.js";

/** Half-open lifetime with synack_rto_ms 1000 and synack_retries 5: 1+2+4+8+16+32 s. */
const LIFETIME_MS = 63_000;

let mod: WebAssembly.Module;
beforeAll(async () => { mod = await floodServerModule(); }, 120_000);

describe("SYN flood with TCB_COUNT 4 and backlog 4 (syncookies 1, the default)", () => {
  let r: FloodResult;
  beforeAll(() => {
    r = runFlood({ serverModule: mod, floodSyns: 100_000, floodRate: 1000, clients: 100, clientSpacingMs: 1000, seed: 4 });
  }, 120_000);

  test("all 100 real clients connect, get their 1 KiB echoed byte for byte and close", () => {
    expect(r.clients.filter((c) => !c.ok).map((c) => c.error)).toEqual([]);
    expect(r.clients).toHaveLength(100);
  });

  test("the flood really happened: 100,000 spoofed SYNs counted, the queue overflowed and cookies carried the clients", () => {
    expect(r.floodSyns).toBe(100_000);
    expect(r.serverStats.syn_rx).toBeGreaterThanOrEqual(100_100);
    expect(r.serverStats.synq_overflows).toBeGreaterThan(90_000);
    expect(r.serverStats.cookies_sent).toBe(r.serverStats.synq_overflows);
    expect(r.serverStats.cookies_accepted + r.serverStats.tcp_passive_opens).toBeGreaterThanOrEqual(100);
    expect(r.serverStats.tcp_passive_opens).toBe(100);
  });

  test("no live connection is ever reset: no RST to a real client, no established reset, no accept-queue overflow", () => {
    expect(r.rstsToClients).toBe(0);
    expect(r.serverStats.tcp_established_resets).toBe(0);
    expect(r.serverStats.acceptq_overflows).toBe(0);
  });

  test("memory stays fixed and the SYN queue never holds more than its 16 entries (full during the flood)", () => {
    expect(r.memoryAfter).toBe(r.memoryBefore);
    expect(r.maxHalfOpen).toBe(FLOOD_SYN_QUEUE);
  });

  test("after the last spoofed SYN the SYN queue drains within the half-open lifetime (63 s)", () => {
    expect(Number.isNaN(r.drainedAtMs)).toBe(false);
    expect(r.drainedAtMs - r.floodEndMs).toBeLessThanOrEqual(LIFETIME_MS);
    expect(r.serverStats.synq_expired).toBeGreaterThan(0);
  });
});

describe("the same flood with syncookies 0", () => {
  test("the SYN queue stays bounded and full of spoofed entries; SYNs beyond it are dropped and counted; memory fixed; no live connection reset", () => {
    const r = runFlood({ serverModule: mod, floodSyns: 20_000, floodRate: 1000, clients: 5, clientSpacingMs: 3000, syncookies: 0, seed: 5, clientDeadlineMs: 30_000 });
    expect(r.maxHalfOpen).toBe(FLOOD_SYN_QUEUE);
    expect(r.serverStats.cookies_sent).toBe(0);
    expect(r.serverStats.synq_overflows).toBeGreaterThan(19_000);
    expect(r.memoryAfter).toBe(r.memoryBefore);
    expect(r.rstsToClients).toBe(0);
    expect(r.serverStats.tcp_established_resets).toBe(0);
    // Without cookies the real clients compete with the flood for queue slots (the failure mode RFC 4987 §2 describes).
    expect(r.clients.filter((c) => c.ok).length).toBeLessThan(5);
  }, 60_000);
});
