/**
 * The Cortex-M firmware (ports/cortex-m) in qemu-system-arm, bridged to a
 * TAP in a namespace of the test's own by `embertcp qemu` (host-sim/qemu.ts,
 * run in-process as the CLI runs it): Linux pings it, curls its status
 * page, echoes 100 KB of random bytes through it, connects 20 times in a
 * row and connects while hping3 floods it with SYNs at a bounded rate. Bad
 * line input (noise, a broken escape, a truncated packet, an oversize
 * packet, a bad FCS, a runt) is written straight into QEMU's pty and must
 * be dropped, counted, and leave the board serving. A test build's trap
 * hook shows a trap resetting the board and the command reporting it.
 * QEMU is killed afterwards (checked).
 *
 * Needs root, iproute2, python3, qemu-system-arm, arm-none-eabi-gcc,
 * wasm2c, curl and hping3; outside CI a missing one skips with the reason.
 */
import { execFileSync } from "node:child_process";
import { openSync, writeSync, closeSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { appendFcs } from "../host-sim/crc32.js";
import { slipEncode } from "../host-sim/links/slip.js";
import { addAddress, type BareNetns, createBareNetns } from "../host-sim/netns.js";
import { runQemu } from "../host-sim/qemu.js";
import { interopGate } from "./helpers/interop.js";

const run = interopGate(["qemu-system-arm", "arm-none-eabi-gcc", "wasm2c", "curl", "hping3"]);

const BOARD = "10.9.5.2", LINUX = "10.9.5.1";

/** Build a firmware with scripts/build-mcu.mjs; returns the ELF path. */
function buildFirmware(args: string[], cpu = "m4"): string {
  const out = execFileSync("node", ["scripts/build-mcu.mjs", "--cpu", cpu, "--json", ...args], { encoding: "utf8", timeout: 170_000 });
  return JSON.parse(out.trim().split("\n").pop()!).elf as string;
}

/** `embertcp qemu` in-process: its printed lines, the pty it names, a stop(). */
async function startQemu(ns: BareNetns, firmware: string, cpu: "m4" | "m3" = "m4") {
  const lines: string[] = [];
  const abort = new AbortController();
  const exit = runQemu({ tap: "eqemu0", netns: ns.name, ip: `${BOARD}/24`, gateway: LINUX, baud: 921600, firmware, cpu, print: (l) => lines.push(l) }, abort.signal);
  exit.catch(() => {});
  const pty = await until(() => lines.map((l) => / on UART0 (\/dev\/pts\/\d+),/.exec(l)?.[1]).find(Boolean), 20_000);
  if (!pty) throw new Error(`embertcp qemu did not come up:\n${lines.join("\n")}`);
  addAddress(ns.name, "eqemu0", `${LINUX}/24`);
  return {
    lines, pty,
    async stop() { abort.abort(); return exit; },
  };
}

async function until<T>(f: () => T | undefined | false, ms: number): Promise<T | undefined> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v || Date.now() > end) return v || undefined;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The board's latest "link" counters line, as numbers. */
function linkCounters(lines: string[]): Record<string, number> {
  const l = [...lines].reverse().find((x) => x.startsWith("board: link ")) ?? "";
  return Object.fromEntries([...l.matchAll(/(\w+)=(\d+)/g)].map((m) => [m[1], Number(m[2])]));
}

/** Write raw bytes into QEMU's pty, next to the bridge: they reach UART0 as if from the line. */
function injectLine(pty: string, bytes: Uint8Array): void {
  const fd = openSync(pty, "w");
  try { writeSync(fd, bytes); } finally { closeSync(fd); }
}

/** A namespace and `embertcp qemu` on a fresh build for one describe block; stopped afterwards. */
function qemuRig(buildArgs: string[], cpu: "m4" | "m3" = "m4") {
  const rig = {} as { ns: BareNetns; q: Awaited<ReturnType<typeof startQemu>> };
  beforeAll(async () => {
    const elf = buildFirmware(buildArgs, cpu);
    rig.ns = createBareNetns("embq");
    rig.q = await startQemu(rig.ns, elf, cpu);
  }, 240_000);
  afterAll(async () => {
    await rig.q?.stop();
    await rig.ns?.destroy();
  });
  return rig;
}

