// Shared by the emulator tests: documented wire fixtures, shape comparison, and raw HTTP for the fault
// kinds fetch cannot observe well (dropped and hanging sockets).

import { readFileSync } from "node:fs";
import { request } from "node:http";
import { join, resolve } from "node:path";

/** Green API's documented wire examples, copied into the repository (see test/fixtures/greenapi/README.md). */
const FIXTURES = resolve(__dirname, "../fixtures/greenapi");

export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURES, name), "utf8"));
}

/** Key set and value types: what "answers in the fixture's shape" means. Arrays take their first item's shape. */
export function shapeOf(value: unknown): unknown {
  if (value === null) return "null";
  if (Array.isArray(value)) return value.length === 0 ? [] : [shapeOf(value[0])];
  if (typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, item]) => [key, shapeOf(item)]),
    );
  }
  return typeof value;
}

export interface Answer {
  status: number;
  text: string;
  json: unknown;
  contentType: string;
  headers: Headers;
}

export async function call(baseUrl: string, verb: "GET" | "POST", path: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: verb,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const contentType = response.headers.get("content-type") ?? "";
  return { status: response.status, text, json, contentType, headers: response.headers };
}

export type RawResult = { kind: "response"; status: number; body: string } | { kind: "error"; code: string } | { kind: "timeout" };

/** One request on a fresh connection, with a client-side timeout. */
export function rawRequest(baseUrl: string, verb: string, path: string, body?: unknown, timeoutMs = 1000): Promise<RawResult> {
  return new Promise((done) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(`${baseUrl}${path}`, { method: verb, agent: false, headers: { "content-type": "application/json" } });
    req.setTimeout(timeoutMs, () => {
      done({ kind: "timeout" });
      req.destroy();
    });
    req.on("error", (error: NodeJS.ErrnoException) => done({ kind: "error", code: error.code ?? error.message }));
    req.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => done({ kind: "response", status: res.statusCode ?? 0, body: text }));
    });
    req.end(payload);
  });
}

export const NO_TIME = "0001-01-01T00:00:00";
export const WIRE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;
