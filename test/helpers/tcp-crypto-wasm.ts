// Build and instantiate test/helpers/tcp-crypto-entry.ts (SipHash, ISNs,
// ports, SYN cookies) for test/tcp-crypto*.test.ts and bench/tcp-crypto.ts.
//
// The build is the command line
//   npx asc test/helpers/tcp-crypto-entry.ts -o build/test-tcp-crypto.wasm --config none \
//     --runtime stub -O3 --use abort=assembly/hal/halAbort --initialMemory 2 --maximumMemory 2
// run in-process once per test file (or bench run); `--config none` keeps
// asconfig.json from adding assembly/index.ts as a second entry. The bytes
// are also written to build/test-tcp-crypto.wasm (via a rename, so parallel
// test files never see half a file) for inspection.

import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import asc from "assemblyscript/asc";

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
  hash6(k0: bigint, k1: bigint, w0: bigint, w1: bigint, w2: bigint): bigint;
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

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("tcp-crypto-wasm: repository root not found");
    dir = up;
  }
  return dir;
}

let compiled: Promise<WebAssembly.Module> | undefined;

async function build(): Promise<WebAssembly.Module> {
  const root = repoRoot();
  let wasm: Uint8Array | undefined;
  const errors: string[] = [];
  const result = await asc.main(
    [
      "test/helpers/tcp-crypto-entry.ts", "-o", "build/test-tcp-crypto.wasm", "--config", "none",
      "--runtime", "stub", "-O3", "--use", "abort=assembly/hal/halAbort",
      "--initialMemory", "2", "--maximumMemory", "2", "--baseDir", root,
    ],
    {
      writeFile(name: string, contents: Uint8Array | string) {
        if (name.endsWith(".wasm") && typeof contents !== "string") wasm = contents;
      },
      stderr: { write(s: string | Uint8Array) { errors.push(String(s)); return true; } } as never,
      stdout: { write() { return true; } } as never,
    },
  );
  if (result.error || !wasm) throw new Error(`asc tcp-crypto-entry failed: ${result.error?.message ?? ""}\n${errors.join("")}`);
  const out = join(root, "build", "test-tcp-crypto.wasm");
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, wasm);
  renameSync(tmp, out);
  return new WebAssembly.Module(new Uint8Array(wasm));
}

/** The compiled test entry (built on first use in this process). */
export function tcpCryptoModule(): Promise<WebAssembly.Module> {
  compiled ??= build();
  return compiled;
}

/** mulberry32: a seeded deterministic stand-in for hal.entropy. */
export function seededEntropy(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/**
 * A fresh instance whose hal.entropy is seeded with `seed`; the other HAL
 * imports do nothing (they are never called by these modules), except that
 * `log` throws so an abort (a bug) fails the test loudly.
 */
export async function tcpCrypto(seed: number): Promise<TcpCrypto> {
  const mod = await tcpCryptoModule();
  const draw = seededEntropy(seed);
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
