// GreenApiEmulator: one HTTP server for both the partner API and the instance API (or, with
// instanceHosts, one more per product for its instance API alone), plus the controls a test needs
// (seeding, out-of-band changes, faults, latency, rate limits) and what it observed.

import { randomBytes } from "node:crypto";
import { setMaxListeners } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { readBody, recordedBody, type RequestBody } from "./body";
import { FaultBook, faultReply } from "./faults";
import { handleInstance } from "./instance-api";
import { handlePartner } from "./partner";
import { readStateFile, writeStateFile } from "./persistence";
import { PartnerGateway, RateLimiter, type PartnerRateLimit } from "./rate-limit";
import { textReply, type Reply } from "./reply";
import { METHODS, parseRoute, redactUrl, verbsOf, type Route } from "./routes";
import { InstanceStore } from "./state";
import { PRODUCTS } from "./types";
import type {
  EmulatedInstance,
  EmulatorOptions,
  Fault,
  FaultKind,
  FaultTarget,
  Method,
  OutOfBandChange,
  RecordedRequest,
  SeedAccountOptions,
  SeedInstance,
} from "./types";

const DEFAULT_FIRST_ID = 1101728000;

/**
 * What happens to a request once decided: an answer, or the socket is dropped, or left hanging, or
 * the request is held and performed later (answered only if the client still waits).
 */
/** One listening socket: the partner URL (and, by default, every instance API) or one product's instance API. */
interface Listener {
  server: Server;
  /** Set once listening. */
  url: string;
  /** The product whose instance API alone it serves; undefined for the main listener. */
  product?: string;
}

type Outcome =
  | { kind: "answer"; reply: Reply; fault?: FaultKind }
  | { kind: "drop" | "hang"; fault: FaultKind }
  | { kind: "late"; delayMs: number; perform: () => Reply; fault: FaultKind };

export class GreenApiEmulator {
  readonly partnerToken: string;
  /** Every request in arrival order (tests only: bodies may hold credentials, never print them). */
  readonly requests: RecordedRequest[] = [];

  private readonly store: InstanceStore;
  private readonly faults = new FaultBook();
  private readonly limiter: RateLimiter;
  private readonly gateway: PartnerGateway;
  private readonly main: Listener;
  /** With instanceHosts: each product's instance API listener. */
  private readonly productListeners = new Map<string, Listener>();
  private readonly log: (line: string) => void;
  private readonly hanging = new Set<ServerResponse>();
  /** Requests a late fault holds, until they are performed. */
  private readonly held = new Set<Promise<void>>();
  // Aborts latency waits on close, so close() never waits for them.
  private readonly closing = new AbortController();
  private latencyMs: number;
  private callCounts = zeroCounts();

  private constructor(options: EmulatorOptions) {
    // Every request waiting out the latency listens for close: thousands at once is expected.
    setMaxListeners(0, this.closing.signal);
    this.partnerToken = options.partnerToken ?? `gac${randomBytes(16).toString("hex")}`;
    this.latencyMs = options.latencyMs ?? 0;
    this.limiter = new RateLimiter(options.rateLimit ?? false);
    this.gateway = new PartnerGateway(options.partnerRateLimit || undefined);
    this.log = options.log ?? (() => {});
    this.store = new InstanceStore({
      firstId: options.firstId ?? DEFAULT_FIRST_ID,
      startupMs: options.startupMs ?? 0,
      createDefaults: options.createDefaults,
      ignoreTypeInstance: options.ignoreTypeInstance,
    });
    if (options.statePath) this.persistTo(options.statePath);
    this.main = this.listener();
    if (options.instanceHosts) for (const product of PRODUCTS) this.productListeners.set(product, this.listener(product));
    this.store.hostOf = (product) => (this.productListeners.get(product) ?? this.main).url;
  }

  static async start(options: EmulatorOptions = {}): Promise<GreenApiEmulator> {
    const emulator = new GreenApiEmulator(options);
    const host = options.host ?? "127.0.0.1";
    await emulator.listen(emulator.main, options.port ?? 0, host);
    for (const listener of emulator.productListeners.values()) await emulator.listen(listener, 0, host);
    return emulator;
  }

