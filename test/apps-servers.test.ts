/**
 * The apps on a board, reached from a second board over an in-process cable
 * in virtual time: echo returns every byte, discard swallows them, chargen
 * streams the RFC 864 pattern, the HTTP server answers its pages and errors.
 * Both boards are full boards (wasm stack + ENC28J60 model).
 */
import { describe, expect, test } from "vitest";
import { createHash } from "node:crypto";
import { Board, runVirtual } from "../host-sim/board.js";
import { VirtualClock } from "../host-sim/clock.js";
import { createPair } from "../host-sim/links/index.js";
import { ChargenServer, chargenStream, DiscardServer, EchoServer, HttpServer, patternByte, TcpClient } from "../host-sim/apps/index.js";

function twoBoards() {
  const clock = new VirtualClock();
  const [a, b] = createPair(clock, { checkFcs: true });
  const echo = new EchoServer(), discard = new DiscardServer(), chargen = new ChargenServer(), http = new HttpServer();
  const server = new Board({ name: "server", link: a, clock, mac: "02:00:00:00:00:02", ip: "10.0.0.2", seed: 11 })
    .start([echo, discard, chargen, http]);
  const client = new Board({ name: "client", link: b, clock, mac: "02:00:00:00:00:01", ip: "10.0.0.1", seed: 12 }).start();
  runVirtual(clock, 20);
  return { clock, server, client, echo, discard, chargen, http };
}

function runClient(r: ReturnType<typeof twoBoards>, c: TcpClient, ms = 60_000): TcpClient {
  r.client.addApp(c);
  runVirtual(r.clock, ms, () => c.done, 5);
  expect(c.error).toBeNull();
  expect(c.done).toBe(true);
  return c;
}

const expectedPattern = (n: number) => Uint8Array.from({ length: n }, (_, i) => patternByte(i));

