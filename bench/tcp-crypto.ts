/**
 * Cost of the TCP security building blocks (docs/TCP.md):
 * host nanoseconds per SipHash-2-4 of 16 bytes, per RFC 6528 isnFor, per
 * RFC 6056 portCandidate, per SYN cookieMake and per cookieCheck. The loops
 * run inside wasm (bench/as/tcp-crypto-entry.ts bench* exports), so the
 * figures exclude the JS→wasm call; each is the best of several rounds after
 * a warm-up, on whatever machine runs it.
 *
 * Run: after `npm run build:host`, `node dist/bench/tcp-crypto.js` from the
 * repository root, or import `benchTcpCrypto()`. Prints figures; asserts nothing.
 */

import { pathToFileURL } from "node:url";
import { tcpCrypto } from "./tcp-crypto-wasm.js";

export interface TcpCryptoFigures {
  /** Host ns per call, loop inside wasm. */
  nsPerSipHash16: number;
  nsPerIsnFor: number;
  nsPerPortCandidate: number;
  nsPerCookieMake: number;
  nsPerCookieCheck: number;
}

const N = 200_000;
const ROUNDS = 7;

function nsPer(run: (n: number) => unknown): number {
  run(N); // warm-up: lets V8 tier the wasm up
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    run(N);
    const dt = Number(process.hrtime.bigint() - t0);
    best = Math.min(best, dt / N);
  }
  return best;
}

export async function benchTcpCrypto(): Promise<TcpCryptoFigures> {
  const { x } = await tcpCrypto(1);
  x.setNow(1_000_000);
  x.isnInitX();
  x.portsInitX();
  x.cookieInitX();
  return {
    nsPerSipHash16: nsPer((n) => x.benchSipHash4(n)),
    nsPerIsnFor: nsPer((n) => x.benchIsn(n)),
    nsPerPortCandidate: nsPer((n) => x.benchPort(n)),
    nsPerCookieMake: nsPer((n) => x.benchCookieMake(n)),
    nsPerCookieCheck: nsPer((n) => x.benchCookieCheck(n)),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const f = await benchTcpCrypto();
  const rows: Array<[string, number]> = [
    ["SipHash-2-4, 16 bytes", f.nsPerSipHash16],
    ["isnFor (RFC 6528)", f.nsPerIsnFor],
    ["portCandidate (RFC 6056)", f.nsPerPortCandidate],
    ["cookieMake (RFC 4987)", f.nsPerCookieMake],
    ["cookieCheck (RFC 4987)", f.nsPerCookieCheck],
  ];
  console.log(`TCP security blocks (host time per call, loop inside wasm, best of ${ROUNDS} × ${N})`);
  for (const [name, v] of rows) console.log(`  ${name.padEnd(26)} ${v.toFixed(1).padStart(6)} ns`);
}
