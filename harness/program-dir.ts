/**
 * Where Pulumi's provider host runs for this repository's tests, demo, soak and bench: a program
 * directory with `pulumi-greenapi` in node_modules, linked to this repository as `npm install` would
 * place it, so the serialized provider's `require("pulumi-greenapi/lifecycle")` resolves exactly as
 * it does in a user's program.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Door } from "./door";
import { ProviderHost } from "./host";

import { REPO_ROOT } from "./repo";

export { REPO_ROOT };

const created: string[] = [];
process.on("exit", () => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
});

/** A temporary program directory, removed by removeProgramDir or, at the latest, when the process exits. */
export function makeProgramDir(prefix = "greenapi-program-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(REPO_ROOT, join(dir, "node_modules", "pulumi-greenapi"), "dir");
  writeFileSync(join(dir, "Pulumi.yaml"), "name: test\nruntime: nodejs\n");
  return dir;
}

export function removeProgramDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** The environment minus the developer's own GREEN_API_* settings, which must not reach a test's host. */
export function withoutDeveloperSettings(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const removed = Object.keys(process.env).filter((key) => key.startsWith("GREEN_API_"));
  return { ...Object.fromEntries(removed.map((key) => [key, undefined])), ...extra };
}

export interface ConfiguredHostOptions {
  programDir?: string;
  env?: Record<string, string | undefined>;
  secretKeys?: string[];
  /** Pulumi's dynamic-provider host (default) or the greenapi plugin. */
  door?: Door;
  /** The plugin's provider resource, e.g. "acctB" for an explicit provider; default providers by default. */
  providerName?: string;
}

/** A front door's provider process, started as the CLI starts it and configured with `config` (namespaced keys). */
export async function startConfiguredHost(config: Record<string, string>, options: ConfiguredHostOptions = {}): Promise<ProviderHost> {
  const host = await ProviderHost.start({
    programDir: options.programDir ?? makeProgramDir(),
    env: withoutDeveloperSettings(options.env),
    door: options.door,
    providerName: options.providerName,
  });
  await host.configure(config, options.secretKeys ?? ["greenapi:partnerToken"]);
  return host;
}
