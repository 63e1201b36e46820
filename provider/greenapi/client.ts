/**
 * PartnerClient: Green API's partner methods and the per-instance settings/state methods, typed and
 * validated. Used by the provider and usable on its own from scripts (`pulumi-greenapi/client`).
 */
import type { z } from "zod";
import { dropAbsent } from "./absent";
import { GreenApiError, isGreenApiError } from "./errors";
import * as wire from "./schemas";
import { settingsFromWire, settingsToWire, type Settings } from "./settings";
import { apiUrlProblem, ConfigurationError, DEFAULT_API_URL, PARTNER_CLIENT_ENV, readClientSettings } from "./client-settings";
import type { Deadlines } from "./deadlines";
import { Transport, type Call } from "./transport";
import { withinDeadline } from "./waiting";
import type { RetryPolicy } from "./retry";
import { partnerBucketOf, type PartnerBucket } from "./pacer";

export { DEFAULT_API_URL, PARTNER_CLIENT_ENV } from "./client-settings";

export interface PartnerClientOptions {
  partnerToken: string;
  /** Partner API host; default https://api.green-api.com. */
  partnerApiUrl?: string;
  /** Default instance API host, for instances that do not name their own; default https://api.green-api.com. */
  apiUrl?: string;
  deadlines?: Partial<Deadlines>;
  retry?: RetryPolicy;
}

/**
 * The address of one instance's API — id, token, host, product — once the provider knows all four
 * (built by lifecycle/hosts.ts instanceRef); every instance call takes one.
 */
export interface InstanceRef {
  idInstance: number;
  apiTokenInstance: string;
  /** This instance's API host (the console shows it); falls back to the client's apiUrl. */
  apiUrl?: string;
  /** "v3" (MAX) instances live under /v3. */
  typeInstance?: string;
}

/** Green API's products: `max` is MAX, "v3" on the wire (its own spelling works too). */
export type InstanceProduct = "whatsapp" | "telegram" | "max" | "instagram";

export type CreateInstanceRequest = Settings & {
  name?: string;
  /** Default (not sent): Green API's, a WhatsApp instance. */
  typeInstance?: InstanceProduct | "v3";
  /** Two-letter country code; Green API's default is "ru". */
  countryInstance?: string;
  /** The partner's own id for the customer this instance serves; getInstances lists it. */
  partnerUserUiid?: string;
};

/** An input product → Green API's typeInstance on the wire (MAX is "v3"); other values as given. */
export function wireTypeInstance(typeInstance: string): string {
  return typeInstance === "max" ? "v3" : typeInstance;
}

// The result types are written out rather than inferred from the zod schemas, so the declarations a
// user's compiler reads never import zod (whose own .d.cts files fail to compile without
// skipLibCheck and esModuleInterop, as in Pulumi's TypeScript template). `_SameAsSchemas` keeps the two equal.

/**
 * One row of getInstances: the instance as the partner list shows it, alive or deleted (Green API
 * lists deleted ones for ~3 months). Fields older accounts lack are optional; Green API may add more.
 */
export interface InstanceListItem {
  idInstance: number;
  name?: string | null;
  /** "whatsapp", "telegram", "v3" (MAX), "instagram". */
  typeInstance?: string | null;
  /** The instance's own API host, when Green API names it. */
  apiUrlInstance?: string | null;
  /** "" unless set at create. */
  partnerUserUiid?: string | null;
  /** Not in the documented rows (getSettings has it); read when present. */
  countryInstance?: string | null;
  /** "2022-06-03T18:39:44", no time zone. */
  timeCreated?: string | null;
  /** "0001-01-01T00:00:00" while alive. */
  timeDeleted?: string | null;
  /** May stop being listed (an open Green API proposal): keep the one createInstance returned. */
  apiTokenInstance?: string | null;
  /** Deleted instances stay listed for about three months. */
  deleted?: boolean | null;
  tariff?: string | null;
  isFree?: boolean | null;
  isPartner?: boolean | null;
  expirationDate?: string | null;
  isExpired?: boolean | null;
  [field: string]: unknown;
}

/**
 * What createInstance answers, the only moment an instance is known by its answer alone: the new
 * instance's id and token (keep the token: it is a credential).
 */
export interface CreatedInstance {
  idInstance: number;
  apiTokenInstance: string;
  typeInstance?: string;
  /** The instance's own API host, when Green API names it. */
  apiUrlInstance?: string;
  [field: string]: unknown;
}

/** qr's answer: a base64 PNG for "qrCode", a text for "alreadyLogged" and "error". */
export interface QrCode {
  type: "qrCode" | "alreadyLogged" | "error" | (string & {});
  message: string;
  [field: string]: unknown;
}

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
type _SameAsSchemas = [
  Assert<Same<InstanceListItem, wire.InstanceListItem>>,
  Assert<Same<CreatedInstance, wire.CreateInstanceResponse>>,
  Assert<Same<QrCode, wire.QrResponse>>,
];

/**
 * Green API's rate limiter counts each method of each instance on its own: 1 request/second for
 * getSettings, setSettings, getStateInstance, logout and reboot, 3/second for qr
 * (https://green-api.com/en/docs/api/ratelimiter/).
 */
