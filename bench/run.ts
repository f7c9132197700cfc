/**
 * `npm run bench`: every benchmark, printing figures one a line. Nothing
 * here passes or fails on speed; the numbers are for reading. Run from the
 * package root (some benches compile AssemblyScript test entries).
 */
import { figure, section } from "./report.js";
import { benchIp } from "./ip.js";
import { benchEnc28j60, printEnc28j60 } from "./enc28j60.js";
import { benchTcpCrypto } from "./tcp-crypto.js";
import { benchBudget } from "./budget.js";
import { benchSim } from "./sim.js";
import { benchFlood } from "./flood.js";
import { benchTcp } from "./tcp.js";
import { benchBoards } from "./boards.js";
import { benchUdp } from "./udp.js";
import { benchFuzz } from "./fuzz.js";

section("Module and IP layer");
benchIp();

await benchTcp();

section("TCP security blocks (host ns per call, loop inside wasm)");
{
  const f = await benchTcpCrypto();
  figure("SipHash-2-4 of 16 bytes", f.nsPerSipHash16.toFixed(1), "ns");
  figure("isnFor (RFC 6528)", f.nsPerIsnFor.toFixed(1), "ns");
  figure("portCandidate (RFC 6056)", f.nsPerPortCandidate.toFixed(1), "ns");
  figure("cookieMake (RFC 4987)", f.nsPerCookieMake.toFixed(1), "ns");
  figure("cookieCheck (RFC 4987)", f.nsPerCookieCheck.toFixed(1), "ns");
}

section("ENC28J60 driver and chip model");
printEnc28j60(await benchEnc28j60());
benchBoards();

section("RAM budget per config limit (docs/EMBEDDING.md)");
await benchBudget();

await benchUdp();

await benchSim();
await benchFlood();
benchFuzz(200_000);
