/**
 * "Not set" has one spelling on every wire this package writes: the key is left out. Green API
 * applies its own defaults to a missing field, and the engine's Struct conversion rejects undefined.
 */

/** The entries whose value is present: neither undefined nor null. */
export function dropAbsent<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)) as T;
}
