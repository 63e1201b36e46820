/**
 * GreenApiInstance, the resource a Pulumi program declares, and the provider text Pulumi's
 * dynamic-provider host runs for it, stored in every resource's state as `__provider`.
 *
 * That text holds no code of its own: it loads the installed package's dynamic door by name when the
 * host first needs it. That keeps `__provider` to one line, carries no credential (configuration
 * arrives through `configure`), and lets an upgraded package fix refresh and destroy for resources
 * created by older versions.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as dynamicDoor from "./dynamic";
import { AUTO_NAME_KEY, DYNAMIC_INSTANCE_TYPE, PROVIDER_KEY, providerLoading } from "./dynamic/keys";
import { autoNameOf } from "./lifecycle/names";
import {
  OUTPUT_NAMES,
  SECRET_OUTPUTS,
  type DeclaredValueOf,
  type InputName,
  type InstanceOutputs,
  type OutputName,
} from "./lifecycle/properties";
import type { SettingFlag } from "./greenapi/settings";

/** A Green API yes/no setting: a boolean, or Green API's own "yes" / "no". */
export type Flag = boolean | "yes" | "no";

export type GreenApiInstanceArgs = {
  /** Display name, unique in the account. Default: `<resource name>-<7 characters>`. Changing it replaces the instance. */
  name?: pulumi.Input<string>;
  /** URL that receives webhooks; "" clears it. */
  webhookUrl?: pulumi.Input<string>;
  /** Sent by Green API in the Authorization header of webhooks. A credential: kept secret. */
  webhookUrlToken?: pulumi.Input<string>;
  /** Minimum delay between sent messages, 500–600000 ms. */
  delaySendMessagesMilliseconds?: pulumi.Input<number>;
  /** This instance's API host, as the console shows it; overrides greenapi:apiUrl. */
  apiUrl?: pulumi.Input<string>;
  /**
   * Take over this existing instance instead of creating one (dynamic resources cannot be
   * `pulumi import`ed). Destroying the resource then deletes that instance. Changing it replaces.
   */
  adoptIdInstance?: pulumi.Input<number>;
  /** Log the linked phone out before deleting the instance; default true. */
  logoutOnDelete?: pulumi.Input<boolean>;
  /**
   * Create waits (within greenapi:operationTimeoutSeconds) until Green API has built the instance,
   * so its QR page works when `pulumi up` ends; default false. Green API takes up to ~5 minutes.
   */
  waitForReady?: pulumi.Input<boolean>;
  /**
   * The messenger: "whatsapp" (Green API's default), "telegram", "max" (Green API's "v3", which
   * works too) or "instagram". Sent at create only; changing it replaces the instance.
   */
  typeInstance?: pulumi.Input<"whatsapp" | "telegram" | "max" | "instagram" | "v3">;
  /** Two-letter country code, e.g. "ru". Sent at create only; changing it replaces the instance. */
  countryInstance?: pulumi.Input<string>;
  /** Your own id for the customer this instance serves (getInstances lists it). Sent at create only; changing it replaces. */
  partnerUserUiid?: pulumi.Input<string>;
} & { [K in SettingFlag]?: pulumi.Input<Flag> };

/**
 * `__provider`: a module whose `handler()` gives the host its provider, here the package's dynamic
 * door itself (its exports are the provider's methods). Written out rather than serialized by the
 * SDK from a closure (`pulumi.dynamic.Resource`): 62 bytes instead of 2 KB in each entry's inputs and
 * outputs, which the engine saves after every step of an `up`, and no closure serialization in the program.
 */
export const PROVIDER_MODULE = providerLoading("pulumi-greenapi/lifecycle");

