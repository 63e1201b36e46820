/**
 * delete → logout (when a phone is linked), then deleteInstanceAccount. Deleting an instance does
 * not unlink the customer's phone by itself; an instance already gone counts as deleted.
 */
import type { Provider } from "./config";
import { operation } from "./operation";
import type { Report } from "./report";
import { instanceApiUrl, instanceRef } from "./hosts";
import { parseId } from "./ids";
import { observeState } from "./live";
import type { InstanceOutputs } from "./outputs";

export interface DeleteRequest {
  id: string;
  /** The stored outputs. */
  outputs: InstanceOutputs;
  report: Report;
}

export async function deleteInstance(provider: Provider, { id, outputs: props, report }: DeleteRequest): Promise<void> {
  return operation(provider, report, async ({ account, client, config }) => {
    const idInstance = parseId(id);
    if (props.logoutOnDelete !== false && props.apiTokenInstance) {
      // The host last used: what the outputs say (refresh keeps it current).
      const ref = instanceRef({ ...props, idInstance }, instanceApiUrl({ lastUsed: props.apiUrl }, config.apiUrl));
      if ((await observeState(client, ref)).stateInstance === "authorized") {
        await client.logout(ref);
        report("info", `logged the linked phone out of instance ${idInstance} before deleting it.`);
      }
    }
    if ((await account.deleteInstanceAccount(idInstance)) === "alreadyGone") {
      report("info", `instance ${idInstance} was already deleted.`);
    }
  });
}