  /**
   * Every credential this emulator handed out or was given: its partner token, the instance tokens,
   * the webhook tokens. What a leak scan looks for in everything a test printed.
   */
  credentials(): string[] {
    const all = [
      this.partnerToken,
      ...this.list().flatMap((instance) => [instance.apiTokenInstance, String(instance.settings.webhookUrlToken ?? "")]),
    ];
    return [...new Set(all.filter((credential) => credential.length > 0))];
  }

  /** Base URL of the partner API, and of every instance API unless instanceHosts, e.g. "http://127.0.0.1:7700". */
  get url(): string {
    return this.main.url;
  }

  /** The instance API host of a product ("whatsapp", "telegram", "v3", "instagram"): its apiUrlInstance. */
  instanceUrl(typeInstance: string): string {
    return this.store.hostOf(typeInstance);
  }

  async close(): Promise<void> {
    this.closing.abort();
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    const servers = [this.main, ...this.productListeners.values()].map(({ server }) => server);
    await Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
  }

  // --- state control ---

  /** Adds instances (alive unless told otherwise); missing fields are filled as createInstance would. */
  seed(instances: SeedInstance[]): EmulatedInstance[] {
    return this.store.seed(instances).map((record) => this.store.view(record));
  }

  /** A big, realistic account: ids in sequence, alive ones authorized, deleted ones spread through. */
  seedAccount(options: SeedAccountOptions): void {
    this.store.seedAccount(options);
  }

  /** Deep copies of every instance, deleted ones included. */
  list(): EmulatedInstance[] {
    const now = Date.now();
    return Array.from(this.store.all(), (record) => this.store.view(record, now));
  }

  get(idInstance: number): EmulatedInstance | undefined {
    const record = this.store.find(idInstance);
    return record && this.store.view(record);
  }

  /** As if deleted in the console. */
  deleteOutOfBand(idInstance: number): void {
    this.store.deleteOutOfBand(idInstance);
  }

  /** As if changed in the console or on the phone; settings are applied as given, without validation. */
  changeOutOfBand(idInstance: number, change: OutOfBandChange): void {
    this.store.changeOutOfBand(idInstance, change);
  }

  // --- observation ---

  count(method: Method): number {
    return this.callCounts[method];
  }

  counts(): Record<Method, number> {
    return { ...this.callCounts };
  }

  /** Zeroes the counts and empties `requests`. */
  resetCounts(): void {
    this.callCounts = zeroCounts();
    this.requests.length = 0;
  }

  // --- faults and knobs ---

  injectFault(fault: Fault): void {
    this.faults.inject(fault);
  }

  /** Drops the injected faults not yet used up: all of them, or those aimed at `target`. */
  clearFaults(target?: FaultTarget): void {
    this.faults.clear(target);
  }

  setRateLimit(enabled: boolean): void {
    this.limiter.setEnabled(enabled);
  }

  /** The partner gateway's bucket (a full one from now on), or `false` for none. */
  setPartnerRateLimit(limit: PartnerRateLimit | false): void {
    this.gateway.set(limit || undefined);
  }

  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  /** Resolves once every request a late fault is holding right now has been performed. */
  async lateRequestsPerformed(): Promise<void> {
    while (this.held.size > 0) await Promise.all(this.held);
  }

  // --- serving ---

  private listener(product?: string): Listener {
    const listener: Listener = { url: "", product, server: createServer((req, res) => void this.handle(req, res, listener)) };
    return listener;
  }

  private async listen(listener: Listener, port: number, host: string): Promise<void> {
    const { server } = listener;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const { port: bound } = server.address() as AddressInfo;
    listener.url = `http://${host.includes(":") ? `[${host}]` : host}:${bound}`;
  }

