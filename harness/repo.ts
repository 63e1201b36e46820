/** The repository root, found upwards from here (the harness runs from the sources and from dist/). */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

export const REPO_ROOT = findPackageRoot(__dirname, "pulumi-greenapi");

function findPackageRoot(from: string, name: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).name === name) return dir;
    if (dirname(dir) === dir) throw new Error(`no ${name} package.json above ${from}`);
  }
}
