/**
 * "Created but failed to initialize": when an instance exists but a later step of create failed,
 * the error carries the id and properties so Pulumi's host reports an init failure and the engine
 * records the instance in state — never an orphan that bills without being managed.
 */

/**
 * What Pulumi's dynamic-provider host looks for on an error thrown by create: `id`, `properties`,
 * `reasons`; the plugin sends the same as an ErrorResourceInitFailed detail.
 */
export class ResourceInitError extends Error {
  constructor(
    readonly id: string,
    readonly properties: Record<string, unknown>,
    readonly reasons: string[],
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ResourceInitError";
  }
}

/**
 * `properties` become the resource's outputs in state. `cause` is the later step's error, already
 * redacted (Green API errors are redacted by the transport).
 */
export function initFailure(id: string, properties: object, cause: unknown): ResourceInitError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const message =
    `Instance ${id} exists, but setting it up failed: ${/[.!?]$/.test(reason) ? reason : `${reason}.`} ` +
    "It is recorded in the stack: run `pulumi up` again to finish, or `pulumi destroy` to delete it.";
  return new ResourceInitError(id, structSafe(properties), [reason], message, { cause });
}

/**
 * The host converts properties with Struct.fromJavaScript, which throws on `undefined`; a throw
 * there loses the init failure itself (and with it the instance's record), so drop them here.
 */
function structSafe(properties: object): Record<string, unknown> {
  return JSON.parse(JSON.stringify(properties)) as Record<string, unknown>;
}
