/**
 * The UDP apps on full boards (wasm stack + ENC28J60 driver + chip model)
 * in virtual time: board B gets its address from the DHCP server app on
 * board A, through nothing but the UDP calls of the ABI, reports it as
 * `dhcp:` events, and then the UDP echo on A answers B's datagrams.
 */
import { describe, expect, test } from "vitest";
import { Board, type BoardEvent, runVirtual } from "../host-sim/board.js";
import { VirtualClock } from "../host-sim/clock.js";
import { createPair } from "../host-sim/links/index.js";
import { DhcpServer, NetWatch, UdpEchoServer } from "../host-sim/apps/index.js";
import { snapshot, formatSnapshot } from "../host-sim/netstat.js";

function dhcpPair(leaseS = 3600) {
  const clock = new VirtualClock();
  const [a, b] = createPair(clock, { checkFcs: true });
  const events: BoardEvent[] = [];
  const server = new DhcpServer({ poolStart: "10.0.0.100", poolSize: 4, dns: ["10.0.0.1"], leaseS });
  const echo = new UdpEchoServer();
  const boardA = new Board({ name: "A", link: a, clock, mac: "02:00:00:00:00:0a", ip: "10.0.0.1", seed: 1 }).start([server, echo]);
  const boardB = new Board({ name: "B", link: b, clock, mac: "02:00:00:00:00:0b", ip: 0, seed: 2, onEvent: (e) => events.push(e) });
  boardB.stack.setHostname("board-b");
  boardB.start([new NetWatch()]);
  return { clock, boardA, boardB, server, echo, events };
}

describe("DHCP server app on board A, client on board B", () => {
  test("B is bound within 10 s of virtual time with the pool's first address, and says so", () => {
    const { clock, boardB, server, events } = dhcpPair();
    expect(runVirtual(clock, 20_000, () => boardB.stack.netAddr().dhcpState === 5, 10)).toBe(true);
    expect(clock.now()).toBeLessThan(10_000);
    expect(boardB.stack.netAddr()).toMatchObject({ ip: "10.0.0.100", netmask: "255.255.255.0", gateway: "10.0.0.1", dns1: "10.0.0.1", server: "10.0.0.1" });
    expect(server.acks).toBe(1);
    const lines = events.filter((e) => e.kind === "dhcp").map((e) => e.text);
    expect(lines[0]).toBe("discovering");
    expect(lines.at(-1)).toMatch(/^bound 10\.0\.0\.100\/24 gw 10\.0\.0\.1 dns 10\.0\.0\.1 lease \d+ s from 10\.0\.0\.1$/);
    expect(formatSnapshot(snapshot(boardB))).toContain("address: dhcp BOUND 10.0.0.100/24");
  });

  test("renewal at T1 is a `renewed` line and keeps the address", () => {
    const { clock, boardB, server, events } = dhcpPair(40);
    runVirtual(clock, 20_000, () => boardB.stack.netAddr().dhcpState === 5, 10);
    runVirtual(clock, 30_000);
    const lines = events.filter((e) => e.kind === "dhcp").map((e) => e.text);
    expect(lines.some((l) => l.startsWith("renewing (T1) with 10.0.0.1"))).toBe(true);
    expect(lines.at(-1)).toMatch(/^renewed 10\.0\.0\.100\/24/);
    expect(server.acks).toBe(2);
  });

  test("after binding, B's datagrams to UDP port 7 on A come back unchanged", () => {
    const { clock, boardB, echo } = dhcpPair();
    runVirtual(clock, 20_000, () => boardB.stack.netAddr().dhcpState === 5, 10);
    const s = boardB.stack.udpBind(0);
    const sent = [Uint8Array.of(1, 2, 3), new TextEncoder().encode("hello, echo"), new Uint8Array(1472).fill(7)];
    const got: Uint8Array[] = [];
    for (const d of sent) {
      boardB.stack.udpSendto(s, "10.0.0.1", 7, d);
      boardB.kick();
      runVirtual(clock, 2000, () => { const r = boardB.stack.udpRecvfrom(s); if (r) got.push(r.data); return got.length === sent.indexOf(d) + 1; }, 5);
    }
    expect(got).toEqual(sent);
    expect(echo.echoed).toBe(3);
  });
});
