// The partner API (docs/greenapi.md §1): createInstance, getInstances, deleteInstanceAccount.
// Green API reports a bad token and a missing instance as HTTP 200 with an error body (§1.3).

import { objectBody, type RequestBody } from "./body";
import { jsonReply, textReply, type Reply } from "./reply";
import type { Route } from "./routes";
import { validateSettings } from "./settings";
import type { InstanceStore } from "./state";

type PartnerRoute = Extract<Route, { api: "partner" }>;

const UNAUTHORIZED = { code: 401, description: "Unauthorized" };
const NOT_FOUND = { code: 404, description: "Not found" };

export function handlePartner(route: PartnerRoute, body: RequestBody, store: InstanceStore, partnerToken: string): Reply {
  if (route.token !== partnerToken) return jsonReply(UNAUTHORIZED);
  switch (route.method) {
    case "createInstance":
      return createInstance(body, store);
    case "getInstances":
      return jsonReply(store.wireList());
    case "deleteInstanceAccount":
      return deleteInstanceAccount(body, store);
  }
}

function createInstance(body: RequestBody, store: InstanceStore): Reply {
  const object = objectBody(body);
  if (!object.ok) return textReply(400, object.error);
  const { name } = object.value;
  if (name !== undefined && typeof name !== "string") return textReply(400, "Validation failed: name must be a string");
  const settings = validateSettings(object.value);
  if (!settings.ok) return textReply(400, settings.error);
  const record = store.create(name ?? "", settings.value);
  return jsonReply({
    idInstance: record.idInstance,
    apiTokenInstance: record.apiTokenInstance,
    typeInstance: record.typeInstance,
  });
}

function deleteInstanceAccount(body: RequestBody, store: InstanceStore): Reply {
  const object = objectBody(body);
  if (!object.ok) return textReply(400, object.error);
  const { idInstance } = object.value;
  if (typeof idInstance !== "number" || !Number.isInteger(idInstance)) {
    return textReply(400, "Validation failed: idInstance must be an integer");
  }
  const record = store.find(idInstance);
  if (!record || record.deleted) return jsonReply(NOT_FOUND);
  store.markDeleted(record);
  return jsonReply({ deleteInstanceAccount: true });
}
