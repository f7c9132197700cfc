/**
 * The module under test, called through one wrapper so that every oracle
 * that holds for any call is applied to every call: a trap (an abort or a
 * wasm runtime error) is a failure wherever it happens, the memory never
 * grows (docs/ABI.md: initial = maximum), and a result outside the
 * documented set for that call (docs/ABI.md "Errors") is a failure.
 */
import { ERRNO } from "../errors.js";
import { Stack } from "../stack.js";
import { FuzzFailure } from "./world.js";

export const { EINVAL, ENOMEM, EAGAIN, ENOTCONN, ECONNRESET, ECONNREFUSED, ETIMEDOUT, EADDRINUSE, ECLOSED } = ERRNO;
/** What tcp_recv/tcp_send may say about a connection the application still holds. */
export const CONN_ERRORS = [ENOTCONN, ECONNRESET, ECONNREFUSED, ETIMEDOUT];

export class Module {
  readonly stack: Stack;
  readonly scratch: number;
  readonly scratchSize: number;
  readonly memBytes: number;
  /** Every call made, by name (for the report). */
  calls = 0;

  constructor(seed: number, onFrame: (f: Uint8Array) => void) {
    this.stack = new Stack({ seed, log: () => {} });
    this.stack.onFrame = onFrame;
    this.scratch = this.stack.exports.net_scratch();
    this.scratchSize = this.stack.exports.net_scratch_size();
    this.memBytes = this.stack.exports.memory.buffer.byteLength;
  }

  /** Call an export; a trap or a grown memory is a failure. */
  call(name: string, ...args: number[]): number {
    this.calls++;
    let r: number;
    try {
      r = (this.stack.exports as unknown as Record<string, (...a: number[]) => number>)[name](...args);
    } catch (e) {
      if (e instanceof FuzzFailure) throw e;
      throw new FuzzFailure(`${name}(${args.join(", ")}) trapped: ${(e as Error).message}`);
    }
    if (this.stack.exports.memory.buffer.byteLength !== this.memBytes) throw new FuzzFailure(`memory grew to ${this.stack.exports.memory.buffer.byteLength} bytes in ${name}`);
    return r;
  }

  /** Call and require the result be one of `allowed`, or in [0, nonNegMax] when that is given. */
  expect(name: string, args: number[], allowed: number[], nonNegMax = -1): number {
    const r = this.call(name, ...args);
    if ((r >= 0 && r <= nonNegMax) || allowed.includes(r)) return r;
    throw new FuzzFailure(`${name}(${args.join(", ")}) returned ${r}; documented here: ${allowed.join(", ")}${nonNegMax >= 0 ? ` or 0..${nonNegMax}` : ""}`);
  }

  get memory(): Uint8Array { return new Uint8Array(this.stack.exports.memory.buffer); }
}
