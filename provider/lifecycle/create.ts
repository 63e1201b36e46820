/**
 * create → createInstance, exactly once; or, with `adoptIdInstance`, taking over an existing
 * instance without creating anything.
 *
 * createInstance is not idempotent and every instance is billed, so a lost answer is never
 * answered with a blind retry: the instance's unique name is looked up first, and only an absent
 * name allows another attempt.
 */
import type { PartnerClient } from "../greenapi/client";
import { isGreenApiError, type GreenApiError } from "../greenapi/errors";
import { sleep } from "../greenapi/pacer";
import type { ListRequest } from "../greenapi/instance-list";
import type { InstanceListItem } from "../greenapi/client";
import { CREATE_DEFAULTS } from "../greenapi/settings";
import { log, operation } from "./errors";
import { initFailure } from "./init-failure";
import { AUTO_NAME_KEY, settingsOf, type InstanceInputs } from "./inputs";
import { observeState } from "./live";
import { buildOutputs, type InstanceFacts, type InstanceOutputs } from "./outputs";

/** createInstance attempts after answers that may have been lost; each is preceded by a lookup. */
const MAX_CREATE_ATTEMPTS = 3;
/** Wait after a 429 that named no Retry-After; longer waits than the cap fail the operation instead. */
const RATE_LIMIT_WAIT_MS = 1_000;
const MAX_RATE_LIMIT_WAIT_MS = 30_000;

/**
 * How long a finished create waits for a list another create is about to request: the creates of a
 * bulk `up` then share a list instead of each downloading the account once more.
 */
const POST_CREATE_LINGER_MS = 100;

function waitable(error: GreenApiError): boolean {
  return error.code === "rate_limited" && (error.retryAfterMs ?? RATE_LIMIT_WAIT_MS) <= MAX_RATE_LIMIT_WAIT_MS;
}

type CreateInputs = InstanceInputs & { __provider?: unknown };

/** The instance a create ends up with; `existing` when it existed before (its settings are its own). */
interface Outcome {
  facts: InstanceFacts;
  existing?: InstanceListItem;
  /** Its getInstances row, when the create already read one. */
  listed?: InstanceListItem;
}

export async function create(inputs: CreateInputs): Promise<{ id: string; outs: InstanceOutputs }> {
  return operation(async (client, config) => {
    const apiUrl = inputs.apiUrl ?? config.apiUrl;
    const outcome = inputs.adoptIdInstance === undefined ? await createExactlyOnce(client, inputs) : await adopt(client, inputs);
    const { facts, existing } = outcome;
    const settled = Date.now();
    if (existing) await applyDeclaredSettings(client, facts, existing, inputs, apiUrl);
    // Best effort from here on: timeCreated, tariff and state fill in on the next refresh otherwise.
    // Any list requested since the instance existed shows it: the creates of a bulk `up` share them.
    const listed =
      outcome.listed ??
      existing ??
      (await findAlive(client, (item) => item.idInstance === facts.idInstance, { sentAfter: settled, lingerMs: POST_CREATE_LINGER_MS }).catch(
        () => undefined,
      ));
    const live = await observeState(client, { ...facts, typeInstance: facts.typeInstance ?? undefined, apiUrl });
    // A new instance has Green API's defaults for what was not declared; one that existed has
    // settings of its own, learned on the next refresh.
    const previous = existing ? {} : CREATE_DEFAULTS;
    return { id: String(facts.idInstance), outs: buildOutputs({ inputs, facts, apiUrl, listed, live, previous }) };
  });
}

