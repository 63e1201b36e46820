/**
 * Engine state for a large seeded account without creating each instance: every alive instance
 * gets an entry shaped exactly like `template` — the entry a real create through the provider host
 * recorded — filled with that instance's own facts from the emulator.
 */
import type { EmulatedInstance } from "../emulator";
import type { StateEntry } from "../harness";
import { qrUrl } from "../provider/lifecycle/outputs";

export function accountState(instances: EmulatedInstance[], template: StateEntry, provider?: string): StateEntry[] {
  const urnPrefix = template.urn.slice(0, template.urn.lastIndexOf("::"));
  return instances
    .filter((instance) => !instance.deleted)
    .map((instance) => {
      const facts = instance as unknown as Record<string, unknown>;
      const outputs: Record<string, unknown> = { ...template.outputs };
      // Every output the emulator also knows (idInstance, name, token, timeCreated, tariff, state…).
      for (const key of Object.keys(outputs)) {
        if (key in facts && typeof facts[key] !== "object") outputs[key] = facts[key];
      }
      outputs.qrUrl = qrUrl(instance.idInstance, instance.apiTokenInstance);
      const inputs: Record<string, unknown> = { ...template.inputs, name: instance.name };
      if ("__autoName" in inputs) inputs.__autoName = instance.name;
      if (provider !== undefined) inputs.__provider = outputs.__provider = provider;
      return {
        urn: `${urnPrefix}::instance-${instance.idInstance}`,
        type: template.type,
        id: String(instance.idInstance),
        inputs,
        outputs,
      };
    });
}
