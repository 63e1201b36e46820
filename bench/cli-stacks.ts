/**
 * The stacks the CLI benchmarks drive, one per front door: N GreenApiInstance resources through the
 * dynamic provider (a TypeScript program), or N greenapi:index:Instance through the plugin (a YAML
 * program); and N no-op resources through the same door (a dynamic resource whose read returns its
 * state; the no-op plugin), for the engine's own cost.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import * as tar from "tar";
import type { GreenApiEmulator } from "../emulator";
import { PulumiCliProject } from "../harness/cli";
import { providerLoading } from "../provider/dynamic/keys";
import { INSTANCE_TYPE, PACKAGE } from "../provider/plugin/tokens";
import { SECRET_SIG } from "../provider/plugin/wire";
import { packPlugin, type Platform } from "../scripts/plugin-pack";
import { installNoopPlugin, NOOP_STATE_ENV, NOOP_TYPE, type NoopState } from "./noop-plugin";

export type Door = "dynamic provider" | "plugin";
export const DOORS: readonly Door[] = ["dynamic provider", "plugin"];

/** The doors this CLI can drive: the plugin's YAML programs need the YAML language host beside it. */
export function doorsOf(cli: string): Door[] {
  return existsSync(join(dirname(cli), "pulumi-language-yaml")) ? [...DOORS] : ["dynamic provider"];
}

const PROJECT = "greenapi-bench";

let unpackedPlugin: Promise<string> | undefined;

/**
 * The greenapi plugin as its users run it: this platform's archive (`npm run plugin:pack`, one
 * bundled file), unpacked once per bench run — not the clone's unbundled build, which starts slower.
 */
function pluginDir(): Promise<string> {
  unpackedPlugin ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), "greenapi-bench-plugin-"));
    process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
    const platform = `${process.platform === "win32" ? "windows" : process.platform}-${process.arch === "x64" ? "amd64" : process.arch}`;
    const archive = (await packPlugin({ outDir: join(dir, "archives") })).find((packed) => packed.platform === (platform as Platform));
    if (!archive) throw new Error(`no plugin archive for ${platform}`);
    const plugin = join(dir, "plugin");
    mkdirSync(plugin);
    await tar.extract({ file: archive.file, cwd: plugin });
    return plugin;
  })();
  return unpackedPlugin;
}

const GREENAPI_PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { GreenApiInstance } from "pulumi-greenapi";