const INSTANCE_INTERVAL_MS = 1_050;
const QR_INTERVAL_MS = 350;

export class PartnerClient {
  private readonly partnerToken: string;
  private readonly partnerApiUrl: string;
  private readonly apiUrl: string;
  private readonly transport: Transport;
  /** The account's partner gateway bucket, shared with every other client of this account in this process. */
  private readonly bucket: PartnerBucket;

  constructor(options: PartnerClientOptions) {
    this.partnerToken = options.partnerToken;
    this.partnerApiUrl = trimSlash(checkedUrl("partnerApiUrl", options.partnerApiUrl ?? DEFAULT_API_URL));
    this.apiUrl = trimSlash(checkedUrl("apiUrl", options.apiUrl ?? DEFAULT_API_URL));
    this.transport = new Transport({ deadlines: options.deadlines, retry: options.retry });
    this.bucket = partnerBucketOf(this.partnerApiUrl, this.partnerToken);
  }

  /**
   * A client configured from the environment (see PARTNER_CLIENT_ENV): GREEN_API_PARTNER_TOKEN is
   * required; the URLs default to https://api.green-api.com, the timeouts to 30 s per request and
   * 120 s per operation. `options` (deadlines, retry) win over the environment.
   */
  static fromEnv(
    env: Record<string, string | undefined> = process.env,
    options: Omit<PartnerClientOptions, "partnerToken"> = {},
  ): PartnerClient {
    const settings = readClientSettings(
      (setting) => env[PARTNER_CLIENT_ENV[setting]],
      (setting) => PARTNER_CLIENT_ENV[setting],
    );
    if (!settings.partnerToken) {
      throw new ConfigurationError(
        `${PARTNER_CLIENT_ENV.partnerToken} is not set: export the partner token from the Green API partner console.`,
      );
    }
    return new PartnerClient({
      partnerToken: settings.partnerToken,
      partnerApiUrl: options.partnerApiUrl ?? settings.partnerApiUrl,
      apiUrl: options.apiUrl ?? settings.apiUrl,
      deadlines: { ...settings.deadlines, ...options.deadlines },
      retry: options.retry,
    });
  }

  /**
   * Runs several calls as one operation: together, retries and waits included, they end within
   * `deadlines.operationMs` (by default 2 minutes) — not each of them.
   */
  operation<T>(work: () => Promise<T>): Promise<T> {
    return withinDeadline(Date.now() + this.transport.deadlines.operationMs, work);
  }

  /**
   * Every instance of the account, deleted ones included (Green API keeps them ~3 months): one
   * request per call. `onSend` is told when (each attempt of) the request goes out, after any wait
   * for the account's partner rate limit.
   */
  async getInstances(options: { onSend?: (at: number) => void } = {}): Promise<InstanceListItem[]> {
    return this.partner("getInstances", "GET", undefined, wire.getInstancesResponse, [], options.onSend);
  }

  /**
   * Creates (and starts billing for) an instance. Never retried after the request may have reached
   * Green API: on an error with `outcomeUnknown`, Green API may still perform it until the error's
   * `settlesAt`; look for the instance by name in a list requested after that before creating again.
   */
  async createInstance(request: CreateInstanceRequest): Promise<CreatedInstance> {
    const { name, typeInstance, countryInstance, partnerUserUiid, ...settings } = request;
    // Only what the caller declared: Green API's defaults stand for the rest.
    const declared = dropAbsent({
      name,
      typeInstance: typeInstance && wireTypeInstance(typeInstance),
      countryInstance,
      partnerUserUiid,
    });
    const body = { ...declared, ...settingsToWire(settings) };
    const answer = await this.partner("createInstance", "POST", body, wire.createInstanceAnswer, [request.webhookUrlToken]);
    if ("idInstance" in answer && typeof answer.apiTokenInstance === "string") return answer as CreatedInstance;
    throw createInstanceFailure(answer as z.infer<typeof wire.createInstanceFailure>);
  }

  /** "alreadyGone" when Green API answers 404: the instance was deleted before, or never existed. */
  async deleteInstanceAccount(idInstance: number): Promise<"deleted" | "alreadyGone"> {
    try {
      const answer = await this.partner("deleteInstanceAccount", "POST", { idInstance }, wire.deleteInstanceAccountResponse);
      if (!answer.deleteInstanceAccount) {
        throw new GreenApiError(
          { code: "invalid_request", method: "deleteInstanceAccount" },
          `Green API answered deleteInstanceAccount: false: instance ${idInstance} was not deleted and is still billed`,
          "Check the instance in the partner console, then delete it again.",
        );
      }
      return "deleted";
    } catch (error) {
      if (isGreenApiError(error, "not_found")) return "alreadyGone";
      throw error;
    }
  }

  /** The instance's current settings; `wid` is the linked phone once authorized; `countryInstance` as Green API reports it. */
  async getSettings(instance: InstanceRef): Promise<{ settings: Settings; wid?: string; countryInstance?: string }> {
    const body = await this.instance(instance, "getSettings", "GET", undefined, wire.getSettingsResponse);
    return { settings: settingsFromWire(body), wid: body.wid || undefined, countryInstance: body.countryInstance ?? undefined };
  }

