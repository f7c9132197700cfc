/**
 * nmap's OS detection against a board behind a TAP in a namespace of this
 * test's own: the IPv4 identification must not read as a global counter
 * (RFC 6864 §4.1, RFC 7739 §5: an incremental ID leaks the traffic rate and
 * makes the board an idle-scan zombie). One bounded scan of one open and one
 * closed port; bench/nmap-ipid.ts prints the same line for any build.
 */
import { describe, expect, test } from "vitest";
import { nmapIpId } from "../bench/nmap-ipid.js";
import { interopGate } from "./helpers/interop.js";

const run = interopGate(["nmap"]);

describe.runIf(run)("interop: nmap OS detection", () => {
  test("RFC 7739 §5: nmap reads the board's IP ID sequence and does not call it incremental", async () => {
    const v = await nmapIpId();
    expect(v.line, v.output).toMatch(/^IP ID Sequence Generation: /);
    expect(v.line).not.toMatch(/Incremental|Broken little-endian/);
  }, 200_000);
});
