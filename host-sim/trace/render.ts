/**
 * Text pictures of a TCP connection, in the style of RFC 9293 §3.5: a
 * ladder diagram (sender → receiver arrows labelled `SYN seq=X`,
 * `SYN/ACK seq=Y ack=X+1`, `ACK seq=.. ack=..`, data with its length, FIN,
 * RST, with each side's RFC 9293 state beside the arrow that changed it)
 * and a seq/ack table (#, direction, seq, ack, payload size).
 */

import { type Connection, connectionOutcome, flagNames, inferStates, type Segment, type Side, statesBefore, TCP_ACK, type TcpState } from "./segments.js";

export interface RenderOptions {
  /** Show sequence and acknowledgement numbers relative to each side's ISN (default false: absolute). */
  relative?: boolean;
}

/** One row of a connection as both pictures show it. */
export interface Row {
  frame: number;
  dir: Side;
  /** ms since the connection's first segment. */
  tMs: number;
  flags: string;
  seq: number;
  /** The acknowledgement number, or null when the ACK flag is clear (then the field means nothing). */
  ack: number | null;
  /** Raw acknowledgement field, shown when the ACK flag is clear (normally 0). */
  ackField: number;
  len: number;
  frameLen: number;
  label: string;
  states: Partial<Record<Side, TcpState>>;
}

/** The rows of `c` with numbers absolute or relative. */
export function connectionRows(c: Connection, opts: RenderOptions = {}): Row[] {
  const states = inferStates(c);
  const t0 = c.segments[0]?.tsMs ?? 0;
  return c.segments.map((s, i) => {
    const other: Side = s.dir === "A" ? "B" : "A";
    const seq = opts.relative ? (s.seq - c.base[s.dir]) >>> 0 : s.seq;
    const ack = s.flags & TCP_ACK ? (opts.relative ? (s.ack - c.base[other]) >>> 0 : s.ack) : null;
    return {
      frame: s.frame, dir: s.dir, tMs: s.tsMs - t0, flags: flagNames(s.flags),
      seq, ack, ackField: s.ack, len: s.len, frameLen: s.frameLen,
      label: segmentLabel(s, seq, ack), states: states[i],
    };
  });
}

/** `SYN seq=X`, `SYN/ACK seq=Y ack=X+1`, `PSH/ACK seq=.. ack=.. len=N`, `FIN/ACK ...`, `RST seq=..`. */
export function segmentLabel(s: Pick<Segment, "flags" | "len">, seq: number, ack: number | null): string {
  let l = `${flagNames(s.flags)} seq=${seq}`;
  if (ack !== null) l += ` ack=${ack}`;
  if (s.len > 0) l += ` len=${s.len}`;
  return l;
}


/** A heading naming the two sides. */
export function connectionTitle(c: Connection, n: number, opts: RenderOptions = {}): string {
  const how = opts.relative ? "relative" : "absolute";
  const opened = c.sawOpen ? "" : " (capture starts mid-connection)";
  return `TCP connection ${n}: A ${c.a} -> B ${c.b}, ${c.segments.length} segments, ${how} seq/ack${opened}; ends ${connectionOutcome(c)}`;
}

/** Which rows of a connection a ladder shows: [from, to) (default all). */
export interface LadderRange { from?: number; to?: number; }

/**
 * The ladder diagram of one connection, or of rows [from, to) of it: the
 * line under the heading shows each side's state where the picture starts
 * (ESTABLISHED for a close drawn on its own).
 */
export function renderLadder(c: Connection, opts: RenderOptions = {}, range: LadderRange = {}): string {
  const all = connectionRows(c, opts);
  const from = Math.max(0, range.from ?? 0);
  const rows = all.slice(from, range.to ?? all.length);
  const init = statesBefore(c, from);
  const headA = `A ${c.a}`, headB = `B ${c.b}`;
  const inner = Math.max(30, headA.length + headB.length + 2, ...all.map((r) => r.label.length + 8));
  const stateW = 12;
  const lines: string[] = [];
  const prefix = (num: string, t: string, state: string) => `${num.padStart(5)} ${t.padStart(10)}  ${state.padEnd(stateW)} `;
  // The side names sit over their lifelines: A starts at A's "|", B ends at B's.
  lines.push(`${prefix("#", "time ms", "A state")}${headA}${" ".repeat(inner + 2 - headA.length - headB.length)}${headB}  B state`);
  lines.push(`${prefix("", "", init.A)}|${" ".repeat(inner)}|  ${init.B}`);
  for (const r of rows) {
    const fill = inner - r.label.length - 5;
    const arrow = r.dir === "A"
      ? `|-- ${r.label} ${"-".repeat(fill)}>|`
      : `|<${"-".repeat(fill)} ${r.label} --|`;
    lines.push(`${prefix(String(r.frame), r.tMs.toFixed(3), r.states.A ?? "")}${arrow}  ${r.states.B ?? ""}`.trimEnd());
  }
  return lines.join("\n");
}

/** The seq/ack table: #, direction, flags, seq, ack, payload size, frame size. */
export function renderTable(c: Connection, opts: RenderOptions = {}): string {
  const rows = connectionRows(c, opts);
  const head = ["#", "dir", "flags", "seq", "ack", "len", "frame"];
  const cells = rows.map((r) => [
    String(r.frame), r.dir === "A" ? "A->B" : "B->A", r.flags,
    String(r.seq), String(r.ack ?? r.ackField), String(r.len), String(r.frameLen),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i].length)));
  // Text columns (dir, flags) align left, numbers right.
  const fmt = (row: string[]) => row.map((v, i) => (i === 1 || i === 2 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join("  ").trimEnd();
  return [fmt(head), ...cells.map(fmt)].join("\n");
}
