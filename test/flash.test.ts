/**
 * `embertcp flash` against a fake Espruino board (test/helpers/flash-fake-board.ts)
 * on a socat pseudo-terminal pair, and on a TCP socket: the bytes stored
 * must equal the file, and every failure must be one line, exit non-zero
 * and leave no partial file behind.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { run, progressBar } from "../host-sim/flash/command.js";
import { buildPath } from "../host-sim/paths.js";
import { FakeEspruino, fakeOnPty, fakeOnTcp } from "./helpers/flash-fake-board.js";
import { ptyPair, toolGate, type PtyPair } from "./helpers/links-socat.js";

const WASM = buildPath("embertcp.wasm");

/** The error line (progress lines come before it on stderr). */
function errorLine(err: string): string {
  return err.split("\n").filter((l) => l.startsWith("embertcp flash:")).join("\n") + "\n";
}

function io() {
  const out: string[] = [];
  let err = "";
  return { out, get err() { return err; }, io: { out: (l: string) => { out.push(l); }, err: (t: string) => { err += t; }, isTTY: false } };
}

describe("flash: arguments and local errors", () => {
  test("a missing port is a one-line error naming it, exit 1", async () => {
    const c = io();
    expect(await run([WASM, "--port", "/dev/ttyEMBERTCP-NOPE"], c.io)).toBe(1);
    expect(c.err).toBe("embertcp flash: no such serial port /dev/ttyEMBERTCP-NOPE (is the board plugged in?)\n");
  });

  test("no --port, no file, two files, an unknown option: usage errors, exit 2", async () => {
    for (const args of [[WASM], ["--port", "/dev/null"], [WASM, WASM, "--port", "/dev/null"], [WASM, "--prot", "/dev/null"]]) {
      const c = io();
      expect(await run(args, c.io)).toBe(2);
      expect(c.err.split("\n").filter(Boolean)).toHaveLength(1);
      expect(c.err).toMatch(/usage: embertcp flash/);
    }
  });

  test("an unreadable file, or one that is not WebAssembly, is refused before anything is sent", async () => {
    const dir = mkdtempSync(join(tmpdir(), "embertcp-flash-"));
    const notWasm = join(dir, "notes.wasm");
    writeFileSync(notWasm, "hello, not a module");
    let c = io();
    expect(await run([join(dir, "missing.wasm"), "--port", "/dev/null"], c.io)).toBe(1);
    expect(c.err).toBe(`embertcp flash: cannot read ${join(dir, "missing.wasm")}: ENOENT\n`);
    c = io();
    expect(await run([notWasm, "--port", "/dev/null"], c.io)).toBe(1);
    expect(c.err).toBe(`embertcp flash: ${notWasm} is not a WebAssembly module (no \\0asm header)\n`);
  });

  test("a Storage name longer than 28 characters is refused", async () => {
    const fake = new FakeEspruino();
    const tcp = await fakeOnTcp(fake);
    try {
      const c = io();
      expect(await run([WASM, "--port", `tcp://127.0.0.1:${tcp.port}`, "--name", "x".repeat(29)], c.io)).toBe(2);
      expect(c.err).toMatch(/Storage names are 1\.\.28 characters/);
      expect(fake.chunks).toBe(0);
    } finally { await tcp.close(); }
  });

  test("progress bar", () => {
    expect(progressBar(0, 2048, 10)).toBe("[----------]   0%  0.0/2.0 KB");
    expect(progressBar(1024, 2048, 10)).toBe("[#####-----]  50%  1.0/2.0 KB");
    expect(progressBar(2048, 2048, 10)).toBe("[##########] 100%  2.0/2.0 KB");
  });
});

