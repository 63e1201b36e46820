/**
 * create → createInstance, exactly once. createInstance is not idempotent and every instance is
 * billed, so a lost answer is never answered with a blind retry: the instance's unique name is
 * looked up first, and only an absent name allows another attempt.
 */
import { isGreenApiError } from "../greenapi/errors";
import type { PartnerClient } from "../greenapi/client";
import type { InstanceListItem } from "../greenapi/schemas";
import { partnerClient } from "./config";
import { explained, log } from "./errors";
import { AUTO_NAME_KEY, settingsOf, type InstanceInputs } from "./inputs";
import { buildOutputs, type InstanceFacts, type InstanceOutputs } from "./outputs";

/** createInstance attempts after answers that may have been lost; each is preceded by a lookup. */
const MAX_CREATE_ATTEMPTS = 3;

export async function create(inputs: InstanceInputs): Promise<{ id: string; outs: InstanceOutputs }> {
  return explained(async () => {
    const { client, config } = partnerClient();
    const facts = await createExactlyOnce(client, inputs);
    // For timeCreated, tariff and expiry; a failure here only leaves them for the next refresh.
    const listed = await findAlive(client, (item) => item.idInstance === facts.idInstance).catch(() => undefined);
    return { id: String(facts.idInstance), outs: buildOutputs(inputs, facts, config.apiUrl, listed) };
  });
}

async function createExactlyOnce(client: PartnerClient, inputs: InstanceInputs): Promise<InstanceFacts> {
  const named = (item: InstanceListItem) => item.name === inputs.name;
  const existing = await findAlive(client, named);
  if (existing) return takeOverExisting(existing, inputs);

  for (let attempt = 1; ; attempt++) {
    try {
      return await client.createInstance({ name: inputs.name, ...settingsOf(inputs) });
    } catch (error) {
      if (!isGreenApiError(error) || !error.outcomeUnknown) throw error;
      const created = await findAlive(client, named);
      if (created) {
        log(`createInstance lost its answer, but instance ${created.idInstance} "${inputs.name}" exists: using it.`);
        return factsOf(created);
      }
      if (attempt >= MAX_CREATE_ATTEMPTS) throw error;
      log(`createInstance failed before creating "${inputs.name}"; trying again (${error.code}).`);
    }
  }
}

/**
 * An alive instance already carries this resource's name. If it is the resource's own auto-name,
 * it can only be the instance an interrupted earlier run created: take it over. An explicit name is
 * the user's, and could belong to another stack, so we stop rather than share an instance.
 */
function takeOverExisting(existing: InstanceListItem, inputs: InstanceInputs): InstanceFacts {
  if (inputs.name === inputs[AUTO_NAME_KEY]) {
    log(`instance ${existing.idInstance} "${inputs.name}" was created by an earlier, interrupted run: using it instead of creating another.`);
    return factsOf(existing);
  }
  throw new Error(
    `An instance named "${inputs.name}" already exists in this Green API account (idInstance ${existing.idInstance}). ` +
      "Instance names must be unique so that interrupted creates can be recovered without double billing: " +
      `choose another \`name\`, or to manage that instance set \`adoptIdInstance: ${existing.idInstance}\`.`,
  );
}

export function factsOf(item: InstanceListItem): InstanceFacts {
  if (!item.apiTokenInstance) {
    throw new Error(`Green API did not return the token of instance ${item.idInstance}; it cannot be managed without it.`);
  }
  return { idInstance: item.idInstance, apiTokenInstance: item.apiTokenInstance, typeInstance: item.typeInstance };
}

export async function findAlive(client: PartnerClient, match: (item: InstanceListItem) => boolean): Promise<InstanceListItem | undefined> {
  return (await client.getInstances()).find((item) => !item.deleted && match(item));
}

