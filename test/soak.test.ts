/**
 * The fault soak (host-sim/soak) for one simulated hour: echo transfers
 * short and long between ENC28J60-model boards on a switch whose cables
 * drop, corrupt, duplicate, reorder and delay frames, SYN floods, TX
 * wedges, receive-overflow bursts and link flaps. `npm run soak` runs the
 * day.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, test } from "vitest";
import { soak } from "../host-sim/soak/run.js";

describe("fault soak", () => {
  test("one simulated hour: every transfer byte-exact, nothing leaked, memory flat, counters consistent", () => {
    const r = soak({ hours: 1, seed: 1 });
    expect(r.problems).toEqual([]);
    const i = r.injected;
    // Every kind of injection happened, so the hour tested what it says.
    for (const k of ["shortTransfers", "longTransfers", "floods", "txWedges", "rxOverflowBursts", "linkFlaps"] as const) expect(i[k], k).toBeGreaterThan(0);
    for (const k of ["dropped", "corrupted", "duplicated", "reordered", "delayed"]) expect(r.cableFaults[k], k).toBeGreaterThan(0);
    expect(r.load.completed).toBeGreaterThan(1000);
    expect(r.load.longCompleted).toBeGreaterThan(0);
    expect(r.load.corrupt).toBe(0);
  }, 240_000);

  test("a wrong command line is one line on stderr and exit 2", () => {
    for (const args of [["--hours", "0"], ["--hours", "x"], ["--bogus"]]) {
      const r = spawnSync(process.execPath, ["dist/host-sim/soak/main.js", ...args], { encoding: "utf8" });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^soak: [^\n]+\n?$/);
    }
  });
});
