/**
 * Pulumi's real provider host, started the way the CLI starts it, from a program directory where
 * `pulumi-greenapi` is installed (linked to this repo's build), configured for an emulator.
 */
import { mkdtempSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { GreenApiEmulator } from "../emulator";
import { ProviderHost } from "../harness";

export const REPO_ROOT = resolve(__dirname, "..", "..");

function makeProgramDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "greenapi-bench-"));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(REPO_ROOT, join(dir, "node_modules", "pulumi-greenapi"), "dir");
  writeFileSync(join(dir, "Pulumi.yaml"), "name: test\nruntime: nodejs\n");
  return dir;
}

export async function startHost(emulator: GreenApiEmulator): Promise<ProviderHost> {
  // The developer's own Green API settings must not leak into a measurement.
  const env = Object.fromEntries(Object.keys(process.env).filter((key) => key.startsWith("GREEN_API_")).map((key) => [key, undefined]));
  const host = await ProviderHost.start({ programDir: makeProgramDir(), env });
  await host.configure(
    {
      "greenapi:partnerToken": emulator.partnerToken,
      "greenapi:partnerApiUrl": emulator.url,
      "greenapi:apiUrl": emulator.url,
    },
    ["greenapi:partnerToken"],
  );
  return host;
}

/** Peak resident set size of a process, in bytes (Linux: VmHWM in /proc/<pid>/status). */
export function peakRss(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
