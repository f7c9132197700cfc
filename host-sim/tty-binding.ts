/**
 * The native serialport binding, with one mend to how an open port waits
 * for its device.
 *
 * An open unix port has one poller per file descriptor, shared by its
 * reader and its writer. Asked to wait for one event, the poller re-arms the
 * descriptor for that event alone, dropping whatever the other side was
 * waiting for. A write that finds the tty full (EAGAIN) therefore stops the
 * port from noticing input until the tty drains. When the far side drains
 * only by our reading (a pty relayed by socat, which blocks on its own full
 * write), both ends wait on each other for ever: seen as a pair of links
 * that stop dead in the middle of a burst with input queued in the kernel.
 *
 * The mend: every wait asks for what is awaited by anyone, not only by the
 * caller. Ports of other bindings (the mock) have no such poller and are
 * returned as they are.
 */

import type { SerialPortStream } from "@serialport/stream";
import { SerialPort } from "serialport";

/** The parts of a serialport binding this module uses (the bindings-interface contract). */
export interface SerialBinding {
  list(): Promise<unknown[]>;
  open(options: { path: string; baudRate: number }): Promise<unknown>;
}

/** The binding type SerialPortStream declares; SerialBinding is its structural subset. */
export type StreamBinding = ConstructorParameters<typeof SerialPortStream>[0]["binding"];

/** The bits of the poller's event mask (libuv's uv_poll_event values). */
const READABLE = 1, WRITABLE = 2, DISCONNECT = 4;

/** The shape of an open native port's poller: an EventEmitter with poll(mask). */
interface PortPoller {
  poll(mask?: number): void;
  listenerCount(event: string): number;
}

/** Make `poller.poll` arm every event someone is still waiting for, as well as the one asked for. */
export function pollForAllWaiters(poller: PortPoller): void {
  const pollOnly = poller.poll.bind(poller);
  poller.poll = (mask = 0) => pollOnly(mask
    | (poller.listenerCount("readable") > 0 ? READABLE : 0)
    | (poller.listenerCount("writable") > 0 ? WRITABLE : 0)
    | (poller.listenerCount("disconnect") > 0 ? DISCONNECT : 0));
}

function isPortPoller(p: unknown): p is PortPoller {
  const q = p as Partial<PortPoller> | null;
  return typeof q?.poll === "function" && typeof q.listenerCount === "function";
}

/** `base` (default: the platform's native binding) with each opened port's poller mended. */
export function mendedBinding(base: SerialBinding = SerialPort.binding as SerialBinding): SerialBinding {
  return {
    list: () => base.list(),
    open: async (options) => {
      const port = await base.open(options);
      const poller = (port as { poller?: unknown }).poller;
      if (isPortPoller(poller)) pollForAllWaiters(poller);
      return port;
    },
  };
}
