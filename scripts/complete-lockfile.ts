/**
 * `node dist/scripts/complete-lockfile.js`: adds to package-lock.json the platform-specific optional
 * packages this machine's npm registry does not carry (jest 30's `unrs-resolver` lists a binary per
 * OS and CPU; the registry here has only some of them). npm leaves them out of the lock, and then
 * `npm ci` on a fresh clone refuses the lock ("Missing: @unrs/resolver-binding-… from lock file").
 * Each added entry carries its os/cpu, so npm skips it on machines it does not fit, without a
 * download. Run it after anything that rewrites the lock; a test fails until it has been run.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

interface LockEntry {
  version?: string;
  dev?: boolean;
  optional?: boolean;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  optionalDependencies?: Record<string, string>;
}

interface Lock {
  packages: Record<string, LockEntry>;
}

/** Optional dependencies of locked packages that have no entry of their own. */
export function missingOptionalPackages(lock: Lock): Array<{ name: string; version: string; dev: boolean }> {
  const missing = new Map<string, { name: string; version: string; dev: boolean }>();
  for (const [path, entry] of Object.entries(lock.packages)) {
    for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
      const nested = `${path}/node_modules/${name}`;
      if (lock.packages[nested] || lock.packages[`node_modules/${name}`]) continue;
      missing.set(name, { name, version, dev: entry.dev ?? false });
    }
  }
  return [...missing.values()];
}

/** os/cpu/libc from a binding's name, e.g. `…-linux-arm64-musl` → linux, arm64, musl. */
export function platformOf(name: string): Pick<LockEntry, "os" | "cpu" | "libc"> {
  const parts = name.split("/").pop()!.split("-");
  const at = parts.findIndex((part) => ["android", "darwin", "freebsd", "linux", "openharmony", "win32", "wasm32"].includes(part));
  if (at < 0) throw new Error(`cannot tell the platform of ${name}; add its entry by hand`);
  if (parts[at] === "wasm32") return { cpu: ["wasm32"] };
  const libc = parts[at + 2];
  return {
    os: [parts[at]],
    cpu: [parts[at + 1]],
    ...(libc?.startsWith("gnu") ? { libc: ["glibc"] } : libc?.startsWith("musl") ? { libc: ["musl"] } : {}),
  };
}

function main(): void {
  const file = join(process.cwd(), "package-lock.json");
  const lock = JSON.parse(readFileSync(file, "utf8")) as Lock;
  const missing = missingOptionalPackages(lock);
  for (const { name, version, dev } of missing) {
    lock.packages[`node_modules/${name}`] = { version, ...(dev ? { dev } : {}), optional: true, ...platformOf(name) };
  }
  const sorted = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))));
  writeFileSync(file, `${JSON.stringify({ ...lock, packages: sorted }, null, 2)}\n`);
  console.log(missing.length ? `added ${missing.map((m) => m.name).join(", ")}` : "package-lock.json already complete");
}

if (require.main === module) main();
