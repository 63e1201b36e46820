/**
 * read (refresh) → getInstances, then the instance's state and settings. A missing or deleted
 * instance answers an empty id, which tells the engine to drop the resource from state. A setting
 * changed outside Pulumi comes back in the outputs and, as ReadResult.inputs, in the inputs, so the
 * next `pulumi up` shows the change and puts the declared value back.
 */
import { SETTING_NAMES } from "../greenapi/settings";
import type { Provider } from "./config";
import { operation } from "./operation";
import type { Report } from "./report";
import { parseId } from "./ids";
import { instanceApiUrl, instanceRef } from "./hosts";
import { inputsFromOutputs, type InstanceInputs } from "./inputs";
import { observe } from "./live";
import { buildOutputs, type InstanceOutputs } from "./outputs";

export interface ReadResult {
  id: string;
  props: Partial<InstanceOutputs>;
  inputs?: InstanceInputs;
}

export interface ReadRequest {
  id: string;
  /** The stored outputs. */
  outputs: InstanceOutputs;
  report: Report;
}

export async function read(provider: Provider, { id, outputs: props, report }: ReadRequest): Promise<ReadResult> {
  return operation(provider, report, async ({ account, client, config }) => {
    const idInstance = parseId(id);
    const listed = await account.instance(idInstance);
    if (!listed || listed.deleted) {
      report("info", `instance ${idInstance} ${listed ? "was deleted" : "no longer exists"} outside Pulumi; removing it from the stack.`);
      return { id: "", props: {} };
    }
    // The resource's own apiUrl if it differs from what the host rule gave without one; else the rule
    // again, with the instance's own host as listed now.
    const declaredApiUrl = inputsFromOutputs(props, config.apiUrl).apiUrl;
    const apiUrl = instanceApiUrl({ declared: declaredApiUrl, own: listed.apiUrlInstance }, config.apiUrl, { report, idInstance });
    // A token reset in the console shows in the list; the stored one stays when the list has none.
    const apiTokenInstance = listed.apiTokenInstance || props.apiTokenInstance;
    if (apiTokenInstance !== props.apiTokenInstance)
      report("info", `instance ${idInstance}'s token was reset in the console; using the new one.`);
    const typeInstance = listed.typeInstance || props.typeInstance;
    const facts = { idInstance, apiTokenInstance, typeInstance, apiUrlInstance: listed.apiUrlInstance };
    const live = await observe(client, instanceRef(facts, apiUrl));
    if (live.note) report("warning", `instance ${idInstance}: ${live.note}; keeping its last known settings.`);
    const outs = buildOutputs({ inputs: inputsFromOutputs(props), facts, apiUrl, listed, live, previous: props });
    return { id, props: outs, inputs: drifted(props, outs) ? inputsFromOutputs(outs, config.apiUrl) : undefined };
  });
}

/** A known setting or partner field whose live value differs; settings seen for the first time are not drift. */
function drifted(before: Partial<InstanceOutputs>, after: Partial<InstanceOutputs>): boolean {
  return [...SETTING_NAMES, ...PARTNER_FIELDS].some((name) => before[name] !== undefined && before[name] !== after[name]);
}

const PARTNER_FIELDS = ["countryInstance", "partnerUserUiid"] as const;
