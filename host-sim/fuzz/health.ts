/**
 * The end of every instance: the application lets go of every connection,
 * the peers fall silent, and virtual time runs on until every timer has
 * done its work; then nothing may be left but the listener (no TCB or
 * SYN-queue entry leaked), and a fresh peer must complete a handshake, an
 * echo of a few kilobytes byte-exact, and a close.
 */
import { ACK } from "../wire/index.js";
import { newPeer } from "./actions.js";
import type { Instance } from "./instance.js";
import { FuzzFailure, LISTEN_PORT } from "./world.js";

/** Long enough for retransmissions and zero-window probes to give up (rto_max 60 s × 8 tries), half-open entries, TIME-WAIT, FIN-WAIT-2. */
const DRAIN_MS = 20 * 60_000;
const TRANSFER = 6000;

export function healthCheck(x: Instance): void {
  x.note("health check");
  x.loss = 0;
  x.app.abortAll();
  x.peers.clear();
  drain(x, DRAIN_MS);
  // Handshakes that completed while draining were accepted; idle
  // established connections are the application's to end (no keep-alive).
  x.app.abortAll();
  const left = x.m.stack.list().filter((e) => !(e.state === 1 && e.localPort === LISTEN_PORT));
  if (left.length) throw new FuzzFailure(`after ${DRAIN_MS / 60_000} idle minutes ${left.length} entries remain: ${JSON.stringify(left.slice(0, 4))}`);
  const p = newPeer(x, "syn-sent");
  p.clean = true;
  x.sendSeg(p, p.syn());
  x.settle();
  for (let i = 0; i < 400 && !(p.finGot && p.echoed >= Math.min(TRANSFER, p.stream.length)); i++) {
    const s = p.data(TRANSFER);
    if (s) x.sendSeg(p, s);
    else if (p.sentBytes >= Math.min(TRANSFER, p.stream.length)) { const f = p.fin(); if (f) x.sendSeg(p, f); }
    x.settle();
    x.now = (x.now + 10) >>> 0;
    x.poll();
    x.settle();
  }
  const want = Math.min(TRANSFER, p.stream.length);
  if (p.state !== "open" || p.echoed < want || !p.finGot) {
    throw new FuzzFailure(`health check: fresh connection is ${p.state}, ${p.echoed} of ${want} bytes echoed, FIN ${p.finGot ? "" : "not "}received`);
  }
  x.sendSeg(p, p.segment(ACK));
  x.settle();
}

/** Poll from deadline to deadline for `ms` of virtual time, the application running. */
export function drain(x: Instance, ms: number): void {
  const end = x.now + ms;
  for (let t = x.now, i = 0; t < end && i < 20_000; i++) {
    const next = x.poll();
    x.settle();
    const dt = next < 0 ? 1000 : Math.max(1, Math.min(next, 1000));
    t += dt;
    x.now = (x.now + dt) >>> 0;
  }
}