const count = new pulumi.Config().requireNumber("count");
for (let i = 0; i < count; i++) new GreenApiInstance(\`bot-\${i}\`, { incomingWebhook: true });
`;

/**
 * The dynamic no-op: a resource whose provider's create returns its inputs and an instance's outputs
 * (see NoopState) and whose read returns its state. Its `__provider` is one line that loads that
 * provider where it runs, as GreenApiInstance's is, so that its state is the size of an instance's.
 */
const NOOP_PROVIDER = `const { outputs } = JSON.parse(require("fs").readFileSync(process.env.${NOOP_STATE_ENV}, "utf8"));
exports.create = async (inputs) => ({ id: inputs.value, outs: { ...outputs, ...inputs } });
exports.read = async (id, props) => ({ id, props });
`;

const noopProgram = (providerFile: string) => `import * as pulumi from "@pulumi/pulumi";
import { readFileSync } from "fs";

const { secrets } = JSON.parse(readFileSync(process.env.${NOOP_STATE_ENV}!, "utf8"));
const provider = ${JSON.stringify(providerLoading(providerFile))};

class Thing extends pulumi.CustomResource {
  constructor(name: string, value: string) {
    super("pulumi-nodejs:dynamic:Thing", name, { __provider: provider, value }, { additionalSecretOutputs: secrets });
  }
}

const count = new pulumi.Config().requireNumber("count");
for (let i = 0; i < count; i++) new Thing(\`bot-\${i}\`, \`thing-\${i}\`);
`;

function yamlProgram(plugin: { name: string; path: string }, type: string, count: number, properties: string): string {
  const resources = Array.from({ length: count }, (_, i) => `  bot${i}:\n    type: ${type}\n    properties:\n${properties}`);
  return [
    `name: ${PROJECT}`,
    "runtime: yaml",
    "plugins:",
    "  providers:",
    `    - name: ${plugin.name}`,
    `      path: ${plugin.path}`,
    "resources:",
    resources.join(""),
  ].join("\n");
}

/** N Green API instances through `door`, configured for the emulator (not created yet). */
export async function greenapiStack(
  door: Door,
  cli: string,
  emulator: GreenApiEmulator,
  count: number,
  scratch: string,
): Promise<PulumiCliProject> {
  const config = {
    "greenapi:partnerToken": emulator.partnerToken,
    "greenapi:partnerApiUrl": emulator.url,
    "greenapi:apiUrl": emulator.url,
  };
  if (door === "plugin") {
    const yaml = yamlProgram({ name: PACKAGE, path: await pluginDir() }, INSTANCE_TYPE, count, "      incomingWebhook: true\n");
    return PulumiCliProject.create({ cli, program: "", yaml, project: PROJECT, config, secretKeys: ["greenapi:partnerToken"] });
  }
  const program = join(scratch, "greenapi.ts");
  writeFileSync(program, GREENAPI_PROGRAM);
  return PulumiCliProject.create({
    cli,
    program,
    project: PROJECT,
    config: { ...config, [`${PROJECT}:count`]: String(count) },
    secretKeys: ["greenapi:partnerToken"],
  });
}

/**
 * N no-op resources through `door`, each created with the state of one of `instances` (which must
 * be up): the engine's cost of a resource grows with its state — a refresh of 1,000 no-ops through
 * the plugin took 1.4 s with one property each, 2.1 s with an instance's — so the no-op carries the same.
 */
export async function noopStack(
  door: Door,
  cli: string,
  count: number,
  scratch: string,
  instances: PulumiCliProject,
): Promise<PulumiCliProject> {
  const stateFile = join(scratch, "noop-state.json");
  writeFileSync(stateFile, JSON.stringify(await instanceState(instances)));
  const env = { [NOOP_STATE_ENV]: stateFile };
  if (door === "plugin") {
    const path = installNoopPlugin(join(scratch, "noop-plugin"));
    const yaml = yamlProgram({ name: "noop", path }, NOOP_TYPE, count, "      value: thing\n");
    return PulumiCliProject.create({ cli, program: "", yaml, project: PROJECT, config: {}, env });
  }
  const providerFile = join(scratch, "noop-provider.js");
  writeFileSync(providerFile, NOOP_PROVIDER);
  const program = join(scratch, "noop.ts");
  writeFileSync(program, noopProgram(providerFile));
  return PulumiCliProject.create({ cli, program, project: PROJECT, config: { [`${PROJECT}:count`]: String(count) }, env });
}

/**
 * One instance's stored outputs, with each secret (ciphertext in the export) a plain string as
 * long as a token, and which keys are secret; without `__provider`, which the no-op has its own of.
 */
async function instanceState(instances: PulumiCliProject): Promise<NoopState> {
  const resources = (await instances.exportState()).deployment.resources ?? [];
  const entry = resources.find((r) => r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith("pulumi:providers:"));
  if (!entry?.outputs) throw new Error("the instances' stack holds no instance to copy the state of");
  const isSecret = (value: unknown) => typeof value === "object" && value !== null && SECRET_SIG in value;
  const kept = Object.entries(entry.outputs).filter(([key]) => key !== "__provider");
  return {
    outputs: Object.fromEntries(kept.map(([key, value]) => [key, isSecret(value) ? "0".repeat(50) : value])),
    secrets: kept.filter(([, value]) => isSecret(value)).map(([key]) => key),
  };
}

/** `pulumi <command> --yes --skip-preview --parallel P`; resolves to its wall time in ms. */
export async function timed(project: PulumiCliProject, command: "up" | "refresh" | "destroy", parallel: number): Promise<number> {
  const started = performance.now();
  await project.run([command, "--yes", "--skip-preview", "--parallel", String(parallel), "--stack", project.options.stack]);
  return performance.now() - started;
}

/**
 * Runs `work` with PULUMI_SKIP_CHECKPOINTS=true in the environment the CLI inherits: the engine then
 * saves the state once at the end instead of after every step. Each save writes the whole state, so
 * per-step saves cost O(N²) in an up of N new resources — minutes for the 1,000 a refresh needs on
 * this machine, and the bulk-create table shows what they cost the dynamic provider's larger entries.
 */
export async function skippingCheckpoints<T>(work: () => Promise<T>): Promise<T> {
  const saved = process.env.PULUMI_SKIP_CHECKPOINTS;
  process.env.PULUMI_SKIP_CHECKPOINTS = "true";
  try {
    return await work();
  } finally {
    if (saved === undefined) delete process.env.PULUMI_SKIP_CHECKPOINTS;
    else process.env.PULUMI_SKIP_CHECKPOINTS = saved;
  }
}
