/**
 * Where a Stack's outgoing frames go: to `onFrame` when it is set, and
 * then nowhere else (a long-running host forwarding frames must not keep
 * them all), or into `sent` until `takeSent()` when it is not.
 */
import { expect, test } from "vitest";
import { arpRequestFrame, echoRequestFrame } from "../host-sim/ping.js";
import { ipToNumber, macToBytes, Stack } from "../host-sim/stack.js";

const BOARD = ipToNumber("10.0.0.2"), HOST = ipToNumber("10.0.0.1");
const BOARD_MAC = macToBytes("02:00:00:00:00:01"), HOST_MAC = macToBytes("02:00:00:00:00:02");

function board(onFrame: Stack["onFrame"] = null): Stack {
  const s = new Stack({ seed: 3 });
  s.onFrame = onFrame;
  s.init({ mac: BOARD_MAC, ip: BOARD, netmask: "255.255.255.0" });
  return s;
}

function pings(s: Stack, n: number): void {
  s.input(arpRequestFrame(HOST_MAC, HOST, BOARD));
  for (let seq = 1; seq <= n; seq++) {
    s.poll(seq);
    s.input(echoRequestFrame({ srcMac: HOST_MAC, dstMac: BOARD_MAC, src: HOST, dst: BOARD, id: 1, seq, data: new Uint8Array(8) }));
  }
}

test("with onFrame set, 5000 echo replies are handed over and none is kept", () => {
  let handed = 0, replies = 0;
  const s = board((f) => { handed++; if (f[23] === 1 && f[34] === 0) replies++; });
  pings(s, 5000);
  expect(replies).toBe(5000);
  expect(handed).toBeGreaterThan(5000);
  expect(s.sent).toHaveLength(0);
  expect(s.takeSent()).toEqual([]);
});

test("without onFrame, frames wait in sent until takeSent()", () => {
  const s = board();
  s.takeSent(); // what net_init announced
  pings(s, 3);
  const f = s.takeSent();
  expect(f).toHaveLength(4); // the ARP reply and three echo replies
  expect(f[0][12] << 8 | f[0][13]).toBe(0x0806);
  expect(f.slice(1).map((x) => x[34])).toEqual([0, 0, 0]);
  expect(s.sent).toHaveLength(0);
});
