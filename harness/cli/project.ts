/**
 * A throwaway Pulumi project for the real `pulumi` CLI: a program (an example copied into a temporary
 * directory that sees this repo's node_modules, so `pulumi-greenapi` resolves to the build, or a
 * YAML project), a local file backend and a passphrase secrets provider — nothing of the user's own
 * Pulumi account or stacks is touched — and the commands tests run on its stack.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withPreload } from "../node-options";
import { CliError, RunningCommand, type CliOutcome, type CliResult, type RunOptions } from "./run";
import { offlineEnvironment, writeTypeScriptProject } from "./scaffold";

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
  /**
   * Start the Node processes the CLI runs (the program, the dynamic provider's host, plugins) with the
   * harness's preload (harness/preload.js): the same code, loaded from a code cache, TypeScript and
   * Arborist on first use — about half of each process's CPU. The CLI suite asks for it; the demo and
   * the benchmarks run Node as users do.
   */
  preload?: boolean;
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

export interface StackExport {
  deployment: {
    resources?: Array<{ urn: string; type: string; id?: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }>;
    /** What a killed command left unfinished: type "creating", "updating", "deleting", … */
    pending_operations?: Array<{ type: string; resource: { urn: string; type: string; id?: string; inputs?: Record<string, unknown> } }>;
  };
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
    else writeTypeScriptProject(programDir, options.project, options.program, options.nodeModules);
    const project = new PulumiCliProject(
      { stack: "dev", secretKeys: [], color: false, env: {}, preload: false, ...options },
      dir,
      programDir,
      backendDir,
      `greenapi-throwaway-stack-${process.pid}`,
    );
    try {
      await project.run(["stack", "init", project.options.stack]);
      // One command for all of it: each CLI command spends a fraction of a second of CPU deriving
      // the passphrase's key, and a project may have half a dozen settings.
      const settings = Object.entries(options.config).flatMap(([key, value]) => [
        project.options.secretKeys.includes(key) ? "--secret" : "--plaintext",
        `${key}=${value}`,
      ]);
      if (settings.length > 0) await project.run(["config", "set-all", ...settings, "--stack", project.options.stack], { quiet: true });
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
    const own = { ...env, ...this.options.env };
    return {
      ...own,
      ...(this.options.preload ? { NODE_OPTIONS: withPreload(own.NODE_OPTIONS) } : {}),
      ...offlineEnvironment(join(this.dir, "home"), this.backendDir),
      PULUMI_CONFIG_PASSPHRASE: this.passphrase,
    };
  }
}

function operationFlags({ expectNoChanges = false, diff = false }: OperationOptions): string[] {
  return [...(expectNoChanges ? ["--expect-no-changes"] : []), ...(diff ? ["--diff"] : [])];
}

/** Command lines are printed: never with a secret config value in them. */
function redactArgs(args: string[], options: Pick<CliProjectOptions, "config" | "secretKeys">, more: string[] = []): string {
  const secrets = [...(options.secretKeys ?? []).map((key) => options.config[key]), ...more].filter(Boolean);
  const redact = (arg: string) => {
    if (secrets.includes(arg)) return "[secret]";
    // `config set-all`'s key=value pairs.
    const pair = /^([^=]+)=(.*)$/s.exec(arg);
    return pair && secrets.includes(pair[2]) ? `${pair[1]}=[secret]` : arg;
  };
  return args.map(redact).join(" ");
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? walk(path) : entry.isFile() ? [path] : [];
  });
}