  /**
   * Applies settings in one call. Green API restarts the instance on every call: batch changes.
   * After an attempt whose outcome is unknown, the operation ends only once that attempt can no
   * longer land (Green API gives setSettings no ordering: a late one would overwrite newer values).
   */
  async setSettings(instance: InstanceRef, settings: Settings): Promise<void> {
    const body = await this.instance(instance, "setSettings", "POST", settingsToWire(settings), wire.setSettingsResponse, [
      settings.webhookUrlToken,
    ]);
    if (!body.saveSettings) {
      throw new GreenApiError({ code: "invalid_request", method: "setSettings" }, "Green API answered saveSettings: false");
    }
  }

  /** null while Green API is still building the instance (its first minutes). */
  async getStateInstance(instance: InstanceRef): Promise<string | null> {
    const body = await this.instance(instance, "getStateInstance", "GET", undefined, wire.getStateInstanceResponse);
    return body?.stateInstance ?? null;
  }

  /** The QR code to link a phone ("qrCode", a base64 PNG that rotates every ~20 s), or why there is none. */
  async qr(instance: InstanceRef): Promise<QrCode> {
    return this.instance(instance, "qr", "GET", undefined, wire.qrResponse, [], QR_INTERVAL_MS);
  }

  /** Unlinks the phone; true when Green API accepted. Deleting an instance does not do this by itself. */
  async logout(instance: InstanceRef): Promise<boolean> {
    return (await this.instance(instance, "logout", "GET", undefined, wire.logoutResponse)).isLogout;
  }

  /** Restarts the instance; true when Green API accepted. */
  async reboot(instance: InstanceRef): Promise<boolean> {
    return (await this.instance(instance, "reboot", "GET", undefined, wire.rebootResponse)).isReboot;
  }

  /** Closes the keep-alive connections; a script should call it when done. */
  async close(): Promise<void> {
    await this.transport.close();
  }

  private async partner<S extends z.ZodType>(
    method: string,
    verb: Call["verb"],
    body: unknown,
    schema: S,
    extraSecrets: Array<string | undefined> = [],
    onSend?: Call["onSend"],
  ): Promise<z.infer<S>> {
    const url = `${this.partnerApiUrl}/partner/${method}/${encodeURIComponent(this.partnerToken)}`;
    return this.send(
      {
        method,
        verb,
        url,
        body,
        secrets: [this.partnerToken, ...extraSecrets],
        repeatability: method === "createInstance" ? "once" : "safe",
        write: method === "createInstance",
        bucket: this.bucket,
        onSend,
      },
      schema,
    );
  }

  private async instance<S extends z.ZodType>(
    ref: InstanceRef,
    method: string,
    verb: Call["verb"],
    body: unknown,
    schema: S,
    extraSecrets: Array<string | undefined> = [],
    intervalMs = INSTANCE_INTERVAL_MS,
  ): Promise<z.infer<S>> {
    const host = trimSlash(ref.apiUrl ? checkedUrl("the instance's apiUrl", ref.apiUrl) : this.apiUrl);
    const prefix = ref.typeInstance === "v3" ? "/v3" : "";
    const url = `${host}${prefix}/waInstance${ref.idInstance}/${method}/${encodeURIComponent(ref.apiTokenInstance)}`;
    return this.send(
      {
        method,
        verb,
        url,
        body,
        secrets: [ref.apiTokenInstance, this.partnerToken, ...extraSecrets],
        // getSettings/state are reads; setSettings with the same body lands on the same settings.
        repeatability: "safe",
        // A late setSettings must not land over a later one's values (see Call.write).
        write: method === "setSettings",
        pace: { key: `${host}/${ref.idInstance}/${method}`, intervalMs },
      },
      schema,
    );
  }

  private async send<S extends z.ZodType>(call: Call, schema: S): Promise<z.infer<S>> {
    const body = await this.transport.call(call);
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new GreenApiError(
        { code: "malformed_response", method: call.method },
        `the answer does not have the documented shape (${wire.describeIssues(parsed.error)})`,
        undefined,
        { cause: parsed.error },
      );
    }
    return parsed.data;
  }
}

/**
 * createInstance's error inside HTTP 200 (§1.3): code 100 created nothing; any other (200 "error
 * saving") may have. The server's text is not quoted: it was not redacted by the transport.
 */
function createInstanceFailure(answer: { code: number }): GreenApiError {
  if (answer.code === 100) {
    return new GreenApiError(
      { code: "no_free_instances", method: "createInstance", status: 100 },
      "HTTP 200 with code 100 (no free instances)",
    );
  }
  return new GreenApiError(
    { code: "malformed_response", method: "createInstance", status: answer.code, outcomeUnknown: true },
    `HTTP 200 with code ${answer.code} instead of the new instance`,
  );
}

function checkedUrl(option: string, url: string): string {
  const problem = apiUrlProblem(url);
  if (problem) throw new ConfigurationError(`PartnerClient: ${option} ${problem}.`);
  return url;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}
