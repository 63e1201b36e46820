/**
 * import (`pulumi import greenapi:index:Instance <name> <idInstance>`): a read by id alone. Unlike a
 * refresh, which knows which settings the program manages, nothing is declared yet, so every live
 * setting becomes an input and an output: a program declaring the same settings then previews with
 * no changes, and settings it leaves out stop being managed on its first up (see buildOutputs).
 * Except credentials (webhookUrlToken): `pulumi import` writes the imported inputs into the program
 * it generates, in clear text, and a program is committed to version control. A program declares
 * them from a secret to manage them.
 */
import type { Provider } from "./config";
import { operation } from "./operation";
import type { Report } from "./report";
import { parseId } from "./ids";
import { instanceApiUrl, instanceRef } from "./hosts";
import { inputsFromOutputs } from "./inputs";
import { SECRET_INPUTS } from "./properties";
import { observe } from "./live";
import { buildOutputs } from "./outputs";
import type { ReadResult } from "./read";

export async function importInstance(provider: Provider, { id, report }: { id: string; report: Report }): Promise<ReadResult> {
  return operation(provider, report, async ({ account, client, config }) => {
    const idInstance = parseId(id);
    const listed = await account.instance(idInstance);
    // An empty id: the engine reports that the instance to import does not exist.
    if (!listed || listed.deleted) return { id: "", props: {} };
    // Its token comes from the list, as for adoptIdInstance: without it no setting can be read.
    if (!listed.apiTokenInstance)
      throw new Error(`Instance ${idInstance} cannot be imported: Green API's getInstances gives no token for it.`);
    const apiUrl = instanceApiUrl({ own: listed.apiUrlInstance }, config.apiUrl, { report, idInstance });
    const facts = {
      idInstance,
      apiTokenInstance: listed.apiTokenInstance,
      typeInstance: listed.typeInstance ?? undefined,
      apiUrlInstance: listed.apiUrlInstance,
    };
    const live = await observe(client, instanceRef(facts, apiUrl));
    // Importing without the settings would record inputs the program never had: better not yet.
    if (!live.settings) {
      throw new Error(
        `Instance ${idInstance} cannot be imported yet: ${live.note ?? "its settings could not be read"}. Try again in a few minutes.`,
      );
    }
    const settings = Object.fromEntries(Object.entries(live.settings).filter(([name]) => !SECRET_INPUTS.has(name)));
    const held = Object.keys(live.settings).filter((name) => SECRET_INPUTS.has(name) && (live.settings as Record<string, unknown>)[name]);
    if (held.length > 0) {
      report(
        "info",
        `instance ${idInstance}: ${held.join(", ")} not imported (a generated program would hold it in clear text); ` +
          "declare it from a secret, e.g. `pulumi config set --secret`, to manage it.",
      );
    }
    const outs = buildOutputs({
      inputs: { name: listed.name ?? undefined, ...settings },
      facts,
      apiUrl,
      listed,
      live: { ...live, settings },
    });
    return { id, props: outs, inputs: inputsFromOutputs(outs, config.apiUrl) };
  });
}
