/**
 * A board (the fuzzer's echo server on port 80, host-sim/fuzz/instance.ts)
 * and one of the fuzzer's checking peers (host-sim/fuzz/peer.ts), for
 * tests reduced from fuzzer runs: the peer checks every segment it gets
 * (window, MSS, echo bytes) and fails the test on the first bad one.
 */
import { expect } from "vitest";
import { Instance } from "../../host-sim/fuzz/instance.js";
import { Peer } from "../../host-sim/fuzz/peer.js";
import { ACK, ipNumber } from "../../host-sim/wire/index.js";

export { drain } from "../../host-sim/fuzz/health.js";

/** A board and one peer that has completed its handshake with it. */
export function echoPeer(o: { mss?: number; wnd?: number; syncookies?: number } = {}): { x: Instance; p: Peer } {
  const x = new Instance(5);
  if (o.syncookies !== undefined) x.m.stack.setConfig("syncookies", o.syncookies);
  const p = new Peer({ ip: ipNumber("10.0.0.20"), port: 5000, boardPort: 80, iss: 1000, mss: o.mss ?? 1460, wnd: o.wnd ?? 65535, seed: 3, stream: 3000 }, "syn-sent");
  x.peers.set(p.key, p);
  x.sendSeg(p, p.syn());
  x.settle();
  expect(p.state).toBe("open");
  return { x, p };
}

/**
 * The peer shuts its window and sends 1460 bytes; the echo waits in the
 * board's send ring; the application closes: FIN-WAIT-1 with data queued
 * behind a zero window.
 */
export function echoBehindShutWindow(): { x: Instance; p: Peer } {
  const { x, p } = echoPeer();
  p.wnd = 0;
  x.sendSeg(p, p.segment(ACK));
  x.sendSeg(p, p.data(1460)!);
  x.settle();
  const [h] = x.app.conns.keys();
  x.app.close(h);
  x.settle();
  return { x, p };
}

/** The board's tcp_list rows other than its listener. */
export const boardConnections = (x: Instance) => x.m.stack.list().filter((e) => e.state !== 1);
