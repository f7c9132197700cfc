/**
 * A small XML well-formedness checker for the SVG tests (XML 1.0 §2.1: one
 * root element, properly nested and matched tags, quoted unique attributes,
 * only the five predefined or numeric entity references, no stray '<' or '&').
 * Returns the problems found (empty when well formed) and the element count.
 */

export function xmlProblems(doc: string): { problems: string[]; elements: Map<string, number> } {
  const problems: string[] = [];
  const elements = new Map<string, number>();
  const stack: string[] = [];
  let roots = 0;
  let i = 0;
  const name = /^[A-Za-z_][\w.:-]*/;
  const checkText = (t: string, where: number) => {
    if (t.includes("<")) problems.push(`stray '<' at ${where}`);
    for (const m of t.matchAll(/&([^;\s]*);?/g)) {
      const ent = m[0];
      if (!/^&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);$/.test(ent)) problems.push(`bad entity ${ent} at ${where}`);
    }
  };
  while (i < doc.length) {
    const lt = doc.indexOf("<", i);
    const textPart = lt < 0 ? doc.slice(i) : doc.slice(i, lt);
    checkText(textPart, i);
    if (stack.length === 0 && textPart.trim() && roots > 0) problems.push(`text after the root at ${i}`);
    if (lt < 0) break;
    if (doc.startsWith("<?", lt)) { const e = doc.indexOf("?>", lt); if (e < 0) { problems.push("unclosed <?"); break; } i = e + 2; continue; }
    if (doc.startsWith("<!--", lt)) { const e = doc.indexOf("-->", lt); if (e < 0) { problems.push("unclosed comment"); break; } i = e + 3; continue; }
    const gt = doc.indexOf(">", lt);
    if (gt < 0) { problems.push(`unclosed tag at ${lt}`); break; }
    let body = doc.slice(lt + 1, gt);
    if (body.startsWith("/")) {
      const n = body.slice(1).trim();
      const open = stack.pop();
      if (open !== n) problems.push(`</${n}> closes <${open}> at ${lt}`);
    } else {
      const selfClose = body.endsWith("/");
      if (selfClose) body = body.slice(0, -1);
      const m = name.exec(body);
      if (!m) { problems.push(`bad tag name at ${lt}`); i = gt + 1; continue; }
      if (stack.length === 0) { roots++; if (roots > 1) problems.push(`second root <${m[0]}> at ${lt}`); }
      elements.set(m[0], (elements.get(m[0]) ?? 0) + 1);
      let rest = body.slice(m[0].length);
      const seen = new Set<string>();
      const attr = /^\s+([A-Za-z_][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/;
      for (let a = attr.exec(rest); a; a = attr.exec(rest)) {
        if (seen.has(a[1])) problems.push(`duplicate attribute ${a[1]} at ${lt}`);
        seen.add(a[1]);
        checkText(a[3] ?? a[4] ?? "", lt);
        rest = rest.slice(a[0].length);
      }
      if (rest.trim()) problems.push(`junk in <${m[0]}>: ${rest.trim().slice(0, 20)} at ${lt}`);
      if (!selfClose) stack.push(m[0]);
    }
    i = gt + 1;
  }
  if (stack.length) problems.push(`unclosed <${stack.join("> <")}>`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return { problems, elements };
}