  /**
   * Whether this listener serves the route: instance calls only on the instance's own host and with
   * its product's prefix (MAX needs /v3, the others must not have it), partner calls only on `url`.
   */
  private serves(route: Route, listener: Listener): boolean {
    if (route.api === "partner") return listener.product === undefined;
    if (route.api !== "instance") return true;
    const record = this.store.find(route.idInstance);
    if (!record) return listener.product !== undefined || this.productListeners.size === 0;
    if (route.prefix !== (record.typeInstance === "v3" ? "/v3" : "")) return false;
    return (this.productListeners.get(record.typeInstance) ?? this.main) === listener;
  }

  private persistTo(path: string): void {
    const saved = readStateFile(path);
    if (saved) this.store.restore(saved);
    this.store.onChange = () => writeStateFile(path, this.store.snapshot());
  }

  private async handle(req: IncomingMessage, res: ServerResponse, listener: Listener): Promise<void> {
    const startedAt = Date.now();
    const rawUrl = req.url ?? "/";
    const pathname = rawUrl.split("?", 1)[0];
    const parsed = parseRoute(pathname);
    // A call on the wrong host or with the wrong prefix finds no such page, as on Green API.
    const route: Route = this.serves(parsed, listener) ? parsed : { api: "unknown" };
    try {
      const body = await readBody(req);
      const entry = this.record(route, body, startedAt, listener.url, pathname.startsWith("/v3/") ? "/v3" : "");
      let outcome = body ? this.decide(route, req.method ?? "GET", body, entry) : tooLarge();
      if (outcome.kind === "late") {
        // Performed whether or not the client still waits: a slow backend does not know it gave up.
        const late = outcome;
        const performed = this.wait(late.delayMs).then((open) => (open ? late.perform() : undefined));
        const settled: Promise<void> = performed.then(
          () => void this.held.delete(settled),
          () => void this.held.delete(settled),
        );
        this.held.add(settled);
        const reply = await performed;
        if (!reply) return;
        if (clientGone(res)) {
          this.log(`${req.method} ${redactUrl(rawUrl)} -> performed after ${Date.now() - startedAt}ms; the client had gone [fault: late]`);
          return;
        }
        outcome = { kind: "answer", reply, fault: "late" };
      } else if (outcome.kind !== "hang" && !(await this.wait(this.latencyMs))) return;
      entry.status = this.carryOut(outcome, res);
      this.logRequest(req.method, rawUrl, outcome, entry.status, startedAt);
    } catch (error) {
      // A client that hangs up mid-request is not the emulator's failure.
      if (clientGone(res)) {
        this.log(`${req.method} ${redactUrl(rawUrl)} -> no answer (client closed the connection)`);
        return;
      }
      if (!res.headersSent) send(res, textReply(500, "emulator error"));
      this.log(`${req.method} ${redactUrl(rawUrl)} -> 500 emulator error: ${(error as Error).message}`);
    }
  }

  private record(route: Route, body: RequestBody | undefined, at: number, host: string, prefix: string): RecordedRequest {
    const method = route.api === "unknown" ? "unknown" : route.method;
    if (method !== "unknown") this.callCounts[method] += 1;
    const entry: RecordedRequest = { method, host, prefix, status: 0, at };
    const idInstance = body && idInstanceOf(route, body);
    if (idInstance !== undefined) entry.idInstance = idInstance;
    const recorded = body && recordedBody(body);
    if (recorded !== undefined) entry.body = recorded;
    this.requests.push(entry);
    return entry;
  }

