/**
 * The RAM budget script (bench/budget.ts) that docs/EMBEDDING.md quotes:
 * it must find every overridable limit in assembly/config.ts, and its
 * measurements must agree with what the limits mean.
 */
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { MINIMAL, heapBase, readLimits } from "../bench/budget.js";
import { projectRoot } from "../host-sim/paths.js";

describe("RAM budget", () => {
  test("reads every EMBER_ limit of assembly/config.ts with its default", () => {
    const src = readFileSync(`${projectRoot()}/assembly/config.ts`, "utf8");
    const declared = [...src.matchAll(/isDefined\(EMBER_(\w+)\)/g)].map((m) => m[1]);
    const limits = readLimits();
    expect(limits.map((l) => l.name)).toEqual(declared);
    expect(limits.find((l) => l.name === "TCB_COUNT")?.fallback).toBeGreaterThan(0);
    for (const l of limits) expect(l.doc.length, l.name).toBeGreaterThan(5);
  });

  test("a TCB costs at least its two rings; the minimal build is smaller by at least the rings it drops", async () => {
    const limits = Object.fromEntries(readLimits().map((l) => [l.name, l.fallback]));
    const cwd = process.cwd();
    process.chdir(projectRoot());
    try {
      const base = await heapBase({});
      const oneMore = await heapBase({ TCB_COUNT: limits.TCB_COUNT + 1 });
      const minimal = await heapBase(MINIMAL);
      expect(oneMore - base).toBeGreaterThanOrEqual(limits.TCP_TX_BUF + limits.TCP_RX_BUF);
      const dropped = limits.TCB_COUNT * (limits.TCP_TX_BUF + limits.TCP_RX_BUF) - MINIMAL.TCB_COUNT * (MINIMAL.TCP_TX_BUF + MINIMAL.TCP_RX_BUF);
      expect(base - minimal).toBeGreaterThanOrEqual(dropped);
    } finally {
      process.chdir(cwd);
    }
  }, 120_000);
});