describe("flash over tcp://", () => {
  test("uploads, the board's read-back CRC matches, and the stored bytes equal the file", async () => {
    const fake = new FakeEspruino();
    const tcp = await fakeOnTcp(fake);
    try {
      const c = io();
      expect(await run([WASM, "--port", `tcp://127.0.0.1:${tcp.port}`, "--name", "net.wasm"], c.io)).toBe(0);
      expect(Buffer.compare(fake.files.get("net.wasm")!, readFileSync(WASM))).toBe(0);
      expect(c.out[c.out.length - 1]).toMatch(/^flashed .*embertcp\.wasm to "net\.wasm": \d+ bytes in \d+ chunks, CRC-32 0x[0-9a-f]{8} verified by the board$/);
    } finally { await tcp.close(); }
  });

  test("a board that holds the line off with XOFF gets nothing more until its XON, and the upload completes", async () => {
    const fake = new FakeEspruino({ flowControl: 256 });
    const tcp = await fakeOnTcp(fake);
    try {
      const c = io();
      expect(await run([WASM, "--port", `tcp://127.0.0.1:${tcp.port}`, "--name", "xoff.wasm"], c.io), c.err).toBe(0);
      expect(Buffer.compare(fake.files.get("xoff.wasm")!, readFileSync(WASM))).toBe(0);
      expect(fake.xoffs).toBeGreaterThan(10);
      expect(fake.overrun).toBe(0);
    } finally { await tcp.close(); }
  });

  test("--verbose on a failure prints the line's log, with no stack trace or ReferenceError", async () => {
    const fake = new FakeEspruino();
    const tcp = await fakeOnTcp(fake);
    await tcp.close();
    const c = io();
    expect(await run([WASM, "--port", `tcp://127.0.0.1:${tcp.port}`, "--timeout", "1", "--verbose"], c.io)).toBe(1);
    expect(c.err).toMatch(/^embertcp flash: cannot open tcp:\/\/127\.0\.0\.1:\d+: ECONNREFUSED\n/);
    expect(c.err).not.toMatch(/ReferenceError|__dirname|\n\s+at /);
  });

  test("nothing listening: a one-line error, exit 1", async () => {
    const fake = new FakeEspruino();
    const tcp = await fakeOnTcp(fake);
    await tcp.close(); // the port is now free and refuses connections
    const c = io();
    expect(await run([WASM, "--port", `tcp://127.0.0.1:${tcp.port}`, "--timeout", "1"], c.io)).toBe(1);
    expect(c.err).toMatch(/^embertcp flash: cannot open tcp:\/\/127\.0\.0\.1:\d+: ECONNREFUSED\n$/);
  });
});

const haveSocat = toolGate("socat");

