/**
 * The apps a board can run, by name (what `embertcp sim --apps` takes):
 * echo (7), discard (9), chargen (19), http (80), udp-echo (UDP 7).
 */
import type { BoardApp } from "../board.js";
import { ChargenServer } from "./chargen.js";
import { DiscardServer } from "./discard.js";
import { EchoServer } from "./echo.js";
import { HttpServer } from "./http.js";
import { UdpEchoServer } from "./udp-echo.js";
import type { ServerOptions } from "./server.js";

export { ChargenServer, chargenLines, chargenStream } from "./chargen.js";
export { DiscardServer } from "./discard.js";
export { EchoServer } from "./echo.js";
export { HttpServer, statusHtml } from "./http.js";
export { UdpEchoServer } from "./udp-echo.js";
export { type UdpReply, UdpServer } from "./udp-server.js";
export { NetWatch } from "./netwatch.js";
export { DhcpServer, type DhcpServerOptions } from "./dhcp-server.js";
export { DnsServer } from "./dns-server.js";
export { APP_KEEPALIVE, type Conn, type KeepAliveOptions, type ServerOptions, TcpServer } from "./server.js";

export const APP_NAMES = ["echo", "discard", "chargen", "http", "udp-echo"] as const;
export type AppName = (typeof APP_NAMES)[number];

/** Make apps from a comma-separated list ("echo,http"); throws naming the unknown one. */
export function makeApps(list: string, shared: Omit<ServerOptions, "port"> = {}): BoardApp[] {
  const opts = { ...shared, port: undefined };
  const names = list.split(",").map((s) => s.trim()).filter(Boolean);
  return names.map((n) => {
    switch (n) {
      case "echo": return new EchoServer(opts);
      case "discard": return new DiscardServer(opts);
      case "chargen": return new ChargenServer(opts);
      case "http": return new HttpServer(opts);
      case "udp-echo": return new UdpEchoServer();
      default: throw new Error(`unknown app "${n}": choose from ${APP_NAMES.join(", ")}`);
    }
  });
}
export { type ClientOptions, patternByte, TcpClient } from "./client.js";
