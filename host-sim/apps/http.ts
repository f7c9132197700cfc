/**
 * A small HTTP/1.0 and HTTP/1.1 server (port 80) serving the board's status:
 * `/` an HTML page with the counters and the connection table (tcp_list),
 * `/status.json` the same as JSON (what `embertcp netstat --http` reads),
 * `/netstat` as plain text. One request per connection: the answer carries
 * Content-Length and `Connection: close` (RFC 9112 §9.6), then the server
 * waits briefly for the client's FIN so the client, not the board, holds
 * TIME-WAIT, and closes on its own after `lingerMs`.
 *
 * Requests are limited to 8 KiB of header; anything that is not GET or HEAD
 * gets 405, a malformed request line 400, an unknown path 404.
 */
import type { Board } from "../board.js";
import { formatSnapshot, limitsLine, type Snapshot, snapshot } from "../netstat.js";
import { type Conn, type ServerOptions, TcpServer } from "./server.js";

const MAX_HEADER = 8192;
const REASONS: Record<number, string> = { 200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 431: "Request Header Fields Too Large" };

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The status page. Tables carry ids (`connections`, `counters`) for scripts and tests. */
export function statusHtml(s: Snapshot): string {
  const rows = s.connections.map((r) =>
    `<tr><td>tcp</td><td>${esc(r.local)}</td><td>${esc(r.remote)}</td><td class="state">${esc(r.state)}</td><td>${r.handle < 0 ? "SYN queue" : r.handle}</td></tr>`).join("\n");
  const counters = Object.entries(s.stats).filter(([, v]) => v !== 0)
    .map(([k, v]) => `<tr><td>${esc(k)}</td><td>${v}</td></tr>`).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>embertcp ${esc(s.ip)}</title>
<style>body{font:14px system-ui,sans-serif;margin:1.5em}table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #bbb;padding:2px 8px;text-align:left}th{background:#eee}.state{font-family:monospace}</style>
</head><body>
<h1>embertcp board ${esc(s.ip)}</h1>
<p id="summary">link ${s.link}, up ${(s.uptimeMs / 1000).toFixed(1)} s, apps ${esc(s.apps.join(", "))}</p>
${s.address ? `<p id="address">address: ${esc(s.address)}</p>` : ""}
${s.limits ? `<p id="limits">${esc(limitsLine(s.limits))}</p>
` : ""}<h2>Connections</h2>
<table id="connections"><thead><tr><th>Proto</th><th>Local</th><th>Remote</th><th>State</th><th>Handle</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<h2>Counters</h2>
<table id="counters"><thead><tr><th>Counter</th><th>Value</th></tr></thead>
<tbody>
${counters}
</tbody></table>
</body></html>
`;
}

export interface HttpOptions extends ServerOptions {
  /** How long to wait for the client's FIN after answering (default 2 s). */
  lingerMs?: number;
}

export class HttpServer extends TcpServer {
  readonly name = "http";
  /** Requests answered, by status code. */
  readonly answered: Record<number, number> = {};
  private readonly lingerMs: number;
  private readonly enc = new TextEncoder();

  constructor(opts: HttpOptions = {}) {
    super(80, { idleMs: 10_000, ...opts });
    this.lingerMs = opts.lingerMs ?? 2000;
  }

  protected onData(board: Board, c: Conn, data: Uint8Array): void {
    if (c.app.done) return;
    const head = ((c.app.head as string | undefined) ?? "") + Buffer.from(data).toString("latin1");
    c.app.head = head;
    const end = head.indexOf("\r\n\r\n") >= 0 ? head.indexOf("\r\n\r\n") : head.indexOf("\n\n");
    if (end < 0) {
      if (head.length > MAX_HEADER) this.answer(board, c, 431, "text/plain", "request header too large\n", false);
      return;
    }
    const m = /^([A-Z]+) (\S+) HTTP\/(1\.[01])\r?$/.exec(head.slice(0, head.search(/\r?\n/)));
    if (!m) { this.answer(board, c, 400, "text/plain", "bad request line\n", false); return; }
    const [, method, target] = m;
    if (method !== "GET" && method !== "HEAD") { this.answer(board, c, 405, "text/plain", "only GET and HEAD\n", false, "Allow: GET, HEAD\r\n"); return; }
    const path = target.split("?")[0];
    const head_ = method === "HEAD";
    if (path === "/" || path === "/index.html") this.answer(board, c, 200, "text/html; charset=utf-8", statusHtml(snapshot(board)), head_);
    else if (path === "/status.json") this.answer(board, c, 200, "application/json", JSON.stringify(snapshot(board)) + "\n", head_);
    else if (path === "/netstat") this.answer(board, c, 200, "text/plain; charset=utf-8", formatSnapshot(snapshot(board), { all: true }) + "\n", head_);
    else this.answer(board, c, 404, "text/plain", `no such page: ${path}\n`, head_);
  }

  private answer(board: Board, c: Conn, code: number, type: string, body: string, headOnly: boolean, extra = ""): void {
    const b = this.enc.encode(body);
    const h = `HTTP/1.1 ${code} ${REASONS[code]}\r\nServer: embertcp\r\nContent-Type: ${type}\r\nContent-Length: ${b.length}\r\n` +
      `Cache-Control: no-store\r\nConnection: close\r\n${extra}\r\n`;
    this.queue(c, this.enc.encode(h));
    if (!headOnly) this.queue(c, b);
    c.app.done = true;
    c.app.lingerUntil = board.clock.now() + this.lingerMs;
    this.answered[code] = (this.answered[code] ?? 0) + 1;
  }

  protected refill(board: Board, c: Conn): void {
    // Answer sent: close once the client has closed, or when the linger time is up.
    if (c.app.done && c.outBytes === 0 && board.clock.now() >= (c.app.lingerUntil as number)) c.closeWhenDrained = true;
  }

  wakeAt(): number | undefined {
    let t = super.wakeAt();
    for (const c of this.conns) {
      const l = c.app.lingerUntil as number | undefined;
      if (l !== undefined && !c.closed && (t === undefined || l < t)) t = l;
    }
    return t;
  }
}
