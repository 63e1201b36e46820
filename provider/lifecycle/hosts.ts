/**
 * Which host an instance's API calls go to: the resource's `apiUrl` if set, else the instance's own
 * host as Green API names it (`apiUrlInstance`, docs/greenapi.md §1.2), else `greenapi:apiUrl`.
 * Tokens travel in the URL path, so an `apiUrlInstance` that is not https (or loopback http) is
 * never used: the fallback serves instead, and a log line says so.
 */
import { apiUrlProblem } from "../greenapi/client-settings";
import type { Report } from "./errors";

/** The instance's own host, if Green API named one that is safe to send its token to. */
export function usableInstanceUrl(apiUrlInstance: unknown): string | undefined {
  if (typeof apiUrlInstance !== "string" || !apiUrlInstance.trim()) return undefined;
  const url = apiUrlInstance.trim().replace(/\/+$/, "");
  return apiUrlProblem(url) ? undefined : url;
}

export function instanceApiUrl(declared: string | undefined, apiUrlInstance: unknown, fallback: string): string {
  return declared ?? usableInstanceUrl(apiUrlInstance) ?? fallback;
}

/** One line when Green API named a host we will not send tokens to. */
export function noteUnusableInstanceUrl(report: Report, idInstance: number, apiUrlInstance: unknown, used: string): void {
  if (typeof apiUrlInstance !== "string" || !apiUrlInstance.trim() || usableInstanceUrl(apiUrlInstance)) return;
  report(
    "warning",
    `instance ${idInstance}: not using Green API's apiUrlInstance "${apiUrlInstance}" (${apiUrlProblem(apiUrlInstance.trim())}); using ${used}.`,
  );
}
