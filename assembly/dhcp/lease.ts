// The lease the DHCP client holds (or is being offered), and the rules a
// reply's options must satisfy before any of them is believed: a usable
// unicast address, a contiguous netmask, a router on that subnet, and
// T1 <= T2 <= lease (RFC 2131 §4.4.5). A reply that breaks one is dropped
// and counted, never half applied.

import { REPLY } from "./message";

// @ts-ignore: decorator
@inline const FOREVER: u64 = 0xffffffffffffffff;
/** RFC 2131 §3.3: lease time 0xFFFFFFFF means infinity. */
// @ts-ignore: decorator
@inline const INFINITE_S: u32 = 0xffffffff;

export class Lease {
  static ip: u32 = 0;
  static mask: u32 = 0;
  static router: u32 = 0;
  static dns1: u32 = 0;
  static dns2: u32 = 0;
  static server: u32 = 0;
  static leaseS: u32 = 0;
  static t1S: u32 = 0;
  static t2S: u32 = 0;
  static t1At: u64 = 0;
  static t2At: u64 = 0;
  static endAt: u64 = 0;

  static clear(): void {
    Lease.ip = 0;
    Lease.server = 0;
    Lease.leaseS = 0;
  }

  static infinite(): bool { return Lease.leaseS == INFINITE_S; }

  /** Arm T1, T2 and expiry counted from `from` (u64 ms), RFC 2131 §4.4.5 defaults 0.5 and 0.875 of the lease. */
  static arm(from: u64): void {
    if (Lease.infinite()) {
      Lease.t1At = FOREVER;
      Lease.t2At = FOREVER;
      Lease.endAt = FOREVER;
      return;
    }
    const l = <u64>Lease.leaseS * 1000;
    Lease.endAt = from + l;
    Lease.t1At = from + (Lease.t1S != 0 ? <u64>Lease.t1S * 1000 : l / 2);
    Lease.t2At = from + (Lease.t2S != 0 ? <u64>Lease.t2S * 1000 : l * 7 / 8);
  }
}

/** RFC 1122 §3.2.1.3 and §3.3.6: an address a host may use as its own. */
function usableAddress(a: u32): bool {
  const top = a >>> 24;
  return a != 0 && top != 0 && top != 127 && top < 224;
}

/** The classful mask (RFC 1122 §3.3.1.1 fallback when option 1 is absent). */
function classfulMask(a: u32): u32 {
  if ((a >>> 31) == 0) return 0xff000000;
  if ((a >>> 30) == 2) return 0xffff0000;
  return 0xffffff00;
}

/** REPLY's options are consistent; `ack` adds the ACK's must-haves (lease time, server id; RFC 2131 table 3). */
export function leaseOk(ack: bool): bool {
  const r = REPLY;
  if (!usableAddress(r.yiaddr)) return false;
  const mask = r.hasMask ? r.mask : classfulMask(r.yiaddr);
  // Contiguous, at least two host bits, and yiaddr neither the network nor its broadcast.
  if ((~mask & (~mask + 1)) != 0 || ~mask < 3) return false;
  if ((r.yiaddr & ~mask) == 0 || (r.yiaddr & ~mask) == ~mask) return false;
  if (r.router != 0 && ((r.router & mask) != (r.yiaddr & mask) || r.router == r.yiaddr)) return false;
  if (ack && (!r.hasLease || r.leaseS == 0 || r.serverId == 0)) return false;
  const lease = r.hasLease ? r.leaseS : INFINITE_S;
  if (r.t1S != 0 && r.t2S != 0 && r.t1S > r.t2S) return false;
  if ((r.t1S != 0 && r.t1S > lease) || (r.t2S != 0 && r.t2S > lease)) return false;
  return true;
}

/** Take the offer or lease in REPLY (after leaseOk). */
export function leaseFromReply(): void {
  const r = REPLY;
  Lease.ip = r.yiaddr;
  Lease.mask = r.hasMask ? r.mask : classfulMask(r.yiaddr);
  Lease.router = r.router;
  Lease.dns1 = r.dns1;
  Lease.dns2 = r.dns2;
  if (r.serverId != 0) Lease.server = r.serverId;
  Lease.leaseS = r.leaseS;
  Lease.t1S = r.t1S;
  Lease.t2S = r.t2S;
}
