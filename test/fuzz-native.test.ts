/**
 * Coverage-guided fuzzing of the module's wasm2c C (ports/fuzz, libFuzzer
 * with AddressSanitizer and UndefinedBehaviorSanitizer): the seed corpus
 * and every input that once failed (ports/fuzz/regressions) replay clean,
 * the seeds still reach what they are named for, and a fuzzing run (60 s
 * in CI, 10 s elsewhere) finds no trap, sanitizer report or bad frame.
 *
 * Regressions kept here:
 *   tcp-status-pointer-past-the-statics.bin: tcp_status with an out_ptr
 *   between the end of the statics and the end of the last declared page.
 *   The module's own check (against memory.size) let it through and the
 *   native runtime, whose memory ends at the statics, trapped; the runtime
 *   now refuses such a range before the call (ports/runtime/embertcp-rt.c),
 *   so the caller gets EINVAL as on any runtime.
 *
 *   hash-chain-walk-hang.bin: tcp_status with a random handle and an
 *   out_ptr that fell on the 4-tuple hash chains (in the native runtime
 *   every in-range pointer is in the module's statics). The record was
 *   cleared before the handle was checked, so the call returned EINVAL
 *   having zeroed the chain links (and the free and in-use lists beside
 *   them): TCB 0, the one hashed connection, linked to itself, and
 *   tcbLookup walked that chain for ever. tcp_status now checks the
 *   handle first (test/tcp-calls.test.ts); the walks stay bounded by the
 *   pool size, since a host can still write anywhere in the module's
 *   memory through a good handle.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { projectRoot } from "../host-sim/paths.js";

// @ts-expect-error: the fuzz script is plain JavaScript
const fuzz = await import("../scripts/fuzz.mjs");
const why: string | null = fuzz.fuzzUnavailable();
if (why && !process.env.CI) console.warn(`skipping fuzz tests: ${why} (they run in CI, which must provide it)`);
const SECONDS = process.env.CI ? 60 : 10;

/** The target's trace of one input: a line per frame the module sent. */
function trace(name: string): string[] {
  const r = spawnSync(fuzz.FUZZ_EXE, [join(projectRoot(), "ports/fuzz/corpus", name)], { encoding: "utf8", env: { ...process.env, EMBERTCP_FUZZ_TRACE: "1" } });
  expect(r.status).toBe(0);
  return r.stderr.split("\n").filter((l) => l.startsWith("out "));
}

describe.runIf(!why || process.env.CI)("fuzzing the wasm2c C", () => {
  beforeAll(async () => { await fuzz.buildFuzz(); }, 300_000);

  test("every seed and every kept crash input replays with no failure", () => {
    const inputs: string[] = fuzz.keptInputs();
    expect(inputs.some((f) => f.includes("/regressions/"))).toBe(true);
    const r = fuzz.runFuzz({ replay: true });
    expect(r.output).not.toMatch(/ERROR|embertcp fuzz:/);
    expect(r.status).toBe(0);
  }, 60_000);

  test("the seeds reach a handshake, a transfer, an HTTP answer and a close", () => {
    const echo = trace("echo-handshake-transfer-close.bin");
    expect(echo.some((l) => / flags 12 /.test(l))).toBe(true); // SYN-ACK
    expect(echo.some((l) => / flags 18 .* len 720$/.test(l))).toBe(true); // the echo of 720 bytes
    expect(echo.some((l) => / flags 19 /.test(l))).toBe(true); // FIN after the peer's
    expect(trace("http-get.bin").some((l) => l.endsWith("(HTTP answer)"))).toBe(true);
    expect(trace("active-open-send-close.bin")[2]).toMatch(/flags 02 /); // our SYN after ARP
    expect(trace("ping.bin").at(-1)).toMatch(/^out icmp/);
  });

  test(`${SECONDS} s of fuzzing find no trap, sanitizer report or bad frame`, () => {
    const r = fuzz.runFuzz({ seconds: SECONDS });
    if (r.status !== 0) console.log(r.output.split("\n").slice(-60).join("\n"));
    expect(r.status).toBe(0);
    expect(r.output).toMatch(/Done \d+ runs in \d+ second/);
  }, (SECONDS + 180) * 1000);
});
