/**
 * Stored state, parsed: the outputs the engine hands back to read, update and delete, as any
 * released version wrote them. Strict on what the operations rely on and every released version
 * wrote — the table's required outputs (idInstance a positive whole number, apiTokenInstance, qrUrl,
 * apiUrl strings) — and on each known property's type; lenient where released versions differ:
 * other properties (absent in older entries) are optional, keys this version does not know (a
 * door's own, an older or newer version's) pass through untouched, and a flag stored as Green API's
 * "yes"/"no" reads as a boolean.
 */
import { z } from "zod";
import { flagToBoolean } from "../greenapi/settings";
import {
  INSTANCE_PROPERTIES,
  OUTPUT_NAMES,
  type InstanceOutputs,
  type OutputName,
  type PropertyName,
  type PropertySpec,
} from "./properties";

/** A property's value in state: of its table type; booleans also as Green API's "yes"/"no". */
export function storedValue(name: PropertyName, spec: PropertySpec): z.ZodType {
  switch (spec.type) {
    case "integer":
      return name === "idInstance" ? z.number().int().positive() : z.number().int();
    case "boolean":
      return z.union([z.boolean(), z.enum(["yes", "no"]).transform((flag) => flagToBoolean(flag) === true)]);
    case "string":
      return z.string();
  }
}

/** Each output's check, typed as the table types it: the required ones (every released version wrote them) required. */
type StoredShape = {
  [K in OutputName]-?: undefined extends InstanceOutputs[K]
    ? z.ZodOptional<z.ZodType<NonNullable<InstanceOutputs[K]>>>
    : z.ZodType<InstanceOutputs[K]>;
};

const STORED_SHAPE = Object.fromEntries(
  OUTPUT_NAMES.map((name) => {
    const spec: PropertySpec = INSTANCE_PROPERTIES[name];
    const value = storedValue(name, spec);
    return [name, spec.output?.required ? value : value.optional()];
  }),
) as StoredShape;

const STORED_OUTPUTS: z.ZodType<InstanceOutputs> = z.looseObject(STORED_SHAPE);

const EXPECTED: Record<PropertySpec["type"], string> = {
  integer: "a whole number",
  boolean: "true or false",
  string: "a string",
};

/** Why a stored value is wrong, in words that name its property and the type expected, never its value. */
function problem(issue: z.core.$ZodIssue, state: Record<string, unknown>): string {
  const name = issue.path[0] as PropertyName;
  const value = state[name];
  if (value === undefined) return `${name} is missing`;
  const expected = name === "idInstance" ? "a positive whole number" : EXPECTED[INSTANCE_PROPERTIES[name].type];
  const { type } = INSTANCE_PROPERTIES[name];
  const found =
    type !== "integer" || typeof value !== "number"
      ? `a ${typeof value}`
      : Number.isInteger(value)
        ? "zero or negative"
        : "a fractional number";
  return `${name} must be ${expected}, not ${found}`;
}

/**
 * The stored outputs of an instance, checked. A broken entry (edited by hand, or not written by this
 * provider) fails here, before any call to Green API, naming the property at fault.
 */
export function storedOutputs(state: Record<string, unknown>): InstanceOutputs {
  // An absent value may arrive as null (the engine's Struct has no undefined): absent it is.
  const present = Object.fromEntries(Object.entries(state).filter(([, value]) => value !== null && value !== undefined));
  const parsed = STORED_OUTPUTS.safeParse(present);
  if (parsed.success) return parsed.data;
  const problems = [...new Set(parsed.error.issues.map((issue) => problem(issue, present)))];
  throw new StoredStateError(
    `The stored state of this resource cannot be read: ${problems.join("; ")}. ` +
      "It was not written by this provider or was edited by hand: fix the entry (`pulumi stack export`, then `pulumi stack import`).",
  );
}

/** A stored state entry this provider cannot read. */
export class StoredStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StoredStateError";
  }
}
