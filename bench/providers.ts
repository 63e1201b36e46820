/**
 * The `__provider` texts the benchmark compares: ours (captured from a real registration), the
 * baseline's of the same shape, and two that Pulumi's own closure serializer makes — the shim earlier
 * versions stored (each method a closure that loads the package) and the provider as a whole closure.
 */
import type * as pulumi from "@pulumi/pulumi";
import { captureRegistrations } from "../harness";
import { providerLoading } from "../provider/dynamic/keys";
import * as lifecycle from "../provider/dynamic";
import { GreenApiInstance } from "../provider/resource";

interface Serializer {
  serializeFunction(func: () => unknown, args: { allowSecrets: boolean }): Promise<{ text: string }>;
}
const { serializeFunction } = require("@pulumi/pulumi/runtime/closure/serializeClosure") as Serializer;

/** Exactly what a Pulumi program stores for a GreenApiInstance. */
export async function oursProvider(): Promise<string> {
  const [registration] = await captureRegistrations(() => {
    new GreenApiInstance("bench", {});
  });
  return String(registration.inputs.__provider);
}

/** The baseline: ours, loading naive-lifecycle by absolute path. */
export function naiveProvider(): string {
  return providerLoading(require.resolve("./naive-lifecycle"));
}

/** What versions before December 2026 stored: Pulumi's serialization of a shim whose every method loads the package. */
export async function serializedShimProvider(): Promise<{ text: string } | { error: string }> {
  const provider: pulumi.dynamic.ResourceProvider = {
    configure: (...args) => require("pulumi-greenapi/lifecycle").configure(...args),
    check: (...args) => require("pulumi-greenapi/lifecycle").check(...args),
    diff: (...args) => require("pulumi-greenapi/lifecycle").diff(...args),
    create: (...args) => require("pulumi-greenapi/lifecycle").create(...args),
    read: (...args) => require("pulumi-greenapi/lifecycle").read(...args),
    update: (...args) => require("pulumi-greenapi/lifecycle").update(...args),
    delete: (...args) => require("pulumi-greenapi/lifecycle").delete(...args),
  };
  return serialized(provider);
}

/**
 * The alternative to loading the package: the dynamic door's functions themselves, captured by value, so their
 * code (and that of every local module they use) is serialized into each resource's state.
 */
export async function wholeClosureProvider(): Promise<{ text: string } | { error: string }> {
  return serialized({
    configure: lifecycle.configure,
    check: lifecycle.check,
    diff: lifecycle.diff,
    create: lifecycle.create,
    read: lifecycle.read,
    update: lifecycle.update,
    delete: lifecycle.delete,
  });
}

async function serialized(provider: pulumi.dynamic.ResourceProvider): Promise<{ text: string } | { error: string }> {
  try {
    return { text: (await serializeFunction(() => provider, { allowSecrets: true })).text };
  } catch (error) {
    return { error: firstLine(error) };
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (
    message
      .split("\n")
      .find((line) => line.trim() !== "")
      ?.trim() ?? "unknown error"
  );
}
