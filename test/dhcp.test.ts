/**
 * The DHCP client on the wire (RFC 2131 §3.1, §4.1, §4.4; options RFC
 * 2132; address probe RFC 5227): message fields, retransmission times, the
 * ARP probe, DECLINE, NAK, T1/T2/expiry and what the board does with its
 * address and connections on the way, and replies it must not believe.
 */
import { describe, expect, test } from "vitest";
import { BROADCAST_MAC, buildArp, buildEthernet } from "../host-sim/wire/index.js";
import { DHCP, addrBytes, dhcpReply, opt, u32Bytes } from "./helpers/udp-packets.js";
import {
  BOARD_MAC, LEASE_S, OFFERED, SERVER_IP, SERVER_MAC, advance, arpReply, bind, dhcpBoard, fromServer, nextDhcp, reply,
  serverOptions, taken,
} from "./helpers/dhcp-harness.js";
import { errnoOf } from "./helpers/tcp-harness.js";

const S = { INIT: 1, SELECTING: 2, REQUESTING: 3, CHECKING: 4, BOUND: 5, RENEWING: 6, REBINDING: 7 };
const CLIENT_ID = Uint8Array.of(1, 2, 0, 0, 0, 0, 1);

describe("INIT → SELECTING", () => {
  test("DISCOVER: broadcast from 0.0.0.0:68 to 255.255.255.255:67 with every field and option of RFC 2131 table 5", () => {
    const b = dhcpBoard({ hostname: "board-7" });
    const [d, ...rest] = taken(b);
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ ethDst: BROADCAST_MAC, ipSrc: "0.0.0.0", ipDst: "255.255.255.255", udp: { srcPort: 68, dstPort: 67, checksummed: true } });
    const m = d.dhcp!;
    expect(m).toMatchObject({ op: 1, htype: 1, hlen: 6, secs: 0, flags: 0, ciaddr: "0.0.0.0", yiaddr: "0.0.0.0", siaddr: "0.0.0.0", giaddr: "0.0.0.0", chaddr: BOARD_MAC, magicOk: true, ended: true });
    expect(m.length).toBeGreaterThanOrEqual(300);
    expect(m.options.map(([c]) => c)).toEqual([53, 61, 12, 55]);
    expect(opt(m, 53)).toEqual(Uint8Array.of(DHCP.DISCOVER));
    expect(opt(m, 61)).toEqual(CLIENT_ID);
    expect(new TextDecoder().decode(opt(m, 12))).toBe("board-7");
    expect([...opt(m, 55)!]).toEqual([1, 3, 6, 51, 58, 59]);
    expect(b.stack.netAddr()).toMatchObject({ ip: "0.0.0.0", dhcpState: S.SELECTING, leaseLeft: 0, server: "0.0.0.0" });
  });

  test("no host name set → no option 12", () => {
    const b = dhcpBoard();
    expect(opt(taken(b)[0].dhcp!, 12)).toBeUndefined();
  });

  test.each(["", "a".repeat(33), "bad_name", "dot.ted", "sp ace"])("net_hostname(%j) → EINVAL", (name) => {
    const b = dhcpBoard();
    expect(errnoOf(() => b.stack.setHostname(name))).toBe("EINVAL");
  });

  test("retransmission (§4.1): 4, 8, 16, 32, 64, 64 s, each ±1 s, same xid, secs counting", () => {
    for (const seed of [1, 2, 3]) {
      const b = dhcpBoard({ seed });
      const first = taken(b)[0];
      let last = first.at;
      const gaps: number[] = [];
      for (let i = 0; i < 6; i++) {
        const s = nextDhcp(b, 70_000);
        expect(s.dhcp!.xid).toBe(first.dhcp!.xid);
        expect(s.dhcp!.secs).toBe(Math.floor((s.at - first.at) / 1000));
        gaps.push(s.at - last);
        last = s.at;
      }
      [4000, 8000, 16000, 32000, 64000, 64000].forEach((g, i) => {
        expect(gaps[i]).toBeGreaterThanOrEqual(g - 1000);
        expect(gaps[i]).toBeLessThanOrEqual(g + 1000 + 10);
      });
    }
  });

  test("tcp_connect and udp_sendto before an address → ENETUNREACH", () => {
    const b = dhcpBoard();
    expect(errnoOf(() => b.stack.connect("10.0.0.1", 80))).toBe("ENETUNREACH");
    const s = b.stack.udpBind(5000);
    expect(errnoOf(() => b.stack.udpSendto(s, "10.0.0.1", 7, Uint8Array.of(1)))).toBe("ENETUNREACH");
  });
});

