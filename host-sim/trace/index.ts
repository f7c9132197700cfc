/**
 * `embertcp trace`: from a pcap capture, per TCP connection a ladder diagram
 * and the seed-001 seq/ack table, optionally the ladders as one SVG file.
 */

import * as fs from "node:fs";
import { LINKTYPE_ETHERNET, type PcapFile, readPcap } from "../pcap.js";
import { renderLadder, renderTable, connectionTitle, type RenderOptions } from "./render.js";
import { type Connection, decodeFrames, groupConnections } from "./segments.js";
import { renderSvg } from "./svg.js";

export { renderLadder, renderTable, connectionRows, segmentLabel, type Row, type RenderOptions } from "./render.js";
export { renderSvg, xmlEscape } from "./svg.js";
export { decodeFrames, groupConnections, inferStates, flagNames, type Connection, type Segment, type TcpState } from "./segments.js";

export interface TraceOptions extends RenderOptions {
  /** Also write the ladders as an SVG document to this path. */
  svg?: string;
}

export interface TraceResult {
  /** The printable report: a summary line, then per connection its ladder and table. */
  text: string;
  /** The SVG document (always built; written to `svg` only when asked). */
  svg: string;
  connections: Connection[];
  otherFrames: number;
  malformed: number;
}

/** Trace an already-read capture. */
export function traceCapture(file: PcapFile, opts: RenderOptions = {}): TraceResult {
  if (file.linkType !== LINKTYPE_ETHERNET) throw new Error(`unsupported pcap link type ${file.linkType}: trace reads Ethernet captures (link type 1)`);
  const { segments, otherFrames, malformed } = decodeFrames(file.records);
  const connections = groupConnections(segments);
  const summary = `${file.records.length} frames: ${segments.length} TCP segments in ${connections.length} connection${connections.length === 1 ? "" : "s"}, ` +
    `${otherFrames} other frames skipped, ${malformed} malformed${file.truncated ? "; the capture ends mid-record (cut short)" : ""}`;
  const blocks = connections.map((c, i) =>
    [connectionTitle(c, i + 1, opts), "", renderLadder(c, opts), "", renderTable(c, opts)].join("\n"));
  const text = [summary, ...blocks].join("\n\n") + "\n";
  return { text, svg: renderSvg(connections, opts), connections, otherFrames, malformed };
}

/** Read `path` (classic pcap), return the report text; with `svg`, write the ladder SVG there. */
export function traceFile(path: string, opts: TraceOptions = {}): string {
  const result = traceCapture(readPcap(path), opts);
  if (opts.svg) fs.writeFileSync(opts.svg, result.svg);
  return result.text;
}