const ECHO_PY = String.raw`
import os, socket, sys, threading
ip, n = sys.argv[1], int(sys.argv[2])
data = os.urandom(n)
s = socket.create_connection((ip, 7), timeout=30)
def send():
    s.sendall(data); s.shutdown(socket.SHUT_WR)
t = threading.Thread(target=send); t.start()
got = bytearray()
while True:
    d = s.recv(65536)
    if not d: break
    got += d
t.join(); s.close()
print("same" if bytes(got) == data else "differ: %d bytes back of %d" % (len(got), n))
`;

const SERIAL_CONNECTS_PY = String.raw`
import socket, sys
ip, n = sys.argv[1], int(sys.argv[2])
ok = 0
for i in range(n):
    msg = ("connection %d" % i).encode()
    try:
        s = socket.create_connection((ip, 7), timeout=10)
        s.sendall(msg); s.shutdown(socket.SHUT_WR)
        got = b""
        while True:
            d = s.recv(4096)
            if not d: break
            got += d
        s.close()
        if got == msg: ok += 1
        else: print("connection %d: got %r" % (i, got))
    except Exception as e:
        print("connection %d: %r" % (i, e))
print("ok %d" % ok)
`;

describe.runIf(run)("interop: the Cortex-M firmware in QEMU behind embertcp qemu", () => {
  const rig = qemuRig([]);

  test("it boots as a Cortex-M4 with the address given on the command line", () => {
    expect(rig.q.lines.join("\n")).toMatch(new RegExp(`board: boot embertcp cortex-m4 ip ${BOARD.replace(/\./g, "\\.")} memory \\d+ bytes`));
    expect(rig.q.lines.join("\n")).toMatch(/QEMU mps2-an386 board 10\.9\.5\.2\/24 on UART0 \/dev\/pts\/\d+, bridged to TAP eqemu0/);
  });

  test("Linux pings it", async () => {
    const r = await rig.ns.exec(["ping", "-c", "3", "-i", "0.2", "-W", "3", BOARD], { timeoutMs: 15_000 });
    expect(r.stdout.toString()).toMatch(/3 packets transmitted, 3 received/);
  });

  test("curl gets its status page with the listeners and counters", async () => {
    const r = await rig.ns.exec(["curl", "-sS", "--max-time", "15", `http://${BOARD}/`], { timeoutMs: 20_000 });
    expect(r.stderr).toBe("");
    const page = r.stdout.toString();
    expect(page).toContain(`<h1>embertcp board ${BOARD}</h1>`);
    expect(page).toMatch(/10\.9\.5\.2:7<\/td><td>\*:\*<\/td><td class="state">LISTEN/);
    expect(page).toMatch(/<td>icmp_echo_replies<\/td><td>[1-9]\d*<\/td>/);
  });

  test("100 KB of random bytes come back from echo byte for byte", async () => {
    const r = await rig.ns.exec(["python3", "-c", ECHO_PY, BOARD, "100000"], { timeoutMs: 60_000 });
    expect(r.stderr).toBe("");
    expect(r.stdout.toString().trim()).toBe("same");
  });

  test("20 connections in a row each echo their message", async () => {
    const r = await rig.ns.exec(["python3", "-c", SERIAL_CONNECTS_PY, BOARD, "20"], { timeoutMs: 90_000 });
    expect(r.stdout.toString().trim()).toBe("ok 20");
  });

  test("during a bounded hping3 SYN flood a client still connects and gets the page", async () => {
    // 500 SYNs a second from random sources for at most 6 s: about a third of the 921600-baud line.
    const flood = rig.ns.exec(["timeout", "-s", "INT", "6", "hping3", "-S", "-p", "80", "--rand-source", "-i", "u2000", "-c", "3000", "-q", BOARD], { timeoutMs: 15_000 });
    await new Promise((r) => setTimeout(r, 1000));
    const page = await rig.ns.exec(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "20", `http://${BOARD}/`], { timeoutMs: 25_000 });
    await flood;
    expect(page.stdout.toString()).toBe("200");
    const after = await rig.ns.exec(["curl", "-sS", "--max-time", "15", `http://${BOARD}/`], { timeoutMs: 20_000 });
    const synRx = Number(/<td>syn_rx<\/td><td>(\d+)<\/td>/.exec(after.stdout.toString())?.[1] ?? 0);
    expect(synRx).toBeGreaterThan(500);
  });

  test("line noise, broken and oversize SLIP packets, a bad FCS and a runt are dropped and counted; the board keeps serving", async () => {
    const before = linkCounters(rig.q.lines);
    const frame = appendFcs(new Uint8Array(60).fill(0x11));
    const badFcs = frame.slice(); badFcs[20] ^= 0xff;
    const injected = [
      Uint8Array.from([0x55, 0xaa, 0x01, 0x02, 0xc0]),            // noise ended by END: a runt
      Uint8Array.from([0xc0, 0x01, 0xdb, 0x42, 0x03, 0xc0]),      // ESC then a byte that is no escape
      Uint8Array.from([0xc0, ...frame.subarray(0, 30), 0xdb, 0xc0]), // truncated: ESC then END
      slipEncode(new Uint8Array(2000).fill(0x22)),                // longer than any frame
      slipEncode(badFcs),
    ];
    for (const b of injected) injectLine(rig.q.pty, b);
    const counted = await until(() => {
      const c = linkCounters(rig.q.lines);
      return c.dropSlipEscape >= (before.dropSlipEscape ?? 0) + 2 && c.dropOversize >= (before.dropOversize ?? 0) + 1 &&
        c.dropBadFcs >= (before.dropBadFcs ?? 0) + 1 && c.dropRunt >= (before.dropRunt ?? 0) + 1 && c;
    }, 10_000);
    expect(counted, rig.q.lines.slice(-5).join("\n")).toBeTruthy();
    const r = await rig.ns.exec(["ping", "-c", "2", "-i", "0.2", "-W", "3", BOARD], { timeoutMs: 15_000 });
    expect(r.stdout.toString()).toMatch(/2 packets transmitted, 2 received/);
    expect(rig.q.lines.some((l) => /board: (fault|trap):/.test(l))).toBe(false);
  });

  test("stopping ends QEMU, its pty and the TAP", async () => {
    const code = await rig.q.stop();
    expect(code).toBe(0);
    expect(rig.q.lines.at(-1)).toMatch(/^stopped: TAP eqemu0 -> QEMU UART0 \/dev\/pts\/\d+ \d+ frames/);
    expect(execFileSync("sh", ["-c", `pgrep -f '[e]mbertcp-qemu-${process.pid}-' || true`], { encoding: "utf8" }).trim()).toBe("");
    expect((await rig.ns.exec(["ip", "link", "show", "eqemu0"])).code).not.toBe(0);
  });
});

