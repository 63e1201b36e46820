// The partner API (docs/greenapi.md §1): createInstance, getInstances, deleteInstanceAccount.
// Green API reports a bad token and a missing instance as HTTP 200 with an error body (§1.3).

import { objectBody, type RequestBody } from "./body";
import { jsonReply, textReply, type Reply } from "./reply";
import type { Route } from "./routes";
import { validateSettings } from "./settings";
import type { InstanceStore } from "./state";
import { PRODUCTS, type Product } from "./types";

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
  const { name, typeInstance, partnerUserUiid, countryInstance } = object.value;
  for (const [field, value] of Object.entries({ name, partnerUserUiid, countryInstance })) {
    if (value !== undefined && typeof value !== "string") return textReply(400, `Validation failed: ${field} must be a string`);
  }
  // Green API's wire names only: MAX is "v3", never "max".
  if (typeInstance !== undefined && !(PRODUCTS as readonly unknown[]).includes(typeInstance)) {
    return textReply(400, `Validation failed: typeInstance must be one of ${PRODUCTS.join(", ")}`);
  }
  const settings = validateSettings(object.value);
  if (!settings.ok) return textReply(400, settings.error);
  const fields = { name: name as string | undefined, typeInstance: typeInstance as Product | undefined };
  const record = store.create(
    { ...fields, partnerUserUiid: partnerUserUiid as string | undefined, countryInstance: countryInstance as string | undefined },
    settings.value,
  );
  return jsonReply({
    idInstance: record.idInstance,
    apiTokenInstance: record.apiTokenInstance,
    typeInstance: record.typeInstance,
    apiUrlInstance: store.apiUrlOf(record),
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
