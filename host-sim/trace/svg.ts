/**
 * The ladder diagram as a standalone SVG 1.1 document: one vertical line per
 * side, one slanted arrow per segment (time runs down the page), the label
 * above each arrow and each side's state where it changes. Connections are
 * stacked vertically. Text is XML-escaped, so any address or label is safe.
 */

import { connectionRows, connectionTitle, type RenderOptions } from "./render.js";
import type { Connection } from "./segments.js";

const W = 860, LEFT = 250, RIGHT = 610, ROW = 34, HEAD = 70, SLANT = 14;

export function xmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[ch]!);
}

function text(x: number, y: number, s: string, attrs = ""): string {
  return `<text x="${x}" y="${y}"${attrs ? " " + attrs : ""}>${xmlEscape(s)}</text>`;
}

/** An SVG document drawing every connection's ladder. */
export function renderSvg(conns: Connection[], opts: RenderOptions = {}): string {
  const parts: string[] = [];
  let y = 20;
  conns.forEach((c, i) => {
    const rows = connectionRows(c, opts);
    const top = y;
    parts.push(text(10, y + 4, connectionTitle(c, i + 1, opts), 'class="title"'));
    parts.push(text(LEFT, y + 30, `A ${c.a}`, 'text-anchor="middle" class="side"'));
    parts.push(text(RIGHT, y + 30, `B ${c.b}`, 'text-anchor="middle" class="side"'));
    const y0 = top + HEAD;
    const y1 = y0 + rows.length * ROW + SLANT;
    parts.push(`<line x1="${LEFT}" y1="${top + 40}" x2="${LEFT}" y2="${y1}" class="life"/>`);
    parts.push(`<line x1="${RIGHT}" y1="${top + 40}" x2="${RIGHT}" y2="${y1}" class="life"/>`);
    rows.forEach((r, k) => {
      const ya = y0 + k * ROW;
      const [x1, x2] = r.dir === "A" ? [LEFT, RIGHT] : [RIGHT, LEFT];
      parts.push(`<line x1="${x1}" y1="${ya}" x2="${x2}" y2="${ya + SLANT}" class="seg" marker-end="url(#head)"/>`);
      parts.push(text((LEFT + RIGHT) / 2, ya - 3, r.label, 'text-anchor="middle"'));
      parts.push(text(10, ya + 10, `#${r.frame} ${r.tMs.toFixed(3)} ms`, 'class="meta"'));
      // A sender changes state as the arrow leaves, a receiver as it lands.
      const stateY = (side: "A" | "B") => (r.dir === side ? ya : ya + SLANT) + 4;
      if (r.states.A) parts.push(text(LEFT - 8, stateY("A"), r.states.A, 'text-anchor="end" class="state"'));
      if (r.states.B) parts.push(text(RIGHT + 8, stateY("B"), r.states.B, 'class="state"'));
    });
    y = y1 + 40;
  });
  const height = Math.max(y, 60);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}">`,
    "<defs>",
    '<marker id="head" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#223"/></marker>',
    "<style>text{font-family:monospace;font-size:12px;fill:#223}.title{font-weight:bold}.side{font-weight:bold}.meta{fill:#667}.state{fill:#a33}.life{stroke:#889;stroke-width:2}.seg{stroke:#223;stroke-width:1.2}</style>",
    "</defs>",
    `<rect width="${W}" height="${height}" fill="#fff"/>`,
    ...parts,
    "</svg>",
    "",
  ].join("\n");
}
