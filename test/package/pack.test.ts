/**
 * The package as users get it: `npm pack`, the tarball installed into a Pulumi program directory
 * outside the repo, the program type-checked with the settings of Pulumi's TypeScript template, and
 * its resource driven through Pulumi's provider host from that directory — create, refresh,
 * destroy — against the emulator the package ships. Nothing here resolves to the repo's sources.
 */
import { execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import ts from "typescript";
import type { GreenApiEmulator as Emulator } from "../../emulator";
import { pulumiTemplateTsconfig } from "../../harness/cli";
import { Engine } from "../../harness/engine";
import { ProviderHost } from "../../harness/host";

const run = promisify(execFile);
const REPO_ROOT = resolve(__dirname, "..", "..");
const PROJECT = "greenapi-pack-test";
const INSTANCE_TYPE = "pulumi-nodejs:dynamic/greenapi:Instance";
const PULUMI_VERSION = "3.248.0";
const WEBHOOK_TOKEN = "pack-test-webhook-credential";

let scratch: string;
let programDir: string;
let packed: { filename: string; files: string[] };
let installSeconds: number;
/** Diagnostics of compiling the program dir (which also emits bin/, run by the tests below). */
let diagnostics: readonly ts.Diagnostic[];

/** npm and node children get no npm_* variables of the `npm test` that runs us, and no Green API settings. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm_|GREEN_API_)/i.test(key)) env[key] = value;
  }
  return { ...env, ...extra };
}

async function npm(args: string[], cwd: string): Promise<string> {
  const { stdout } = await run("npm", args, { cwd, env: childEnv(), maxBuffer: 16 << 20 });
  return stdout;
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "greenapi-pack-"));
  // --ignore-scripts: `npm test` has just built dist/, and prepack's rebuild would rewrite files
  // that other test workers are loading.
  const [result] = JSON.parse(await npm(["pack", "--ignore-scripts", "--json", "--pack-destination", scratch], REPO_ROOT));
  packed = { filename: result.filename, files: result.files.map((file: { path: string }) => file.path).sort() };

  programDir = join(scratch, "program");
  mkdirSync(programDir);
  writeProgram(programDir, join(scratch, packed.filename));
  const started = Date.now();
  // Offline where the npm cache has everything (it does once the repo's own dependencies are installed).
  await npm(["install", "--prefer-offline", "--no-audit", "--no-fund"], programDir);
  installSeconds = (Date.now() - started) / 1000;
  console.log(`npm install of the tarball and @pulumi/pulumi@${PULUMI_VERSION}: ${installSeconds.toFixed(1)} s`);
  diagnostics = compileProgram(programDir);
}, 180_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("npm pack", () => {
  it("holds the product's build with types, the emulator, README, LICENSE and package.json, and nothing else", () => {
    const files = packed.files;
    for (const required of [
      "package.json",
      "README.md",
      "LICENSE",
      "dist/provider/index.js",
      "dist/provider/index.d.ts",
      "dist/provider/client.js",
      "dist/provider/client.d.ts",
      "dist/provider/lifecycle/index.js",
      "dist/provider/dynamic/index.js",
      "dist/emulator/index.js",
      "dist/emulator/index.d.ts",
      "dist/emulator/cli.js",
      "dist/provider/plugin/main.js",
      "provider/plugin/bin/pulumi-resource-greenapi",
      "provider/plugin/schema.json",
    ]) {
      expect(files).toContain(required);
    }
    // The provider plugin's launcher and schema are read from the package root, beside dist/.
    const unwanted = files.filter(
      (file) =>
        !/^(package\.json|README\.md|LICENSE|dist\/(provider|emulator)\/.+\.(js|d\.ts)|provider\/plugin\/(bin\/pulumi-resource-greenapi|schema\.json))$/.test(
          file,
        ),
    );
    expect(unwanted).toEqual([]);
  });

  it("ships no build output whose source is gone (a stale dist/)", () => {
    const orphans = packed.files
      .filter((file) => file.endsWith(".js"))
      .filter((file) => !existsSync(join(REPO_ROOT, file.replace(/^dist\//, "").replace(/\.js$/, ".ts"))));
    expect(orphans).toEqual([]);
  });

  it("ships every file package.json points at", () => {
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8"));
    const targets: string[] = [manifest.main, manifest.types, ...Object.values(manifest.bin as Record<string, string>)];
    for (const entry of Object.values(manifest.exports) as Array<string | Record<string, string>>) {
      targets.push(...(typeof entry === "string" ? [entry] : Object.values(entry)));
    }
    for (const paths of Object.values(manifest.typesVersions["*"]) as string[][]) targets.push(...paths);
    const missing = targets.map((target) => target.replace(/^\.\//, "")).filter((target) => !packed.files.includes(target));
    expect(missing).toEqual([]);
  });
});

describe("installed from the tarball into a Pulumi program outside the repo", () => {
  it("installs with @pulumi/pulumi as the program's own peer dependency", () => {
    const installed = (name: string) => JSON.parse(readFileSync(join(programDir, "node_modules", name, "package.json"), "utf8"));
    expect(installed("pulumi-greenapi").version).toBe(JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).version);
    // The provider host below is the one installed here, as the CLI would start it.
    expect(installed("@pulumi/pulumi").version).toBe(PULUMI_VERSION);
  });

  it("type-checks a program and a script with Pulumi's TypeScript template settings (moduleResolution node)", () => {
    // The package's public declarations must not reach zod (whose own .d.cts files do not compile
    // without esModuleInterop/skipLibCheck): a user's `tsc` checks everything they import.
    expect(diagnostics.map(formatDiagnostic)).toEqual([]);
  });

  it("runs create → refresh → destroy through Pulumi's provider host from the program directory", async () => {
    const { GreenApiEmulator } = requireFromProgram("pulumi-greenapi/emulator") as { GreenApiEmulator: typeof Emulator };
    const emulator = await GreenApiEmulator.start();
    try {
      const registrations = await captureFromProgram({ [`${PROJECT}:webhookUrlToken`]: WEBHOOK_TOKEN });
      expect(registrations.map((r) => [r.type, r.name])).toEqual([[INSTANCE_TYPE, "pack-bot"]]);
      // The provider text loads the installed package by name; from this directory that is the tarball's copy.
      expect(registrations[0].inputs.__provider).toContain('require("pulumi-greenapi/lifecycle")');

      const config = {
        "greenapi:partnerToken": emulator.partnerToken,
        "greenapi:partnerApiUrl": emulator.url,
        "greenapi:apiUrl": emulator.url,
        "greenapi:requestTimeoutSeconds": "5",
      };
      const hosts: ProviderHost[] = [];
      const engine = new Engine(async () => {
        // The host program installed in the user's project, as the CLI would start it.
        const hostScript = require.resolve("@pulumi/pulumi/cmd/dynamic-provider/index.js", { paths: [programDir] });
        expect(hostScript.startsWith(programDir)).toBe(true);
        const host = await ProviderHost.start({ programDir, project: PROJECT, env: childEnv(), hostScript });
        hosts.push(host);
        await host.configure(config, ["greenapi:partnerToken"]);
        return host;
      });
      const goals = registrations.map(({ type, name, inputs }) => ({ type, name, inputs }));

      expect((await engine.up(goals)).map((s) => s.op)).toEqual(["create"]);
      const [entry] = [...engine.state.values()];
      const live = emulator.get(Number(entry.id))!;
      expect(live.deleted).toBe(false);
      expect(live.settings).toMatchObject({
        webhookUrl: "https://hooks.example.com/pack",
        webhookUrlToken: WEBHOOK_TOKEN,
        incomingWebhook: "yes",
        delaySendMessagesMilliseconds: 1500,
      });
      expect(entry.outputs).toMatchObject({ idInstance: live.idInstance, apiTokenInstance: live.apiTokenInstance, incomingWebhook: true });

      expect((await engine.refresh()).map((s) => s.op)).toEqual(["refresh-same"]);
      expect((await engine.destroy()).map((s) => s.op)).toEqual(["delete"]);
      expect(emulator.get(live.idInstance)!.deleted).toBe(true);
      // One host per command, as the CLI runs them, each started in the program directory.
      expect(hosts).toHaveLength(3);
      expect(engine.output()).not.toMatch(/error/i);
    } finally {
      await emulator.close();
    }
  });

  it("runs a script that uses only pulumi-greenapi/client without loading @pulumi/pulumi", async () => {
    const { GreenApiEmulator } = requireFromProgram("pulumi-greenapi/emulator") as { GreenApiEmulator: typeof Emulator };
    const emulator = await GreenApiEmulator.start();
    try {
      const env = childEnv({
        GREEN_API_PARTNER_TOKEN: emulator.partnerToken,
        GREEN_API_PARTNER_API_URL: emulator.url,
        GREEN_API_URL: emulator.url,
      });
      const { stdout } = await run(process.execPath, ["bin/script.js"], { cwd: programDir, env });
      const report = JSON.parse(stdout);
      expect(report).toEqual({ listed: true, removed: "deleted", again: "alreadyGone", pulumiLoaded: false });
      expect(emulator.list().map((i) => [i.name, i.deleted])).toEqual([["from-a-script", true]]);
    } finally {
      await emulator.close();
    }
  });

  it("starts the emulator command from the installed package; with --state it keeps instances and token across restarts", async () => {
    const args = ["--port", "0", "--state", join(scratch, "emulator-state.json"), "--seed", "2"];
    const first = await startEmulatorCli(args);
    expect(first.banner).toMatch(/Green API emulator listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(first.banner).toContain("instances: 2");
    const token = first.banner.match(/partner token: (\S+)/)![1];
    expect(first.banner).toContain(`pulumi config set --secret greenapi:partnerToken ${token}`);
    await first.stop();

    const second = await startEmulatorCli(args);
    await second.stop();
    expect(second.banner).toContain(`partner token: ${token}`); // the stack's config still works
    expect(second.banner).toContain("instances: 2"); // --seed only fills an empty account
  });
});

/** The emulator command of the installed package (`npx greenapi-emulator`), once it has printed its banner. */
async function startEmulatorCli(args: string[]): Promise<{ banner: string; stop: () => Promise<void> }> {
  const cli = join(programDir, "node_modules", ".bin", "greenapi-emulator");
  const child = spawn(cli, args, { cwd: programDir, env: childEnv(), stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise((done) => child.once("exit", done));
  const stop = async () => {
    child.kill("SIGTERM");
    await exited;
  };
  let output = "";
  try {
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`no banner within 10 s:\n${output}`)), 10_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("Ctrl+C stops it")) {
          clearTimeout(timer);
          done();
        }
      };
      child.stdout!.on("data", onData);
      child.stderr!.on("data", onData);
      child.once("exit", () => fail(new Error(`the emulator exited:\n${output}`)));
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { banner: output, stop };
}

