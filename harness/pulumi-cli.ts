/**
 * The real `pulumi` CLI, where one is installed: a throwaway Pulumi project (an example program
 * copied into a temporary directory that sees this repo's node_modules, so `pulumi-greenapi`
 * resolves to the build), a local file backend and a passphrase secrets provider — nothing of the
 * user's own Pulumi account or stacks is touched. The rest of the harness stands in for the CLI
 * where there is none.
 */
import { spawn } from "node:child_process";
import { accessSync, constants, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
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
    throw new Error(`${file}: no pulumi CLI on PATH, and ${REQUIRE_CLI_ENV} is set: run \`npm run pulumi-cli\` and put the directory it prints first on PATH.`);
  }
  // Straight to stderr: jest drops console output of a suite whose tests are all skipped.
  process.stderr.write(`${file} skipped: no pulumi CLI on PATH (npm run pulumi-cli builds one; the host-driven tests cover the lifecycle).\n`);
  return undefined;
}

export interface CliProjectOptions {
  /** Path of the `pulumi` executable. */
  cli: string;
  /** The program, copied into the project as index.ts. */
  program: string;
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
}

export interface CliResult {
  /** The command line, secret values replaced by [secret]. */
  command: string;
  /** stdout and stderr, interleaved as they arrived. */
  output: string;
  stdout: string;
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
  private constructor(
    readonly options: Required<Omit<CliProjectOptions, "echo">> & Pick<CliProjectOptions, "echo">,
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
    writeProject(programDir, options.project, options.program);
    const project = new PulumiCliProject(
      { stack: "dev", secretKeys: [], color: false, ...options },
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

  up(): Promise<CliResult> {
    return this.run(["up", "--yes", "--skip-preview", "--stack", this.options.stack]);
  }

  refresh(): Promise<CliResult> {
    return this.run(["refresh", "--yes", "--skip-preview", "--stack", this.options.stack]);
  }

  destroy(): Promise<CliResult> {
    return this.run(["destroy", "--yes", "--skip-preview", "--stack", this.options.stack]);
  }

  async version(): Promise<string> {
    return (await this.run(["version"], { quiet: true })).stdout.trim();
  }

  /** `pulumi stack output --json`; secrets read "[secret]" unless showSecrets. */
  async outputs(showSecrets = false): Promise<Record<string, unknown>> {
    const args = ["stack", "output", "--json", "--stack", this.options.stack, ...(showSecrets ? ["--show-secrets"] : [])];
    return JSON.parse((await this.run(args, { quiet: true })).stdout);
  }

  /** `pulumi stack export`: the checkpoint as the backend stores it (secrets as ciphertext). */
  async exportState(): Promise<StackExport> {
    return JSON.parse((await this.run(["stack", "export", "--stack", this.options.stack], { quiet: true })).stdout);
  }

  /** The text of every file the backend wrote: current state, backups, history. */
  backendFiles(): Array<{ path: string; text: string }> {
    return walk(this.backendDir).map((path) => ({ path, text: readFileSync(path, "utf8") }));
  }

  async run(args: string[], { quiet = false } = {}): Promise<CliResult> {
    const fullArgs = ["--non-interactive", ...(this.options.color ? [] : ["--color", "never"]), ...args];
    const command = `pulumi ${redactArgs(args, this.options)}`;
    const echo = quiet ? undefined : this.options.echo;
    echo?.(`\n$ ${command}\n`);
    const child = spawn(this.options.cli, fullArgs, { cwd: this.programDir, env: this.environment(), stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      output += chunk;
      echo?.(chunk);
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
      echo?.(chunk);
    });
    const timer = setTimeout(() => child.kill("SIGTERM"), COMMAND_TIMEOUT_MS);
    const exitCode = await new Promise<number | null>((done, fail) => {
      child.once("error", fail);
      child.once("close", (code) => done(code));
    }).finally(() => clearTimeout(timer));
    if (exitCode !== 0) throw new CliError(command, exitCode, output);
    return { command, output, stdout };
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
      ...offlineEnvironment(join(this.dir, "home"), this.backendDir),
      PULUMI_CONFIG_PASSPHRASE: this.passphrase,
    };
  }
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
  };
}

export interface StackExport {
  deployment: {
    resources?: Array<{ urn: string; type: string; id?: string; outputs?: Record<string, unknown> }>;
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
function writeProject(dir: string, project: string, program: string): void {
  copyFileSync(program, join(dir, "index.ts"));
  writeFileSync(join(dir, "Pulumi.yaml"), `name: ${project}\nruntime:\n  name: nodejs\n  options:\n    typescript: true\nmain: index.ts\n`);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: project, private: true, main: "index.ts" }, null, 2));
  writeFileSync(join(dir, "tsconfig.json"), pulumiTemplateTsconfig(["index.ts"]));
  // @pulumi/pulumi, typescript and pulumi-greenapi (a link to this repo's build), as an install would provide.
  symlinkSync(join(REPO_ROOT, "node_modules"), join(dir, "node_modules"), "dir");
}

/** Command lines are printed: never with a secret config value in them. */
function redactArgs(args: string[], options: Pick<CliProjectOptions, "config" | "secretKeys">): string {
  const secrets = (options.secretKeys ?? []).map((key) => options.config[key]).filter(Boolean);
  return args.map((arg) => (secrets.includes(arg) ? "[secret]" : arg)).join(" ");
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? walk(path) : entry.isFile() ? [path] : [];
  });
}
