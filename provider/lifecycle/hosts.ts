/**
 * Where an instance's API calls go — the one rule, used by every operation: the resource's `apiUrl`
 * if set, else the instance's own host as Green API names it (`apiUrlInstance`, docs/greenapi.md
 * §1.2), else the host last used for it, else `greenapi:apiUrl`. Tokens travel in the URL path, so
 * an `apiUrlInstance` that is not https (or loopback http) is never used: the next source serves
 * instead, and a log line says so.
 */
import type { InstanceRef } from "../greenapi/client";
import { apiUrlProblem } from "../greenapi/client-settings";
import type { Report } from "./report";

/** The instance's own host, if Green API named one that is safe to send its token to. */
export function usableInstanceUrl(apiUrlInstance: unknown): string | undefined {
  if (typeof apiUrlInstance !== "string" || !apiUrlInstance.trim()) return undefined;
  const url = apiUrlInstance.trim().replace(/\/+$/, "");
  return apiUrlProblem(url) ? undefined : url;
}

/** What is known of an instance's hosts at one step of its life. */
export interface HostSources {
  /** The resource's own `apiUrl`. */
  declared?: string;
  /** Green API's `apiUrlInstance` for it (any value it gave; an unsafe one is skipped). */
  own?: unknown;
  /** The host its stored outputs say was used last. */
  lastUsed?: string;
}

/**
 * The host by the rule above; `fallback` is the provider's `apiUrl`. With `notify`, a line says when
 * Green API's own host was skipped as unsafe (only when nothing was declared: then it would be used).
 */
export function instanceApiUrl(sources: HostSources, fallback: string, notify?: { report: Report; idInstance: number }): string {
  const { declared, own, lastUsed } = sources;
  const url = declared ?? usableInstanceUrl(own) ?? lastUsed ?? fallback;
  if (notify && declared === undefined && typeof own === "string" && own.trim() && !usableInstanceUrl(own)) {
    notify.report(
      "warning",
      `instance ${notify.idInstance}: not using Green API's apiUrlInstance "${own}" (${apiUrlProblem(own.trim())}); using ${url}.`,
    );
  }
  return url;
}

/** What the instance API needs to address this instance, on the host the rule chose. */
export function instanceRef(
  instance: { idInstance: number; apiTokenInstance: string; typeInstance?: string | null },
  apiUrl: string,
): InstanceRef {
  const { idInstance, apiTokenInstance, typeInstance } = instance;
  return { idInstance, apiTokenInstance, typeInstance: typeInstance ?? undefined, apiUrl };
}
