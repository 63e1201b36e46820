/**
 * Lookups (the plugin's invokes getInstances and getInstance): rows of the account's getInstances,
 * from the list every operation of this provider process shares, so a program's lookups and its
 * refresh cost one request between them.
 */
import { wireTypeInstance, type InstanceListItem } from "../greenapi/client";
import type { Provider } from "./config";
import { operation } from "./operation";
import type { Report } from "./report";
import { dropAbsent } from "../greenapi/absent";
import { SUMMARY_NAMES, type SummaryName } from "./properties";

/**
 * A lookup's row (getInstances, getInstance invokes): an InstanceListItem reduced to the documented
 * fields the property table marks for lookups, for programs to read. `apiTokenInstance` is a
 * credential, in a row only when asked for (`includeTokens`; the plugin returns it secret). Without
 * it a row holds nothing secret, so a plain invoke works in every language and a name read from a
 * lookup shows as itself.
 */
export type InstanceSummary = { idInstance: number } & Partial<Record<SummaryName, unknown>>;

export interface InstancesFilter {
  /** Exactly this name. */
  name?: string;
  /** whatsapp, telegram, max (or v3), instagram. */
  typeInstance?: string;
  /** Deleted instances stay listed for about three months; left out unless asked for. */
  includeDeleted?: boolean;
  /** Each row's apiTokenInstance too. */
  includeTokens?: boolean;
}

/** A lookup's arguments that are wrong: the message names the argument, never a value. */
export class LookupArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LookupArgumentError";
  }
}

function summary(row: Readonly<InstanceListItem>, includeTokens: boolean | undefined): InstanceSummary {
  const fields = SUMMARY_NAMES.filter((field) => includeTokens || field !== "apiTokenInstance");
  const picked = Object.fromEntries(fields.map((field) => [field, row[field]]));
  return { ...dropAbsent(picked), idInstance: row.idInstance, deleted: row.deleted === true };
}

function checkArguments(args: Record<string, unknown>, types: Record<string, string>): void {
  for (const [key, value] of Object.entries(args)) {
    if (value === undefined || value === null) continue;
    if (!(key in types)) throw new LookupArgumentError(`unknown argument "${key}"; accepted: ${Object.keys(types).join(", ")}`);
    if (typeof value !== types[key]) throw new LookupArgumentError(`argument "${key}" must be a ${types[key]}`);
  }
}

export async function getInstances(
  provider: Provider,
  args: Record<string, unknown>,
  report: Report,
): Promise<{ instances: InstanceSummary[] }> {
  checkArguments(args, { name: "string", typeInstance: "string", includeDeleted: "boolean", includeTokens: "boolean" });
  const { name, typeInstance, includeDeleted, includeTokens } = args as InstancesFilter;
  return operation(provider, report, async ({ account }) => {
    const rows = (await account.instances()).filter(
      (row) =>
        (includeDeleted || !row.deleted) &&
        (name === undefined || row.name === name) &&
        (typeInstance === undefined || row.typeInstance === wireTypeInstance(typeInstance)),
    );
    return { instances: rows.map((row) => summary(row, includeTokens)) };
  });
}

/** One instance by idInstance or by name (names are unique among alive instances). */
export async function getInstance(provider: Provider, args: Record<string, unknown>, report: Report): Promise<InstanceSummary> {
  checkArguments(args, { idInstance: "number", name: "string", includeTokens: "boolean" });
  const { idInstance, name, includeTokens } = args as { idInstance?: number; name?: string; includeTokens?: boolean };
  if ((idInstance === undefined) === (name === undefined)) throw new LookupArgumentError("give exactly one of idInstance and name");
  return operation(provider, report, async ({ account }) => {
    const row =
      idInstance !== undefined
        ? await account.instance(idInstance)
        : (await account.instances()).find((item) => item.name === name && !item.deleted);
    if (!row) {
      throw new LookupArgumentError(
        idInstance !== undefined ? `no instance ${idInstance} in this account` : `no instance named "${name}" in this account`,
      );
    }
    return summary(row, includeTokens);
  });
}
