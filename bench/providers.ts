/**
 * The serialized `__provider` texts the benchmark compares, each produced by Pulumi's own closure
 * serializer: ours (GreenApiInstance's thin shim, captured from a real registration), the
 * baseline's shim, and the provider serialized as a whole closure.
 */
import type * as pulumi from "@pulumi/pulumi";
import { captureRegistrations } from "../harness";
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

/** The baseline: a shim of the same shape as ours that loads naive-lifecycle by absolute path. */
export async function naiveProvider(): Promise<string> {
  const modulePath = require.resolve("./naive-lifecycle");
  const provider: pulumi.dynamic.ResourceProvider = {
    configure: (...args) => require(modulePath).configure(...args),
    check: (...args) => require(modulePath).check(...args),
    diff: (...args) => require(modulePath).diff(...args),
    create: (...args) => require(modulePath).create(...args),
    read: (...args) => require(modulePath).read(...args),
    update: (...args) => require(modulePath).update(...args),
    delete: (...args) => require(modulePath).delete(...args),
  };
  return (await serializeFunction(() => provider, { allowSecrets: true })).text;
}

/**
 * The alternative to the shim: the dynamic door's functions themselves, captured by value, so their
 * code (and that of every local module they use) is serialized into each resource's state.
 */
export async function wholeClosureProvider(): Promise<{ text: string } | { error: string }> {
  const provider = {
    configure: lifecycle.configure,
    check: lifecycle.check,
    diff: lifecycle.diff,
    create: lifecycle.create,
    read: lifecycle.read,
    update: lifecycle.update,
    delete: lifecycle.delete,
  };
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
