/**
 * create → createInstance, exactly once; or, with `adoptIdInstance`, taking over an existing
 * instance without creating anything.
 *
 * createInstance is not idempotent and every instance is billed, so a lost answer is never
 * answered with a blind retry. Green API may still perform a request after we gave up on it (a slow
 * backend), so after any attempt whose outcome is unknown the instance's unique name is looked up,
 * repeatedly, until the attempt's settle window has passed (three request deadlines from when it
 * was sent); only a name still absent in a list requested after that allows another attempt — and
 * only if another attempt's window fits in the operation, so nothing this create sent can land
 * after it ended.
 */
import { wireTypeInstance } from "../greenapi/client";
import { minimumOperationRule, settleWindowMs } from "../greenapi/deadlines";
import { GreenApiError, isGreenApiError } from "../greenapi/errors";
import { fitsInOperation, pauseFor, Pauses, poll, type WaitPolicy } from "../greenapi/waiting";
import type { SharedAccount } from "./account";
import type { ListRequest } from "./instance-list";
import type { InstanceListItem, InstanceRef } from "../greenapi/client";
import type { Provider } from "./config";
import { InputError } from "./errors";
import { operation, type Context, type InstanceCalls } from "./operation";
import type { Report } from "./report";
import { initFailure } from "./init-failure";
import { instanceApiUrl, instanceRef } from "./hosts";
import { createOnlyOf, productFailures, settingsOf, type InstanceInputs } from "./inputs";
import { observeState, STARTING, withWid, type LiveInstance } from "./live";
import { notReadyReason, waitUntilBuilt } from "./readiness";
import { buildOutputs, type InstanceFacts, type InstanceOutputs, type OutputParts } from "./outputs";

/**
 * createInstance attempts after answers that may have been lost; each is preceded by a lookup. (A
 * 429 is not one: Green API refuses it before performing, and the transport waits it out.)
 */
const MAX_CREATE_ATTEMPTS = 3;

/**
 * How long a finished create waits for a list another create is about to request: the creates of a
 * bulk `up` then share a list instead of each downloading the account once more.
 */
const POST_CREATE_LINGER_MS = 100;

/** Pauses before trying createInstance again after code 100 ("no free instances, try later"), with jitter. */
const NO_FREE_INSTANCES: WaitPolicy = { firstPauseMs: 1_000, maxPauseMs: 15_000, jitter: 0.5 };

/** Pauses between the lookups that wait out a late createInstance: a lost answer shows at once, a slow backend later. */
const LATE_CREATE: WaitPolicy = { firstPauseMs: 250, maxPauseMs: 10_000 };

export interface CreateRequest {
  /** Checked inputs (see check). */
  inputs: InstanceInputs;
  /**
   * The name this resource's instance gets when the program sets none (autoNameOf): an instance
   * already carrying it can only be this resource's, from an earlier, interrupted run.
   */
  autoName: string;
  report: Report;
}

/** What a create's steps share. */
interface Creation extends Context {
  inputs: InstanceInputs;
  autoName: string;
}

/** The instance a create ends up with; `existing` when it existed before (its settings are its own). */
interface Outcome {
  facts: InstanceFacts;
  existing?: InstanceListItem;
  /** Its getInstances row, when the create already read one. */
  listed?: InstanceListItem;
}

export async function create(provider: Provider, request: CreateRequest): Promise<{ id: string; outs: InstanceOutputs }> {
  const { inputs, autoName, report } = request;
  return operation(provider, report, async (context) => {
    const { account, client, config } = context;
    const creation: Creation = { ...context, inputs, autoName };
    const outcome = inputs.adoptIdInstance === undefined ? await createExactlyOnce(creation) : await adopt(creation);
    const { facts, existing } = outcome;
    // The host by what create or adoption named; the outputs' own follows the list row too (below).
    const createdHost = instanceApiUrl({ declared: inputs.apiUrl, own: facts.apiUrlInstance }, config.apiUrl);
    if (!existing) await refuseOtherProduct(creation, facts, createdHost);
    const settled = Date.now();
    if (existing) await applyDeclaredSettings(client, facts, existing, inputs, createdHost);
    // Best effort from here on: timeCreated, tariff and state fill in on the next refresh otherwise.
    // Any list requested since the instance existed shows it: the creates of a bulk `up` share them.
    const listed =
      outcome.listed ??
      existing ??
      (await findAlive(account, (item) => item.idInstance === facts.idInstance, {
        sentAfter: settled,
        lingerMs: POST_CREATE_LINGER_MS,
      }).catch(() => undefined));
    const own = facts.apiUrlInstance || listed?.apiUrlInstance;
    const apiUrl = instanceApiUrl({ declared: inputs.apiUrl, own }, config.apiUrl, { report, idInstance: facts.idInstance });
    const ref = instanceRef(facts, apiUrl);
    const live = inputs.waitForReady
      ? await waitForReady(context, ref, { inputs, facts, apiUrl, listed })
      : await observeState(client, ref);
    return { id: String(facts.idInstance), outs: buildOutputs({ inputs, facts, apiUrl, listed, live: await withWid(client, ref, live) }) };
  });
}

