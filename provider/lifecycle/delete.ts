/** delete → deleteInstanceAccount; an instance that is already gone counts as deleted. */
import { partnerClient } from "./config";
import { explained, log } from "./errors";
import { parseId } from "./ids";
import type { InstanceOutputs } from "./outputs";

export async function deleteInstance(id: string, _props: InstanceOutputs): Promise<void> {
  return explained(async () => {
    const { client } = partnerClient();
    const idInstance = parseId(id);
    if ((await client.deleteInstanceAccount(idInstance)) === "alreadyGone") {
      log(`instance ${idInstance} was already deleted.`);
    }
  });
}