describe("apps on a board", () => {
  test("echo (7): 64 KiB come back byte-exact, then both sides close", () => {
    const r = twoBoards();
    const c = runClient(r, new TcpClient({ ip: "10.0.0.2", port: 7, send: 65536 }));
    expect(c.bytesIn).toBe(65536);
    expect(Buffer.compare(Buffer.from(c.received), Buffer.from(expectedPattern(65536)))).toBe(0);
    runVirtual(r.clock, 1000);
    expect(r.echo.finished).toBe(1);
    expect(r.echo.conns.size).toBe(0);
  });

  test("discard (9): 256 KiB swallowed, nothing sent back", () => {
    const r = twoBoards();
    const c = runClient(r, new TcpClient({ ip: "10.0.0.2", port: 9, send: 262144 }));
    expect(c.bytesIn).toBe(0);
    expect(r.discard.discarded).toBe(262144);
  });

  test("chargen (19): the first 100,000 bytes are the RFC 864 pattern", () => {
    const r = twoBoards();
    const c = runClient(r, new TcpClient({ ip: "10.0.0.2", port: 19, closeAfterSend: false, readLimit: 100_000 }));
    const got = c.received.subarray(0, 100_000);
    expect(createHash("sha256").update(got).digest("hex")).toBe(createHash("sha256").update(chargenStream(100_000)).digest("hex"));
    expect(Buffer.from(got.subarray(0, 74)).toString("latin1")).toBe(
      "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefgh\r\n");
  });

  test("http (80): GET / is the status page with the connection table, including this connection", () => {
    const r = twoBoards();
    const c = runClient(r, new TcpClient({ ip: "10.0.0.2", port: 80, send: new TextEncoder().encode("GET / HTTP/1.1\r\nHost: board\r\n\r\n"), closeAfterSend: false }));
    const text = Buffer.from(c.received).toString();
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    const [head, body] = text.split("\r\n\r\n");
    expect(head).toMatch(/Content-Length: (\d+)/);
    expect(Number(/Content-Length: (\d+)/.exec(head)![1])).toBe(Buffer.byteLength(body));
    expect(body).toContain('<table id="connections">');
    expect(body).toMatch(/<td>10\.0\.0\.2:80<\/td><td>10\.0\.0\.1:\d+<\/td><td class="state">ESTABLISHED<\/td>/);
    expect(body).toMatch(/<td>10\.0\.0\.2:7<\/td><td>\*:\*<\/td><td class="state">LISTEN<\/td>/);
    expect(body).toMatch(/<td>tcp_passive_opens<\/td><td>1<\/td>/);
  });

  test.each([
    ["GET /status.json HTTP/1.0\r\n\r\n", /^HTTP\/1\.1 200 OK\r\n[\s\S]*Content-Type: application\/json[\s\S]*"connections":\[/],
    ["GET /netstat HTTP/1.0\r\n\r\n", /^HTTP\/1\.1 200 OK\r\n[\s\S]*Local Address\s+Foreign Address\s+State/],
    ["GET /nope HTTP/1.1\r\n\r\n", /^HTTP\/1\.1 404 Not Found\r\n/],
    ["POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", /^HTTP\/1\.1 405 Method Not Allowed\r\n[\s\S]*Allow: GET, HEAD/],
    ["HELLO\r\n\r\n", /^HTTP\/1\.1 400 Bad Request\r\n/],
    ["HEAD / HTTP/1.1\r\n\r\n", /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n$/],
  ])("http: %j → expected answer", (req, re) => {
    const r = twoBoards();
    const c = runClient(r, new TcpClient({ ip: "10.0.0.2", port: 80, send: new TextEncoder().encode(req), closeAfterSend: false }));
    expect(Buffer.from(c.received).toString()).toMatch(re);
  });

  test("http: a client that never sends a full request is closed by the idle timeout", () => {
    const r = twoBoards();
    const c = new TcpClient({ ip: "10.0.0.2", port: 80, send: new TextEncoder().encode("GET / HT"), closeAfterSend: false });
    r.client.addApp(c);
    runVirtual(r.clock, 30_000, () => c.done, 10);
    expect(c.done).toBe(true);
    expect(r.http.failed).toBe(1);
  });

  test("three clients at once on echo, discard and http all finish", () => {
    const r = twoBoards();
    const cs = [
      new TcpClient({ ip: "10.0.0.2", port: 7, send: 20000 }),
      new TcpClient({ ip: "10.0.0.2", port: 9, send: 50000 }),
      new TcpClient({ ip: "10.0.0.2", port: 80, send: new TextEncoder().encode("GET / HTTP/1.0\r\n\r\n"), closeAfterSend: false }),
    ];
    for (const c of cs) r.client.addApp(c);
    runVirtual(r.clock, 60_000, () => cs.every((c) => c.done), 5);
    expect(cs.map((c) => c.error)).toEqual([null, null, null]);
    expect(cs[0].bytesIn).toBe(20000);
    expect(r.discard.discarded).toBe(50000);
    expect(Buffer.from(cs[2].received).toString()).toMatch(/^HTTP\/1\.1 200 OK/);
  });
});

describe("idle and vanished clients", () => {
  /** Echo on a board, a client board on the other end of the cable, the client's 64 bytes echoed. */
  function echoed(keepAlive?: false) {
    const clock = new VirtualClock();
    const [a, b] = createPair(clock, { checkFcs: true });
    const echo = new EchoServer(keepAlive === false ? { keepAlive: false, idleMs: 600_000 } : {});
    const server = new Board({ name: "server", link: a, clock, mac: "02:00:00:00:00:02", ip: "10.0.0.2", seed: 11 }).start([echo]);
    const client = new Board({ name: "client", link: b, clock, mac: "02:00:00:00:00:01", ip: "10.0.0.1", seed: 12 }).start();
    runVirtual(clock, 20);
    const c = new TcpClient({ ip: "10.0.0.2", port: 7, send: 64, closeAfterSend: false });
    client.addApp(c);
    expect(runVirtual(clock, 5_000, () => c.bytesIn === 64, 5)).toBe(true);
    // The client's (delayed) ACK of the echo has arrived: nothing is in flight.
    const h = [...echo.conns][0].sock.handle;
    expect(runVirtual(clock, 1_000, () => server.stack.status(h).send_queued === 0, 5)).toBe(true);
    return { clock, server, echo, cable: b };
  }
  const live = (s: Board) => s.stack.list().filter((e) => e.state !== 1);

  test("echo (7): the client vanishes after its echo (cable cut: no FIN, no RST) → keep-alive probes at 30, 35, 40 s, the TCB freed at 45 s (RFC 1122 §4.2.3.6)", () => {
    const { clock, server, echo, cable } = echoed();
    cable.close();
    const cutAt = clock.now();
    runVirtual(clock, 44_000);
    expect(live(server).map((e) => e.state)).toEqual([4]);
    expect(server.stack.stats().tcp_keepalive_probes).toBe(3);
    runVirtual(clock, 2_000);
    expect(clock.now() - cutAt).toBeGreaterThanOrEqual(45_000);
    expect(server.stack.stats().tcp_keepalive_drops).toBe(1);
    expect(live(server)).toEqual([]);
    expect(echo.conns.size).toBe(0);
    expect(echo.failed).toBe(1);
  });

  test("echo (7) with keep-alives off: the vanished client's connection stays ESTABLISHED (the case keep-alives are for)", () => {
    const { clock, server, cable } = echoed(false);
    cable.close();
    runVirtual(clock, 120_000);
    expect(live(server).map((e) => e.state)).toEqual([4]);
    expect(server.stack.stats().tcp_keepalive_probes).toBe(0);
  });
});
