/**
 * delete → logout (when a phone is linked), then deleteInstanceAccount. Deleting an instance does
 * not unlink the customer's phone by itself; an instance already gone counts as deleted.
 */
import { log, operation } from "./errors";
import { parseId } from "./ids";
import { observeState } from "./live";
import type { InstanceOutputs } from "./outputs";

export async function deleteInstance(id: string, props: InstanceOutputs): Promise<void> {
  return operation(async (client, config) => {
    const idInstance = parseId(id);
    if (props.logoutOnDelete !== false && props.apiTokenInstance) {
      const ref = {
        idInstance,
        apiTokenInstance: props.apiTokenInstance,
        typeInstance: props.typeInstance,
        apiUrl: props.apiUrl ?? config.apiUrl,
      };
      if ((await observeState(client, ref)).stateInstance === "authorized") {
        await client.logout(ref);
        log(`logged the linked phone out of instance ${idInstance} before deleting it.`);
      }
    }
    if ((await client.deleteInstanceAccount(idInstance)) === "alreadyGone") {
      log(`instance ${idInstance} was already deleted.`);
    }
  });
}
