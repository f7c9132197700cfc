/**
 * Bulk transfers between Linux and a board through a TAP in the test's own
 * namespace: 10 MiB into discard and 10 MiB out of chargen, compared by
 * SHA-256, both at once (they use opposite directions of the wire).
 */
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ChargenServer, chargenStream, DiscardServer } from "../host-sim/apps/index.js";
import { boardBehindTap, BOARD_IP, interopGate, type Rig } from "./helpers/interop.js";

const run = interopGate(["nc"]);
const MIB10 = 10 * 1024 * 1024;

describe.runIf(run)("interop: 10 MiB each way", () => {
  let rig: Rig;
  let discard: DiscardServer;
  beforeAll(async () => {
    discard = new DiscardServer();
    rig = await boardBehindTap({ apps: [discard, new ChargenServer()], config: { msl_ms: 1000 } });
  });
  afterAll(async () => { await rig?.teardown(); });

  test("10 MiB to discard and 10 MiB from chargen, SHA-256 equal on both ends", async () => {
    const data = randomBytes(MIB10);
    const started = Date.now();
    const [toDiscard, fromChargen] = await Promise.all([
      rig.ns.exec(["nc", "-N", "-w", "30", BOARD_IP, "9"], { input: data, timeoutMs: 100_000 }),
      rig.ns.exec(["sh", "-c", `nc -d -w 30 ${BOARD_IP} 19 | head -c ${MIB10} | sha256sum`], { timeoutMs: 100_000 }),
    ]);
    const secs = (Date.now() - started) / 1000;
    console.log(`10 MiB each way in ${secs.toFixed(1)} s (${(MIB10 / 1e6 / secs).toFixed(2)} MB/s each way)`);
    expect(toDiscard.timedOut).toBe(false);
    expect(fromChargen.timedOut).toBe(false);
    expect(fromChargen.stdout.toString().split(" ")[0]).toBe(createHash("sha256").update(chargenStream(MIB10)).digest("hex"));
    const deadline = Date.now() + 5000;
    while (discard.digests.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(discard.digests).toEqual([{ bytes: MIB10, sha256: createHash("sha256").update(data).digest("hex") }]);
    expect(rig.board.failure).toBeNull();
  }, 120_000);
});