/**
 * `waitForReady`: the instance's state once Green API has built it. When the operation's time runs
 * out first, the instance is recorded all the same (an init failure, so `pulumi up` fails and says
 * why); its stored state "starting" makes the next `up` wait again (see diff.ts).
 */
async function waitForReady(context: Context, ref: InstanceRef, parts: Omit<OutputParts, "live">): Promise<LiveInstance> {
  const name = parts.listed?.name ?? parts.inputs.name ?? "";
  const readiness = await waitUntilBuilt(context, ref, name);
  if (readiness.ready) return readiness.live;
  const recorded = buildOutputs({ ...parts, live: { ...readiness.live, stateInstance: readiness.live.stateInstance ?? STARTING } });
  throw initFailure(String(ref.idInstance), recorded, new Error(notReadyReason(ref.idInstance, name, readiness, context.names)));
}

async function createExactlyOnce(creation: Creation): Promise<Outcome> {
  const { account, inputs, report } = creation;
  const requestMs = creation.config.deadlines.requestMs;
  const name = inputs.name!;
  const named = (item: InstanceListItem) => item.name === name;
  // Any recent list will do — this process's own creates never carry this resource's name — unless
  // one of them may still be performed (an earlier, failed create of this very resource, say).
  const existing = await findAlive(account, named, { sentAfter: account.createsSettledAt });
  if (existing) return takeOverExisting(creation, existing);

  const request = { name, ...createOnlyOf(inputs), ...settingsOf(inputs) };
  let absent: GreenApiError | undefined; // the last attempt known not to have created anything
  let noFree: GreenApiError | undefined; // the last code 100, while waiting for a free instance
  const noFreePauses = new Pauses(NO_FREE_INSTANCES);
  for (let attempt = 1; ;) {
    let failure: GreenApiError;
    try {
      const created = await account.createInstance(request);
      // The answer may not name the product; the declared one is what was asked for.
      return { facts: { ...created, typeInstance: created.typeInstance || wireTypeInstance(inputs.typeInstance ?? "") || undefined } };
    } catch (error) {
      // Not sent: no time was left for another settle window.
      if (isGreenApiError(error) && error.notSent && error.code === "timeout") {
        if (noFree) throw noFreeInstances(creation, noFree);
        if (absent) throw nothingCreated(creation, absent, error);
      }
      if (isGreenApiError(error, "no_free_instances")) {
        // Nothing was created: wait and try again, while another attempt's settle window still fits.
        const pause = noFreePauses.next();
        if (!fitsInOperation(pause, settleWindowMs(requestMs))) throw noFreeInstances(creation, error);
        report(
          "info",
          `Green API has no free instances right now (createInstance code 100); trying "${name}" again in ${Math.ceil(pause / 1000)} s.`,
        );
        noFree = error;
        await pauseFor(pause);
        continue;
      }
      if (!isGreenApiError(error) || !error.outcomeUnknown) throw error;
      failure = error;
    }
    noFree = undefined;
    const created = await waitOutLateCreate(creation, failure);
    if (created) {
      report("info", `createInstance lost its answer, but instance ${created.idInstance} "${name}" exists: using it.`);
      return { facts: factsOf(created), listed: created }; // created by our request: with the declared settings
    }
    if (attempt >= MAX_CREATE_ATTEMPTS) throw failure;
    attempt++;
    absent = failure;
    report("info", `createInstance did not create "${name}" (${failure.code}); trying again.`);
  }
}

/**
 * Green API created another product than the one declared (a partner API whose createInstance does
 * not take typeInstance, say). That instance is not what the program asked for, and kept it would be
 * billed and replaced on every `up`: it is deleted again at once. If that fails, it is recorded in
 * the stack so that `pulumi destroy` deletes it.
 */
