/**
 * Command-line parsing shared by every `embertcp` command: each command
 * declares its options (name, value placeholder, default, one line of
 * help), its positional arguments and an example; `parse` rejects what the
 * declaration does not allow (unknown or single-dash options, a missing
 * value, extra words) with a UsageError, and `helpText` prints the same
 * declaration, so the help and the parser cannot disagree.
 *
 * Exit codes: 2 for a UsageError (the command line is wrong), 1 for a
 * runtime failure (a port that cannot be opened, a board that does not
 * answer), 0 for success.
 */

/** The command line is wrong: exit 2, before any device is opened. */
export class UsageError extends Error {}

export interface OptionSpec {
  /** "--ip" */
  name: string;
  /** Placeholder of the value ("A.B.C.D/NN"); absent for a flag. */
  value?: string;
  /** The default, as help shows it (flags default to "off"). */
  def?: string;
  /** One line: what the option does. */
  help: string;
  /** May be given more than once (`Parsed.all` returns every value). */
  repeat?: boolean;
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** The synopsis after "usage: " (which options go together). */
  usage: string;
  /** Positional arguments by placeholder; a trailing "?" marks one optional. */
  args?: string[];
  options: OptionSpec[];
  /** One example command line. */
  example: string;
  /** More lines of help after the options (may be empty). */
  notes?: string[];
  run(a: Parsed): Promise<number> | number;
}

/** What `parse` found: option values, flags given, positional words. */
export class Parsed {
  constructor(readonly values: ReadonlyMap<string, string>, readonly positional: readonly string[], readonly repeated: ReadonlyMap<string, string[]> = new Map()) {}

  /** The value given for `name`, or undefined. */
  get(name: string): string | undefined { return this.values.get(name); }

  /** Every value given for a repeatable option, in order. */
  all(name: string): string[] { return this.repeated.get(name) ?? []; }

  /** Whether `name` was given (flag or valued option). */
  has(name: string): boolean { return this.values.has(name); }

  /** An integer option within min..max, or `def` when absent. */
  int(name: string, def: number, min: number, max: number, unit = ""): number {
    const v = this.get(name);
    if (v === undefined) return def;
    const n = Number(v);
    if (v.trim() === "" || !Number.isInteger(n) || n < min || n > max) {
      throw new UsageError(`${name} ${v}: give a whole number from ${min} to ${max}${unit}`);
    }
    return n;
  }

  /** A number option within min..max (fractions allowed), or `def` when absent. */
  number(name: string, def: number, min: number, max: number, unit = ""): number {
    const v = this.get(name);
    if (v === undefined) return def;
    const n = Number(v);
    if (v.trim() === "" || !Number.isFinite(n) || n < min || n > max) throw new UsageError(`${name} ${v}: give a number from ${min} to ${max}${unit}`);
    return n;
  }
}

/** Parse `argv` against a command's declaration; throws UsageError. */
export function parse(spec: CommandSpec, argv: string[]): Parsed {
  const byName = new Map(spec.options.map((o) => [o.name, o]));
  const values = new Map<string, string>();
  const repeated = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i];
    if (!tok.startsWith("-") || tok === "-") { positional.push(tok); continue; }
    const eq = tok.indexOf("=");
    const name = tok.startsWith("--") && eq > 2 ? tok.slice(0, eq) : tok;
    const o = byName.get(name);
    if (!o) throw new UsageError(`unknown option ${name}${tok.startsWith("--") ? "" : " (options start with --)"}`);
    if (values.has(name) && !o.repeat) throw new UsageError(`${name} is given twice`);
    if (o.value === undefined) {
      if (name !== tok) throw new UsageError(`${name} takes no value`);
      values.set(name, "");
      continue;
    }
    const v = name !== tok ? tok.slice(eq + 1) : argv[++i];
    if (v === undefined || v === "" || (name === tok && v.startsWith("--"))) throw new UsageError(`${name} needs ${o.value}`);
    values.set(name, v);
    repeated.set(name, [...(repeated.get(name) ?? []), v]);
  }
  const want = spec.args ?? [];
  const required = want.filter((a) => !a.endsWith("?")).length;
  if (positional.length > want.length) {
    const extra = positional.slice(want.length).map((w) => `"${w}"`).join(" ");
    throw new UsageError(want.length === 0 ? `takes no arguments, got ${extra}` : `unexpected ${extra} after ${want.map((a) => a.replace(/\?$/, "")).join(" ")}`);
  }
  if (positional.length < required) throw new UsageError(`needs ${want.slice(positional.length, required).join(" ")}`);
  return new Parsed(values, positional, repeated);
}

/** `--help` text: synopsis, summary, every option with its default, notes, an example. */
export function helpText(spec: CommandSpec): string {
  const left = spec.options.map((o) => `  ${o.name}${o.value ? ` ${o.value}` : ""}`);
  const w = Math.min(34, Math.max(...left.map((l) => l.length))) + 2;
  const lines = [`usage: ${spec.usage}`, "", spec.summary, "", "options:"];
  spec.options.forEach((o, i) => {
    const def = o.def ?? (o.value === undefined ? "off" : "none");
    const l = left[i];
    lines.push(l.length < w ? `${l.padEnd(w)}${o.help} (default: ${def})` : `${l}\n${" ".repeat(w)}${o.help} (default: ${def})`);
  });
  lines.push(`  ${"--help".padEnd(w - 2)}this text`);
  if (spec.notes?.length) lines.push("", ...spec.notes);
  lines.push("", "example:", `  ${spec.example}`);
  return lines.join("\n");
}
