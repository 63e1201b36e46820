/**
 * update → one setSettings with exactly the changed settings. Each setSettings restarts the
 * instance, so changes are never split over several calls. A new name or adoptIdInstance never
 * reaches here: diff asks for a replacement.
 */
import { changedSettings } from "./diff";
import { operation } from "./errors";
import { parseId } from "./ids";
import type { InstanceInputs } from "./inputs";
import { buildOutputs, type InstanceOutputs } from "./outputs";

export async function update(id: string, olds: InstanceOutputs, news: InstanceInputs): Promise<{ outs: InstanceOutputs }> {
  return operation(async (client, config) => {
    const facts = { idInstance: parseId(id), apiTokenInstance: olds.apiTokenInstance, typeInstance: olds.typeInstance };
    const apiUrl = news.apiUrl ?? olds.apiUrl ?? config.apiUrl;
    const changed = changedSettings(olds, news);
    if (Object.keys(changed).length > 0) await client.setSettings({ ...facts, apiUrl }, changed);
    return { outs: buildOutputs({ inputs: news, facts, apiUrl, previous: olds }) };
  });
}
