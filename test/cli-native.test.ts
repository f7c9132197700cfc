/**
 * embertcp-tap's command line and its trap path, without a network: every
 * bad option is one line on stderr and status 2 (nothing started), --help
 * prints the usage, and a module that traps ends in the port's handler,
 * which prints one line and exits with status 3.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { buildPath } from "../host-sim/paths.js";
import { NATIVE_EXE, nativeBuilt } from "./helpers/native.js";

const run = (args: string[], exe = NATIVE_EXE) => spawnSync(exe, args, { encoding: "utf8", timeout: 10_000 });

describe.runIf(nativeBuilt())("embertcp-tap command line", () => {
  test("--help prints the usage and exits 0", () => {
    const r = run(["--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: embertcp-tap --tap NAME --ip A\.B\.C\.D\/NN/);
  });

  test.each([
    [[], /--tap NAME is required/],
    [["--tap", "t0"], /--ip A\.B\.C\.D\/NN is required/],
    [["--tap", "t0", "--ip", "10.0.0.300/24"], /bad address "10\.0\.0\.300\/24"/],
    [["--tap", "t0", "--ip", "10.0.0.2/31"], /bad address/],
    [["--tap", "t0", "--ip", "10.0.0.2/24", "--gw", "10.0.1.1"], /gateway is not on the board's subnet/],
    [["--tap", "t0", "--ip", "10.0.0.2/24", "--mac", "01:00:5e:00:00:01"], /bad MAC/],
    [["--tap", "t0", "--ip", "10.0.0.2/24", "--mac", "02:00:00:00:00"], /bad MAC/],
    [["--tap", "t0", "--ip", "10.0.0.2/24", "--apps", "echo,telnet"], /unknown app "telnet"/],
    [["--tap", "a-name-much-too-long", "--ip", "10.0.0.2/24"], /bad TAP name/],
    [["--tap", "t0", "--ip", "10.0.0.2/24", "--syncookies", "3"], /bad --syncookies/],
    [["--tap", "t0", "--ip", "10.0.0.2/24", "--verbose", "1"], /unknown option --verbose/],
    [["--tap", "t0", "--ip"], /--ip needs a value/],
    [["stray"], /unexpected argument "stray"/],
  ])("%j: one line, status 2", (args, why) => {
    const r = run(args as string[]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    const lines = r.stderr.split("\n").filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(why as RegExp);
    expect(lines[0]).toMatch(/^embertcp-tap: .*\(usage: embertcp-tap /);
  });

  test("a trap in the module reaches the port's handler: one line, status 3", async () => {
    // A stale embertcp_memory.h that gives the module less memory than its
    // data needs: loading the data traps (out of bounds) at start, before
    // any TAP is created, through the same path as any trap at run time.
    const src = buildPath("c"), dir = buildPath("native-trap/c");
    mkdirSync(dir, { recursive: true });
    for (const f of readdirSync(src)) if (/\.(c|h)$/.test(f)) copyFileSync(join(src, f), join(dir, f));
    const header = readFileSync(join(src, "embertcp_memory.h"), "utf8");
    writeFileSync(join(dir, "embertcp_memory.h"), header.replace(/^#define EMBERTCP_MEMORY_BYTES \d+u$/m, "#define EMBERTCP_MEMORY_BYTES 4096u"));
    // @ts-expect-error: the build script is plain JavaScript
    const { compileProgram, RUNTIME_SOURCES, APP_SOURCES, LINUX_SOURCES } = await import("../scripts/build-native.mjs");
    const exe = compileProgram({ cDir: dir, out: buildPath("native-trap/embertcp-tap"), sources: [...RUNTIME_SOURCES, ...APP_SOURCES, ...LINUX_SOURCES], flags: ["-O0"] });
    const r = run(["--tap", "t0", "--ip", "10.0.0.2/24"], exe);
    expect(r.status).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim()).toBe("embertcp-tap: the module trapped (1: out-of-bounds memory access); stopping");
  }, 120_000);
});
