/**
 * The netsim bench's harness (bench/netsim.ts): two instances through the
 * ABI over a lossy 50 ms path deliver the stream byte-exact, with and
 * without congestion control (the two tables it prints), the seeded loss
 * is repeatable, and a bad option is one line and exit status 2.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { projectRoot } from "../host-sim/paths.js";
import { netsimModule, patternByte, runNetsim } from "../bench/netsim.js";

/** 256 KiB through 5 % loss each way with 4 KiB rings, twice with the same seed: byte-exact, losses repaired, the same run. */
async function byteExactAndRepeatable(extra: string[]): Promise<void> {
  const module = await netsimModule(4096, extra);
  let at = 0, bad = -1;
  const run = () => runNetsim({ module, loss: 0.05, bytes: 256 * 1024, seed: 3 });
  const r = runNetsim({
    module, loss: 0.05, bytes: 256 * 1024, seed: 3,
    onData: (d) => { for (const x of d) { if (bad < 0 && x !== patternByte(at)) bad = at; at++; } },
  });
  expect(bad).toBe(-1);
  expect(at).toBe(256 * 1024);
  expect(r.framesLost).toBeGreaterThan(0);
  expect(r.senderStats.tcp_fast_retransmits + r.senderStats.tcp_retransmits).toBeGreaterThan(0);
  const again = run();
  expect(again.ms).toBe(r.ms);
  expect(again.framesLost).toBe(r.framesLost);
}

describe("netsim harness", () => {
  test("256 KiB through 5 % loss each way with 4 KiB rings arrive in order and byte-exact; the same seed gives the same run", async () => {
    await byteExactAndRepeatable([]);
  }, 60_000);

  test("the same built without congestion control (EMBER_CONGESTION_CONTROL=0, the bench's second table)", async () => {
    await byteExactAndRepeatable(["--use", "EMBER_CONGESTION_CONTROL=0"]);
  }, 60_000);

  test("an unknown option → one line on stderr and exit status 2", () => {
    const p = spawnSync(process.execPath, [join(projectRoot(), "dist/bench/netsim.js"), "--bogus"], { encoding: "utf8" });
    expect(p.status).toBe(2);
    expect(p.stdout).toBe("");
    expect(p.stderr.trim().split("\n")).toHaveLength(1);
    expect(p.stderr).toMatch(/unknown option --bogus/);
  });
});
