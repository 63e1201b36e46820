// The partner account: every instance ever created (deleted ones stay, as in Green API), and the rules
// for how an instance's state moves. Persistence and HTTP live elsewhere; this is plain data.

import { randomBytes } from "node:crypto";
import { defaultSettings } from "./settings";
import type {
  EmulatedInstance,
  Product,
  OutOfBandChange,
  SeedAccountOptions,
  SeedInstance,
  Settings,
  StartupPhase,
  StateInstance,
  WireInstance,
} from "./types";

/** Green API's "no time" value, used for timeDeleted while an instance is alive. */
export const NO_TIME = "0001-01-01T00:00:00";
const DAY_MS = 24 * 60 * 60 * 1000;
/** Partner instances are billed ahead; the fixtures show expiry a few days after creation. */
const EXPIRY_MS = 6 * DAY_MS;

export interface InstanceRecord extends Omit<EmulatedInstance, "startupPhase" | "apiUrlInstance"> {
  /** An apiUrlInstance set out of band, over its product's listener. */
  apiUrlOverride?: string;
  /** What getSettings shows while "starting": the settings the instance was created with. */
  createdSettings: Settings;
  /** A phase set out of band; it wins over the clock until changed again. */
  pinnedPhase?: "building" | "starting";
  /** Epoch ms; with startupMs > 0 a new instance is "building" until buildingUntil, "starting" until readyAt. */
  buildingUntil: number;
  readyAt: number;
}

export interface StoredState {
  version: 1;
  nextId: number;
  instances: InstanceRecord[];
}

export interface StoreOptions {
  firstId: number;
  startupMs: number;
  /** What a created instance has for the settings createInstance did not name, over defaultSettings(). */
  createDefaults?: Settings;
  /** createInstance ignores typeInstance: every instance is WhatsApp (EmulatorOptions.ignoreTypeInstance). */
  ignoreTypeInstance?: boolean;
}

/** What createInstance names besides settings (docs/greenapi.md §1.1). */
export interface CreateFields {
  /** Absent or "": Green API names it "Instance <idInstance>". */
  name?: string;
  typeInstance?: Product;
  partnerUserUiid?: string;
  countryInstance?: string;
}

export class InstanceStore {
  private readonly records = new Map<number, InstanceRecord>();
  private nextId: number;
  /** Called after every change, so the CLI can persist the account. */
  onChange: () => void = () => {};
  /** Each product's instance API host (set by the server once it listens). */
  hostOf: (product: string) => string = () => "";

  constructor(private readonly options: StoreOptions) {
    this.nextId = options.firstId;
  }

  find(idInstance: number): InstanceRecord | undefined {
    return this.records.get(idInstance);
  }

  all(): IterableIterator<InstanceRecord> {
    return this.records.values();
  }

  create({ name, typeInstance, partnerUserUiid, countryInstance }: CreateFields, settings: Settings, now = Date.now()): InstanceRecord {
    const created = { ...this.options.createDefaults, ...settings, ...(countryInstance === undefined ? {} : { countryInstance }) };
    const product = this.options.ignoreTypeInstance ? undefined : typeInstance;
    const idInstance = this.nextId++;
    // Green API lists an instance created without a name as "Instance <idInstance>" (its partner collection).
    const listed = name || `Instance ${idInstance}`;
    const record = completeRecord({ name: listed, typeInstance: product, partnerUserUiid, settings: created }, idInstance, now);
    if (this.options.startupMs > 0) {
      record.buildingUntil = now + this.options.startupMs / 2;
      record.readyAt = now + this.options.startupMs;
    }
    this.records.set(record.idInstance, record);
    this.onChange();
    return record;
  }

  markDeleted(record: InstanceRecord, now = Date.now()): void {
    record.deleted = true;
    record.timeDeleted = wireTime(now);
    this.onChange();
  }

  applySettings(record: InstanceRecord, patch: Settings): void {
    record.settings = { ...record.settings, ...patch };
    this.onChange();
  }

  logout(record: InstanceRecord): void {
    setAuthorization(record, "notAuthorized");
    this.onChange();
  }

