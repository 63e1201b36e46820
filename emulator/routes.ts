// URL shapes of both APIs (docs/greenapi.md §1 and §2), and redaction of the tokens Green API puts in those URLs.

import type { InstanceMethod, Method, PartnerMethod } from "./types";

type Verb = "GET" | "POST";

// Green API's partner collection sends getInstances as POST as well as GET.
const PARTNER_VERBS: Record<PartnerMethod, readonly Verb[]> = {
  createInstance: ["POST"],
  getInstances: ["GET", "POST"],
  deleteInstanceAccount: ["POST"],
};

const INSTANCE_VERBS: Record<InstanceMethod, readonly Verb[]> = {
  getSettings: ["GET"],
  setSettings: ["POST"],
  getStateInstance: ["GET"],
  qr: ["GET"],
  logout: ["GET"],
  reboot: ["GET"],
};

export const METHODS = [...Object.keys(PARTNER_VERBS), ...Object.keys(INSTANCE_VERBS)] as Method[];

export type Route =
  | { api: "partner"; method: PartnerMethod; token: string }
  | { api: "instance"; method: InstanceMethod; idInstance: number; token: string; prefix: "" | "/v3" }
  | { api: "unknown" };

const PARTNER_PATH = /^\/partner\/([^/]+)\/([^/]+)\/?$/;
// MAX instances put /v3 before waInstance; the server checks that it matches the instance's product.
const INSTANCE_PATH = /^(\/v3)?\/waInstance(\d+)\/([^/]+)\/([^/]+)\/?$/;

export function parseRoute(pathname: string): Route {
  const partner = PARTNER_PATH.exec(pathname);
  if (partner && hasKey(PARTNER_VERBS, partner[1])) {
    return { api: "partner", method: partner[1], token: partner[2] };
  }
  const instance = INSTANCE_PATH.exec(pathname);
  if (instance && hasKey(INSTANCE_VERBS, instance[3])) {
    return { api: "instance", method: instance[3], idInstance: Number(instance[2]), token: instance[4], prefix: instance[1] ? "/v3" : "" };
  }
  return { api: "unknown" };
}

/** The verbs a method answers; any other gets a 405. */
export function verbsOf(method: Method): readonly Verb[] {
  return hasKey(PARTNER_VERBS, method) ? PARTNER_VERBS[method] : INSTANCE_VERBS[method];
}

const TOKEN_AFTER_METHOD = /^(\/partner\/[^/]+\/|(?:\/v3)?\/waInstance[^/]+\/[^/]+\/)[^/]+/;
// For paths of no known shape: anything long and token-like (letters mixed with digits).
const TOKEN_LIKE = /(?<=\/)(?=[^/]*\d)(?=[^/]*[A-Za-z])[^/]{16,}/g;

/** The request URL safe to print: the token segment becomes ***, and so does any query string. */
export function redactUrl(rawUrl: string): string {
  const queryAt = rawUrl.indexOf("?");
  const path = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
  const redacted = TOKEN_AFTER_METHOD.test(path) ? path.replace(TOKEN_AFTER_METHOD, "$1***") : path.replace(TOKEN_LIKE, "***");
  return queryAt < 0 ? redacted : `${redacted}?***`;
}

function hasKey<K extends string>(record: Record<K, unknown>, key: string): key is K {
  return Object.prototype.hasOwnProperty.call(record, key);
}
