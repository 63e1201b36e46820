/** Where the harness's preload (harness/preload.js) goes into the Node processes it has started. */
import { join } from "node:path";
import { REPO_ROOT } from "./repo";

/** A code cache, and modules nobody here uses loaded on first use: see the file. */
export const PRELOAD = join(REPO_ROOT, "harness", "preload.js");

/**
 * NODE_OPTIONS with the preload added to the given ones: for Node processes another program starts
 * (the CLI, a plugin's launcher), which pass the variable on.
 */
export function withPreload(nodeOptions: string | undefined): string {
  return [nodeOptions, `--require "${PRELOAD}"`].filter(Boolean).join(" ");
}