describe("SELECTING → REQUESTING → CHECKING → BOUND", () => {
  test("OFFER → REQUEST broadcast with 50 (offered address), 54 (server), same xid, ciaddr 0", () => {
    const b = dhcpBoard();
    const d = taken(b)[0].dhcp!;
    fromServer(b, reply(d, DHCP.OFFER), { dst: OFFERED, dstMac: BOARD_MAC });
    const [r, ...rest] = taken(b);
    expect(rest).toEqual([]);
    expect(r).toMatchObject({ ethDst: BROADCAST_MAC, ipSrc: "0.0.0.0", ipDst: "255.255.255.255" });
    const m = r.dhcp!;
    expect(m).toMatchObject({ op: 1, xid: d.xid, ciaddr: "0.0.0.0", chaddr: BOARD_MAC });
    expect(opt(m, 53)).toEqual(Uint8Array.of(DHCP.REQUEST));
    expect(opt(m, 50)).toEqual(addrBytes(OFFERED));
    expect(opt(m, 54)).toEqual(addrBytes(SERVER_IP));
    expect(opt(m, 61)).toEqual(CLIENT_ID);
    expect(b.stack.netAddr()).toMatchObject({ dhcpState: S.REQUESTING, ip: "0.0.0.0", server: SERVER_IP });
  });

  test("ACK → three ARP probes (sender 0.0.0.0) 1–2 s apart after up to 1 s, bound 2 s after the last, then an announcement", () => {
    const b = dhcpBoard();
    const d = taken(b)[0].dhcp!;
    fromServer(b, reply(d, DHCP.OFFER));
    const r = taken(b)[0].dhcp!;
    const ackAt = b.now;
    fromServer(b, reply(r, DHCP.ACK));
    expect(b.stack.netAddr().dhcpState).toBe(S.CHECKING);
    const arps: Array<{ at: number; spa: string; tpa: string; sha: string; tha: string; op: number }> = [];
    let boundAt = 0;
    for (let t = 0; t < 8000; t += 10) {
      advance(b, 10);
      for (const s of taken(b)) if (s.arp) arps.push({ at: s.at, ...s.arp });
      if (!boundAt && b.stack.netAddr().dhcpState === S.BOUND) boundAt = b.now;
    }
    const probes = arps.filter((a) => a.spa === "0.0.0.0");
    expect(probes).toHaveLength(3);
    for (const p of probes) expect(p).toMatchObject({ op: 1, tpa: OFFERED, sha: BOARD_MAC, tha: "00:00:00:00:00:00" });
    expect(probes[0].at - ackAt).toBeLessThanOrEqual(1010);
    for (let i = 1; i < 3; i++) {
      expect(probes[i].at - probes[i - 1].at).toBeGreaterThanOrEqual(1000);
      expect(probes[i].at - probes[i - 1].at).toBeLessThanOrEqual(2010);
    }
    expect(boundAt - probes[2].at).toBeGreaterThanOrEqual(2000);
    expect(boundAt - probes[2].at).toBeLessThanOrEqual(2010);
    const announce = arps.filter((a) => a.spa === OFFERED);
    expect(announce).toHaveLength(1);
    expect(announce[0]).toMatchObject({ op: 1, tpa: OFFERED, at: boundAt });
    expect(b.stack.netAddr()).toMatchObject({
      ip: OFFERED, netmask: "255.255.255.0", gateway: SERVER_IP, dns1: "10.0.0.1", dns2: "10.0.0.53", dhcpState: S.BOUND, server: SERVER_IP,
    });
    expect(b.stack.netAddr().leaseLeft).toBe(LEASE_S - Math.ceil((b.now - ackAt) / 1000));
    expect(b.stack.stats()).toMatchObject({ dhcp_leases: 1, dhcp_rx: 2, dhcp_drop: 0 });
  });

  test("bound: the board answers ARP and ping on its new address, and tcp_connect works", () => {
    const b = dhcpBoard();
    bind(b);
    b.stack.input(buildEthernet({ dst: BROADCAST_MAC, src: SERVER_MAC, type: 0x0806, payload: buildArp({ op: 1, sha: SERVER_MAC, spa: SERVER_IP, tha: "00:00:00:00:00:00", tpa: OFFERED }) }));
    const [a] = taken(b);
    expect(a.arp).toMatchObject({ op: 2, spa: OFFERED, tpa: SERVER_IP, sha: BOARD_MAC });
    expect(b.stack.connect(SERVER_IP, 80)).toBeGreaterThan(0);
  });

  test("a conflict during probing → DECLINE (50, 54), address not used, DISCOVER again no sooner than 10 s (§3.1.5)", () => {
    const b = dhcpBoard();
    const d = taken(b)[0].dhcp!;
    fromServer(b, reply(d, DHCP.OFFER));
    const r = taken(b)[0].dhcp!;
    fromServer(b, reply(r, DHCP.ACK));
    advance(b, 1100);
    taken(b);
    arpReply(b, OFFERED, "02:00:00:00:00:99", "0.0.0.0");
    const decline = nextDhcp(b, 3000);
    const declinedAt = decline.at;
    expect(decline).toMatchObject({ ethDst: BROADCAST_MAC, ipSrc: "0.0.0.0", ipDst: "255.255.255.255" });
    expect(opt(decline.dhcp!, 53)).toEqual(Uint8Array.of(DHCP.DECLINE));
    expect(opt(decline.dhcp!, 50)).toEqual(addrBytes(OFFERED));
    expect(opt(decline.dhcp!, 54)).toEqual(addrBytes(SERVER_IP));
    expect(b.stack.netAddr()).toMatchObject({ ip: "0.0.0.0", dhcpState: S.INIT });
    expect(b.stack.stats().dhcp_declines).toBe(1);
    const again = nextDhcp(b, 20_000);
    expect(opt(again.dhcp!, 53)).toEqual(Uint8Array.of(DHCP.DISCOVER));
    expect(again.at - declinedAt).toBeGreaterThanOrEqual(10_000);
    expect(again.dhcp!.xid).not.toBe(d.xid);
  });

  test("NAK while REQUESTING → back to INIT at once with a new xid", () => {
    const b = dhcpBoard();
    const d = taken(b)[0].dhcp!;
    fromServer(b, reply(d, DHCP.OFFER));
    const r = taken(b)[0].dhcp!;
    fromServer(b, reply(r, DHCP.NAK));
    const again = taken(b)[0];
    expect(opt(again.dhcp!, 53)).toEqual(Uint8Array.of(DHCP.DISCOVER));
    expect(again.dhcp!.xid).not.toBe(r.xid);
    expect(b.stack.stats().dhcp_naks).toBe(1);
  });

  test("REQUEST unanswered: resent 4 times, then DISCOVER again", () => {
    const b = dhcpBoard();
    const d = taken(b)[0].dhcp!;
    fromServer(b, reply(d, DHCP.OFFER));
    taken(b);
    const types: number[] = [];
    for (let i = 0; i < 4; i++) types.push(opt(nextDhcp(b, 70_000).dhcp!, 53)![0]);
    expect(types).toEqual([DHCP.REQUEST, DHCP.REQUEST, DHCP.REQUEST, DHCP.DISCOVER]);
  });
});

