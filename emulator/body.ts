// Request bodies: read once, kept as text (for the request log) and as JSON when they parse.

import type { IncomingMessage } from "node:http";
import type { Validated } from "./settings";

/** Far above any real settings body; a bound so a runaway client cannot exhaust memory. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface RequestBody {
  text: string;
  /** undefined when the text is empty or not JSON; check `isJson` to tell a JSON null apart. */
  json: unknown;
  isJson: boolean;
}

/** Reads the whole body, or returns undefined when it is larger than MAX_BODY_BYTES. */
export async function readBody(req: IncomingMessage): Promise<RequestBody | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return parseBody(Buffer.concat(chunks).toString("utf8"));
}

export function parseBody(text: string): RequestBody {
  if (text.trim() === "") return { text, json: undefined, isJson: false };
  try {
    return { text, json: JSON.parse(text), isJson: true };
  } catch {
    return { text, json: undefined, isJson: false };
  }
}

/** What the request log keeps: the JSON value, else the raw text, else nothing. */
export function recordedBody(body: RequestBody): unknown {
  if (body.isJson) return body.json;
  return body.text === "" ? undefined : body.text;
}

export function objectBody(body: RequestBody): Validated<Record<string, unknown>> {
  if (!body.isJson) return { ok: false, error: "Validation failed: body must be a JSON object" };
  const value = body.json;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, error: "Validation failed: body must be a JSON object" };
  }
  return { ok: true, value: value as Record<string, unknown> };
}