async function refuseOtherProduct({ account, inputs, names }: Creation, facts: InstanceFacts, apiUrl: string): Promise<void> {
  const declared = inputs.typeInstance && wireTypeInstance(inputs.typeInstance);
  if (!declared || !facts.typeInstance || facts.typeInstance === declared) return;
  const problem =
    `typeInstance: Green API created a "${facts.typeInstance}" instance (${facts.idInstance} "${inputs.name ?? ""}") ` +
    `although "${inputs.typeInstance}" was declared`;
  try {
    await account.deleteInstanceAccount(facts.idInstance);
  } catch (cause) {
    const recorded = buildOutputs({ inputs, facts, apiUrl });
    const reason = `${problem}, and deleting it again failed (${cause instanceof Error ? cause.message : String(cause)})`;
    throw initFailure(String(facts.idInstance), recorded, new Error(reason, { cause }));
  }
  throw new Error(
    `${problem}; it was deleted again at once, so that it is not billed. This partner API seems not to take typeInstance ` +
      `at create: check ${names.name("partnerApiUrl")}, or create the instance in the partner console and set \`adoptIdInstance\` to manage it.`,
  );
}

function noFreeInstances({ inputs, names }: Creation, failure: GreenApiError): GreenApiError {
  return new GreenApiError(
    failure.details,
    `${failure.detail}: Green API had no free instances until too little of the operation's time was left to try again, ` +
      `so instance "${inputs.name}" was not created`,
    `Run \`pulumi up\` again in a few minutes, or raise ${names.name("operationTimeoutSeconds")} so that create waits longer.`,
    { cause: failure },
  );
}

/**
 * After a createInstance whose outcome is unknown: the instance with this name, once it shows in a
 * list, or undefined when a list requested after the attempt's settle window still lacks it. Lists
 * are shared with the other resources' lookups. Throws when the operation ends before it could tell.
 */
async function waitOutLateCreate(creation: Creation, failure: GreenApiError): Promise<InstanceListItem | undefined> {
  const { account } = creation;
  const name = creation.inputs.name!;
  const settlesAt = failure.settlesAt ?? Date.now();
  let lookupFailure: unknown;
  // The last lookup goes out once the window has passed; a failed one is tried again while time is left.
  const polled = await poll(
    LATE_CREATE,
    async () => {
      const sentAfter = Date.now();
      try {
        const found = await findAlive(account, (item) => item.name === name, { sentAfter, lingerMs: POST_CREATE_LINGER_MS });
        return { done: found !== undefined || sentAfter >= settlesAt, value: found };
      } catch (error) {
        lookupFailure = error;
        return { done: false, value: undefined };
      }
    },
    { lookAt: settlesAt },
  );
  if (!polled.done) throw outcomeUnknown(creation, failure, lookupFailure);
  return polled.value;
}

function outcomeUnknown({ inputs, autoName }: Creation, failure: GreenApiError, cause: unknown): GreenApiError {
  const name = inputs.name!;
  const nextRun =
    name === autoName
      ? `The next \`pulumi up\` looks for an instance named "${name}" first and takes it over if it exists, so nothing is billed twice.`
      : `The next \`pulumi up\` looks for an instance named "${name}" first; if it exists, it stops and shows the \`adoptIdInstance\` that makes this resource manage it.`;
  return new GreenApiError(
    { code: failure.code, method: failure.method, status: failure.status, outcomeUnknown: true, settlesAt: failure.settlesAt },
    `${failure.detail}; the outcome is unknown: the operation ran out of time before a list of the account's instances ` +
      `showed whether instance "${name}" was created`,
    nextRun,
    { cause: cause ?? failure },
  );
}

function nothingCreated({ inputs, names }: Creation, absent: GreenApiError, cause: GreenApiError): GreenApiError {
  return new GreenApiError(
    { code: absent.code, method: absent.method, status: absent.status },
    `${absent.detail}; no instance named "${inputs.name}" appeared in the lists requested until Green API would have performed it, ` +
      "so nothing was created, and too little of the operation's time is left to try again safely",
    `Run \`pulumi up\` again, or raise ${names.name("operationTimeoutSeconds")} ` +
      `(to at least ${minimumOperationRule(names.name("requestTimeoutSeconds"), 2)}, room for two attempts) so that create can try again by itself.`,
    { cause },
  );
}

/**
 * An alive instance already carries this resource's name. If it is the resource's own auto-name,
 * it can only be the instance an interrupted earlier run created: take it over. An explicit name is
 * the user's, and could belong to another stack, so we stop rather than share an instance.
 */
