#!/usr/bin/env node
// Derives the "where each RFC rule lives" index of docs/ARCHITECTURE.md from
// the citations in assembly/: every "RFC nnnn §x.y" (also "§a, §b" and
// "§a/§b" chains after one RFC number) names the file it stands in. The
// table goes between the <!-- gen:rfc-index --> markers.
// Run by `npm run build`; `--check` fails when the committed index is stale.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join, relative } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const DOC = "docs/ARCHITECTURE.md";
const MARK = /(<!-- gen:rfc-index -->)[\s\S]*?(<!-- \/gen:rfc-index -->)/;

/** Every .ts file below `dir`, as paths relative to the repository root, sorted. */
function sources(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".ts")) out.push(relative(root, p));
    }
  };
  walk(join(root, dir));
  return out.sort();
}

/**
 * The (rfc, section) pairs cited in `text`: "RFC 5961 §3.2, §7" gives
 * 5961/3.2 and 5961/7; an RFC cited with no section gives section "".
 */
export function citations(text) {
  const out = [];
  // Comments wrap: a citation may continue on the next line after "//" or "*".
  const flat = text.replace(/\n\s*(?:\/\/|\*)\s?/g, " ");
  for (const m of flat.matchAll(/RFC\s+(\d{3,4})((?:(?:\s*[,/]\s*|\s+and\s+|\s+)?§\s?\d+(?:\.\d+)*)*)/g)) {
    const sections = [...m[2].matchAll(/§\s?(\d+(?:\.\d+)*)/g)].map((s) => s[1]);
    for (const section of sections.length > 0 ? sections : [""]) out.push({ rfc: Number(m[1]), section });
  }
  return out;
}

/** Compare dotted section numbers numerically ("3.9" before "3.10"). */
function bySection(a, b) {
  const x = a === "" ? [] : a.split(".").map(Number);
  const y = b === "" ? [] : b.split(".").map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? -1) - (y[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

/** The markdown table: one row per RFC section, the files citing it. */
export function rfcIndex(files = sources("assembly"), read = (p) => readFileSync(join(root, p), "utf8")) {
  const where = new Map();
  for (const f of files) {
    for (const { rfc, section } of citations(read(f))) {
      const key = `${rfc} ${section}`;
      if (!where.has(key)) where.set(key, { rfc, section, files: new Set() });
      where.get(key).files.add(f.replace(/^assembly\//, ""));
    }
  }
  const rows = [...where.values()].sort((a, b) => a.rfc - b.rfc || bySection(a.section, b.section));
  return [
    "| RFC | section | assembly/ files |",
    "|---|---|---|",
    ...rows.map((r) => `| ${r.rfc} | ${r.section ? `§${r.section}` : "(whole)"} | ${[...r.files].sort().map((f) => `\`${f}\``).join(", ")} |`),
  ].join("\n");
}

/** `doc` with the index between its markers replaced by `table`. */
export function withIndex(doc, table) {
  if (!MARK.test(doc)) throw new Error(`${DOC} lacks the gen:rfc-index markers`);
  return doc.replace(MARK, `$1\n${table}\n$2`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const old = readFileSync(join(root, DOC), "utf8");
  const doc = withIndex(old, rfcIndex());
  if (process.argv.includes("--check")) {
    if (doc !== old) {
      console.error(`gen-rfc-index: the RFC index in ${DOC} is stale; run \`npm run build\``);
      process.exit(1);
    }
  } else if (doc !== old) {
    writeFileSync(join(root, DOC), doc);
  }
}
