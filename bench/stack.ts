/**
 * Pulumi's real provider host, started the way the CLI starts it, from a program directory where
 * `pulumi-greenapi` is installed (linked to this repo's build), configured for an emulator.
 */
import { readFileSync } from "node:fs";
import type { GreenApiEmulator } from "../emulator";
import { makeProgramDir, startConfiguredHost, type ProviderHost } from "../harness";

export { REPO_ROOT } from "../harness";

export function startHost(emulator: GreenApiEmulator): Promise<ProviderHost> {
  return startConfiguredHost(
    {
      "greenapi:partnerToken": emulator.partnerToken,
      "greenapi:partnerApiUrl": emulator.url,
      "greenapi:apiUrl": emulator.url,
    },
    { programDir: makeProgramDir("greenapi-bench-") },
  );
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
