// The instance API (docs/greenapi.md §2): /waInstance{id}/{method}/{apiTokenInstance}. Checks run in the order a
// client meets them: who (id, token), how often (rate limit), then whether the instance can answer yet.

import { objectBody, type RequestBody } from "./body";
import type { RateLimiter } from "./rate-limit";
import { jsonReply, textReply, type Reply } from "./reply";
import type { Route } from "./routes";
import { validateSettings } from "./settings";
import type { InstanceRecord, InstanceStore } from "./state";
import type { InstanceMethod } from "./types";

type InstanceRoute = Extract<Route, { api: "instance" }>;

// A 1x1 PNG: clients only need a decodable image, not a scannable code.
const QR_PNG_BASE64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

export function handleInstance(
  route: InstanceRoute,
  body: RequestBody,
  store: InstanceStore,
  limiter: RateLimiter,
  now = Date.now(),
): Reply {
  const record = store.find(route.idInstance);
  if (!record) return textReply(403, "Forbidden");
  if (route.token !== record.apiTokenInstance) return textReply(401, "Unauthorized");
  if (!limiter.admit(record.idInstance, route.method, now)) {
    return textReply(429, "Too Many Requests", { "retry-after": "1" });
  }
  if (record.deleted) return textReply(400, "Instance is deleted");
  switch (store.phaseOf(record, now)) {
    case "building":
      return whileBuilding(route.method);
    case "starting":
      return whileStarting(route.method, record);
    default:
      return whenReady(route.method, record, body, store);
  }
}

// Observed right after creation: the instance does not exist for the API yet, except for a null state.
function whileBuilding(method: InstanceMethod): Reply {
  return method === "getStateInstance" ? jsonReply(null) : textReply(401, "Unauthorized");
}

// While starting, settings read back as created and changes are refused.
function whileStarting(method: InstanceMethod, record: InstanceRecord): Reply {
  switch (method) {
    case "getStateInstance":
      return jsonReply({ stateInstance: "starting" });
    case "getSettings":
      return jsonReply(record.createdSettings);
    default:
      return textReply(400, "instance in starting process try later");
  }
}

function whenReady(method: InstanceMethod, record: InstanceRecord, body: RequestBody, store: InstanceStore): Reply {
  switch (method) {
    case "getSettings":
      return jsonReply(record.settings);
    case "setSettings":
      return setSettings(record, body, store);
    case "getStateInstance":
      return jsonReply({ stateInstance: record.stateInstance });
    case "qr":
      return jsonReply(qr(record));
    case "logout":
      store.logout(record);
      return jsonReply({ isLogout: true });
    case "reboot":
      return jsonReply({ isReboot: true });
  }
}

function setSettings(record: InstanceRecord, body: RequestBody, store: InstanceStore): Reply {
  const object = objectBody(body);
  if (!object.ok) return textReply(400, object.error);
  const settings = validateSettings(object.value);
  if (!settings.ok) return textReply(400, settings.error);
  store.applySettings(record, settings.value);
  return jsonReply({ saveSettings: true });
}

function qr(record: InstanceRecord): { type: "qrCode" | "alreadyLogged" | "error"; message: string } {
  switch (record.stateInstance) {
    case "notAuthorized":
      return { type: "qrCode", message: QR_PNG_BASE64 };
    case "authorized":
      return { type: "alreadyLogged", message: "instance account already authorized" };
    default:
      return { type: "error", message: `Instance is ${record.stateInstance}, no QR code available` };
  }
}