function takeOverExisting({ inputs, autoName, report }: Creation, existing: InstanceListItem): Outcome {
  if (inputs.name === autoName) {
    report(
      "info",
      `instance ${existing.idInstance} "${inputs.name}" was created by an earlier, interrupted run: using it instead of creating another.`,
    );
    return { facts: factsOf(existing), existing };
  }
  throw new InputError(
    "name",
    `An instance named "${inputs.name}" already exists in this Green API account (idInstance ${existing.idInstance}). ` +
      "It may be this resource's own instance, from an earlier `pulumi up` whose createInstance timed out or was interrupted: " +
      `if so, set \`adoptIdInstance: ${existing.idInstance}\` on this resource to manage it. ` +
      "Otherwise choose another `name`: instance names must be unique so that interrupted creates can be recovered without double billing.",
  );
}

/**
 * Adoption: takes over an existing, alive instance (its token comes from getInstances) without
 * ever calling createInstance. The declared settings are applied by the caller.
 */
async function adopt({ account, inputs, report }: Creation): Promise<Outcome> {
  const idInstance = inputs.adoptIdInstance!;
  const listed = await account.instance(idInstance);
  if (!listed || listed.deleted) {
    throw new InputError(
      "adoptIdInstance",
      `adoptIdInstance: instance ${idInstance} ${listed ? "has been deleted" : "is not in this Green API account"}; ` +
        "check the idInstance in the partner console.",
    );
  }
  if (inputs.name !== undefined && inputs.name !== listed.name) {
    throw new InputError(
      "name",
      `name: "${inputs.name}" is not the adopted instance's name "${listed.name ?? ""}", and Green API cannot rename instances. ` +
        `Remove \`name\` or set it to "${listed.name ?? ""}".`,
    );
  }
  const [problem] = productFailures(listed.typeInstance ?? "", { ...settingsOf(inputs) });
  if (problem)
    throw new InputError(problem.property, `${problem.property}: ${problem.reason}; instance ${idInstance} is ${listed.typeInstance}.`);
  for (const [field, declared] of Object.entries(createOnlyOf(inputs))) {
    const live = listed[field];
    const same = field === "typeInstance" ? wireTypeInstance(String(declared)) === live : declared === live;
    // Unreported (absent or "") is not a mismatch: Green API's rows do not always carry them.
    if (!same && live) {
      throw new InputError(
        field,
        `${field}: "${String(declared)}" is not the adopted instance's ${field} "${String(live)}", and Green API sets it only at create. ` +
          `Remove \`${field}\` or set it to "${String(live)}".`,
      );
    }
  }
  report("info", `adopting instance ${idInstance} "${listed.name ?? ""}"; destroying this resource will delete it.`);
  return { facts: factsOf(listed), existing: listed };
}

/**
 * An instance that existed before this create gets the declared settings in one setSettings. If
 * that fails, the instance is ours all the same: report it created but failed to initialize, so the
 * engine records it — without the declared settings, so that the next `pulumi up` sees them as
 * changes and applies them again.
 */
async function applyDeclaredSettings(
  client: InstanceCalls,
  facts: InstanceFacts,
  listed: InstanceListItem,
  inputs: InstanceInputs,
  apiUrl: string,
): Promise<void> {
  const settings = settingsOf(inputs);
  if (Object.keys(settings).length === 0) return;
  try {
    await client.setSettings(instanceRef(facts, apiUrl), settings);
  } catch (error) {
    const unapplied = Object.fromEntries(Object.keys(settings).map((key) => [key, undefined]));
    const recorded = buildOutputs({ inputs: { ...inputs, ...unapplied }, facts, apiUrl, listed });
    throw initFailure(String(facts.idInstance), recorded, error);
  }
}

function factsOf(item: InstanceListItem): InstanceFacts {
  if (!item.apiTokenInstance) {
    throw new Error(`Green API did not return the token of instance ${item.idInstance}; it cannot be managed without it.`);
  }
  const { idInstance, apiTokenInstance, typeInstance, apiUrlInstance } = item;
  return { idInstance, apiTokenInstance, typeInstance, apiUrlInstance };
}

async function findAlive(
  account: SharedAccount,
  match: (item: InstanceListItem) => boolean,
  request: ListRequest = {},
): Promise<InstanceListItem | undefined> {
  return (await account.instances(request)).find((item) => !item.deleted && match(item));
}