describe.runIf(haveSocat)("flash over a serial port (socat pty pair, fake board on the far end)", () => {
  let pty: PtyPair;
  let stopFake: (() => Promise<void>) | null = null;
  beforeEach(async () => { pty = await ptyPair(); });
  afterEach(async () => { await stopFake?.(); stopFake = null; await pty.kill(); });

  async function flashTo(fake: FakeEspruino, extra: string[] = []) {
    stopFake = await fakeOnPty(pty.paths[1], fake);
    const c = io();
    const code = await run([WASM, "--port", pty.paths[0], ...extra], c.io);
    return { code, ...c };
  }

  test("the stored bytes equal the file; progress climbs to 100%; default name is the file's", async () => {
    const fake = new FakeEspruino();
    const r = await flashTo(fake);
    expect(r.code, r.err).toBe(0);
    const stored = fake.files.get("embertcp.wasm")!;
    expect(Buffer.compare(stored, readFileSync(WASM))).toBe(0);
    const pcts = [...r.err.matchAll(/(\d+)%/g)].map((m) => Number(m[1]));
    expect(pcts[0]).toBe(0);
    expect(pcts[pcts.length - 1]).toBe(100);
    expect(pcts).toEqual([...pcts].sort((a, b) => a - b));
    expect(r.out[0]).toBe(`board: Espruino 2v24-fake on ${pty.paths[0]}`);
    expect(fake.chunks).toBe(Math.ceil(stored.length / 384));
  });

  test("a board that does not answer: timeout error, exit 1, nothing stored", async () => {
    const fake = new FakeEspruino({ silent: true });
    const t0 = Date.now();
    const r = await flashTo(fake, ["--timeout", "1"]);
    expect(r.code).toBe(1);
    expect(r.err).toBe("embertcp flash: the board does not answer (the version query: no reply within 1 s)\n");
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(fake.files.size).toBe(0);
  });

  test("Storage too small: says how much is needed and free, writes nothing", async () => {
    const fake = new FakeEspruino({ free: 1000 });
    const r = await flashTo(fake);
    const size = readFileSync(WASM).length;
    expect(r.code).toBe(1);
    expect(r.err).toBe(`embertcp flash: the file does not fit: it needs ${size + 32} bytes of Storage (${size} + 32 header), the board has 1000 free\n`);
    expect(fake.chunks).toBe(0);
    expect(fake.files.size).toBe(0);
  });

  test("a board that corrupts a chunk: verification fails, the partial file is erased, exit 1", async () => {
    const fake = new FakeEspruino({ corruptChunk: 3 });
    const r = await flashTo(fake, ["--name", "bad.wasm"]);
    expect(r.code).toBe(1);
    expect(errorLine(r.err)).toMatch(/^embertcp flash: verification failed: the board holds \d+ bytes with CRC-32 0x[0-9a-f]{8}, the file is \d+ bytes with CRC-32 0x[0-9a-f]{8}; the partial "bad\.wasm" was erased\n$/);
    expect(fake.files.has("bad.wasm")).toBe(false);
    expect(fake.erased).toEqual(["bad.wasm"]);
    expect(r.out.some((l) => l.startsWith("flashed"))).toBe(false);
  });

  test("a board that stops answering mid-upload: timeout, exit 1, never reported as flashed", async () => {
    const fake = new FakeEspruino({ dropAfterChunks: 4 });
    const r = await flashTo(fake, ["--timeout", "1", "--name", "half.wasm"]);
    expect(r.code).toBe(1);
    expect(errorLine(r.err)).toMatch(/^embertcp flash: the board does not answer \(chunk 5 of \d+: no reply within 1 s\); erasing the partial "half\.wasm" failed too: erase it on the board\n$/);
    expect(r.out.some((l) => l.startsWith("flashed"))).toBe(false);
  });

  test("a board that refuses a write (Storage.write false): the partial file is erased", async () => {
    // Exactly enough room at the free-space query; then another writer takes some.
    const size = readFileSync(WASM).length;
    const tight = new FakeEspruino({ free: size + 32 });
    stopFake = await fakeOnPty(pty.paths[1], tight);
    const realFeed = tight.feed.bind(tight);
    let stolen = false;
    tight.feed = (b: Buffer) => {
      if (!stolen && b.toString("latin1").includes("Storage\").write(")) {
        stolen = true;
        (tight as unknown as { free: number }).free -= 64;
      }
      return realFeed(b);
    };
    const c = io();
    expect(await run([WASM, "--port", pty.paths[0], "--name", "tight.wasm"], c.io)).toBe(1);
    expect(errorLine(c.err)).toMatch(/^embertcp flash: the board refused chunk 1 of \d+ \(Storage\.write returned false\); the partial "tight\.wasm" was erased\n$/);
    expect(tight.files.has("tight.wasm")).toBe(false);
  });
});

describe("the embertcp command line", () => {
  test("`embertcp flash` is registered: uploads over tcp:// in a child process and exits 0; a missing port exits 1", async () => {
    const { spawn } = await import("node:child_process");
    const { projectRoot } = await import("../host-sim/paths.js");
    const fake = new FakeEspruino();
    const tcp = await fakeOnTcp(fake);
    const cli = (args: string[]) => new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const p = spawn(process.execPath, [`${projectRoot()}/bin/embertcp.js`, "flash", ...args], { stdio: ["ignore", "pipe", "pipe"] });
      let out = "", err = "";
      p.stdout.on("data", (d) => { out += d; });
      p.stderr.on("data", (d) => { err += d; });
      p.on("close", (code) => resolve({ code, out, err }));
    });
    try {
      const ok = await cli([WASM, "--port", `tcp://127.0.0.1:${tcp.port}`, "--name", "cli.wasm"]);
      expect(ok.code, ok.err).toBe(0);
      expect(ok.out).toMatch(/flashed .* to "cli\.wasm"/);
      expect(Buffer.compare(fake.files.get("cli.wasm")!, readFileSync(WASM))).toBe(0);
      const bad = await cli([WASM, "--port", "/dev/ttyEMBERTCP-NOPE"]);
      expect(bad.code).toBe(1);
      expect(bad.err).toBe("embertcp flash: no such serial port /dev/ttyEMBERTCP-NOPE (is the board plugged in?)\n");
    } finally { await tcp.close(); }
  });
});