  /** Route and verb first (a 405 is not the API's answer), then faults, then the API itself. */
  private decide(route: Route, verb: string, body: RequestBody, entry: RecordedRequest): Outcome {
    if (route.api === "unknown") return { kind: "answer", reply: textReply(404, "Not Found") };
    const allowed = verbsOf(route.method);
    if (!(allowed as readonly string[]).includes(verb)) {
      return { kind: "answer", reply: textReply(405, "Method Not Allowed", { allow: allowed.join(", ") }) };
    }
    // The partner gateway refuses a call over the account's bucket before anything else sees it.
    const gate = route.api === "partner" ? this.gateway.admit() : { admitted: true, headers: {} };
    if (!gate.admitted) return { kind: "answer", reply: { ...textReply(429, ""), headers: gate.headers } };
    const withGate = (reply: Reply): Reply => ({ ...reply, headers: { ...gate.headers, ...reply.headers } });
    const perform = () => {
      entry.performedAt = Date.now();
      return withGate(this.perform(route, body));
    };
    const fault = this.faults.take(route.method, { idInstance: idInstanceOf(route, body), name: nameOf(route, body) });
    if (!fault) return { kind: "answer", reply: perform() };
    if (fault.kind === "performThenDrop") {
      perform();
      return { kind: "drop", fault: fault.kind };
    }
    if (fault.kind === "late") return { kind: "late", delayMs: fault.delayMs, perform, fault: fault.kind };
    const reply = faultReply(fault);
    if (reply) return { kind: "answer", reply: withGate(reply), fault: fault.kind };
    return { kind: fault.kind === "hang" ? "hang" : "drop", fault: fault.kind };
  }

  private perform(route: Exclude<Route, { api: "unknown" }>, body: RequestBody): Reply {
    return route.api === "partner"
      ? handlePartner(route, body, this.store, this.partnerToken)
      : handleInstance(route, body, this.store, this.limiter);
  }

  /** Returns the status sent, or 0 when nothing was. */
  private carryOut(outcome: Outcome, res: ServerResponse): number {
    switch (outcome.kind) {
      case "answer":
        send(res, outcome.reply);
        return outcome.reply.status;
      case "drop":
        res.socket?.destroy();
        return 0;
      case "hang":
        this.hanging.add(res);
        res.on("close", () => this.hanging.delete(res));
        return 0;
      case "late":
        throw new Error("a late outcome is carried out in handle()");
    }
  }

  /** False when the emulator closed during the wait: the request gets no answer. */
  private async wait(ms: number): Promise<boolean> {
    if (ms <= 0) return !this.closing.signal.aborted;
    try {
      await sleep(ms, undefined, { signal: this.closing.signal });
      return true;
    } catch {
      return false;
    }
  }

  private logRequest(verb: string | undefined, rawUrl: string, outcome: Outcome, status: number, startedAt: number): void {
    const result = status === 0 ? "no answer" : String(status);
    const fault = outcome.fault ? ` [fault: ${outcome.fault}]` : "";
    this.log(`${verb} ${redactUrl(rawUrl)} -> ${result} ${Date.now() - startedAt}ms${fault}`);
  }
}

/** The instance a request is about: from the path, or from a deleteInstanceAccount body. */
function idInstanceOf(route: Route, body: RequestBody): number | undefined {
  if (route.api === "instance") return route.idInstance;
  if (route.api === "partner" && route.method === "deleteInstanceAccount") {
    const id = (body.json as { idInstance?: unknown } | null | undefined)?.idInstance;
    if (typeof id === "number") return id;
  }
  return undefined;
}

/** The client hung up (or timed out) before the answer: nobody is left to send it to. */
function clientGone(res: ServerResponse): boolean {
  return res.destroyed || !res.socket || res.socket.destroyed;
}

/** The instance name a createInstance body asks for. */
function nameOf(route: Route, body: RequestBody): string | undefined {
  if (route.api !== "partner" || route.method !== "createInstance") return undefined;
  const name = (body.json as { name?: unknown } | null | undefined)?.name;
  return typeof name === "string" ? name : undefined;
}

function tooLarge(): Outcome {
  // The rest of the body was never read, so the connection cannot be reused.
  return { kind: "answer", reply: textReply(413, "Payload Too Large", { connection: "close" }) };
}

function send(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, {
    ...reply.headers,
    "content-type": reply.contentType,
    "content-length": Buffer.byteLength(reply.body),
  });
  res.end(reply.body);
}

function zeroCounts(): Record<Method, number> {
  return Object.fromEntries(METHODS.map((method) => [method, 0])) as Record<Method, number>;
}
