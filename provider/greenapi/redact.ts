/**
 * Green API carries every credential in the URL path (and webhookUrlToken in bodies), so anything
 * that prints a URL, a response text or an error could leak one. Redaction happens here, once:
 * the transport passes every message it builds through `redact` with the credentials of that call.
 */

export const REDACTED = "***";

/** Credentials shorter than this are not redacted: replacing "a" everywhere would garble messages. */
const MIN_SECRET_LENGTH = 4;

export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < MIN_SECRET_LENGTH) continue;
    out = out.split(secret).join(REDACTED);
    // Tokens also travel percent-encoded in URLs.
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) out = out.split(encoded).join(REDACTED);
  }
  return out;
}
