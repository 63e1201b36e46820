// An answer decided by a handler, before the server writes it (latency and faults sit in between).

export interface Reply {
  status: number;
  contentType: string;
  body: string;
  headers: Record<string, string>;
}

export function jsonReply(value: unknown, status = 200): Reply {
  return { status, contentType: "application/json; charset=utf-8", body: JSON.stringify(value), headers: {} };
}

/** Green API answers most HTTP-level errors with a plain-text body, not JSON. */
export function textReply(status: number, message: string, headers: Record<string, string> = {}): Reply {
  return { status, contentType: "text/plain; charset=utf-8", body: message, headers };
}

export function htmlReply(status: number, html: string): Reply {
  return { status, contentType: "text/html", body: html, headers: {} };
}
