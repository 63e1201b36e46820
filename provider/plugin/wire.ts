/**
 * Property values as the engine sends them to a provider that accepts secrets: a secret is an
 * object `{ [SECRET_SIG]: SECRET_VALUE, value }`, an unknown (preview) the UNKNOWN string. The
 * lifecycle speaks plain values, so secrets are unwrapped on the way in and the credentials wrapped
 * again on the way out — by the provider itself, whatever language the program is in.
 */

/**
 * The key and value that mark a secret in the engine's property structs: the SDK's `specialSigKey`
 * and `specialSecretSig` (@pulumi/pulumi/runtime/rpc), written out because importing that module
 * loads a hundred files of the SDK's runtime into every plugin start. A test checks they match.
 */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";
export const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

export type Properties = Record<string, unknown>;

export function isSecret(value: unknown): value is { value?: unknown } {
  return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SECRET_SIG] === SECRET_VALUE;
}

export function secret(value: unknown): unknown {
  return isSecret(value) ? value : { [SECRET_SIG]: SECRET_VALUE, value };
}

/** Removes secret markers at any depth: the lifecycle only sees plain values. */
export function reveal(value: unknown): unknown {
  if (isSecret(value)) return reveal(value.value);
  if (Array.isArray(value)) return value.map(reveal);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, reveal(item)]));
  }
  return value;
}

export function revealAll(properties: Properties | undefined): Properties {
  return reveal(properties ?? {}) as Properties;
}

/** The top-level keys whose values arrived as secrets. */
export function secretKeys(properties: Properties | undefined): string[] {
  return Object.entries(properties ?? {})
    .filter(([, value]) => isSecret(value))
    .map(([key]) => key);
}

/** Marks `keys` secret where present (undefined values are dropped: Struct cannot hold them). */
export function withSecrets(properties: object, keys: Iterable<string>): Properties {
  const marked = new Set(keys);
  return Object.fromEntries(
    Object.entries(properties)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [key, marked.has(key) ? secret(value) : value]),
  );
}
