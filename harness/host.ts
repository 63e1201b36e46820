/**
 * Drives a provider process over gRPC, sending the requests the Pulumi engine sends: Pulumi's own
 * dynamic-provider host (`@pulumi/pulumi/cmd/dynamic-provider`), the real product code the CLI runs
 * for every dynamic resource, or the `greenapi` plugin, started as the CLI starts it. Only the
 * engine side is stood in for here — for the plugin, with the engine's Log service it calls.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import type * as pbTypes from "@pulumi/pulumi/proto/provider_pb";
import { PLUGIN_LAUNCHER, PROVIDER_PACKAGES, type Door } from "./door";
import { EngineLogServer, type EngineLogLine } from "./engine-log";
import { PRELOAD, withPreload } from "./node-options";
import {
  fromStruct,
  grpc,
  hostScript,
  pb,
  ResourceProviderClient,
  secretValue,
  Status,
  toStruct,
  type Metadata,
  type PropertyMap,
  type ServiceError,
} from "./wire";

export const DEFAULT_PROJECT = "test";
export const DEFAULT_STACK = "dev";

// The dynamic host only checks that an engine address is given; it never dials it.
const UNUSED_ENGINE_ADDRESS = "127.0.0.1:1";
// Starting Node and loading @pulumi/pulumi takes seconds when idle, and over 30 s on a 2-core machine running suites side by side.
const START_TIMEOUT_MS = 120_000;
const INIT_FAILED_TYPE = "pulumirpc.ErrorResourceInitFailed";

export interface HostOptions {
  /** The Pulumi program's directory: the host's working directory, where `require` inside a provider resolves. */
  programDir: string;
  /** Added to the inherited environment; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  /** PULUMI_NODEJS_PROJECT: what `config.get("key")` without a namespace resolves against. Default "test". */
  project?: string;
  /**
   * The host program to start; default: the one in this repository's @pulumi/pulumi. A test of an
   * installed package passes the one installed beside it, as the CLI would start.
   */
  hostScript?: string;
  /** Stack name used in URNs built for this host. Default "dev". */
  stack?: string;
  /** Which front door to start: Pulumi's dynamic-provider host (the default) or the greenapi plugin. */
  door?: Door;
  /**
   * The plugin's provider resource this process serves (its name in the provider URN): default
   * providers are named `default_<version>`, explicit ones as the program names them.
   */
  providerName?: string;
}

export interface CheckFailure {
  property: string;
  reason: string;
}

export interface InitFailure {
  id: string;
  properties: PropertyMap;
  reasons: string[];
}

export type DiffChanges = "some" | "none" | "unknown";

export interface DiffResult {
  changes: DiffChanges;
  replaces: string[];
  deleteBeforeReplace: boolean;
}

export interface ReadResult {
  id: string;
  properties: PropertyMap;
  inputs?: PropertyMap;
}

/** A failed RPC. `initFailed` is set when the provider reported "created but failed to initialize". */
export class HostError extends Error {
  readonly code: number;
  readonly details: string;
  readonly initFailed?: InitFailure;

  constructor(method: string, error: ServiceError) {
    const details = error.details ?? error.message;
    super(`${method} failed: ${details}`);
    this.name = "HostError";
    this.code = error.code;
    this.details = details;
    const initFailed = error.metadata ? decodeInitFailure(error.metadata) : undefined;
    if (initFailed) {
      this.initFailed = initFailed;
    }
  }
}

export function makeUrn(type: string, name: string, stack = DEFAULT_STACK, project = DEFAULT_PROJECT): string {
  return `urn:pulumi:${stack}::${project}::${type}::${name}`;
}

