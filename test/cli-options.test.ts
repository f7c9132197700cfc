/**
 * The `embertcp` command line as a newcomer meets it, run as a process:
 * every bad option is refused in one line that names it and says what is
 * allowed, with exit 2 and before any device is opened (the serial path
 * below does not exist, so a command that opened first would fail with
 * exit 1 instead); stray words and single-dash flags are refused too;
 * `--version`, `help CMD` and each command's help list every option with
 * its default and an example.
 */
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { embertcp, lines } from "./helpers/cli-process.js";
import { helpText } from "../host-sim/cli/args.js";
import { readFileSync } from "node:fs";
import { projectRoot } from "../host-sim/paths.js";

const NOPORT = `/dev/embertcp-no-such-port-${process.pid}`;
const TAP = `ebo${process.pid % 100000}`;

describe("bad options: one line naming the option, exit 2, nothing opened", () => {
  test.each([
    [["--ip", "10.77.0.2/24", "--gw", "10.99.0.1"], /^embertcp sim: --gw 10\.99\.0\.1 is outside the board's subnet 10\.77\.0\.0\/24; give an address in 10\.77\.0\.1\.\.10\.77\.0\.254/],
    [["--ip", "224.0.0.1/24"], /^embertcp sim: --ip 224\.0\.0\.1\/24: 224\.0\.0\.1 is a multicast address; give a unicast host address/],
    [["--ip", "255.255.255.255/24"], /^embertcp sim: --ip 255\.255\.255\.255\/24: 255\.255\.255\.255 is the limited broadcast address/],
    [["--ip", "10.0.0.0/24"], /^embertcp sim: --ip 10\.0\.0\.0\/24: 10\.0\.0\.0 is the network address of 10\.0\.0\.0\/24; give a host address 10\.0\.0\.1\.\.10\.0\.0\.254/],
    [["--ip", "10.0.0.255/24"], /^embertcp sim: --ip 10\.0\.0\.255\/24: 10\.0\.0\.255 is the broadcast address of 10\.0\.0\.0\/24/],
    [["--ip", "10.0.0.2/31"], /^embertcp sim: --ip 10\.0\.0\.2\/31: the prefix length must be 1\.\.30/],
    [["--mac", "01:00:00:00:00:01"], /^embertcp sim: --mac 01:00:00:00:00:01 is a group \(multicast\) address/],
    [["--mac", "02:00:00:00:01"], /^embertcp sim: --mac 02:00:00:00:01: write six hex bytes/],
    [["--mac", "00:00:00:00:00:00"], /^embertcp sim: --mac 00:00:00:00:00:00: the all-zero address/],
    [["--gw", "10.0.0"], /^embertcp sim: --gw 10\.0\.0: write an IPv4 address/],
    [["--gw", "10.0.0.2"], /^embertcp sim: --gw 10\.0\.0\.2 is the board's own address/],
    [["--pcap", "/nonexistent/x.pcap"], /^embertcp sim: --pcap \/nonexistent\/x\.pcap: directory \/nonexistent does not exist/],
    [["--pcap", "/tmp"], /^embertcp sim: --pcap \/tmp is a directory/],
    [["--apps", "echo,ftp"], /^embertcp sim: --apps echo,ftp: unknown app "ftp": choose from echo, discard, chargen, http/],
    [["--msl", "5"], /^embertcp sim: --msl 5: give a whole number from 100 to 600000 ms/],
    [["--baud", "fast"], /^embertcp sim: --baud fast: give a whole number from 1200 to 12000000/],
    [["--netns", "x"], /^embertcp sim: --netns goes with --tap, not --serial/],
    [["-x"], /^embertcp sim: unknown option -x \(options start with --\)/],
    [["extra"], /^embertcp sim: takes no arguments, got "extra"/],
    [["--ip"], /^embertcp sim: --ip needs A\.B\.C\.D\/NN/],
    [["--ip", "10.0.0.2/24", "--ip", "10.0.0.3/24"], /^embertcp sim: --ip is given twice/],
  ])("sim --serial <missing> %j", async (extra, re) => {
    const r = await embertcp(["sim", "--serial", NOPORT, ...extra]);
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(2);
    expect(lines(r.err)).toHaveLength(1);
    expect(r.err).toMatch(re);
    expect(r.err).toMatch(/\(see `embertcp help sim`\)\n$/);
    expect(r.out).toBe("");
  });

  test("a bad option with --tap: refused before the TAP exists", async () => {
    const r = await embertcp(["sim", "--tap", TAP, "--ip", "10.77.0.2/24", "--gw", "10.99.0.1"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^embertcp sim: --gw 10\.99\.0\.1 is outside/);
    expect(existsSync(`/sys/class/net/${TAP}`)).toBe(false);
  });

  test.each([
    [["trace", "a.pcap", "extra.pcap"], /^embertcp trace: unexpected "extra\.pcap" after FILE\.pcap/],
    [["trace"], /^embertcp trace: needs FILE\.pcap/],
    [["demo", "extra"], /^embertcp demo: takes no arguments, got "extra"/],
    [["demo", "-f"], /^embertcp demo: unknown option -f/],
    [["demo", "--pcap", "/nonexistent/d.pcap"], /^embertcp demo: --pcap \/nonexistent\/d\.pcap: directory \/nonexistent does not exist/],
    [["netstat", "now"], /^embertcp netstat: takes no arguments/],
    [["netstat", "--watch", "0"], /^embertcp netstat: --watch 0: give a number from 0\.1 to 3600 seconds/],
    [["ping", "--count", "0"], /^embertcp ping: --count 0: give a whole number from 1 to 100000/],
    [["bridge", "--tap", "x", "--serial", NOPORT, "extra"], /^embertcp bridge: takes no arguments/],
    [["bridge", "--tap", "x"], /^embertcp bridge: bridge needs both --tap NAME and --serial PATH/],
    [["help", "nosuch"], /^embertcp help: unknown command "nosuch"/],
    [[], /^usage: embertcp <command>/],
  ])("%j → exit 2", async (argv, re) => {
    const r = await embertcp(argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(re);
  });

  test("a runtime failure is exit 1 (a serial port that is not there), and its reason is said once", async () => {
    const r = await embertcp(["sim", "--serial", NOPORT]);
    expect(r.code).toBe(1);
    expect(lines(r.err)).toHaveLength(1);
    expect(r.err).toBe(`embertcp sim: cannot open ${NOPORT}: No such file or directory; check the path (is the board plugged in? a socat pty pair still running?)\n`);
  });

  test("--netns naming no namespace says so, not that TAP devices need root", async () => {
    const r = await embertcp(["sim", "--tap", TAP, "--netns", `embertcp-none-${process.pid}`]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--netns embertcp-none-\d+: no such network namespace/);
    expect(r.err).not.toMatch(/root/);
  });
});

describe("help that helps", () => {
  const commands = ["demo", "sim", "bridge", "netstat", "ping", "trace", "flash", "qemu"];

  test("--version prints the package's version", async () => {
    const r = await embertcp(["--version"]);
    const pkg = JSON.parse(readFileSync(join(projectRoot(), "package.json"), "utf8")) as { version: string };
    expect(r.code).toBe(0);
    expect(r.out).toBe(`embertcp ${pkg.version}\n`);
  });

  test.each(commands)("help %s = the command's --help: every option with a default, and an example", async (name) => {
    const a = await embertcp(["help", name]), b = await embertcp([name, "--help"]);
    expect(a.code).toBe(0);
    expect(a.out).toBe(b.out);
    const text = a.out;
    expect(text).toMatch(new RegExp(`^usage: embertcp ${name}`));
    const options = text.split("\n").filter((l) => /^ {2}--[a-z]/.test(l) && !l.startsWith("  --help"));
    expect(options.length).toBeGreaterThan(0);
    for (const l of options) expect(l).toMatch(/ \S.*\(default: [^)]+\)$/);
    expect(text).toMatch(/\nexample:\n {2}(sudo )?embertcp \S+/);
  });

  test("the options newcomers asked about are explained", async () => {
    expect((await embertcp(["help", "demo"])).out).toMatch(/--fast +no 120 ms pause between the live netstat's updates/);
    expect((await embertcp(["help", "sim"])).out).toMatch(/--pace +send serial bytes no faster than --baud/);
    expect((await embertcp(["help", "trace"])).out).toMatch(/--absolute +print sequence and acknowledgment numbers as on the wire/);
  });

  test("the help text and the parser come from one declaration", () => {
    const spec = { name: "x", summary: "s", usage: "x", options: [{ name: "--a", value: "N", def: "1", help: "h" }, { name: "--b", help: "flag" }], example: "embertcp x --a 2", run: () => 0 };
    expect(helpText(spec)).toBe(["usage: x", "", "s", "", "options:", "  --a N  h (default: 1)", "  --b    flag (default: off)", "  --help this text", "", "example:", "  embertcp x --a 2"].join("\n"));
  });
});

test("demo refuses an unwritable capture before running", async () => {
  const dir = mkdtempSync(join(tmpdir(), "embertcp-cli-"));
  const r = await embertcp(["demo", "--pcap", dir]);
  expect(r.code).toBe(2);
  expect(r.out).toBe("");
});

describe("flash refuses what is not a module or not a serial port, before touching the port", () => {
  const WASM = join(projectRoot(), "build", "embertcp.wasm");
  const dir = mkdtempSync(join(tmpdir(), "embertcp-flashopt-"));
  const plain = join(dir, "plain.txt");
  writeFileSync(plain, "not a port\n");

  test.each([
    [["/dev/null"], 2, /^embertcp flash: --port \/dev\/null is not a serial port \(not a terminal device\)$/],
    [[plain], 2, /^embertcp flash: --port .*plain\.txt is not a device: give a serial port such as \/dev\/ttyACM0, or tcp:\/\/host:port$/],
    [[dir], 2, /^embertcp flash: --port .* is a directory, not a serial port$/],
    [["tcp://nohostport"], 2, /^embertcp flash: --port tcp:\/\/nohostport: write tcp:\/\/host:port$/],
  ])("--port %j → exit %i, one line", async (port, code, re) => {
    const r = await embertcp(["flash", WASM, "--port", ...port]);
    expect(r.code).toBe(code);
    expect(lines(r.err)).toHaveLength(1);
    expect(r.err.trim()).toMatch(re);
  });

  test("a file that is not WebAssembly (any name) is refused before the port is looked at", async () => {
    const r = await embertcp(["flash", "/etc/passwd", "--port", "/dev/null"]);
    expect(r.code).toBe(1);
    expect(r.err).toBe("embertcp flash: /etc/passwd is not a WebAssembly module (no \\0asm header)\n");
  });

  test("a module with the right header that does not validate is refused", async () => {
    const bad = join(dir, "truncated.wasm");
    writeFileSync(bad, readFileSync(WASM).subarray(0, 200));
    const r = await embertcp(["flash", bad, "--port", "/dev/null"]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`embertcp flash: ${bad} has a WebAssembly header but does not validate (truncated or corrupt?)\n`);
    const v2 = join(dir, "v2.wasm");
    writeFileSync(v2, Uint8Array.from([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0]));
    expect((await embertcp(["flash", v2, "--port", "/dev/null"])).err).toBe(`embertcp flash: ${v2} is WebAssembly version 2, not 1\n`);
  });

  test("--timeout 0 names the range it takes", async () => {
    const r = await embertcp(["flash", WASM, "--port", "/dev/null", "--timeout", "0"]);
    expect(r.code).toBe(2);
    expect(r.err).toBe("embertcp flash: --timeout 0: give a number from 0.1 to 600 seconds\n");
  });
});

test("an option declared repeatable collects every value; others refuse a second one", async () => {
  const { parse } = await import("../host-sim/cli/args.js");
  const spec = { name: "x", summary: "s", usage: "x", options: [{ name: "--set", value: "K=V", help: "h", repeat: true }, { name: "--ip", value: "A", help: "h" }], example: "x", run: () => 0 };
  const a = parse(spec, ["--set", "a=1", "--set=b=2"]);
  expect(a.all("--set")).toEqual(["a=1", "b=2"]);
  expect(() => parse(spec, ["--ip", "1", "--ip", "2"])).toThrow(/--ip is given twice/);
});
