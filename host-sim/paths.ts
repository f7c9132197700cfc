/** Where the built artefacts live, whether running from source or from dist/. */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The package root: the nearest ancestor holding package.json. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json"))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error("embertcp: package.json not found above " + fileURLToPath(import.meta.url));
    dir = up;
  }
}

/** build/<name>. */
export function buildPath(name: string): string {
  return join(projectRoot(), "build", name);
}