export class ProviderHost {
  /** Everything the host process has printed so far, stdout and stderr interleaved. */
  readonly output: () => string;
  private stopping?: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly client: ResourceProviderClient,
    private readonly killOnExit: () => void,
    output: OutputLog,
    readonly project: string,
    readonly stack: string,
    readonly door: Door,
    private readonly providerName: string,
    private readonly engine?: EngineLogServer,
  ) {
    this.output = () => output.text();
  }

  /** What the plugin logged to the engine, each line with its severity and URN (none for the dynamic host). */
  engineLog(): readonly EngineLogLine[] {
    return this.engine?.lines ?? [];
  }

  /** The host process's id (e.g. to read its memory use from /proc). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  static async start(options: HostOptions): Promise<ProviderHost> {
    const project = options.project ?? DEFAULT_PROJECT;
    const door = options.door ?? "dynamic";
    const lines: string[] = [];
    // The plugin's lines reach the user through the engine; kept with the process's own output.
    const engine =
      door === "plugin" ? await EngineLogServer.start((line) => lines.push(`[${line.severity} ${line.urn}] ${line.message}\n`)) : undefined;
    // The preloads for this repository's hosts only: an installed package's host runs as installed
    // (and its throwaway paths would only fill the code cache).
    const preloads = options.hostScript === undefined ? ["--require", PRELOAD] : [];
    const env = hostEnvironment(project, options.env);
    // The plugin's launcher starts Node itself, as the CLI runs it: the preload goes in through NODE_OPTIONS.
    if (door === "plugin") env.NODE_OPTIONS = withPreload(env.NODE_OPTIONS);
    const [command, args] =
      door === "plugin"
        ? [PLUGIN_LAUNCHER, [engine!.address]]
        : [process.execPath, [...preloads, options.hostScript ?? hostScript, UNUSED_ENGINE_ADDRESS]];
    const child = spawn(command, args, { cwd: options.programDir, env, stdio: ["ignore", "pipe", "pipe"] });
    const output = new OutputLog(child, lines);
    // A host outliving its parent would keep serving forever.
    const killOnExit = () => child.kill();
    process.on("exit", killOnExit);
    try {
      const port = await waitForPort(child, output);
      const client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
      const providerName = options.providerName ?? "default_0_1_0";
      return new ProviderHost(child, client, killOnExit, output, project, options.stack ?? DEFAULT_STACK, door, providerName, engine);
    } catch (error) {
      process.off("exit", killOnExit);
      child.kill();
      engine?.stop();
      throw error;
    }
  }

  /** The URN of the provider resource this process serves. */
  get providerUrn(): string {
    const pkg = PROVIDER_PACKAGES[this.door];
    return makeUrn(`pulumi:providers:${pkg}`, this.door === "plugin" ? this.providerName : "default", this.stack, this.project);
  }

  /**
   * Configures the provider as the engine does. The dynamic host gets the whole stack config:
   * namespaced keys in `args` with secrets in their wire form, and the same values, plain, in the
   * legacy `variables` map. The plugin gets its provider resource's properties (`greenapi:` keys,
   * without the prefix): CheckConfig first, then Configure with the checked properties.
   */
  async configure(config: Record<string, string>, secretKeys: string[] = []): Promise<void> {
    const secrets = new Set(secretKeys);
    const own = this.door === "plugin" ? Object.entries(config).filter(([key]) => key.startsWith("greenapi:")) : Object.entries(config);
    const key = (name: string) => (this.door === "plugin" ? name.replace(/^greenapi:/, "") : name);
    let args: PropertyMap = Object.fromEntries(own.map(([name, value]) => [key(name), secrets.has(name) ? secretValue(value) : value]));
    if (this.door === "plugin") {
      const check = target(new pb.CheckRequest(), this.providerUrn).setOlds(toStruct({})).setNews(toStruct(args));
      const checked = await this.unary<pbTypes.CheckResponse>("CheckConfig", (done) => this.client.checkConfig(check, done));
      const failures = checked.getFailuresList().map((f) => f.getReason());
      if (failures.length > 0) throw new Error(`CheckConfig failed: ${failures.join("; ")}`);
      args = fromStruct(checked.getInputs());
    }
    const req = new pb.ConfigureRequest()
      .setUrn(this.providerUrn)
      .setName(this.door === "plugin" ? this.providerName : "default")
      .setType(`pulumi:providers:${PROVIDER_PACKAGES[this.door]}`)
      .setArgs(toStruct(args))
      .setAcceptsecrets(true)
      .setAcceptresources(true)
      .setSendsOldInputs(true)
      .setSendsOldInputsToDelete(true);
    const variables = req.getVariablesMap();
    for (const [name, value] of own) {
      variables.set(this.door === "plugin" ? `greenapi:config:${key(name)}` : `${PROVIDER_PACKAGES[this.door]}:config:${name}`, value);
    }
    await this.unary<pbTypes.ConfigureResponse>("Configure", (done) => this.client.configure(req, done));
  }

  async check(urn: string, olds: PropertyMap, news: PropertyMap): Promise<{ inputs: PropertyMap; failures: CheckFailure[] }> {
    const req = target(new pb.CheckRequest(), urn).setOlds(toStruct(olds)).setNews(toStruct(news));
    const res = await this.unary<pbTypes.CheckResponse>("Check", (done) => this.client.check(req, done));
    return {
      inputs: fromStruct(res.getInputs()),
      failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  async diff(urn: string, id: string, olds: PropertyMap, news: PropertyMap, oldInputs?: PropertyMap): Promise<DiffResult> {
    const req = target(new pb.DiffRequest(), urn)
      .setId(id)
      .setOlds(toStruct(olds))
      .setNews(toStruct(news))
      .setOldInputs(toStruct(oldInputs));
    const res = await this.unary<pbTypes.DiffResponse>("Diff", (done) => this.client.diff(req, done));
    return {
      changes: diffChanges(res.getChanges()),
      replaces: res.getReplacesList(),
      deleteBeforeReplace: res.getDeletebeforereplace(),
    };
  }

  /** Note the host ignores `preview` and creates for real; the engine never asks it to, as it declares no preview support. */
  async create(urn: string, properties: PropertyMap, preview = false): Promise<{ id: string; properties: PropertyMap }> {
    const req = target(new pb.CreateRequest(), urn).setProperties(toStruct(properties)).setPreview(preview);
    const res = await this.unary<pbTypes.CreateResponse>("Create", (done) => this.client.create(req, done));
    return { id: res.getId(), properties: fromStruct(res.getProperties()) };
  }

  async read(urn: string, id: string, properties: PropertyMap, inputs?: PropertyMap): Promise<ReadResult> {
    const req = target(new pb.ReadRequest(), urn).setId(id).setProperties(toStruct(properties));
    if (inputs) {
      req.setInputs(toStruct(inputs));
    }
    const res = await this.unary<pbTypes.ReadResponse>("Read", (done) => this.client.read(req, done));
    const result: ReadResult = { id: res.getId(), properties: fromStruct(res.getProperties()) };
    const newInputs = res.getInputs();
    if (newInputs) {
      result.inputs = fromStruct(newInputs);
    }
    return result;
  }

  async update(
    urn: string,
    id: string,
    olds: PropertyMap,
    news: PropertyMap,
    oldInputs?: PropertyMap,
  ): Promise<{ properties: PropertyMap }> {
    const req = target(new pb.UpdateRequest(), urn)
      .setId(id)
      .setOlds(toStruct(olds))
      .setNews(toStruct(news))
      .setOldInputs(toStruct(oldInputs));
    const res = await this.unary<pbTypes.UpdateResponse>("Update", (done) => this.client.update(req, done));
    return { properties: fromStruct(res.getProperties()) };
  }

  async delete(urn: string, id: string, properties: PropertyMap, oldInputs?: PropertyMap): Promise<void> {
    const req = target(new pb.DeleteRequest(), urn).setId(id).setProperties(toStruct(properties)).setOldInputs(toStruct(oldInputs));
    await this.unary<unknown>("Delete", (done) => this.client.delete(req, done));
  }

  /** Closes the channel and ends the host process. Safe to call more than once. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    this.client.close();
    this.engine?.stop();
    process.off("exit", this.killOnExit);
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      return;
    }
    const exited = once(this.child, "exit");
    this.child.kill();
    await exited;
  }

  private unary<T>(method: string, invoke: (done: (error: ServiceError | null, response: T) => void) => void): Promise<T> {
    return new Promise((resolve, reject) => {
      invoke((error, response) => {
        // The host writes its console output before it answers, but the stdout pipe and the gRPC
        // socket may become readable in the same event-loop turn; settling on the next turn lets
        // output() include everything the call printed.
        setImmediate(() => (error ? reject(new HostError(method, error)) : resolve(response)));
      });
    });
  }
}

/** Collects the host's stdout and stderr (and, for the plugin, its engine log lines) in arrival order. */
class OutputLog {
  constructor(
    child: ChildProcess,
    private readonly chunks: string[],
  ) {
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding("utf8");
      stream?.on("data", (chunk: string) => this.chunks.push(chunk));
    }
  }

  text(): string {
    return this.chunks.join("");
  }
}

function hostEnvironment(project: string, overrides: HostOptions["env"] = {}): NodeJS.ProcessEnv {
  // The engine sets both for the pulumi-nodejs plugin; the host reads PULUMI_NODEJS_PROJECT.
  const env: NodeJS.ProcessEnv = { ...process.env, PULUMI_NODEJS_PROJECT: project, PULUMI_PROJECT: project };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) {
      delete env[key];
    } else {
      env[key] = value;
    }
  }
  return env;
}

