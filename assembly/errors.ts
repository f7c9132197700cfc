// ABI error codes (negative results); docs/ABI.md "Errors".

// @ts-ignore: decorator
@inline export const EINVAL: i32 = -1;
// @ts-ignore: decorator
@inline export const ENOMEM: i32 = -2;
// @ts-ignore: decorator
@inline export const EAGAIN: i32 = -3;
// @ts-ignore: decorator
@inline export const ENOTCONN: i32 = -4;
// @ts-ignore: decorator
@inline export const ECONNRESET: i32 = -5;
// @ts-ignore: decorator
@inline export const ECONNREFUSED: i32 = -6;
// @ts-ignore: decorator
@inline export const ETIMEDOUT: i32 = -7;
// @ts-ignore: decorator
@inline export const EADDRINUSE: i32 = -8;
// @ts-ignore: decorator
@inline export const ECLOSED: i32 = -9;
// @ts-ignore: decorator
@inline export const ENODEV: i32 = -10;
// @ts-ignore: decorator
@inline export const EMSGSIZE: i32 = -11;
// @ts-ignore: decorator
@inline export const ENOTFOUND: i32 = -12;
// @ts-ignore: decorator
@inline export const ENETUNREACH: i32 = -13;
