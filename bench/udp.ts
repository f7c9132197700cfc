/**
 * UDP, DHCP and DNS figures for `npm run bench`: module size and static
 * RAM with and without each part (EMBER_UDP/DHCP/DNS=0), the DHCP client's
 * time to bound against the DHCP server app of another board (virtual
 * time: RFC 5227 probing is most of it), and DNS answers the resolver
 * takes per second of host CPU (query out, answer in, result read).
 */
import { compileAssemblyScript } from "../host-sim/asc.js";
import { Board, runVirtual } from "../host-sim/board.js";
import { VirtualClock } from "../host-sim/clock.js";
import { createPair } from "../host-sim/links/index.js";
import { DhcpServer } from "../host-sim/apps/index.js";
import { Stack } from "../host-sim/stack.js";
import { heapBase } from "./budget.js";
import { figure, section } from "./report.js";

const VARIANTS: Array<[string, Record<string, number>]> = [
  ["all parts (release)", {}],
  ["without DNS (EMBER_DNS=0)", { DNS: 0 }],
  ["without DHCP (EMBER_DHCP=0)", { DHCP: 0 }],
  ["without DHCP and DNS", { DHCP: 0, DNS: 0 }],
  ["TCP only (EMBER_UDP=0)", { UDP: 0 }],
];

/** Module bytes and static RAM of each variant. */
export async function measureParts(): Promise<Array<{ name: string; use: Record<string, number>; bytes: number; ram: number }>> {
  const out = [];
  for (const [name, use] of VARIANTS) {
    const args = Object.entries(use).flatMap(([k, v]) => ["--use", `EMBER_${k}=${v}`]);
    const bytes = (await compileAssemblyScript("assembly/index.ts", { args, pages: 3 })).length;
    out.push({ name, use, bytes, ram: await heapBase(use) });
  }
  return out;
}

/** Virtual ms from net_init until BOUND, board B against board A's DHCP server app. */
export function dhcpTimeToBound(seed: number): number {
  const clock = new VirtualClock();
  const [a, b] = createPair(clock, { checkFcs: true });
  new Board({ name: "A", link: a, clock, mac: "02:00:00:00:00:0a", ip: "10.0.0.1", seed }).start([new DhcpServer({ poolStart: "10.0.0.100" })]);
  const boardB = new Board({ name: "B", link: b, clock, mac: "02:00:00:00:00:0b", ip: 0, seed: seed + 1 }).start();
  const t0 = clock.now();
  runVirtual(clock, 60_000, () => boardB.stack.netAddr().dhcpState === 5, 5);
  return clock.now() - t0;
}

/** Answered queries per second of host CPU, for `n` distinct names against a scripted server on the host-frames link. */
export function dnsAnswersPerCpuSecond(n: number): number {
  const s = new Stack({ seed: 7 });
  s.init({ mac: "02:00:00:00:00:01", ip: "10.0.0.2", gateway: "10.0.0.1" });
  s.poll(0);
  s.input(arpFrom("02:00:00:00:00:02", "10.0.0.1", "10.0.0.2"));
  s.takeSent();
  s.dnsServer(0, "10.0.0.1");
  const start = process.cpuUsage();
  let ok = 0;
  for (let i = 0; i < n; i++) {
    const q = s.dnsQuery(`h${i}.bench.example`);
    const [f] = s.takeSent();
    s.input(answerFor(f));
    s.poll(i);
    if (s.dnsResult(q) === "192.0.2.1") ok++;
  }
  const cpu = process.cpuUsage(start);
  return ok / ((cpu.user + cpu.system) / 1e6);
}

function arpFrom(mac: string, ip: string, target: string): Uint8Array {
  const m = mac.split(":").map((h) => parseInt(h, 16));
  const f = new Uint8Array(42);
  f.fill(0xff, 0, 6); f.set(m, 6); f[12] = 8; f[13] = 6;
  f.set([0, 1, 8, 0, 6, 4, 0, 1], 14); f.set(m, 22); f.set(ip.split(".").map(Number), 28); f.set(target.split(".").map(Number), 38);
  return f;
}

/** The answer to the query frame `f`: the question echoed with QR/RA set and one A record 192.0.2.1 (UDP checksum 0: none). */
function answerFor(f: Uint8Array): Uint8Array {
  const q = f.subarray(42);
  const body = new Uint8Array(q.length + 16);
  body.set(q);
  body[2] = 0x81; body[3] = 0x80; body[7] = 1;
  body.set([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1], q.length);
  const out = new Uint8Array(42 + body.length);
  out.set(f.subarray(6, 12), 0); out.set(f.subarray(0, 6), 6); out[12] = 8; out[13] = 0;
  const ip = out.subarray(14);
  ip[0] = 0x45; ip[2] = (20 + 8 + body.length) >> 8; ip[3] = (20 + 8 + body.length) & 255; ip[8] = 64; ip[9] = 17;
  ip.set(f.subarray(30, 34), 12); ip.set(f.subarray(26, 30), 16);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += (ip[i] << 8) | ip[i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  ip[10] = (~sum >> 8) & 255; ip[11] = ~sum & 255;
  const udp = ip.subarray(20);
  udp.set(f.subarray(36, 38), 0); udp.set(f.subarray(34, 36), 2);
  udp[4] = (8 + body.length) >> 8; udp[5] = (8 + body.length) & 255;
  udp.set(body, 8);
  return out;
}

/** Print the figures. */
export async function benchUdp(): Promise<void> {
  section("UDP, DHCP and DNS (docs/EMBEDDING.md)");
  const parts = await measureParts();
  for (const p of parts) figure(`module ${p.name}`, p.bytes, `bytes, static RAM ${p.ram} bytes`);
  const ram = (use: Record<string, number>) => parts.find((p) => JSON.stringify(p.use) === JSON.stringify(use))!.ram;
  figure("RAM of UDP alone (4 sockets with 2 KiB rings)", ram({ DHCP: 0, DNS: 0 }) - ram({ UDP: 0 }), "bytes");
  figure("RAM of the DHCP client (its socket and buffers)", ram({}) - ram({ DHCP: 0 }), "bytes");
  figure("RAM of the DNS resolver (2 query sockets, 4 cache entries)", ram({}) - ram({ DNS: 0 }), "bytes");
  const times = [1, 2, 3, 4, 5].map((s) => Math.round(dhcpTimeToBound(s * 101)));
  figure("DHCP time to bound against the DHCP server app, virtual time (5 seeds: min/median/max)",
    `${Math.min(...times)}/${times.sort((a, b) => a - b)[2]}/${Math.max(...times)}`, "ms");
  figure("DNS answers taken per second of host CPU (query, answer, result; 5000 names)", Math.round(dnsAnswersPerCpuSecond(5000)), "per s");
}

if (process.argv[1]?.endsWith("bench/udp.js")) await benchUdp();
