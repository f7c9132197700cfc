// Build and instantiate bench/as/tcp-crypto-entry.ts (SipHash, ISNs,
// ports, SYN cookies) for test/tcp-crypto*.test.ts and bench/tcp-crypto.ts.
//
// The entry is compiled in memory with the release build's options
// (host-sim/asc.ts) once per test file (or bench run).

import { compileAssemblyScript } from "../host-sim/asc.js";
import { prng } from "../host-sim/hostnet.js";

/** The exports of the test entry (u64 parameters and results are BigInts). */
export interface TcpCryptoExports {
  memory: WebAssembly.Memory;
  buffer(): number;
  setNow(ms: number): void;
  netConfig(key: number, value: number): number;
  hashBytes(k0: bigint, k1: bigint, ptr: number, len: number): bigint;
  hashWords(k0: bigint, k1: bigint, ptr: number, n: number): bigint;
  hash2(k0: bigint, k1: bigint, w0: bigint): bigint;
  hash4(k0: bigint, k1: bigint, w0: bigint, w1: bigint): bigint;
  hash21(k0: bigint, k1: bigint, w0: bigint, w1: bigint, w2: bigint): bigint;
  isnInitX(): void;
  isn(localIp: number, localPort: number, remoteIp: number, remotePort: number): number;
  portsInitX(): void;
  candidate(remoteIp: number, remotePort: number, attempt: number): number;
  used(): void;
  count(): number;
  cookieInitX(): void;
  make(localIp: number, localPort: number, remoteIp: number, remotePort: number, peerIsn: number, peerMss: number): number;
  check(localIp: number, localPort: number, remoteIp: number, remotePort: number, peerIsn: number, cookie: number): number;
  cookieForgeryTrial(n: number, seed: number, fixed: number, fixedMask: number): number;
  benchIsn(n: number): number;
  benchCookieMake(n: number): number;
  benchCookieCheck(n: number): number;
  benchPort(n: number): number;
  benchSipHash4(n: number): bigint;
}

/** net_config keys used here (assembly/netconfig.ts ConfigKey). */
export const CONFIG_EPHEMERAL_LOW = 4;
export const CONFIG_EPHEMERAL_HIGH = 5;
export const CONFIG_COOKIE_PERIOD_MS = 11;

/** One instance: its exports and how often it has called hal.entropy. */
export interface TcpCrypto {
  x: TcpCryptoExports;
  entropyCalls(): number;
}

let compiled: Promise<WebAssembly.Module> | undefined;

/** The compiled test entry (built on first use in this process). */
export function tcpCryptoModule(): Promise<WebAssembly.Module> {
  compiled ??= compileAssemblyScript("bench/as/tcp-crypto-entry.ts", { pages: 2 }).then((wasm) => new WebAssembly.Module(wasm));
  return compiled;
}

/** A seeded deterministic stand-in for hal.entropy: hostnet's mulberry32 stream as u32s. */
export function prngEntropy(seed: number): () => number {
  const next = prng(seed);
  return () => next() * 4294967296;
}

/**
 * A fresh instance whose hal.entropy is seeded with `seed`; the other HAL
 * imports do nothing (they are never called by these modules), except that
 * `log` throws so an abort (a bug) fails the test loudly.
 */
export async function tcpCrypto(seed: number): Promise<TcpCrypto> {
  const mod = await tcpCryptoModule();
  const draw = prngEntropy(seed);
  let calls = 0;
  const memoryRef: { m?: WebAssembly.Memory } = {};
  const hal = {
    spi_select() {},
    spi_transfer() {},
    frame_out() {},
    entropy() { calls++; return draw() | 0; },
    log(level: number, ptr: number, len: number) {
      const text = memoryRef.m ? Buffer.from(memoryRef.m.buffer, ptr, len).toString("utf8") : "";
      throw new Error(`wasm log (level ${level}): ${text}`);
    },
  };
  const inst = new WebAssembly.Instance(mod, { hal });
  const x = inst.exports as unknown as TcpCryptoExports;
  memoryRef.m = x.memory;
  return { x, entropyCalls: () => calls };
}
