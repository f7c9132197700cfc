/**
 * The native Linux host (ports/linux, build/native/embertcp-tap) in a
 * network namespace of the test's own: the namespace is made empty, the
 * binary creates its TAP inside it (`ip netns exec`), and Linux's address
 * goes on that TAP once it exists. Lines the process prints are kept.
 *
 * Gating: the binary is built by `npm test`'s pretest when wasm2c and a C
 * compiler exist; without it (or without root and /dev/net/tun) the tests
 * skip outside CI with the reason, and fail in CI.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { addAddress, type BareNetns, createBareNetns } from "../../host-sim/netns.js";
import { buildPath, projectRoot } from "../../host-sim/paths.js";
import { BOARD_IP, LINUX_IP, interopGate } from "./interop.js";

export const NATIVE_EXE = buildPath("native/embertcp-tap");

/** Whether the native binary is there; prints why not (outside CI only). */
export function nativeBuilt(): boolean {
  if (existsSync(NATIVE_EXE)) return true;
  if (process.env.CI) return true;
  console.warn(`skipping native-host tests: ${NATIVE_EXE} is not built (npm run build:native needs wasm2c from wabt and a C compiler)`);
  return false;
}

/** Native interop: the binary, root, iproute2, /dev/net/tun and `tools`. */
export function nativeGate(tools: string[] = []): boolean {
  return nativeBuilt() && interopGate(tools);
}

/** A build with other limits at build/<dir>/embertcp-tap (its C in build/<dir>/c). */
export async function buildNativeVariant(dir: string, use: Record<string, number>): Promise<string> {
  // @ts-expect-error: the build script is plain JavaScript
  const { buildNative } = await import("../../scripts/build-native.mjs");
  const out = join(projectRoot(), "build", dir);
  const r = await buildNative({ out, cDir: join(out, "c"), use });
  return r.exe as string;
}

export interface NativeRig {
  ns: BareNetns;
  tap: string;
  proc: ChildProcess;
  /** Every line printed so far (stdout and stderr). */
  lines: string[];
  /** Resolves with the exit status (or the signal name). */
  exited: Promise<number | string>;
  /** Wait for a printed line matching `re`. */
  waitLine(re: RegExp, ms?: number): Promise<string>;
  /** SIGINT, wait for the exit; then remove the namespace. */
  stop(): Promise<number | string>;
}

/** Start `exe --tap T --ip BOARD/24 --gw LINUX ...extra` in a fresh namespace, with LINUX_IP on the TAP. */
export async function startNative(opts: { exe?: string; extra?: string[] } = {}): Promise<NativeRig> {
  const ns = createBareNetns("embn");
  const tap = "ntap0";
  const proc = ns.spawn([opts.exe ?? NATIVE_EXE, "--tap", tap, "--ip", `${BOARD_IP}/24`, "--gw", LINUX_IP, ...(opts.extra ?? [])]);
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  const take = (d: Buffer) => {
    lines.push(...d.toString().split("\n").filter(Boolean));
    for (const w of waiters) w();
  };
  proc.stdout!.on("data", take);
  proc.stderr!.on("data", take);
  const exited = new Promise<number | string>((r) => proc.once("exit", (code, sig) => r(code ?? sig ?? "?")));
  const waitLine = (re: RegExp, ms = 10_000) => new Promise<string>((resolve, reject) => {
    const check = () => {
      const l = lines.find((x) => re.test(x));
      if (l !== undefined) { waiters.delete(check); clearTimeout(t); resolve(l); }
    };
    const t = setTimeout(() => { waiters.delete(check); reject(new Error(`no line matching ${re} in ${ms} ms; got:\n${lines.join("\n")}`)); }, ms);
    waiters.add(check);
    check();
  });
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGINT");
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r("no exit in 5 s"), 5000))]);
    await ns.destroy();
    return code;
  };
  try {
    await waitLine(/^running/);
    addAddress(ns.name, tap, `${LINUX_IP}/24`);
  } catch (e) {
    await stop();
    throw e;
  }
  return { ns, tap, proc, lines, exited, waitLine, stop };
}
