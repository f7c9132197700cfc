/**
 * A build with EMBER_CONGESTION_CONTROL=0 (assembly/config.ts): the sender
 * is bounded by the peer's window alone, as smoltcp runs by default, so
 * `npm run bench:netsim` can measure both stacks under the same rules
 * (docs/TCP.md "Without congestion control"). The default build keeps the
 * initial window and RFC 5681's loss window; the same packets show both.
 * test/netsim.test.ts moves a lossy transfer byte-exact through both builds.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { compileAssemblyScript } from "../host-sim/asc.js";
import { type Conn, activeEstablished, advance, expectReplies, type Board } from "./helpers/tcp-harness.js";
import { PSH, pattern, seqAdd } from "./helpers/tcp-packets.js";

const M = 536;

let noControl: WebAssembly.Module;
beforeAll(async () => {
  const wasm = await compileAssemblyScript("assembly/index.ts", { args: ["--use", "EMBER_CONGESTION_CONTROL=0"] });
  noControl = new WebAssembly.Module(wasm);
}, 120_000);

/** Board → peer, peer MSS 536: the application fills the 4 KiB send ring. */
function filled(module?: WebAssembly.Module): { b: Board; c: Conn; data: Uint8Array; seg: (k: number) => object } {
  const { b, c } = activeEstablished({ peerMss: M, module });
  const data = pattern(4096, 7);
  c.appWrites(data);
  const seg = (k: number) => {
    const end = Math.min((k + 1) * M, data.length);
    return c.reply({ seq: seqAdd(c.sndNxt, k * M), payload: data.subarray(k * M, end), ...(end === data.length ? { flags: PSH | 0x10 } : {}) });
  };
  return { b, c, data, seg };
}

const all = (seg: (k: number) => object) => Array.from({ length: Math.ceil(4096 / M) }, (_, k) => seg(k));

describe("built without congestion control (EMBER_CONGESTION_CONTROL=0)", () => {
  test("the default build sends the initial window, 4 segments of 536 (RFC 5681 §3.1); without congestion control the whole 4 KiB ring goes at once, 7 segments and the 344-byte tail, within the peer's window", () => {
    const d = filled();
    expectReplies(d.b, [d.seg(0), d.seg(1), d.seg(2), d.seg(3)]);
    const n = filled(noControl);
    expectReplies(n.b, all(n.seg));
  });

  test("a retransmission timeout: the default build resends one segment (RFC 5681 §3.1 loss window); without congestion control it resends everything unacknowledged that the peer's window allows", () => {
    const d = filled();
    expectReplies(d.b, [d.seg(0), d.seg(1), d.seg(2), d.seg(3)]);
    advance(d.b, d.c.status().rto_ms);
    expectReplies(d.b, [d.seg(0)]);
    const n = filled(noControl);
    expectReplies(n.b, all(n.seg));
    advance(n.b, n.c.status().rto_ms);
    expectReplies(n.b, all(n.seg));
    expect(n.b.stack.stats().tcp_retransmits).toBe(1);
  });
});
