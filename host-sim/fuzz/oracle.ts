/**
 * Checks on every frame the board sends, whatever provoked it: well formed
 * (RFC 894 Ethernet II, RFC 791 header and checksum, RFC 9293 §3.1 header
 * and checksum), from the board's own addresses, to the MAC that owns the
 * next hop, never to an address no host may have, never larger than the
 * 1500-byte MTU (RFC 1122 §3.3.3), and a TCP segment never both SYN and
 * FIN or SYN and RST.
 */
import {
  ARP_REQUEST, ETHERTYPE_ARP, ETHERTYPE_IPV4, FIN, IPPROTO_ICMP, IPPROTO_TCP, RST, SYN,
  ipNumber, parseArpFrame, parseEthernet, parseIcmp, parseIpv4, parseTcp, type ParsedIcmp, type ParsedTcp,
} from "../wire/index.js";
import { BOARD_IP, BOARD_MAC, FuzzFailure, invalidHost, nextHopMac, onSubnet } from "./world.js";

export type Output =
  | { kind: "arp"; target: number }
  | { kind: "tcp"; dst: number; tcp: ParsedTcp }
  | { kind: "icmp"; dst: number; icmp: ParsedIcmp };

const fail = (why: string): never => { throw new FuzzFailure(`output: ${why}`); };

/** Check one frame the board sent and say what it is. */
export function checkOutput(f: Uint8Array): Output {
  const eth = parseEthernet(f);
  if (!eth) return fail(`${f.length}-byte frame shorter than its Ethernet header`);
  if (eth.src !== BOARD_MAC) fail(`source MAC ${eth.src}, not the board's`);
  if (f.length > 1514) fail(`${f.length}-byte frame: IPv4 datagram over the 1500-byte MTU`);
  if (eth.type === ETHERTYPE_ARP) return checkArp(f, eth.dst);
  if (eth.type !== ETHERTYPE_IPV4) return fail(`EtherType 0x${eth.type.toString(16)}`);
  const ip = parseIpv4(eth.payload);
  if (!ip || ip.version !== 4 || !ip.checksumValid || ip.totalLength !== eth.payload.length) {
    return fail(`malformed IPv4 header (${ip ? `checksum ${ip.checksumValid ? "ok" : "bad"}, total length ${ip.totalLength} in ${eth.payload.length}` : "short"})`);
  }
  const dst = ipNumber(ip.dst);
  if (ip.src !== BOARD_IP) fail(`IPv4 source ${ip.src}`);
  if (invalidHost(dst)) fail(`datagram to ${ip.dst}, an address no host may have (RFC 1122 §3.2.1.3)`);
  if (eth.dst !== nextHopMac(dst)) fail(`datagram to ${ip.dst} sent to MAC ${eth.dst}, not ${nextHopMac(dst)}`);
  if (ip.ttl === 0 || ip.mf || ip.fragOffset !== 0) fail(`TTL ${ip.ttl} or a fragment`);
  if (ip.protocol === IPPROTO_ICMP) {
    const icmp = parseIcmp(ip.payload);
    if (!icmp || !icmp.checksumValid) fail("ICMP message with a bad checksum");
    return { kind: "icmp", dst, icmp: icmp! };
  }
  if (ip.protocol !== IPPROTO_TCP) return fail(`IP protocol ${ip.protocol}`);
  const tcp = parseTcp(ip.payload, ip.src, ip.dst);
  if (!tcp || !tcp.checksumValid || tcp.options.malformed) return fail("TCP segment with a bad header, checksum or option list");
  if ((tcp.flags & SYN) && (tcp.flags & (FIN | RST))) fail(`TCP flags 0x${tcp.flags.toString(16)}: SYN with FIN or RST`);
  if ((tcp.flags & SYN) && (tcp.options.mss === undefined || tcp.options.mss > 1460)) fail(`SYN with MSS option ${tcp.options.mss}`);
  if (tcp.payload.length > 1460) fail(`${tcp.payload.length} bytes of TCP data, over the 1460 an Ethernet MTU allows`);
  return { kind: "tcp", dst, tcp: tcp! };
}

function checkArp(f: Uint8Array, ethDst: string): Output {
  const a = parseArpFrame(f);
  if (!a || a.sha !== BOARD_MAC || a.spa !== BOARD_IP) return fail("malformed ARP or not from the board's addresses");
  const target = ipNumber(a.tpa);
  if (a.op === ARP_REQUEST) {
    if (!onSubnet(target) || invalidHost(target)) fail(`ARP request for ${a.tpa}, off the subnet or invalid`);
    // Broadcast, or unicast to the cached MAC to refresh the entry (RFC 1122 §2.3.2.1).
    if (ethDst !== "ff:ff:ff:ff:ff:ff" && ethDst !== nextHopMac(target)) fail(`ARP request for ${a.tpa} to ${ethDst}`);
  }
  return { kind: "arp", target: a.op === ARP_REQUEST ? target : -1 };
}