  phaseOf(record: InstanceRecord, now = Date.now()): StartupPhase {
    if (record.pinnedPhase) return record.pinnedPhase;
    if (now < record.buildingUntil) return "building";
    if (now < record.readyAt) return "starting";
    return null;
  }

  view(record: InstanceRecord, now = Date.now()): EmulatedInstance {
    const { createdSettings, pinnedPhase, buildingUntil, readyAt, apiUrlOverride, settings, ...rest } = record;
    return { ...rest, apiUrlInstance: this.apiUrlOf(record), settings: { ...settings }, startupPhase: this.phaseOf(record, now) };
  }

  apiUrlOf(record: InstanceRecord): string {
    return record.apiUrlOverride || this.hostOf(record.typeInstance);
  }

  wireList(): WireInstance[] {
    return Array.from(this.records.values(), (record) => toWire(record, this.apiUrlOf(record)));
  }

  seed(instances: SeedInstance[], now = Date.now()): InstanceRecord[] {
    const records = instances.map((seed) => {
      const id = seed.idInstance ?? this.nextId;
      const record = completeRecord(seed, id, now);
      this.add(record);
      return record;
    });
    this.onChange();
    return records;
  }

  seedAccount({ alive, deleted = 0, namePrefix = "Instance " }: SeedAccountOptions, now = Date.now()): void {
    const total = alive + deleted;
    // One random buffer instead of one crypto call per instance: keeps 10,000 instances well under a second.
    const tokens = randomBytes(25 * total).toString("hex");
    for (let i = 0; i < total; i++) {
      const id = this.nextId;
      // Spread the deleted ones evenly through the account, as churn would.
      const isDeleted = Math.floor(((i + 1) * deleted) / total) > Math.floor((i * deleted) / total);
      const created = now - (total - i) * 60 * 60 * 1000;
      this.add(
        completeRecord(
          {
            name: `${namePrefix}${id}`,
            apiTokenInstance: tokens.slice(i * 50, i * 50 + 50),
            timeCreated: wireTime(created),
            deleted: isDeleted,
            timeDeleted: isDeleted ? wireTime(created + 30 * 60 * 1000) : NO_TIME,
            stateInstance: isDeleted ? "notAuthorized" : "authorized",
          },
          id,
          now,
        ),
      );
    }
    this.onChange();
  }

  deleteOutOfBand(idInstance: number, now = Date.now()): void {
    const record = this.require(idInstance);
    if (!record.deleted) this.markDeleted(record, now);
  }

  changeOutOfBand(idInstance: number, change: OutOfBandChange): void {
    const record = this.require(idInstance);
    if (change.name !== undefined) record.name = change.name;
    if (change.partnerUserUiid !== undefined) record.partnerUserUiid = change.partnerUserUiid;
    if (change.countryInstance !== undefined) record.settings = { ...record.settings, countryInstance: change.countryInstance };
    if (change.apiUrlInstance !== undefined) record.apiUrlOverride = change.apiUrlInstance || undefined;
    if (change.apiTokenInstance !== undefined) record.apiTokenInstance = change.apiTokenInstance;
    if (change.settings) record.settings = { ...record.settings, ...change.settings };
    if (change.stateInstance !== undefined) setAuthorization(record, change.stateInstance);
    if (change.wid !== undefined) record.settings = { ...record.settings, wid: change.wid };
    if (change.startupPhase !== undefined) pinPhase(record, change.startupPhase);
    this.onChange();
  }

  snapshot(): StoredState {
    return { version: 1, nextId: this.nextId, instances: Array.from(this.records.values()) };
  }

  /** Loads a saved account; missing fields are filled like seeds, so hand-edited files still work. */
  restore(state: StoredState, now = Date.now()): void {
    for (const saved of state.instances) {
      const record = completeRecord(saved, saved.idInstance, now);
      if (saved.createdSettings) record.createdSettings = { ...defaultSettings(), ...saved.createdSettings };
      if (saved.pinnedPhase) record.pinnedPhase = saved.pinnedPhase;
      if (saved.apiUrlOverride) record.apiUrlOverride = saved.apiUrlOverride;
      record.buildingUntil = numberOr(saved.buildingUntil, 0);
      record.readyAt = numberOr(saved.readyAt, 0);
      this.add(record);
    }
    this.nextId = Math.max(this.nextId, numberOr(state.nextId, 0));
  }