describe("BOUND → RENEWING → REBINDING → expiry (§4.4.5)", () => {
  test("at T1 a unicast REQUEST with ciaddr (no 50/54); the ACK extends the lease", () => {
    const b = dhcpBoard();
    const { request } = bind(b, { lease: 120, t1: 60, t2: 105 });
    const requestAt = 1000; // the REQUEST went out when the OFFER arrived
    arpReply(b, SERVER_IP, SERVER_MAC, OFFERED); // the board knows the server's MAC
    const renew = nextDhcp(b);
    expect(renew.at).toBe(requestAt + 60_000);
    expect(b.stack.netAddr().dhcpState).toBe(S.RENEWING);
    expect(renew).toMatchObject({ ethDst: SERVER_MAC, ipSrc: OFFERED, ipDst: SERVER_IP });
    expect(renew.dhcp).toMatchObject({ ciaddr: OFFERED, chaddr: BOARD_MAC });
    expect(renew.dhcp!.xid).not.toBe(request.xid);
    expect(opt(renew.dhcp!, 53)).toEqual(Uint8Array.of(DHCP.REQUEST));
    expect(opt(renew.dhcp!, 50)).toBeUndefined();
    expect(opt(renew.dhcp!, 54)).toBeUndefined();
    fromServer(b, reply(renew.dhcp!, DHCP.ACK, { lease: 120, t1: 60, t2: 105 }), { dst: OFFERED, dstMac: BOARD_MAC });
    expect(b.stack.netAddr()).toMatchObject({ dhcpState: S.BOUND, ip: OFFERED, leaseLeft: 120 });
    expect(taken(b).filter((s) => s.arp)).toEqual([]); // no new probe or announcement for the same address
    const next = nextDhcp(b);
    expect(next.at).toBe(renew.at + 60_000);
  });

  test("no answer: REBINDING at T2 by broadcast, then at expiry the address goes, TCP connections are reset, DISCOVER", () => {
    const b = dhcpBoard();
    bind(b, { lease: 120 });
    arpReply(b, SERVER_IP, SERVER_MAC, OFFERED);
    const conn = b.stack.connect(SERVER_IP, 80);
    const renew = nextDhcp(b);
    expect(renew.at).toBe(1000 + 60_000); // T1 = 0.5 lease
    const rebind = nextDhcp(b);
    expect(rebind.at).toBe(1000 + 105_000); // T2 = 0.875 lease
    expect(rebind).toMatchObject({ ethDst: BROADCAST_MAC, ipSrc: OFFERED, ipDst: "255.255.255.255" });
    expect(rebind.dhcp!.ciaddr).toBe(OFFERED);
    expect(b.stack.netAddr().dhcpState).toBe(S.REBINDING);
    const discover = nextDhcp(b);
    expect(discover.at).toBe(1000 + 120_000);
    expect(opt(discover.dhcp!, 53)).toEqual(Uint8Array.of(DHCP.DISCOVER));
    expect(discover.ipSrc).toBe("0.0.0.0");
    expect(b.stack.netAddr()).toMatchObject({ ip: "0.0.0.0", gateway: "0.0.0.0", dns1: "0.0.0.0", dhcpState: S.SELECTING, leaseLeft: 0 });
    expect(errnoOf(() => b.stack.recv(conn))).toBe("ECONNRESET");
    expect(b.stack.stats().dhcp_expired).toBe(1);
  });

  test("NAK while RENEWING → the address is given up at once", () => {
    const b = dhcpBoard();
    bind(b, { lease: 120 });
    arpReply(b, SERVER_IP, SERVER_MAC, OFFERED);
    const renew = nextDhcp(b);
    fromServer(b, reply(renew.dhcp!, DHCP.NAK), { dst: OFFERED, dstMac: BOARD_MAC });
    expect(b.stack.netAddr()).toMatchObject({ ip: "0.0.0.0", dhcpState: S.SELECTING });
  });

  test("the lease survives the wrap of net_poll's 32-bit ms clock", () => {
    const b = dhcpBoard({ startMs: 2 ** 32 - 30_000 });
    bind(b, { lease: 120 });
    arpReply(b, SERVER_IP, SERVER_MAC, OFFERED);
    const renew = nextDhcp(b);
    expect(renew.at).toBe(2 ** 32 - 30_000 + 60_000); // past the wrap: the module saw now_ms ≈ 30 000
    expect(b.stack.netAddr().leaseLeft).toBe(60);
  });

  test("an infinite lease (0xFFFFFFFF) never renews and net_poll asks for no DHCP wake-up", () => {
    const b = dhcpBoard();
    bind(b, { lease: 0xffffffff });
    expect(b.stack.netAddr().leaseLeft).toBe(0xffffffff);
    expect(b.stack.poll(b.now)).toBe(-1);
  });
});

