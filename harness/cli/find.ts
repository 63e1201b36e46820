/** Finding the real `pulumi` CLI on PATH. */
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";

/** The `pulumi` executable on PATH, or undefined. */
export function findPulumiCli(path = process.env.PATH ?? ""): string | undefined {
  const names = process.platform === "win32" ? ["pulumi.exe", "pulumi.cmd"] : ["pulumi"];
  for (const dir of path.split(delimiter).filter(Boolean)) {
    for (const name of names) {
      const candidate = join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        if (statSync(candidate).isFile()) return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}