function requireFromProgram(id: string): unknown {
  return createRequire(join(programDir, "package.json"))(id);
}

/** A user's Pulumi program: what `pulumi new typescript` makes, plus this package and a script. */
function writeProgram(dir: string, tarball: string): void {
  const typesNode = JSON.parse(readFileSync(require.resolve("@types/node/package.json"), "utf8")).version;
  const files: Record<string, string> = {
    "package.json": JSON.stringify(
      {
        name: PROJECT,
        private: true,
        main: "index.ts",
        // @types/node pinned to the repo's copy so that the install is served from the npm cache.
        devDependencies: { "@types/node": typesNode },
        dependencies: { "@pulumi/pulumi": PULUMI_VERSION, "pulumi-greenapi": `file:${tarball}` },
      },
      null,
      2,
    ),
    "Pulumi.yaml": `name: ${PROJECT}\nruntime:\n  name: nodejs\n  options:\n    typescript: true\nmain: index.ts\n`,
    // Pulumi's TypeScript template, as `pulumi new typescript` writes it.
    "tsconfig.json": pulumiTemplateTsconfig(["index.ts", "script.ts"]),
    "index.ts": `import * as pulumi from "@pulumi/pulumi";
import { GreenApiInstance } from "pulumi-greenapi";

const config = new pulumi.Config();
const bot = new GreenApiInstance("pack-bot", {
  webhookUrl: "https://hooks.example.com/pack",
  webhookUrlToken: config.requireSecret("webhookUrlToken"),
  incomingWebhook: true,
  delaySendMessagesMilliseconds: 1500,
});

export const idInstance = bot.idInstance;
export const qrUrl = bot.qrUrl;
`,
    "script.ts": `import { sep } from "path";
import { PartnerClient, isGreenApiError } from "pulumi-greenapi/client";
import type { GreenApiEmulator } from "pulumi-greenapi/emulator";

// A plain script: create, list and delete an instance with the partner API, no Pulumi involved.
async function main(): Promise<void> {
  const client = PartnerClient.fromEnv();
  try {
    const created = await client.createInstance({ name: "from-a-script", incomingWebhook: true });
    const listed = (await client.getInstances()).some((i) => i.idInstance === created.idInstance && !i.deleted);
    const removed = await client.deleteInstanceAccount(created.idInstance);
    const again = await client.deleteInstanceAccount(created.idInstance);
    const pulumiLoaded = Object.keys(require.cache).some((file) => file.includes(\`\${sep}@pulumi\${sep}\`));
    console.log(JSON.stringify({ listed, removed, again, pulumiLoaded }));
  } finally {
    await client.close();
  }
}

// Users test their own code against the emulator the package ships; its types resolve too.
export type Emulator = GreenApiEmulator;
main().catch((error: unknown) => {
  console.error(isGreenApiError(error) ? \`\${error.code}: \${error.message}\` : error);
  process.exit(1);
});
`,
    // Test plumbing, not part of a user's program: runs the compiled program under the program's own
    // @pulumi/pulumi mocks and prints what it registers (inputs with secrets unwrapped).
    "capture.js": `const pulumi = require("@pulumi/pulumi");
const { specialSigKey, specialSecretSig } = require("@pulumi/pulumi/runtime/rpc");
const [project, stack, config] = process.argv.slice(2);
const plain = (value) =>
  value && typeof value === "object" && value[specialSigKey] === specialSecretSig ? plain(value.value) : value;
const registrations = [];
pulumi.runtime.setAllConfig(JSON.parse(config), Object.keys(JSON.parse(config)));
Promise.resolve(
  pulumi.runtime.setMocks(
    {
      newResource(args) {
        const inputs = Object.fromEntries(Object.entries(args.inputs).map(([k, v]) => [k, plain(v)]));
        registrations.push({ type: args.type, name: args.name, inputs });
        return { id: args.name + "-id", state: args.inputs };
      },
      call: (args) => args.inputs,
    },
    project,
    stack,
  ),
).then(() => require("./bin/index.js"));
process.once("beforeExit", () => process.stdout.write(JSON.stringify(registrations)));
`,
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
}

/** tsc -p <program>, with the repo's compiler (resolution happens from the program directory). */
function compileProgram(dir: string): readonly ts.Diagnostic[] {
  const configPath = join(dir, "tsconfig.json");
  const { config } = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, dir);
  const program = ts.createProgram(parsed.fileNames, parsed.options);
  const emitted = program.emit();
  return [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics];
}

function formatDiagnostic(diagnostic: ts.Diagnostic): string {
  const where = diagnostic.file ? `${diagnostic.file.fileName.replace(programDir, ".")}: ` : "";
  return where + ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
}

interface Captured {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

async function captureFromProgram(config: Record<string, string>): Promise<Captured[]> {
  const { stdout } = await run(process.execPath, ["capture.js", PROJECT, "dev", JSON.stringify(config)], {
    cwd: programDir,
    env: childEnv(),
    maxBuffer: 16 << 20,
  });
  return JSON.parse(stdout);
}
