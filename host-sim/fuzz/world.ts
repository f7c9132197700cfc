/**
 * The fuzzer's network: the board at 10.0.0.2/24 behind gateway 10.0.0.1,
 * every other address of the subnet a host whose MAC is derived from its
 * address, and the address classes no host may have (RFC 1122 §3.2.1.3),
 * to which the board must never send.
 */
import { ipNumber, ipString } from "../wire/index.js";

export const BOARD_MAC = "02:00:00:00:00:02";
export const BOARD_IP = "10.0.0.2";
export const NETMASK = "255.255.255.0";
export const GATEWAY_IP = "10.0.0.1";
export const LISTEN_PORT = 80;
const SUBNET = ipNumber("10.0.0.0");

/** A check the board failed; the message says which rule and what was seen. */
export class FuzzFailure extends Error {}

export function onSubnet(ip: number): boolean {
  return (ip & 0xffffff00) >>> 0 === SUBNET;
}

/** The MAC a host of the fuzzer's network answers ARP with (02:00:00:00:01:<last octet>). */
export function hostMac(ip: number): string {
  return `02:00:00:00:01:${(ip & 0xff).toString(16).padStart(2, "0")}`;
}

/** Where a frame to `ip` must go: the host itself on the subnet, else the gateway. */
export function nextHopMac(ip: number): string {
  return hostMac(onSubnet(ip) ? ip : ipNumber(GATEWAY_IP));
}

/** Whether ARP for `ip` gets an answer: every subnet host but the board, network and broadcast. */
export function answersArp(ip: number): boolean {
  const last = ip & 0xff;
  return onSubnet(ip) && last !== 0 && last !== 255 && ipString(ip) !== BOARD_IP;
}

/** 0/8, 127/8, multicast, class E, limited and subnet broadcast: no host has these (RFC 1122 §3.2.1.3). */
export function invalidHost(ip: number): boolean {
  const a = ip >>> 24;
  return a === 0 || a === 127 || a >= 224 || ip === ((SUBNET | 0xff) >>> 0);
}

/** Addresses a flood or a mutation may use as a source: real hosts, far hosts, and invalid ones. */
export const INVALID_SOURCES = ["0.0.0.0", "0.1.2.3", "127.0.0.1", "127.9.9.9", "224.0.0.251", "239.1.1.1", "240.0.0.1", "255.255.255.255", "10.0.0.255"].map(ipNumber);
