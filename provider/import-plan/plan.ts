/**
 * An import plan for the instances of a Green API account that no stack manages: Pulumi's
 * `pulumi import --file` format (`{"resources": [{type, name, id}]}`), one `greenapi:index:Instance`
 * per live instance, named after the instance. Plain functions over plain data; cli.ts does the I/O.
 */
import { DYNAMIC_INSTANCE_TYPE } from "../dynamic/keys";
import type { InstanceListItem } from "../greenapi/client";
import { INSTANCE_TYPE } from "../plugin/tokens";

/** Both front doors' resource types: an instance managed through either is not an orphan. */
const MANAGED_TYPES: ReadonlySet<string> = new Set([INSTANCE_TYPE, DYNAMIC_INSTANCE_TYPE]);

export interface ImportPlan {
  resources: Array<{ type: string; name: string; id: string }>;
}

/** Bad input to the plan (a state file, a name collision): the message says what to fix. */
export class PlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PlanError";
  }
}

export interface PlanOptions {
  /** Only these products (Green API's typeInstance: whatsapp, telegram, v3 for MAX — max is taken too — instagram). */
  types?: string[];
  /** Only instances whose name matches. */
  namePattern?: RegExp;
  /** Put before every resource name, e.g. to keep clear of names the stack already has. */
  namePrefix?: string;
}

/** What a stack already holds (from `pulumi stack export`): the instances it manages and its resource names. */
export interface StackHoldings {
  idInstances: Set<number>;
  names: Set<string>;
}

/** Reads a `pulumi stack export` document; throws PlanError naming what is wrong with it. */
export function stackHoldings(text: string, source: string): StackHoldings {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new PlanError(
      `${source} is not JSON (${error instanceof Error ? error.message : String(error)}): give the output of \`pulumi stack export\`.`,
    );
  }
  const resources = (document as { deployment?: { resources?: unknown } })?.deployment?.resources;
  if (!Array.isArray(resources)) {
    throw new PlanError(`${source} has no deployment.resources: give the output of \`pulumi stack export\`.`);
  }
  const holdings: StackHoldings = { idInstances: new Set(), names: new Set() };
  for (const resource of resources as Array<{ type?: unknown; id?: unknown; urn?: unknown }>) {
    if (typeof resource.urn === "string") holdings.names.add(resource.urn.split("::").pop() ?? "");
    if (typeof resource.type === "string" && MANAGED_TYPES.has(resource.type) && resource.id !== undefined) {
      const id = Number(resource.id);
      if (Number.isInteger(id)) holdings.idInstances.add(id);
    }
  }
  return holdings;
}

/** Green API's product name for a user's: `max` is Green API's `v3`. */
function wireType(type: string): string {
  return type === "max" ? "v3" : type;
}

/** The live instances no stack of `held` manages, filtered; sorted by idInstance so that runs agree. */
export function orphans(
  instances: readonly InstanceListItem[],
  held: StackHoldings | undefined,
  options: PlanOptions = {},
): InstanceListItem[] {
  const types = options.types?.map(wireType);
  return instances
    .filter((item) => !item.deleted && !held?.idInstances.has(item.idInstance))
    .filter((item) => !types || types.includes(item.typeInstance ?? "whatsapp"))
    .filter((item) => !options.namePattern || options.namePattern.test(item.name ?? ""))
    .sort((a, b) => a.idInstance - b.idInstance);
}

/** Russian letters as Latin ones (the common passport-style spelling): many partners name instances in Russian. */
const CYRILLIC: Record<string, string> = Object.fromEntries(
  "а:a б:b в:v г:g д:d е:e ё:e ж:zh з:z и:i й:i к:k л:l м:m н:n о:o п:p р:r с:s т:t у:u ф:f х:kh ц:ts ч:ch ш:sh щ:shch ъ: ы:y ь: э:e ю:iu я:ia"
    .split(" ")
    .map((pair) => pair.split(":") as [string, string]),
);

/** A resource name from an instance name: lowercase letters, digits and dashes; `instance-<id>` when nothing is left. */
function baseName(item: InstanceListItem): string {
  const slug = Array.from((item.name ?? "").toLowerCase(), (char) => CYRILLIC[char] ?? char)
    .join("")
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return slug && /^[a-z]/.test(slug) ? slug : `instance-${slug || item.idInstance}`;
}

/**
 * The plan for these instances. Names are derived from the instance names; instances whose names
 * would collide each get their idInstance appended, so every name is unique and the same on every run.
 * A name the stack already has is a collision the user resolves (`--name-prefix`): importing over it fails.
 */
export function importPlan(instances: readonly InstanceListItem[], held?: StackHoldings, options: PlanOptions = {}): ImportPlan {
  const prefix = options.namePrefix ?? "";
  const bases = instances.map((item) => prefix + baseName(item));
  const counts = new Map<string, number>();
  for (const base of bases) counts.set(base, (counts.get(base) ?? 0) + 1);
  const resources = instances.map((item, index) => {
    const base = bases[index];
    const name = counts.get(base)! > 1 ? `${base}-${item.idInstance}` : base;
    return { type: INSTANCE_TYPE, name, id: String(item.idInstance) };
  });
  // An instance literally named like another's suffixed name: the id alone is unique.
  const seen = new Set<string>();
  for (const resource of resources) {
    if (seen.has(resource.name)) resource.name = `${prefix}instance-${resource.id}`;
    seen.add(resource.name);
  }
  const taken = resources.filter((resource) => held?.names.has(resource.name));
  if (taken.length > 0) {
    const list = taken.map((r) => `"${r.name}" (instance ${r.id})`).join(", ");
    throw new PlanError(
      `the stack already has resources named ${list}: choose a prefix for the imported ones with --name-prefix (e.g. --name-prefix imported-).`,
    );
  }
  return { resources };
}
