// IPv4 address classes that no host may talk to (RFC 1122 §3.2.1.3,
// RFC 6890 special-purpose registry). Pure predicates on an address as a
// big-endian number; the subnet-dependent rule (our directed broadcast)
// is netif.ts's isBroadcast, and validPeer there joins both.

/** 0.0.0.0/8: "this host on this network"; only a source while learning an address (RFC 1122 §3.2.1.3 (a), (b)). */
// @ts-ignore: decorator
@inline export function isThisNetwork(a: u32): bool { return (a >>> 24) == 0; }

/** 127.0.0.0/8: internal loopback, never on a wire (RFC 1122 §3.2.1.3 (g)). */
// @ts-ignore: decorator
@inline export function isLoopback(a: u32): bool { return (a >>> 24) == 127; }

/** 224.0.0.0/4: multicast (RFC 1112 §4), never a source and never a TCP peer. */
// @ts-ignore: decorator
@inline export function isMulticast(a: u32): bool { return (a >>> 28) == 0xe; }

/** 240.0.0.0/4: reserved (class E), which holds 255.255.255.255 too (RFC 1122 §3.2.1.3 (c)). */
// @ts-ignore: decorator
@inline export function isReserved(a: u32): bool { return (a >>> 28) == 0xf; }

/** Not a unicast host address on any network: this-network, loopback, multicast or reserved. */
// @ts-ignore: decorator
@inline export function isMartian(a: u32): bool {
  return isThisNetwork(a) || isLoopback(a) || isMulticast(a) || isReserved(a);
}

/** A MAC address whose I/G bit is set: multicast or broadcast (IEEE 802.3 §3.2.3), never a station's own. */
// @ts-ignore: decorator
@inline export function isGroupMac(mac: usize): bool { return (load<u8>(mac) & 1) != 0; }
