/** The resource's auto-name, apart from the inputs' checks so that GreenApiInstance computes it in a program without loading them. */
import { createHash } from "node:crypto";

const NAME_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/**
 * The name a resource's instance gets when its program sets none: `<resource name>-<7 characters>`
 * (Pulumi's auto-name shape), derived from project, stack and resource name rather than drawn at
 * random, so that a run interrupted after createInstance looks for the very same name next time and
 * finds the instance instead of creating (and billing) a second one. Both front doors use it.
 */
export function autoNameOf(project: string, stack: string, resourceName: string): string {
  const seed = createHash("sha256").update(`${project}/${stack}/${resourceName}`).digest();
  return `${resourceName}-${Array.from(seed.subarray(0, 7), (byte) => NAME_ALPHABET[byte % NAME_ALPHABET.length]).join("")}`;
}
