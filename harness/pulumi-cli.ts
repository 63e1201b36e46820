/**
 * The real `pulumi` CLI, where one is installed: a throwaway Pulumi project (an example program
 * copied into a temporary directory that sees this repo's node_modules, so `pulumi-greenapi`
 * resolves to the build), a local file backend and a passphrase secrets provider — nothing of the
 * user's own Pulumi account or stacks is touched. The rest of the harness stands in for the CLI
 * where there is none.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import {
  accessSync,
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";

/** The repo root, whether this runs from the sources (harness/) or from the build (dist/harness/). */
const REPO_ROOT = [resolve(__dirname, ".."), resolve(__dirname, "..", "..")].find((dir) => existsSync(join(dir, "package.json")))!;
const COMMAND_TIMEOUT_MS = 300_000;

/** The `pulumi` executable on PATH, or undefined. */
export function findPulumiCli(path = process.env.PATH ?? ""): string | undefined {
  const names = process.platform === "win32" ? ["pulumi.exe", "pulumi.cmd"] : ["pulumi"];
  for (const dir of path.split(delimiter).filter(Boolean)) {
    for (const name of names) {
      const candidate = join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        if (statSync(candidate).isFile()) return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/**
 * Set (to anything but "" or "0") where the CLI suite must run, as in CI: a missing `pulumi` then
 * fails the suite instead of skipping it.
 */
export const REQUIRE_CLI_ENV = "GREENAPI_REQUIRE_PULUMI_CLI";

/**
 * The CLI for a test file, or undefined (the file then skips, saying why on stderr) — unless
 * REQUIRE_CLI_ENV says the CLI must be there.
 */
export function pulumiCliForTests(file: string): string | undefined {
  const cli = findPulumiCli();
  if (cli) return cli;
  const required = process.env[REQUIRE_CLI_ENV];
  if (required && required !== "0") {
    throw new Error(
      `${file}: no pulumi CLI on PATH, and ${REQUIRE_CLI_ENV} is set: run \`npm run pulumi-cli\` and put the directory it prints first on PATH.`,
    );
  }
  // Straight to stderr: jest drops console output of a suite whose tests are all skipped.
  process.stderr.write(
    `${file} skipped: no pulumi CLI on PATH (npm run pulumi-cli builds one; the host-driven tests cover the lifecycle).\n`,
  );
  return undefined;
}

export interface CliProjectOptions {
  /** Path of the `pulumi` executable. */
  cli: string;
  /** The program, copied into the project as index.ts. Ignored with `yaml`. */
  program: string;
  /** A Pulumi YAML program instead: the text of its Pulumi.yaml (`runtime: yaml`), the whole project. */
  yaml?: string;
  /** Pulumi project name: the namespace of the program's own config keys. */
  project: string;
  stack?: string;
  /** Stack config, namespaced keys. */
  config: Record<string, string>;
  /** Keys set with `--secret`. */
  secretKeys?: string[];
  /** Receives each command line and its output as it arrives (the demo prints them). */
  echo?: (text: string) => void;
  /** Ask the CLI for colored output (when echoing to a terminal). */
  color?: boolean;
  /** Variables for every command, over this process's environment (PATH with another Node first, say). */
  env?: Record<string, string>;
  /** The directory the program's node_modules links to; this repo's node_modules by default. Ignored with `yaml`. */
  nodeModules?: string;
}

export interface CliResult {
  /** The command line, secret values replaced by [secret]. */
  command: string;
  /** stdout and stderr, interleaved as they arrived. */
  output: string;
  stdout: string;
}

/** How a command ended: its exit code, or null with the signal that ended it. */
export interface CliOutcome extends CliResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunOptions {
  /** Not echoed (config set, stack output, …). */
  quiet?: boolean;
  /**
   * The command prints secrets in clear text on purpose (`--show-secrets`): its output stays out of
   * `transcript`, which a test scans for credentials.
   */
  showsSecrets?: boolean;
}

/** Options of up, preview and refresh. */
export interface OperationOptions {
  /** `--expect-no-changes`: the command fails (exit code 7 on CLI v3.274) if anything would change. */
  expectNoChanges?: boolean;
  /** `--diff`: every property of every changed resource, old and new. */
  diff?: boolean;
}

export interface RefreshOptions extends OperationOptions {
  /** `--clear-pending-creates`: drop the creates an interrupted run left pending, without asking. */
  clearPendingCreates?: boolean;
  /** `--import-pending-creates URN ID …`: the pending creates, each with the ID it turned out to have. */
  importPendingCreates?: Array<{ urn: string; id: string }>;
}

/** `pulumi preview --json`, the fields tests read. */
export interface PreviewJson {
  steps: PreviewStep[];
  changeSummary: Partial<Record<string, number>>;
}

export interface PreviewStep {
  /** same, create, update, replace, delete, … */
  op: string;
  urn: string;
  oldState?: { id?: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> };
  newState?: { inputs?: Record<string, unknown> };
  /** Properties whose change forces the replacement. */
  replaceReasons?: string[];
  /** Only from providers that report a detailed diff: dynamic providers never do. */
  diffReasons?: string[];
}

/** A process of the tree a command started. */
export interface CliProcess {
  pid: number;
  command: string;
}

export class CliError extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly output: string,
  ) {
    super(`\`${command}\` exited with ${exitCode}:\n${output}`);
    this.name = "CliError";
  }
}

export class PulumiCliProject {
  /** Every command run so far, failed ones included, except those that show secrets on purpose. */
  readonly transcript: CliOutcome[] = [];
  /** Values set with setConfig({ secret: true }): redacted from command lines like the secret config. */
  private readonly secretValues: string[] = [];

  private constructor(
    readonly options: Required<Omit<CliProjectOptions, "echo" | "yaml" | "nodeModules">> &
      Pick<CliProjectOptions, "echo" | "yaml" | "nodeModules">,
    /** Holds the project and the backend; removed by close(). */
    readonly dir: string,
    readonly programDir: string,
    readonly backendDir: string,
    readonly passphrase: string,
  ) {}

  static async create(options: CliProjectOptions): Promise<PulumiCliProject> {
    const dir = mkdtempSync(join(tmpdir(), "greenapi-cli-"));
    const programDir = join(dir, "program");
    const backendDir = join(dir, "backend");
    mkdirSync(programDir);
    mkdirSync(backendDir);
    if (options.yaml !== undefined) writeFileSync(join(programDir, "Pulumi.yaml"), options.yaml);
    else writeProject(programDir, options.project, options.program, options.nodeModules);
    const project = new PulumiCliProject(
      { stack: "dev", secretKeys: [], color: false, env: {}, ...options },
      dir,
      programDir,
      backendDir,
      `greenapi-throwaway-stack-${process.pid}`,
    );
    try {
      await project.run(["stack", "init", project.options.stack]);
      for (const [key, value] of Object.entries(options.config)) {
        const secret = project.options.secretKeys.includes(key) ? ["--secret"] : [];
        await project.run(["config", "set", ...secret, key, value, "--stack", project.options.stack], { quiet: true });
      }
    } catch (error) {
      project.close();
      throw error;
    }
    return project;
  }

  up(options: OperationOptions = {}): Promise<CliResult> {
    return this.run(["up", "--yes", "--skip-preview", ...operationFlags(options), "--stack", this.options.stack]);
  }

  preview(options: OperationOptions = {}): Promise<CliResult> {
    return this.run(["preview", ...operationFlags(options), "--stack", this.options.stack]);
  }

  /** `pulumi preview --json`: the steps the next `up` would take. */
  async previewJson(): Promise<PreviewJson> {
    return JSON.parse((await this.run(["preview", "--json", "--stack", this.options.stack], { quiet: true })).stdout);
  }

  refresh(options: RefreshOptions = {}): Promise<CliResult> {
    const pending = [
      ...(options.clearPendingCreates ? ["--clear-pending-creates"] : []),
      // A string array flag: each URN and each ID is an entry of its own, in pairs.
      ...(options.importPendingCreates ?? []).flatMap(({ urn, id }) => ["--import-pending-creates", urn, "--import-pending-creates", id]),
    ];
    return this.run(["refresh", "--yes", "--skip-preview", ...operationFlags(options), ...pending, "--stack", this.options.stack]);
  }

  destroy(): Promise<CliResult> {
    return this.run(["destroy", "--yes", "--skip-preview", "--stack", this.options.stack]);
  }

  /** `pulumi cancel`: on a file backend, deletes the lock a killed command left behind. */
  cancel(): Promise<CliResult> {
    return this.run(["cancel", "--yes", "--stack", this.options.stack]);
  }

  /** `pulumi config set` on this project's stack. */
  async setConfig(key: string, value: string, { secret = false } = {}): Promise<void> {
    if (secret) this.secretValues.push(value);
    await this.run(["config", "set", ...(secret ? ["--secret"] : []), key, value, "--stack", this.options.stack], { quiet: true });
  }

  async version(): Promise<string> {
    return (await this.run(["version"], { quiet: true })).stdout.trim();
  }

  /** `pulumi stack output --json`; secrets read "[secret]" unless showSecrets. */
  async outputs(showSecrets = false): Promise<Record<string, unknown>> {
    const args = ["stack", "output", "--json", "--stack", this.options.stack, ...(showSecrets ? ["--show-secrets"] : [])];
    return JSON.parse((await this.run(args, { quiet: true, showsSecrets: showSecrets })).stdout);
  }

  /** `pulumi stack export`: the checkpoint as the backend stores it (secrets as ciphertext). */
  async exportState(): Promise<StackExport> {
    return JSON.parse((await this.run(["stack", "export", "--stack", this.options.stack], { quiet: true })).stdout);
  }

  /** The text of every file the backend wrote: current state, backups, history, locks. */
  backendFiles(): Array<{ path: string; text: string }> {
    return walk(this.backendDir).map((path) => ({ path, text: readFileSync(path, "utf8") }));
  }

  /** The lock files of this project's stacks: a command holds one while it runs, and a killed one leaves it behind. */
  lockFiles(): string[] {
    return this.backendFiles()
      .map(({ path }) => path)
      .filter((path) => path.includes(`${join(".pulumi", "locks")}`) && path.endsWith(".json"));
  }

  /** Runs a command to its end; throws a CliError unless it exits with 0. */
  async run(args: string[], options: RunOptions = {}): Promise<CliResult> {
    const outcome = await this.start(args, options).finished;
    if (outcome.exitCode !== 0) throw new CliError(outcome.command, outcome.exitCode, outcome.output);
    return outcome;
  }

  /** Runs a command to its end, however it ends. */
  attempt(args: string[], options: RunOptions = {}): Promise<CliOutcome> {
    return this.start(args, options).finished;
  }

  /** Starts a command and returns at once: to watch its output, or kill it midway. */
  start(args: string[], { quiet = false, showsSecrets = false }: RunOptions = {}): RunningCommand {
    const fullArgs = ["--non-interactive", ...(this.options.color ? [] : ["--color", "never"]), ...args];
    const command = `pulumi ${redactArgs(args, this.options, this.secretValues)}`;
    const echo = quiet ? undefined : this.options.echo;
    echo?.(`\n$ ${command}\n`);
    const child = spawn(this.options.cli, fullArgs, { cwd: this.programDir, env: this.environment(), stdio: ["ignore", "pipe", "pipe"] });
    const running = new RunningCommand(command, child, echo);
    if (!showsSecrets)
      running.finished.then(
        (outcome) => this.transcript.push(outcome),
        () => undefined,
      );
    return running;
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private environment(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) {
      // The developer's own Green API settings and Pulumi credentials stay out of the throwaway stack.
      if (!/^(GREEN_API_|PULUMI_CONFIG_PASSPHRASE|PULUMI_BACKEND_URL|PULUMI_ACCESS_TOKEN)/.test(key)) env[key] = value;
    }
    return {
      ...env,
      ...this.options.env,
      ...offlineEnvironment(join(this.dir, "home"), this.backendDir),
      PULUMI_CONFIG_PASSPHRASE: this.passphrase,
    };
  }
}

/** A command on its way: its output so far, its end, and a way to kill it with everything it started. */
export class RunningCommand {
  /** Settles when the command has ended and its output is complete; never rejects on a failure. */
  readonly finished: Promise<CliOutcome>;
  /** True once the command has ended. */
  ended = false;
  private stdout = "";
  private combined = "";

  constructor(
    readonly command: string,
    private readonly child: ChildProcess,
    echo?: (text: string) => void,
  ) {
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      this.stdout += chunk;
      this.combined += chunk;
      echo?.(chunk);
    });
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      this.combined += chunk;
      echo?.(chunk);
    });
    const timer = setTimeout(() => child.kill("SIGTERM"), COMMAND_TIMEOUT_MS);
    this.finished = new Promise<CliOutcome>((done, fail) => {
      child.once("error", fail);
      child.once("close", (exitCode, signal) => done({ command, exitCode, signal, output: this.combined, stdout: this.stdout }));
    }).finally(() => {
      clearTimeout(timer);
      this.ended = true;
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** stdout and stderr so far. */
  get output(): string {
    return this.combined;
  }

  /** The processes the command started, and theirs: the language host, the program, provider plugins. */
  descendants(): CliProcess[] {
    return descendantsOf(this.pid);
  }

  /**
   * Kills the command and every process it started, all with the same signal, as when the machine
   * or container running them dies. The CLI starts each plugin in a process group of its own, so
   * neither killing the CLI alone nor killing its process group reaches them: a language host and
   * a provider whose CLI was killed keep running (the provider even finishes the requests it has
   * in flight). Resolves, with the processes it killed, once the command has ended and none of
   * them is running any more.
   */
  async killTree(signal: NodeJS.Signals = "SIGKILL"): Promise<{ outcome: CliOutcome; killed: CliProcess[] }> {
    const tree = [{ pid: this.pid, command: this.command }, ...this.descendants()];
    for (const { pid } of tree) {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
    const outcome = await this.finished;
    await waitUntil(() => tree.every(({ pid }) => !isRunning(pid)), `the processes of \`${this.command}\` to end after ${signal}`);
    // What the language host removes when it ends normally: the directory of its pipes to the program.
    for (const { command } of tree) {
      const pipes = /--sync (\S*pulumi-node-pipes\S*)/.exec(command)?.[1];
      if (pipes) rmSync(pipes, { recursive: true, force: true });
    }
    return { outcome, killed: tree };
  }
}

/** True while pid is a process that has not ended (a zombie nobody reaped yet has ended). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const state = execFileSync("ps", ["-o", "stat=", "-p", String(pid)], { encoding: "utf8" }).trim();
    return state !== "" && !state.startsWith("Z");
  } catch {
    return false; // ps found no such process
  }
}

/** Every process below pid, from `ps`. */
function descendantsOf(root: number): CliProcess[] {
  const table = execFileSync("ps", ["-A", "-o", "pid=,ppid=,args="], { encoding: "utf8" })
    .split("\n")
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map(([, pid, ppid, args]) => ({ pid: Number(pid), ppid: Number(ppid), command: args }));
  const found: CliProcess[] = [];
  const parents = [root];
  while (parents.length > 0) {
    const parent = parents.shift()!;
    for (const { pid, ppid, command } of table) {
      if (ppid === parent) {
        found.push({ pid, command });
        parents.push(pid);
      }
    }
  }
  return found;
}

/** Polls condition until it holds; fails after timeoutMs, saying what it waited for. */
export async function waitUntil(condition: () => boolean, what: string, timeoutMs = COMMAND_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function operationFlags({ expectNoChanges = false, diff = false }: OperationOptions): string[] {
  return [...(expectNoChanges ? ["--expect-no-changes"] : []), ...(diff ? ["--diff"] : [])];
}

/** examples/basic's Pulumi project name: the namespace of its own config keys. */
export const BASIC_PROJECT = "greenapi-basic";

/**
 * examples/basic as a throwaway CLI project on an emulator: the emulator's URLs and partner token,
 * and the example's secret webhookUrlToken.
 */
export function basicProject(
  options: Pick<CliProjectOptions, "cli" | "stack" | "echo" | "color" | "env" | "nodeModules"> & {
    emulator: { url: string; partnerToken: string };
    webhookUrlToken: string;
    config?: Record<string, string>;
  },
): Promise<PulumiCliProject> {
  const { emulator, webhookUrlToken, config, ...rest } = options;
  return PulumiCliProject.create({
    ...rest,
    program: join(REPO_ROOT, "examples", "basic", "index.ts"),
    project: BASIC_PROJECT,
    config: {
      "greenapi:partnerToken": emulator.partnerToken,
      "greenapi:partnerApiUrl": emulator.url,
      "greenapi:apiUrl": emulator.url,
      [`${BASIC_PROJECT}:webhookUrlToken`]: webhookUrlToken,
      ...config,
    },
    secretKeys: ["greenapi:partnerToken", `${BASIC_PROJECT}:webhookUrlToken`],
  });
}

/**
 * What keeps the CLI offline and off the user's own Pulumi home: a home and a file backend of the
 * caller's, no update check, no plugin downloads, no prompts.
 */
export function offlineEnvironment(home: string, backendDir: string): Record<string, string> {
  mkdirSync(home, { recursive: true });
  return {
    PULUMI_HOME: home,
    PULUMI_BACKEND_URL: `file://${backendDir}`,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_SKIP_CONFIRMATIONS: "true",
    // The programs are type-checked by `npm run typecheck`; checking again on every command costs
    // seconds of CPU each (Pulumi's own switch for ts-node's transpile-only mode).
    PULUMI_NODEJS_TRANSPILE_ONLY: "true",
  };
}

export interface StackExport {
  deployment: {
    resources?: Array<{ urn: string; type: string; id?: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }>;
    /** What a killed command left unfinished: type "creating", "updating", "deleting", … */
    pending_operations?: Array<{ type: string; resource: { urn: string; type: string; id?: string; inputs?: Record<string, unknown> } }>;
  };
}

/** tsconfig.json as Pulumi's TypeScript template (`pulumi new typescript`) writes it. */
export function pulumiTemplateTsconfig(files: string[]): string {
  const compilerOptions = {
    strict: true,
    outDir: "bin",
    target: "es2020",
    module: "commonjs",
    moduleResolution: "node",
    sourceMap: true,
    experimentalDecorators: true,
    pretty: true,
    noFallthroughCasesInSwitch: true,
    noImplicitReturns: true,
    forceConsistentCasingInFileNames: true,
  };
  return JSON.stringify({ compilerOptions, files }, null, 2);
}

/** A Pulumi TypeScript project as `pulumi new typescript` lays it out, around the given program. */
function writeProject(dir: string, project: string, program: string, nodeModules = join(REPO_ROOT, "node_modules")): void {
  copyFileSync(program, join(dir, "index.ts"));
  writeFileSync(join(dir, "Pulumi.yaml"), `name: ${project}\nruntime:\n  name: nodejs\n  options:\n    typescript: true\nmain: index.ts\n`);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: project, private: true, main: "index.ts" }, null, 2));
  writeFileSync(join(dir, "tsconfig.json"), pulumiTemplateTsconfig(["index.ts"]));
  // @pulumi/pulumi, typescript and pulumi-greenapi (a link to this repo's build), as an install would provide.
  symlinkSync(nodeModules, join(dir, "node_modules"), "dir");
}

/** Command lines are printed: never with a secret config value in them. */
function redactArgs(args: string[], options: Pick<CliProjectOptions, "config" | "secretKeys">, more: string[] = []): string {
  const secrets = [...(options.secretKeys ?? []).map((key) => options.config[key]), ...more].filter(Boolean);
  return args.map((arg) => (secrets.includes(arg) ? "[secret]" : arg)).join(" ");
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? walk(path) : entry.isFile() ? [path] : [];
  });
}