describe.runIf(run)("interop: a trap in the firmware resets the board and embertcp qemu reports it", () => {
  const rig = qemuRig(["--tag", "embertcp-cortex-m4-test", "--define", "PORT_TEST_HOOKS=1"]);

  test("the trap is logged, the board boots again and answers pings; the command exits 1", async () => {
    const trapFrame = appendFcs(Uint8Array.from([...new Array(12).fill(0x02), 0x88, 0xb5, ...new Array(46).fill(0)]));
    injectLine(rig.q.pty, slipEncode(trapFrame));
    const reported = await until(() => rig.q.lines.find((l) => /^board reset \(boot 2\) after: trap: out-of-bounds memory access; resetting$/.test(l)), 10_000);
    expect(reported, rig.q.lines.join("\n")).toBeTruthy();
    const r = await rig.ns.exec(["ping", "-c", "2", "-i", "0.2", "-W", "3", BOARD], { timeoutMs: 15_000 });
    expect(r.stdout.toString()).toMatch(/2 packets transmitted, 2 received/);
    expect(await rig.q.stop()).toBe(1);
    expect(rig.q.lines.at(-1)).toMatch(/the board reset 1 time\(s\)/);
  });
});

describe.runIf(run)("interop: the Cortex-M3 build on mps2-an385", () => {
  const rig = qemuRig([], "m3");

  test("it boots as a Cortex-M3, answers pings and echoes", async () => {
    expect(rig.q.lines.join("\n")).toMatch(/board: boot embertcp cortex-m3 ip 10\.9\.5\.2/);
    expect(rig.q.lines.join("\n")).toMatch(/QEMU mps2-an385 board/);
    const r = await rig.ns.exec(["ping", "-c", "2", "-i", "0.2", "-W", "3", BOARD], { timeoutMs: 15_000 });
    expect(r.stdout.toString()).toMatch(/2 packets transmitted, 2 received/);
    const e = await rig.ns.exec(["python3", "-c", ECHO_PY, BOARD, "20000"], { timeoutMs: 30_000 });
    expect(e.stdout.toString().trim()).toBe("same");
  });
});
