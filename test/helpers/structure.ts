/**
 * Structure checks over TypeScript/AssemblyScript sources, written once for
 * every folder: the relative import graph (import and export-from
 * statements) and its cycles, and the length of every function. Sources are
 * parsed with the TypeScript compiler's parser, so comments, strings and
 * nested functions are told apart correctly. Pure over a path → text map,
 * so the checks themselves can be tested on made-up sources.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, posix } from "node:path";
import ts from "typescript";

/** Every .ts file (not .d.ts) below `dir` of `root`, as root-relative POSIX paths → text. */
export function readSources(root: string, dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      const p = posix.join(rel, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) out.set(p, readFileSync(join(root, p), "utf8"));
    }
  };
  walk(dir);
  return out;
}

const parse = (path: string, text: string) => ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);

/** The file a relative specifier names, if it is one of `files` ("./x.js" and "./x" both find x.ts). */
function resolve(from: string, spec: string, files: Map<string, string>): string | undefined {
  const base = posix.normalize(posix.join(posix.dirname(from), spec));
  const stem = base.replace(/\.(js|ts|mjs)$/, "");
  return [base, `${stem}.ts`, `${stem}/index.ts`].find((c) => files.has(c));
}

/** file → the files among `files` it imports or re-exports from. */
export function importGraph(files: Map<string, string>): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const [path, text] of files) {
    const deps = new Set<string>();
    for (const st of parse(path, text).statements) {
      if ((ts.isImportDeclaration(st) || ts.isExportDeclaration(st)) && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier)) {
        const spec = st.moduleSpecifier.text;
        if (!spec.startsWith(".")) continue;
        const target = resolve(path, spec, files);
        if (target !== undefined) deps.add(target);
      }
    }
    graph.set(path, [...deps].sort());
  }
  return graph;
}

/** The strongly connected groups of more than one file (or a file importing itself): each is a cycle. */
export function importCycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1 || (graph.get(v) ?? []).includes(v)) groups.push(group.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return groups;
}

export interface FunctionSpan {
  /** "path:line name" */
  where: string;
  lines: number;
}

/** Every function with a body (declarations, methods, accessors, arrows, expressions) and its length in lines. */
export function functionSpans(files: Map<string, string>): FunctionSpan[] {
  const out: FunctionSpan[] = [];
  for (const [path, text] of files) {
    const sf = parse(path, text);
    const visit = (n: ts.Node): void => {
      if (ts.isFunctionLike(n) && "body" in n && n.body !== undefined) {
        const first = sf.getLineAndCharacterOfPosition(n.getStart(sf)).line;
        const last = sf.getLineAndCharacterOfPosition(n.getEnd()).line;
        out.push({ where: `${path}:${first + 1} ${nameOf(n, sf)}`, lines: last - first + 1 });
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return out.sort((a, b) => b.lines - a.lines || a.where.localeCompare(b.where));
}

function nameOf(n: ts.SignatureDeclaration, sf: ts.SourceFile): string {
  if (n.name !== undefined) return n.name.getText(sf);
  const p = n.parent;
  if (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)) return p.name.getText(sf);
  return "(anonymous)";
}

/** A reference in prose to a section of one of our docs: docs/TCP.md "Idle peers". */
export interface SectionRef {
  doc: string;
  section: string;
}

/** White space folded, backticks and comment stars of a wrapped line dropped. */
const foldTitle = (s: string): string => s.replace(/`/g, "").replace(/\s*\*\s*/g, " ").replace(/\s+/g, " ").trim();

/** Every reference like docs/TCP.md "Idle peers" in `text` (a comma may follow the file name; a title wrapped over lines is folded). */
export function sectionRefs(text: string): SectionRef[] {
  return [...text.matchAll(/docs\/([A-Za-z]+\.md),? "([^"]+)"/g)].map((m) => ({ doc: `docs/${m[1]}`, section: foldTitle(m[2]) }));
}

/**
 * Whether markdown `doc` has the section: a heading whose title is, begins
 * with, or lists `section` ("Imports" finds "## Imports (module `hal`)",
 * "DHCP" finds "### UDP, DHCP and DNS"), or a paragraph led by it in bold
 * ("**Overload.** A SYN that …").
 */
export function hasSection(doc: string, section: string): boolean {
  const word = section.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const inTitle = new RegExp(`(^|[ ,(])${word}($|[ ,)])`);
  return doc.split("\n").some((line) =>
    (/^#+ /.test(line) && inTitle.test(foldTitle(line.replace(/^#+ /, "")))) || line.startsWith(`**${section}`));
}
