/**
 * The package as a user installs it: `npm pack` the checkout, unpack the
 * tarball into a fresh project's node_modules the way npm does (its
 * dependencies linked from this checkout's node_modules, so it runs
 * offline and in CI right after `npm ci`), then run the README's "Using the
 * module" snippet there exactly as written, type-check it against the
 * packaged declarations, and run `npx embertcp demo` there. The tarball
 * must hold only what the package needs: no tests, benches, sources of the
 * simulator, source maps or test builds.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { projectRoot } from "../host-sim/paths.js";

const root = projectRoot();
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { name: string; dependencies: Record<string, string> };

/** The README's "Using the module" code block. */
function readmeSnippet(): string {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Using the module"));
  const m = /```js\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error("README.md: no ```js block under \"Using the module\"");
  return m[1];
}

describe("the packed package", () => {
  let app: string;
  let files: string[];

  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), "embertcp-pack-"));
    const out = execFileSync("npm", ["pack", "--json", "--pack-destination", dir], { cwd: root, encoding: "utf8", timeout: 120_000, stdio: ["ignore", "pipe", "pipe"] });
    const info = (JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>)[0];
    files = info.files.map((f) => f.path);
    app = join(dir, "app");
    const target = join(app, "node_modules", pkg.name);
    mkdirSync(target, { recursive: true });
    execFileSync("tar", ["-xzf", join(dir, info.filename), "-C", target, "--strip-components=1"]);
    for (const dep of Object.keys(pkg.dependencies)) {
      mkdirSync(join(app, "node_modules", dep, ".."), { recursive: true });
      symlinkSync(join(root, "node_modules", dep), join(app, "node_modules", dep));
    }
    mkdirSync(join(app, "node_modules", ".bin"));
    symlinkSync(join("..", pkg.name, "bin", "embertcp.js"), join(app, "node_modules", ".bin", "embertcp"));
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module", dependencies: { [pkg.name]: "*" } }));
  }, 180_000);

  test("holds the module, the compiled library with its types, the CLI and the docs, and nothing else", () => {
    for (const f of ["package.json", "README.md", "bin/embertcp.js", "build/embertcp.wasm", "dist/host-sim/index.js", "dist/host-sim/index.d.ts", "dist/host-sim/cli.js", "include/embertcp.h", "docs/ABI.md"]) {
      expect(files).toContain(f);
    }
    const allowed = /^(package\.json|README\.md|LICENSE|bin\/embertcp\.js|build\/embertcp(\.debug|\.imported-memory)?\.wasm|dist\/host-sim\/.+\.(js|d\.ts)|assembly\/.+\.ts|include\/.+\.h|docs\/.+\.md)$/;
    expect(files.filter((f) => !allowed.test(f))).toEqual([]);
    expect(files.filter((f) => /(^|\/)(test|tests|bench|examples|node_modules)\/|\.test\.|\.map$/.test(f))).toEqual([]);
  });

  test("the README snippet runs as written against the installed package", () => {
    const snippet = readmeSnippet();
    expect(snippet).toMatch(/from "embertcp"/);
    writeFileSync(join(app, "snippet.mjs"), snippet);
    const r = spawnSync(process.execPath, ["snippet.mjs"], { cwd: app, encoding: "utf8", timeout: 60_000 });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^echo: 1000 of 1000 bytes came back$/m);
  });

  test("the snippet type-checks against the packaged declarations", () => {
    writeFileSync(join(app, "snippet.ts"), readmeSnippet());
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    const r = spawnSync(process.execPath, [tsc, "--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022",
      "--typeRoots", join(root, "node_modules", "@types"), "--types", "node", "snippet.ts"], { cwd: app, encoding: "utf8", timeout: 120_000 });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  test("`npx embertcp demo` runs in the fresh project", () => {
    const r = spawnSync("npx", ["--offline", "embertcp", "demo", "--fast", "--syns", "20", "--no-pcap"], { cwd: app, encoding: "utf8", timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ESTABLISHED/);
    expect(r.stdout).toMatch(/SYN/);
  });
});

describe("what `npm install` brings", () => {
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean; optional?: boolean; hasInstallScript?: boolean }> };
  const allow = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { allowScripts?: Record<string, boolean> }).allowScripts ?? {};
  const installed = Object.entries(lock.packages).filter(([path]) => path !== "").map(([path, p]) => ({ name: path.replace(/^.*node_modules\//, ""), ...p }));

  test("no Bluetooth, USB or WebRTC packages: flashing needs a serial port or a TCP socket only", () => {
    expect(installed.map((p) => p.name).filter((n) => /noble|bluetooth|^usb$|node-ble|wrtc|websocket|hci-socket/.test(n))).toEqual([]);
  });

  test("every package with an install script is one the project has reviewed (npm prints no install-script warning)", () => {
    const scripted = installed.filter((p) => p.hasInstallScript).map((p) => p.name);
    expect(scripted.filter((n) => !(n in allow))).toEqual([]);
    expect(scripted.filter((n) => !installed.find((p) => p.name === n)?.dev)).toEqual(["@serialport/bindings-cpp"]);
  });
});
