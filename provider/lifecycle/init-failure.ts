/**
 * "Created but failed to initialize": when an instance exists but a later step of create failed,
 * the error carries the id and properties so Pulumi's host reports an init failure and the engine
 * records the instance in state — never an orphan that bills without being managed.
 */

/** What Pulumi's dynamic-provider host looks for on an error thrown by create: `id`, `properties`, `reasons`. */
export class ResourceInitError extends Error {
  constructor(
    readonly id: string,
    readonly properties: Record<string, unknown>,
    readonly reasons: string[],
    message: string,
  ) {
    super(message);
    this.name = "ResourceInitError";
  }
}

/**
 * `properties` become the resource's outputs in state. `providerText` is the create inputs'
 * `__provider`: the host does not add it on this path, and without it every later operation on the
 * recorded resource fails to load the provider. `cause` is the later step's error, already redacted
 * (Green API errors are redacted by the transport).
 */
export function initFailure(id: string, properties: object, providerText: unknown, cause: unknown): ResourceInitError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const message =
    `Instance ${id} exists, but setting it up failed: ${/[.!?]$/.test(reason) ? reason : `${reason}.`} ` +
    "It is recorded in the stack: run `pulumi up` again to finish, or `pulumi destroy` to delete it.";
  return new ResourceInitError(id, structSafe({ ...properties, __provider: providerText }), [reason], message);
}

/**
 * The host converts properties with Struct.fromJavaScript, which throws on `undefined`; a throw
 * there loses the init failure itself (and with it the instance's record), so drop them here.
 */
function structSafe(properties: object): Record<string, unknown> {
  return JSON.parse(JSON.stringify(properties)) as Record<string, unknown>;
}