export class GreenApiInstance extends pulumi.CustomResource {
  declare readonly idInstance: pulumi.Output<number>;
  /** Secret. */
  declare readonly apiTokenInstance: pulumi.Output<string>;
  /** Secret: the QR page URL embeds the instance token. */
  declare readonly qrUrl: pulumi.Output<string>;
  /** As Green API names it: "whatsapp", "telegram", "v3" (MAX), "instagram". */
  declare readonly typeInstance: pulumi.Output<string>;
  declare readonly countryInstance: pulumi.Output<string | undefined>;
  declare readonly partnerUserUiid: pulumi.Output<string | undefined>;
  declare readonly name: pulumi.Output<string>;
  declare readonly timeCreated: pulumi.Output<string>;
  declare readonly expirationDate: pulumi.Output<string>;
  declare readonly isExpired: pulumi.Output<boolean>;
  declare readonly tariff: pulumi.Output<string>;
  /** The instance API host used: the declared apiUrl, else apiUrlInstance (if https), else greenapi:apiUrl. */
  declare readonly apiUrl: pulumi.Output<string>;
  /** The instance's own API host as Green API names it. */
  declare readonly apiUrlInstance: pulumi.Output<string | undefined>;
  /** notAuthorized | authorized | blocked | sleepMode | starting | yellowCard (Telegram: suspended, pendingPassword), as of the last create or refresh. */
  declare readonly stateInstance: pulumi.Output<string>;
  /** The linked account (e.g. "79001234567@c.us") while authorized, as of the last create or refresh. */
  declare readonly wid: pulumi.Output<string | undefined>;
  declare readonly webhookUrl: pulumi.Output<string | undefined>;
  /** Secret. */
  declare readonly webhookUrlToken: pulumi.Output<string | undefined>;
  declare readonly delaySendMessagesMilliseconds: pulumi.Output<number | undefined>;
  /** As declared. */
  declare readonly adoptIdInstance: pulumi.Output<number | undefined>;
  /** As declared. */
  declare readonly logoutOnDelete: pulumi.Output<boolean | undefined>;
  /** As declared. */
  declare readonly waitForReady: pulumi.Output<boolean | undefined>;

  constructor(name: string, args: GreenApiInstanceArgs = {}, opts: pulumi.CustomResourceOptions = {}) {
    // Every output becomes a property of the resource; undefined values are not sent to the engine.
    const outputs = Object.fromEntries(OUTPUT_NAMES.map((key) => [key, undefined]));
    const props = {
      ...outputs,
      ...args,
      // An input may be a plain string; as a credential it must not sit in state in clear text.
      webhookUrlToken: args.webhookUrlToken === undefined ? undefined : pulumi.secret(args.webhookUrlToken),
      [AUTO_NAME_KEY]: autoNameOf(pulumi.getProject(), pulumi.getStack(), name),
      [PROVIDER_KEY]: PROVIDER_MODULE,
    };
    const additionalSecretOutputs = [...new Set([...(opts.additionalSecretOutputs ?? []), ...SECRET_OUTPUTS])];
    // Pulumi's SDK records a stack trace for several promises per property of every resource (here
    // over 40 properties, ~160 traces), which only its promise-leak report prints
    // (PULUMI_DEBUG_PROMISE_LEAKS); in a TypeScript program each is mapped through source maps,
    // ~11 ms per instance. Without them a preview of 500 instances takes 5.8 s instead of 12.9 s.
    const stackTraceLimit = Error.stackTraceLimit;
    if (!process.env.PULUMI_DEBUG_PROMISE_LEAKS) Error.stackTraceLimit = 0;
    try {
      super(DYNAMIC_INSTANCE_TYPE, name, props, { ...opts, additionalSecretOutputs });
    } catch (error) {
      // Thrown while traces were off: give it the program's own, where it declared the resource.
      Error.stackTraceLimit = stackTraceLimit;
      if (error instanceof Error) Error.captureStackTrace(error, GreenApiInstance);
      throw error;
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
  }
}

/** The effective yes/no settings, as booleans, typed on the class (see declaration merging). */
type FlagOutputs = { readonly [K in SettingFlag]: pulumi.Output<boolean | undefined> };
export interface GreenApiInstance extends FlagOutputs {}

/*
 * The types above are written out for their documentation; the property table
 * (lifecycle/properties.ts) is the definition, and a drift between them is a type error here.
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
type ArgsOfTable = { [K in InputName]?: pulumi.Input<DeclaredValueOf<K>> };
type _ArgsAreTheTables = [Assert<Same<GreenApiInstanceArgs, ArgsOfTable>>, Assert<Same<keyof GreenApiInstanceArgs, InputName>>];
type OutputValue<T> = T extends pulumi.Output<infer V> ? NonNullable<V> : never;
type OutputsOnClass = { [K in OutputName]: OutputValue<GreenApiInstance[K]> };
type OutputProperties = {
  [K in keyof GreenApiInstance]: GreenApiInstance[K] extends pulumi.Output<unknown> ? K : never;
}[keyof GreenApiInstance];
type _OutputsAreTheTables = [
  Assert<Same<OutputsOnClass, Required<InstanceOutputs>>>,
  Assert<Same<OutputProperties, OutputName | "urn" | "id">>,
];
/** What PROVIDER_MODULE hands the host must be a dynamic provider. */
type _TheDoorIsAProvider = Assert<typeof dynamicDoor extends pulumi.dynamic.ResourceProvider ? true : false>;
