/**
 * A real browser as a client: headless Chromium, started inside the test's
 * namespace with a fresh profile, opens the board's status page through the
 * TAP. The test reads the rendered DOM (--dump-dom) for the connection table
 * and saves a screenshot as build/browser-status.png.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { HttpServer, EchoServer } from "../host-sim/apps/index.js";
import { boardBehindTap, BOARD_IP, buildArtifact, interopGate, LINUX_IP, type Rig } from "./helpers/interop.js";

const CHROMIUM = "/usr/bin/chromium";
const run = interopGate([CHROMIUM]);

function chromiumArgs(profile: string): string[] {
  return [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic", "--disable-dev-shm-usage", `--user-data-dir=${profile}`];
}

describe.runIf(run)("headless Chromium opens the board's status page", () => {
  let rig: Rig;
  let http: HttpServer;
  const profiles: string[] = [];
  beforeAll(async () => {
    http = new HttpServer();
    rig = await boardBehindTap({ apps: [http, new EchoServer()], config: { msl_ms: 1000 } });
  });
  afterAll(async () => {
    await rig?.teardown();
    for (const p of profiles) rmSync(p, { recursive: true, force: true });
  });

  test("the rendered DOM has the connection table with the browser's own connection", async () => {
    const profile = mkdtempSync(join(tmpdir(), "embertcp-chromium-"));
    profiles.push(profile);
    const r = await rig.ns.exec([...chromiumArgs(profile), "--dump-dom", `http://${BOARD_IP}/`], { timeoutMs: 45_000 });
    expect(r.timedOut).toBe(false);
    const dom = r.stdout.toString();
    expect(dom).toContain(`<h1>embertcp board ${BOARD_IP}</h1>`);
    const table = /<table id="connections">([\s\S]*?)<\/table>/.exec(dom)?.[1] ?? "";
    expect(table).toMatch(/<th>State<\/th>/);
    expect(table).toMatch(new RegExp(`<td>${BOARD_IP}:80</td><td>${LINUX_IP}:\\d+</td><td class="state">ESTABLISHED</td>`));
    expect(table).toMatch(new RegExp(`<td>${BOARD_IP}:7</td><td>\\*:\\*</td><td class="state">LISTEN</td>`));
    expect(http.answered[200]).toBeGreaterThanOrEqual(1);
  }, 60_000);

  test("a screenshot of the page is saved under build/", async () => {
    const profile = mkdtempSync(join(tmpdir(), "embertcp-chromium-"));
    profiles.push(profile);
    const out = buildArtifact("browser-status.png");
    rmSync(out, { force: true });
    const r = await rig.ns.exec([...chromiumArgs(profile), "--hide-scrollbars", "--window-size=1000,800", `--screenshot=${out}`, `http://${BOARD_IP}/`], { timeoutMs: 45_000 });
    expect(r.timedOut).toBe(false);
    expect(existsSync(out)).toBe(true);
    expect(statSync(out).size).toBeGreaterThan(5000);
  }, 60_000);
});