  private add(record: InstanceRecord): void {
    this.records.set(record.idInstance, record);
    this.nextId = Math.max(this.nextId, record.idInstance + 1);
  }

  private require(idInstance: number): InstanceRecord {
    const record = this.records.get(idInstance);
    if (!record) throw new Error(`GreenApiEmulator: no instance ${idInstance}`);
    return record;
  }
}

/** Green API's timestamp format: UTC without a zone, e.g. "2022-06-03T18:39:44". */
export function wireTime(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 19);
}

export function newInstanceToken(): string {
  return randomBytes(25).toString("hex");
}

/** A plausible phone id for an authorized instance; stable per instance. */
function widFor(idInstance: number): string {
  return `79${String(idInstance % 1e9).padStart(9, "0")}@c.us`;
}

function setAuthorization(record: InstanceRecord, state: StateInstance): void {
  record.stateInstance = state;
  if (state === "authorized" && !record.settings.wid) {
    record.settings = { ...record.settings, wid: widFor(record.idInstance) };
  } else if (state === "notAuthorized") {
    record.settings = { ...record.settings, wid: "" };
  }
}

function pinPhase(record: InstanceRecord, phase: StartupPhase): void {
  if (phase) {
    record.pinnedPhase = phase;
  } else {
    delete record.pinnedPhase;
    record.buildingUntil = 0;
    record.readyAt = 0;
  }
}

function completeRecord(seed: SeedInstance, idInstance: number, now: number): InstanceRecord {
  const deleted = seed.deleted ?? false;
  const timeCreated = seed.timeCreated ?? wireTime(now);
  const createdMs = Date.parse(`${timeCreated}Z`);
  const record: InstanceRecord = {
    idInstance,
    name: seed.name ?? "",
    typeInstance: seed.typeInstance ?? "whatsapp",
    typeAccount: seed.typeAccount ?? "",
    partnerUserUiid: seed.partnerUserUiid ?? "",
    timeCreated,
    timeDeleted: seed.timeDeleted ?? (deleted ? wireTime(now) : NO_TIME),
    apiTokenInstance: seed.apiTokenInstance ?? newInstanceToken(),
    deleted,
    tariff: seed.tariff ?? "PARTNER_23",
    isFree: seed.isFree ?? false,
    isPartner: seed.isPartner ?? true,
    expirationDate: seed.expirationDate ?? wireTime((Number.isNaN(createdMs) ? now : createdMs) + EXPIRY_MS),
    isExpired: seed.isExpired ?? false,
    settings: { ...defaultSettings(), ...seed.settings },
    stateInstance: "notAuthorized",
    createdSettings: {},
    buildingUntil: 0,
    readyAt: 0,
  };
  setAuthorization(record, seed.stateInstance ?? "notAuthorized");
  if (seed.settings?.wid !== undefined) record.settings.wid = seed.settings.wid;
  if (seed.startupPhase) record.pinnedPhase = seed.startupPhase;
  if (seed.apiUrlInstance) record.apiUrlOverride = seed.apiUrlInstance;
  record.createdSettings = record.settings;
  return record;
}

function toWire(r: InstanceRecord, apiUrlInstance: string): WireInstance {
  return {
    idInstance: r.idInstance,
    name: r.name,
    typeInstance: r.typeInstance,
    apiUrlInstance,
    typeAccount: r.typeAccount,
    partnerUserUiid: r.partnerUserUiid,
    timeCreated: r.timeCreated,
    timeDeleted: r.timeDeleted,
    apiTokenInstance: r.apiTokenInstance,
    deleted: r.deleted,
    tariff: r.tariff,
    isFree: r.isFree,
    isPartner: r.isPartner,
    expirationDate: r.expirationDate,
    isExpired: r.isExpired,
  };
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}
