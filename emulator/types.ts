// Public types of the emulator. Field names are Green API's own wire names (see docs/greenapi.md).

import type { PartnerRateLimit } from "./rate-limit";

export type { PartnerRateLimit } from "./rate-limit";

export type PartnerMethod = "createInstance" | "getInstances" | "deleteInstanceAccount";
export type InstanceMethod = "getSettings" | "setSettings" | "getStateInstance" | "qr" | "logout" | "reboot";
export type Method = PartnerMethod | InstanceMethod;

export type StateInstance =
  | "notAuthorized"
  | "authorized"
  | "blocked"
  | "sleepMode"
  | "starting"
  | "yellowCard"
  // Telegram's own (docs/greenapi.md §2).
  | "suspended"
  | "pendingPassword";

/** Green API's products, by their typeInstance on the wire ("v3" is MAX). */
export const PRODUCTS = ["whatsapp", "telegram", "v3", "instagram"] as const;
export type Product = (typeof PRODUCTS)[number];

/** Where a new instance is in its start-up: "building", then "starting", then null (ready). */
export type StartupPhase = "building" | "starting" | null;

export type Settings = Record<string, string | number>;

/**
 * A misbehaviour of the next matching request(s).
 * - status: answer that HTTP status (Retry-After when retryAfterSeconds is set) without performing the operation.
 * - drop: destroy the socket without answering; operation not performed.
 * - hang: never answer (until the client gives up or the emulator closes); operation not performed.
 * - malformed: HTTP 200 with truncated JSON; operation not performed.
 * - html: HTTP 502 with an HTML page, as a proxy in front of the API would; operation not performed.
 * - performThenDrop: perform the operation, then destroy the socket (the "lost response").
 * - late: hold the request for `delayMs`, then perform it whether or not the client is still connected,
 *   then answer if it is — a slow backend that finishes after the client gave up.
 * `times` (default 1) is how many matching requests it affects; `idInstance` restricts it to requests for
 * that instance (instance API path, or the idInstance in a deleteInstanceAccount body), `name` to
 * createInstance requests for an instance of that name.
 */
export type Fault =
  | {
      method: Method;
      kind: "status";
      status: number;
      retryAfterSeconds?: number;
      body?: string;
      times?: number;
      idInstance?: number;
      name?: string;
    }
  | {
      method: Method;
      kind: "drop" | "hang" | "malformed" | "html" | "performThenDrop";
      times?: number;
      idInstance?: number;
      name?: string;
    }
  | {
      method: Method;
      kind: "late";
      delayMs: number;
      times?: number;
      idInstance?: number;
      name?: string;
    };

export type FaultKind = Fault["kind"];

/** Which injected faults to clear: those of this method, instance and/or name. */
export type FaultTarget = Partial<Pick<Fault, "method" | "idInstance" | "name">>;

/** One row of getInstances (docs/greenapi.md §1.2): exactly these keys, never the settings. */
export interface WireInstance {
  idInstance: number;
  name: string;
  typeInstance: string;
  /** The instance's own API host: its product's listener (see EmulatorOptions.instanceHosts). */
  apiUrlInstance: string;
  typeAccount: string;
  partnerUserUiid: string;
  timeCreated: string;
  timeDeleted: string;
  apiTokenInstance: string;
  deleted: boolean;
  tariff: string;
  isFree: boolean;
  isPartner: boolean;
  expirationDate: string;
  isExpired: boolean;
}

/**
 * The emulator's own record of an instance — its list row plus what only its instance API shows —
 * standing in for Green API's database. Nothing in the provider sees this type.
 */
export interface EmulatedInstance extends WireInstance {
  /** The full getSettings body. */
  settings: Settings;
  stateInstance: StateInstance;
  startupPhase: StartupPhase;
}

export type SeedInstance = Partial<Omit<EmulatedInstance, "settings">> & { settings?: Settings };

export interface OutOfBandChange {
  name?: string;
  partnerUserUiid?: string;
  /** Sets the instance's countryInstance (getSettings shows it). */
  countryInstance?: string;
  /** Overrides the apiUrlInstance Green API reports for it; "" restores its product's listener. */
  apiUrlInstance?: string;
  settings?: Settings;
  stateInstance?: StateInstance;
  startupPhase?: StartupPhase;
  apiTokenInstance?: string;
  wid?: string;
}

export interface SeedAccountOptions {
  alive: number;
  deleted?: number;
  namePrefix?: string;
}

export interface EmulatorOptions {
  /** Default 0: an ephemeral port. */
  port?: number;
  /** Default "127.0.0.1". */
  host?: string;
  /** Default: random, "gac" + 32 hex characters. */
  partnerToken?: string;
  /** Delay added before every answer (default 0). */
  latencyMs?: number;
  /** Per-instance rate limits on the instance API (default false). */
  rateLimit?: boolean;
  /**
   * The partner gateway's token bucket, one per account for createInstance, getInstances and
   * deleteInstanceAccount: over it, HTTP 429 with X-RateLimit-* headers and no Retry-After, the call
   * not performed (docs/greenapi.md §1.3; Green API's is 10 a second, bursts of 20). Default false: none,
   * and no X-RateLimit-* headers. The CLI emulator has it on.
   */
  partnerRateLimit?: PartnerRateLimit | false;
  /** If > 0, new instances spend the first half "building", the second half "starting", then are ready. */
  startupMs?: number;
  /** Load instances from this JSON file at start (if it exists) and save them after every change. */
  statePath?: string;
  /** Receives one line per request, tokens redacted. */
  log?: (line: string) => void;
  /** Default 1101728000. */
  firstId?: number;
  /**
   * What a new instance has for the settings createInstance did not name (wire values, e.g.
   * `{ outgoingWebhook: "yes" }`). By default everything is off and the delay is 5000 ms; Green API's
   * own documents disagree on these defaults, so tests can try others.
   */
  createDefaults?: Settings;
  /**
   * Serve each product's instance API on a listener of its own (its `apiUrlInstance`), and only
   * there: `url` then serves the partner API alone, so an instance call sent to the wrong host
   * fails. Default false: one listener serves both APIs.
   */
  instanceHosts?: boolean;
  /**
   * Behave like a partner API whose createInstance does not take `typeInstance` (today's docs do
   * not list it; docs/greenapi.md §1.1): the field is ignored and every new instance is WhatsApp.
   * Default false.
   */
  ignoreTypeInstance?: boolean;
}

export interface RecordedRequest {
  method: Method | "unknown";
  /** The listener it arrived at (`url`, or a product's instance host). */
  host: string;
  /** "/v3" for a MAX-style path, else "". */
  prefix: string;
  idInstance?: number;
  /** Parsed JSON when the body was JSON, the raw text otherwise, absent when there was no body. */
  body?: unknown;
  /** 0 when no answer was sent (drop, hang, performThenDrop, or a late answer nobody waited for). */
  status: number;
  at: number;
  /** When the operation took effect, for requests that were performed (a late one performs after `at`). */
  performedAt?: number;
}
