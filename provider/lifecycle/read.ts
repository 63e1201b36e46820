/**
 * read (refresh) → getInstances. A missing or deleted instance answers an empty id, which tells the
 * engine to drop the resource from state; anything else refreshes the outputs.
 */
import { partnerClient } from "./config";
import { explained, log } from "./errors";
import { parseId } from "./ids";
import { buildOutputs, type InstanceOutputs } from "./outputs";
import { inputsFromOutputs, type InstanceInputs } from "./inputs";

export interface ReadResult {
  id: string;
  props: Partial<InstanceOutputs>;
  inputs?: InstanceInputs;
}

export async function read(id: string, props: InstanceOutputs): Promise<ReadResult> {
  return explained(async () => {
    const { client, config } = partnerClient();
    const idInstance = parseId(id);
    const listed = (await client.getInstances()).find((item) => item.idInstance === idInstance);
    if (!listed || listed.deleted) {
      log(`instance ${idInstance} ${listed ? "was deleted" : "no longer exists"} outside Pulumi; removing it from the stack.`);
      return { id: "", props: {} };
    }
    const facts = { idInstance, apiTokenInstance: props.apiTokenInstance, typeInstance: props.typeInstance };
    const outs = buildOutputs(inputsFromOutputs(props), facts, props.apiUrl ?? config.apiUrl, listed, props);
    return { id, props: outs };
  });
}