/** The host announces its port as the first line on stdout, as the engine expects of every plugin. */
function waitForPort(child: ChildProcess, output: OutputLog): Promise<number> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    const fail = (reason: string) => {
      cleanup();
      reject(new Error(`provider process ${reason}\n${output.text()}`));
    };
    const onData = (chunk: string) => {
      stdout += chunk;
      const newline = stdout.indexOf("\n");
      if (newline < 0) {
        return;
      }
      const port = Number(stdout.slice(0, newline).trim());
      cleanup();
      if (Number.isInteger(port) && port > 0) {
        resolve(port);
      } else {
        reject(new Error(`provider process printed no port:\n${output.text()}`));
      }
    };
    const onExit = (code: number | null, signal: string | null) => fail(`exited (${signal ?? code}) before listening`);
    const onError = (error: Error) => fail(`failed to start: ${error.message}`);
    const timer = setTimeout(() => fail(`did not listen within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    function cleanup() {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.off("exit", onExit);
      child.off("error", onError);
    }
    child.stdout?.on("data", onData);
    child.once("exit", onExit);
    child.once("error", onError);
  });
}

interface Targeted {
  setUrn(value: string): unknown;
  setName(value: string): unknown;
  setType(value: string): unknown;
}

/** Fills in the URN and the name and type the engine derives from it. */
function target<T extends Targeted>(req: T, urn: string): T {
  const parts = urn.split("::");
  req.setUrn(urn);
  req.setType((parts[2] ?? "").split("$").pop() ?? "");
  req.setName(parts.slice(3).join("::"));
  return req;
}

function diffChanges(changes: pbTypes.DiffResponse.DiffChanges): DiffChanges {
  switch (changes) {
    case pb.DiffResponse.DiffChanges.DIFF_SOME:
      return "some";
    case pb.DiffResponse.DiffChanges.DIFF_NONE:
      return "none";
    default:
      return "unknown";
  }
}

/** The host packs ErrorResourceInitFailed into a google.rpc.Status in the `grpc-status-details-bin` trailer. */
function decodeInitFailure(metadata: Metadata): InitFailure | undefined {
  const [raw] = metadata.get("grpc-status-details-bin");
  if (raw === undefined) {
    return undefined;
  }
  const status = Status.deserializeBinary(typeof raw === "string" ? Buffer.from(raw, "base64") : raw);
  for (const detail of status.getDetailsList()) {
    const failure = detail.unpack(pb.ErrorResourceInitFailed.deserializeBinary, INIT_FAILED_TYPE);
    if (failure) {
      return {
        id: failure.getId(),
        properties: fromStruct(failure.getProperties()),
        reasons: failure.getReasonsList(),
      };
    }
  }
  return undefined;
}