async function createExactlyOnce(client: PartnerClient, inputs: InstanceInputs): Promise<Outcome> {
  const named = (item: InstanceListItem) => item.name === inputs.name;
  // Any recent list will do: this process's own creates and deletes never carry this resource's name.
  const existing = await findAlive(client, named, { sentAfter: 0 });
  if (existing) return takeOverExisting(existing, inputs);

  for (let attempt = 1; ; attempt++) {
    try {
      return { facts: await client.createInstance({ name: inputs.name, ...settingsOf(inputs) }) };
    } catch (error) {
      if (!isGreenApiError(error) || !(error.outcomeUnknown || waitable(error))) throw error;
      // Green API rejects before performing when it rate limits, but the name lookup below costs one
      // list and makes the next attempt safe whatever the 429 came from.
      if (error.code === "rate_limited") await sleep(error.retryAfterMs ?? RATE_LIMIT_WAIT_MS);
      // A list sent after the failed attempt: one from before could not show the instance.
      const created = await findAlive(client, named, { fresh: true }).catch(() => {
        // Out of time or Green API unreachable: report the create's own failure. If it did create
        // the instance, the next run finds it by this name (see takeOverExisting).
        log(`could not check whether createInstance created "${inputs.name}"; the next run looks for it by name first.`);
        throw error;
      });
      if (created) {
        log(`createInstance lost its answer, but instance ${created.idInstance} "${inputs.name}" exists: using it.`);
        return { facts: factsOf(created), listed: created }; // created by our request: with the declared settings
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
function takeOverExisting(existing: InstanceListItem, inputs: InstanceInputs): Outcome {
  if (inputs.name === inputs[AUTO_NAME_KEY]) {
    log(`instance ${existing.idInstance} "${inputs.name}" was created by an earlier, interrupted run: using it instead of creating another.`);
    return { facts: factsOf(existing), existing };
  }
  throw new Error(
    `An instance named "${inputs.name}" already exists in this Green API account (idInstance ${existing.idInstance}). ` +
      "Instance names must be unique so that interrupted creates can be recovered without double billing: " +
      `choose another \`name\`, or to manage that instance set \`adoptIdInstance: ${existing.idInstance}\`.`,
  );
}

/**
 * Adoption: takes over an existing, alive instance (its token comes from getInstances) without
 * ever calling createInstance. The declared settings are applied by the caller.
 */
async function adopt(client: PartnerClient, inputs: InstanceInputs): Promise<Outcome> {
  const idInstance = inputs.adoptIdInstance!;
  const listed = (await client.getInstances()).find((item) => item.idInstance === idInstance);
  if (!listed || listed.deleted) {
    throw new Error(
      `adoptIdInstance: instance ${idInstance} ${listed ? "has been deleted" : "is not in this Green API account"}; ` +
        "check the idInstance in the partner console.",
    );
  }
  if (inputs.name !== undefined && inputs.name !== listed.name) {
    throw new Error(
      `name: "${inputs.name}" is not the adopted instance's name "${listed.name ?? ""}", and Green API cannot rename instances. ` +
        `Remove \`name\` or set it to "${listed.name ?? ""}".`,
    );
  }
  log(`adopting instance ${idInstance} "${listed.name ?? ""}"; destroying this resource will delete it.`);
  return { facts: factsOf(listed), existing: listed };
}

/**
 * An instance that existed before this create gets the declared settings in one setSettings. If
 * that fails, the instance is ours all the same: report it created but failed to initialize, so the
 * engine records it — without the declared settings, so that the next `pulumi up` sees them as
 * changes and applies them again.
 */
async function applyDeclaredSettings(
  client: PartnerClient,
  facts: InstanceFacts,
  listed: InstanceListItem,
  inputs: CreateInputs,
  apiUrl: string,
): Promise<void> {
  const settings = settingsOf(inputs);
  if (Object.keys(settings).length === 0) return;
  try {
    await client.setSettings({ ...facts, typeInstance: facts.typeInstance ?? undefined, apiUrl }, settings);
  } catch (error) {
    const { [AUTO_NAME_KEY]: _autoName, __provider: providerText, ...declared } = inputs;
    const unapplied = Object.fromEntries(Object.keys(settings).map((key) => [key, undefined]));
    const recorded = buildOutputs({ inputs: { ...declared, ...unapplied }, facts, apiUrl, listed });
    throw initFailure(String(facts.idInstance), recorded, providerText, error);
  }
}

function factsOf(item: InstanceListItem): InstanceFacts {
  if (!item.apiTokenInstance) {
    throw new Error(`Green API did not return the token of instance ${item.idInstance}; it cannot be managed without it.`);
  }
  return { idInstance: item.idInstance, apiTokenInstance: item.apiTokenInstance, typeInstance: item.typeInstance };
}

async function findAlive(
  client: PartnerClient,
  match: (item: InstanceListItem) => boolean,
  request: ListRequest = {},
): Promise<InstanceListItem | undefined> {
  return (await client.getInstances(request)).find((item) => !item.deleted && match(item));
}