describe("replies the client must not believe (dropped and counted, state unchanged)", () => {
  const offerTo = (d: { xid: number }) => ({ xid: d.xid, type: DHCP.OFFER, yiaddr: OFFERED, chaddr: BOARD_MAC });
  test.each([
    ["someone else's xid", (x: number) => dhcpReply({ ...offerTo({ xid: x ^ 1 }), options: serverOptions() })],
    ["someone else's chaddr", (x: number) => dhcpReply({ ...offerTo({ xid: x }), chaddr: "02:00:00:00:00:09", options: serverOptions() })],
    ["a BOOTREQUEST (op 1)", (x: number) => dhcpReply({ ...offerTo({ xid: x }), op: 1, options: serverOptions() })],
    ["a wrong magic cookie", (x: number) => dhcpReply({ ...offerTo({ xid: x }), magic: [1, 2, 3, 4], options: serverOptions() })],
    ["no END option", (x: number) => dhcpReply({ ...offerTo({ xid: x }), options: serverOptions(), noEnd: true })],
    ["an option length past the packet", (x: number) => dhcpReply({ ...offerTo({ xid: x }), options: serverOptions(), raw: [6, 200, 1, 2, 3, 4], noEnd: true })],
    ["two message types", (x: number) => dhcpReply({ ...offerTo({ xid: x }), options: [[53, Uint8Array.of(5)], ...serverOptions()] })],
    ["no message type", (x: number) => dhcpReply({ xid: x, yiaddr: OFFERED, chaddr: BOARD_MAC, options: serverOptions() })],
    ["no server identifier", (x: number) => dhcpReply({ ...offerTo({ xid: x }), options: serverOptions().filter(([c]) => c !== 54) })],
    ["a server identifier of 5 bytes", (x: number) => dhcpReply({ ...offerTo({ xid: x }), options: [[54, Uint8Array.of(10, 0, 0, 1, 0)], ...serverOptions().slice(1)] })],
    ["a non-contiguous netmask", (x: number) => dhcpReply({ ...offerTo({ xid: x }), options: serverOptions({ mask: "255.0.255.0" }) })],
    ["a router off the subnet", (x: number) => dhcpReply({ ...offerTo({ xid: x }), options: serverOptions({ router: "192.0.2.1" }) })],
    ["T1 after T2", (x: number) => dhcpReply({ ...offerTo({ xid: x }), options: serverOptions({ t1: 100, t2: 50 }) })],
    ["T2 after the lease", (x: number) => dhcpReply({ ...offerTo({ xid: x }), options: serverOptions({ lease: 100, t2: 200 }) })],
    ["the broadcast address offered", (x: number) => dhcpReply({ ...offerTo({ xid: x }), yiaddr: "10.0.0.255", options: serverOptions() })],
    ["a multicast address offered", (x: number) => dhcpReply({ ...offerTo({ xid: x }), yiaddr: "224.0.0.5", options: serverOptions() })],
    ["an ACK while SELECTING", (x: number) => dhcpReply({ ...offerTo({ xid: x }), type: DHCP.ACK, options: serverOptions() })],
    ["a truncated header", (x: number) => dhcpReply({ ...offerTo({ xid: x }), options: serverOptions() }).subarray(0, 200)],
  ])("OFFER with %s", (_n, build) => {
    const b = dhcpBoard();
    const d = taken(b)[0].dhcp!;
    fromServer(b, build(d.xid));
    expect(taken(b)).toEqual([]);
    expect(b.stack.netAddr().dhcpState).toBe(S.SELECTING);
    expect(b.stack.stats()).toMatchObject({ dhcp_drop: 1, dhcp_rx: 0 });
    // The real offer still works afterwards.
    fromServer(b, reply(d, DHCP.OFFER));
    expect(b.stack.netAddr().dhcpState).toBe(S.REQUESTING);
  });

  test("an ACK without a lease time, or for another address, is not a lease", () => {
    const b = dhcpBoard();
    const d = taken(b)[0].dhcp!;
    fromServer(b, reply(d, DHCP.OFFER));
    const r = taken(b)[0].dhcp!;
    fromServer(b, dhcpReply({ xid: r.xid, type: DHCP.ACK, yiaddr: OFFERED, chaddr: BOARD_MAC, options: serverOptions().filter(([c]) => c !== 51) }));
    fromServer(b, reply(r, DHCP.ACK, { yiaddr: "10.0.0.58" }));
    expect(b.stack.netAddr().dhcpState).toBe(S.REQUESTING);
    expect(b.stack.stats().dhcp_drop).toBe(2);
  });

  test("random bytes of every length up to 600 never trap the client", () => {
    const b = dhcpBoard();
    const d = taken(b)[0].dhcp!;
    let s = 12345;
    for (let n = 0; n <= 600; n += 7) {
      const good = dhcpReply({ xid: d.xid, type: DHCP.OFFER, yiaddr: OFFERED, chaddr: BOARD_MAC, options: serverOptions() });
      const bytes = new Uint8Array(Math.max(n, 241));
      bytes.set(good.subarray(0, 240));
      for (let i = 240; i < bytes.length; i++) { s = (s * 1103515245 + 12345) >>> 0; bytes[i] = s >>> 24; }
      fromServer(b, bytes);
    }
    expect(b.stack.stats().dhcp_drop + b.stack.stats().dhcp_rx).toBeGreaterThan(0);
  });
});

describe("static address", () => {
  test("net_init with an address: dhcp_state STATIC, no DHCP traffic, no lease", () => {
    const b = dhcpBoard();
    b.stack.init({ mac: BOARD_MAC, ip: "10.0.0.9", gateway: "10.0.0.1" });
    b.stack.takeSent();
    advance(b, 100_000);
    expect(taken(b).filter((s) => s.dhcp)).toEqual([]);
    expect(b.stack.netAddr()).toMatchObject({ ip: "10.0.0.9", netmask: "255.255.255.0", gateway: "10.0.0.1", dhcpState: 0, leaseLeft: 0, server: "0.0.0.0" });
  });

  test("net_init with ip 0 but a netmask → EINVAL", () => {
    const b = dhcpBoard();
    const p = b.stack.exports.net_scratch();
    b.stack.memory.set([2, 0, 0, 0, 0, 1], p);
    expect(b.stack.exports.net_init(0, p, 0, 0xffffff00, 0)).toBe(-1);
  });
});
