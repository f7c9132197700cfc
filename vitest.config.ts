import { defineConfig } from "vitest/config";

// Two groups, run one after the other: the deterministic suites (virtual
// time, in-process links) in parallel, then the suites that drive real
// Linux peers, ptys and a browser in real time, one file at a time so load
// from the rest never stretches their timers.
const realTime = [
  "test/interop-*.test.ts", "test/browser*.test.ts", "test/cli-*.test.ts",
  "test/demo-serial*.test.ts", "test/links-serial*.test.ts", "test/flash*.test.ts",
  "test/fuzz-*.test.ts",
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    projects: [
      {
        extends: true,
        test: { name: "virtual-time", include: ["test/**/*.test.ts"], exclude: realTime, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: "real-time", include: realTime, fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
