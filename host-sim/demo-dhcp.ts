/**
 * The demo's opening scene: board B starts with no address and gets one
 * from the DHCP server app on board A; then B asks the DNS server app on A
 * for a name. Both servers are apps of ours running on A through the UDP
 * calls of the ABI, so the scene shows the module on both ends.
 */
import type { Board } from "./board.js";
import { DhcpServer, DnsServer } from "./apps/index.js";

export interface DhcpSceneOptions {
  boardA: Board;
  boardB: Board;
  /** The address B is to get, and the router to hand out. */
  ipB: string;
  router: string;
  print: (line: string) => void;
  /** "[   1.234 s]" for the current time. */
  t: () => string;
  /** Let time pass until `until` holds or `ms` have gone by. */
  runFor: (ms: number, until?: () => boolean) => Promise<boolean>;
}

/** Start A's servers (call before B starts), then run the scene once both boards are up. */
export function dhcpServers(o: { boardA: Board; ipA: string; ipB: string; router: string }): void {
  o.boardA.addApp(new DhcpServer({ poolStart: o.ipB, poolSize: 1, router: o.router, dns: [o.ipA], leaseS: 3600 }));
  o.boardA.addApp(new DnsServer({ "a.demo": o.ipA, "b.demo": o.ipB }, "demo"));
}

/** B: DHCP until bound, then resolve a.demo through A. Throws when either does not happen. */
export async function dhcpDnsScene(o: DhcpSceneOptions): Promise<void> {
  o.print("0. DHCP and DNS: B starts with no address; A runs a DHCP server and a DNS server (apps on the UDP calls)");
  const bound = await o.runFor(30_000, () => o.boardB.stack.netAddr().dhcpState === 5);
  const a = o.boardB.stack.netAddr();
  if (!bound || a.ip !== o.ipB) throw new Error(`B did not get ${o.ipB} by DHCP (state ${a.dhcpState}, address ${a.ip})`);
  o.print(`${o.t()} B dhcp: bound ${a.ip} gw ${a.gateway} dns ${a.dns1} lease ${a.leaseLeft} s (DISCOVER, OFFER, REQUEST, ACK, three ARP probes)`);
  const q = o.boardB.stack.dnsQuery("a.demo");
  o.boardB.kick();
  let r: string | null = null;
  await o.runFor(10_000, () => (r = o.boardB.stack.dnsResult(q)) !== null);
  if (r === null) throw new Error("B's DNS query for a.demo got no answer");
  o.print(`${o.t()} B dns: a.demo → ${r}`);
  o.print("");
}
