/**
 * A board on the host-frames link and the peer beside it, for the IP-layer
 * tests: a fresh Stack per call, the virtual clock, and helpers that speak
 * ARP and ICMP as the peer.
 */
import { Stack } from "../../host-sim/stack.js";
import { BROADCAST_MAC, buildArp, buildEthernet, buildIcmp, buildIpv4, type Ipv4Packet } from "../../host-sim/wire/index.js";

export const BOARD_MAC = "02:00:00:00:00:01";
export const BOARD_IP = "10.0.0.2";
export const PEER_MAC = "02:00:00:00:00:02";
export const PEER_IP = "10.0.0.1";
export const GATEWAY_IP = "10.0.0.1";

export interface IpBoard { stack: Stack; now: number; }

/** A fresh, initialised board at time 0, with the gratuitous ARP already taken. */
export function newIpBoard(opts: { gateway?: string; seed?: number } = {}): IpBoard {
  const stack = new Stack({ seed: opts.seed ?? 1 });
  stack.init({ mac: BOARD_MAC, ip: BOARD_IP, netmask: "255.255.255.0", gateway: opts.gateway ?? GATEWAY_IP });
  stack.poll(0);
  stack.takeSent();
  return { stack, now: 0 };
}

/** Advance the board's clock by `ms`, polling at every deadline it asks for on the way. */
export function advance(b: IpBoard, ms: number): void {
  const end = b.now + ms;
  for (let guard = 0; guard < 100000; guard++) {
    const next = b.stack.poll(b.now);
    if (next < 0 || b.now + Math.max(next, 1) > end) break;
    b.now += Math.max(next, 1);
  }
  b.now = end;
  b.stack.poll(b.now);
}

/** The peer sends an ARP request for the board's address (so the board learns the peer). */
export function peerArpRequest(from = { mac: PEER_MAC, ip: PEER_IP }, target = BOARD_IP): Uint8Array {
  return buildEthernet({
    dst: BROADCAST_MAC, src: from.mac, type: 0x0806,
    payload: buildArp({ op: 1, sha: from.mac, spa: from.ip, tha: "00:00:00:00:00:00", tpa: target }),
  });
}

/** An IPv4 frame from the peer to the board. */
export function peerIpFrame(p: Partial<Ipv4Packet> & { payload: Uint8Array; protocol: number }, srcMac = PEER_MAC, dstMac = BOARD_MAC): Uint8Array {
  return buildEthernet({ dst: dstMac, src: srcMac, type: 0x0800, payload: buildIpv4({ src: PEER_IP, dst: BOARD_IP, ...p }) });
}

/** An echo request frame from the peer. */
export function echoRequest(data: Uint8Array, id = 0x4242, seq = 1, ipOver: Partial<Ipv4Packet> = {}): Uint8Array {
  return peerIpFrame({ protocol: 1, payload: buildIcmp({ type: 8, code: 0, id, seq, data }), ...ipOver });
}
