/**
 * update → one setSettings with exactly the changed settings. Each setSettings restarts the
 * instance, so changes are never split over several calls. A new name or adoptIdInstance never
 * reaches here: diff asks for a replacement.
 */
import type { InstanceRef } from "../greenapi/client";
import { isGreenApiError } from "../greenapi/errors";
import { pauseUntil } from "../greenapi/waiting";
import type { Settings } from "../greenapi/settings";
import { awaitsReadiness, changedSettings } from "./diff";
import type { Provider } from "./config";
import { InputError } from "./errors";
import { operation, type Context } from "./operation";
import type { Report } from "./report";
import { parseId } from "./ids";
import { instanceApiUrl, instanceRef } from "./hosts";
import { productFailures, type InstanceInputs } from "./inputs";
import { withWid, type LiveInstance } from "./live";
import { buildOutputs, type InstanceOutputs } from "./outputs";
import { notReadyReason, waitUntilBuilt } from "./readiness";

export interface UpdateRequest {
  id: string;
  /** The stored outputs. */
  olds: InstanceOutputs;
  /** Checked inputs. */
  news: InstanceInputs;
  report: Report;
}

export async function update(provider: Provider, { id, olds, news, report }: UpdateRequest): Promise<{ outs: InstanceOutputs }> {
  return operation(provider, report, async (context) => {
    const { config } = context;
    const facts = { idInstance: parseId(id), apiTokenInstance: olds.apiTokenInstance, typeInstance: olds.typeInstance };
    const apiUrl = instanceApiUrl({ declared: news.apiUrl, own: olds.apiUrlInstance, lastUsed: olds.apiUrl }, config.apiUrl);
    const ref = instanceRef(facts, apiUrl);
    const changed = changedSettings(olds, news);
    // check knows the product only when declared; the instance's own is known here, before any call.
    const [problem] = productFailures(olds.typeInstance ?? "", { ...changed });
    if (problem)
      throw new InputError(problem.property, `${problem.property}: ${problem.reason}; instance ${facts.idInstance} is not changed.`);
    // The wait first, if any: Green API refuses setSettings while it builds the instance.
    const live = awaitsReadiness(olds, news) ? await readyOrFail(context, ref, olds.name ?? "") : undefined;
    if (Object.keys(changed).length > 0) await applySettings(context, ref, changed);
    return { outs: buildOutputs({ inputs: news, facts, apiUrl, live, previous: olds }) };
  });
}

/** The wait a create's `waitForReady` ran out of, once more; running out again fails the update (the stored outputs stay). */
async function readyOrFail(context: Context, ref: InstanceRef, name: string): Promise<LiveInstance> {
  const readiness = await waitUntilBuilt(context, ref, name);
  if (!readiness.ready) throw new Error(`${notReadyReason(ref.idInstance, name, readiness, context.names)}.`);
  return withWid(context.client, ref, readiness.live);
}

/**
 * setSettings, and when its outcome stays unknown, a look once no attempt can land any more: a slow
 * Green API may have applied it after all (with the default deadlines, an attempt that timed out
 * leaves no time for another).
 */
async function applySettings({ client, report }: Context, ref: InstanceRef, changed: Settings): Promise<void> {
  try {
    await client.setSettings(ref, changed);
  } catch (error) {
    if (!isGreenApiError(error) || error.settlesAt === undefined) throw error;
    await pauseUntil(error.settlesAt);
    const live = await client.getSettings(ref).catch(() => undefined);
    const applied =
      live && Object.entries(changed).every(([key, value]) => !(key in live.settings) || live.settings[key as keyof Settings] === value);
    if (!applied) throw error;
    report("info", `setSettings on instance ${ref.idInstance} got no answer, but Green API applied it: the settings are live.`);
  }
}
