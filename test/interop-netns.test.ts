/**
 * The namespaces the interop tests and benches run in are torn down whole:
 * destroy() kills every process still inside, not only the ones it started.
 * `timeout` killed with SIGKILL cannot pass the signal on to its command, so
 * an hping3 flood under it would otherwise run on in a namespace that no
 * longer has a name, loading the machine for every later test.
 */
import { spawnSync } from "node:child_process";
import { expect, test } from "vitest";
import { createBareNetns } from "../host-sim/netns.js";
import { interopGate } from "./helpers/interop.js";
import { until } from "./helpers/until.js";

const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };

test.runIf(interopGate(["timeout", "sleep"]))("destroy() kills a command orphaned inside the namespace", async () => {
  const ns = createBareNetns("embn");
  const parent = ns.spawn(["timeout", "60", "sleep", "60"]);
  const pidsIn = () => spawnSync("ip", ["netns", "pids", ns.name], { encoding: "utf8" }).stdout.split(/\s+/).filter(Boolean).map(Number);
  expect(await until(() => pidsIn().length === 2, 5000)).toBe(true); // timeout and its sleep
  parent.kill("SIGKILL");
  expect(await until(() => pidsIn().length === 1, 5000)).toBe(true);
  const [orphan] = pidsIn();
  expect(alive(orphan)).toBe(true);
  await ns.destroy();
  expect(await until(() => !alive(orphan), 5000)).toBe(true);
}, 20_000);
