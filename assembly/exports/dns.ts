// dns_server, dns_query, dns_result (docs/ABI.md "DNS").

import { WITH_DNS } from "../config";
import { counted, invalid, validRange } from "../args";
import { setUserNameserver } from "../nameservers";
import { dnsQuery, dnsResult } from "../dns/resolver";

/** Set (ip != 0) or clear (ip 0) DNS server 0 or 1; it wins over DHCP's. */
export function dns_server(index: i32, ip: u32): i32 {
  if (!WITH_DNS) return invalid(); // left out of this build: no code, no RAM
  if (index < 0 || index > 1 || ip == 0xffffffff || (ip >>> 28) >= 0xe) return invalid();
  setUserNameserver(index, ip);
  return 0;
}

/** Start resolving the A record of the name at name_ptr; a query handle. */
export function dns_query(name_ptr: usize, len: i32): i32 {
  if (!WITH_DNS) return invalid(); // left out of this build: no code, no RAM
  if (!validRange(name_ptr, len)) return invalid();
  return counted(dnsQuery(name_ptr, len));
}

/** 0 and the address at out_ptr, EAGAIN while pending, or the query's error. */
export function dns_result(q: i32, out_ptr: usize): i32 {
  if (!WITH_DNS) return invalid(); // left out of this build: no code, no RAM
  if (!validRange(out_ptr, 4)) return invalid();
  return counted(dnsResult(q, out_ptr));
}
