/** ABI error codes (docs/ABI.md "Errors") and the exception that carries them. */

export const ERRNO = {
  EINVAL: -1,
  ENOMEM: -2,
  EAGAIN: -3,
  ENOTCONN: -4,
  ECONNRESET: -5,
  ECONNREFUSED: -6,
  ETIMEDOUT: -7,
  EADDRINUSE: -8,
  ECLOSED: -9,
  ENODEV: -10,
  EMSGSIZE: -11,
  ENOTFOUND: -12,
  ENETUNREACH: -13,
} as const;

export type ErrorName = keyof typeof ERRNO;

const BY_CODE = new Map<number, ErrorName>(Object.entries(ERRNO).map(([k, v]) => [v, k as ErrorName]));

/** The ABI name of a negative result. */
export function errorName(code: number): ErrorName | `E${number}` {
  return BY_CODE.get(code) ?? (`E${code}` as const);
}

/** A call into the module returned an error. */
export class EmberError extends Error {
  constructor(readonly call: string, readonly code: number) {
    super(`${call}: ${errorName(code)}`);
    this.name = "EmberError";
  }
  /** The ABI error name, e.g. "EAGAIN". */
  get errno(): ErrorName | `E${number}` {
    return errorName(this.code);
  }
}

/** Return `r` if non-negative, else throw an EmberError naming `call`. */
export function check(call: string, r: number): number {
  if (r < 0) throw new EmberError(call, r);
  return r;
}
