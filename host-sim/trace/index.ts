/**
 * `embertcp trace`: from a capture (pcap or pcapng; Ethernet, or the Linux
 * cooked headers of `tshark -i any`), per TCP connection a
 * ladder diagram and the seq/ack table, optionally the ladders as one SVG
 * file. A capture with many connections is listed one line each; --conn,
 * --port and --host pick the ones to draw.
 */

import * as fs from "node:fs";
import { resolve } from "node:path";
import type { PcapFile } from "../pcap.js";
import { readCapture } from "../pcapng.js";
import { renderLadder, renderTable, connectionTitle, type RenderOptions } from "./render.js";
import { type Connection, decodeFrames, groupConnections, TRACE_LINK_TYPES } from "./segments.js";
import { renderSvg } from "./svg.js";

export { renderLadder, renderTable, connectionRows, segmentLabel, type Row, type RenderOptions } from "./render.js";
export { renderSvg, xmlEscape } from "./svg.js";
export { decodeFrames, groupConnections, inferStates, flagNames, statesBefore, connectionOutcome, type Connection, type Segment, type TcpState } from "./segments.js";

export interface TraceOptions extends RenderOptions {
  /** Also write the ladders of the connections shown as an SVG document to this path. */
  svg?: string;
  /** Show only connection number N (1-based, as numbered in the full list). */
  conn?: number;
  /** Show only connections with this port on either side. */
  port?: number;
  /** Show only connections with this IPv4 address on either side. */
  host?: string;
  /** Show every connection's ladder even in a capture with many. */
  all?: boolean;
}

export interface TraceResult {
  /** The printable report: a summary line, then per connection shown its ladder and table (or a list, see `listed`). */
  text: string;
  /** The SVG document of the connections shown (written to `svg` only when asked). */
  svg: string;
  /** Every connection in the capture. */
  connections: Connection[];
  /** The numbers (1-based) of the connections the selection kept. */
  shown: number[];
  /** True when the report lists the connections instead of drawing them (many of them and nothing picked). */
  listed: boolean;
  otherFrames: number;
  malformed: number;
}

/** More connections than this and no selection: list them, one line each, instead of drawing every ladder. */
export const LIST_ABOVE = 8;

/** The numbers of the connections a selection keeps (every one when nothing is picked). */
export function selectConnections(conns: Connection[], o: Pick<TraceOptions, "conn" | "port" | "host">): number[] {
  const ends = (c: Connection) => [c.a, c.b].map((e) => { const i = e.lastIndexOf(":"); return { ip: e.slice(0, i), port: Number(e.slice(i + 1)) }; });
  return conns.map((c, i) => ({ c, n: i + 1 })).filter(({ c, n }) =>
    (o.conn === undefined || n === o.conn) &&
    (o.port === undefined || ends(c).some((e) => e.port === o.port)) &&
    (o.host === undefined || ends(c).some((e) => e.ip === o.host))).map(({ n }) => n);
}

function selectionWords(o: TraceOptions): string {
  const w = [o.conn !== undefined ? `--conn ${o.conn}` : "", o.port !== undefined ? `--port ${o.port}` : "", o.host !== undefined ? `--host ${o.host}` : ""];
  return w.filter((x) => x).join(" ");
}

/** Trace an already-read capture. */
export function traceCapture(file: PcapFile, opts: TraceOptions = {}): TraceResult {
  if (!TRACE_LINK_TYPES.includes(file.linkType)) {
    throw new Error(`unsupported pcap link type ${file.linkType}: trace reads Ethernet (1) and Linux cooked (113, 276: tshark -i any) captures`);
  }
  const { segments, otherFrames, malformed } = decodeFrames(file.records, file.linkType);
  const connections = groupConnections(segments);
  const summary = `${file.records.length} frames: ${segments.length} TCP segments in ${connections.length} connection${connections.length === 1 ? "" : "s"}, ` +
    `${otherFrames} other frames skipped, ${malformed} malformed${file.truncated ? "; the capture ends mid-record (cut short)" : ""}`;
  const picked = selectionWords(opts);
  const shown = selectConnections(connections, opts);
  const listed = !picked && !opts.all && connections.length > LIST_ABOVE;
  const parts = [summary];
  if (picked) parts.push(`showing ${shown.length} of ${connections.length} (${picked})${shown.length ? "" : ": none matches"}`);
  if (listed) {
    parts.push(connections.map((c, i) => connectionTitle(c, i + 1, opts)).join("\n"));
    parts.push(`${connections.length} connections: draw one with --conn N, or pick them by --port P or --host A.B.C.D (--all draws every one)`);
  } else {
    for (const n of shown) {
      const c = connections[n - 1];
      parts.push([connectionTitle(c, n, opts), "", renderLadder(c, opts), "", renderTable(c, opts)].join("\n"));
    }
  }
  const text = parts.join("\n\n") + "\n";
  return { text, svg: renderSvg(shown.map((n) => connections[n - 1]), opts), connections, shown, listed, otherFrames, malformed };
}

/** Read `path` (pcap or pcapng) and trace it; with `svg`, write the ladder SVG there and end the text with where it went. */
export function traceReport(path: string, opts: TraceOptions = {}): TraceResult {
  const result = traceCapture(readCapture(path), opts);
  if (!opts.svg) return result;
  fs.writeFileSync(opts.svg, result.svg);
  const n = result.listed ? result.connections.length : result.shown.length;
  return { ...result, text: `${result.text}\nwrote the ladder${n === 1 ? "" : "s"} of ${n} connection${n === 1 ? "" : "s"} as SVG to ${resolve(opts.svg)}\n` };
}

/** The report text of `traceReport`. */
export function traceFile(path: string, opts: TraceOptions = {}): string {
  return traceReport(path, opts).text;
}
