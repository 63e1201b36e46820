/**
 * The stacks the CLI benchmarks drive, one per front door: N GreenApiInstance resources through the
 * dynamic provider (a TypeScript program), or N greenapi:index:Instance through the plugin (a YAML
 * program); and N no-op resources through the same door (a dynamic resource whose read returns its
 * state; the no-op plugin), for the engine's own cost.
 */
import { existsSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import type { GreenApiEmulator } from "../emulator";
import { PulumiCliProject } from "../harness/cli";
import { installNoopPlugin, NOOP_TYPE } from "./noop-plugin";
import { REPO_ROOT } from "./stack";

export type Door = "dynamic provider" | "plugin";
export const DOORS: readonly Door[] = ["dynamic provider", "plugin"];

/** The doors this CLI can drive: the plugin's YAML programs need the YAML language host beside it. */
export function doorsOf(cli: string): Door[] {
  return existsSync(join(dirname(cli), "pulumi-language-yaml")) ? [...DOORS] : ["dynamic provider"];
}

const PROJECT = "greenapi-bench";
const PLUGIN_DIR = join(REPO_ROOT, "provider", "plugin", "bin");

const GREENAPI_PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { GreenApiInstance } from "pulumi-greenapi";

const count = new pulumi.Config().requireNumber("count");
for (let i = 0; i < count; i++) new GreenApiInstance(\`bot-\${i}\`, { incomingWebhook: true });
`;

const NOOP_PROGRAM = `import * as pulumi from "@pulumi/pulumi";

const provider: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    return { id: inputs.value, outs: inputs };
  },
  async read(id, props) {
    return { id, props };
  },
};

class Thing extends pulumi.dynamic.Resource {
  constructor(name: string, value: string) {
    super(provider, name, { value }, {});
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
export function greenapiStack(
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
    const yaml = yamlProgram({ name: "greenapi", path: PLUGIN_DIR }, "greenapi:index:Instance", count, "      incomingWebhook: true\n");
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

/** N no-op resources through `door`. */
export function noopStack(door: Door, cli: string, count: number, scratch: string): Promise<PulumiCliProject> {
  if (door === "plugin") {
    const path = installNoopPlugin(join(scratch, "noop-plugin"));
    const yaml = yamlProgram({ name: "noop", path }, NOOP_TYPE, count, "      value: thing\n");
    return PulumiCliProject.create({ cli, program: "", yaml, project: PROJECT, config: {} });
  }
  const program = join(scratch, "noop.ts");
  writeFileSync(program, NOOP_PROGRAM);
  return PulumiCliProject.create({ cli, program, project: PROJECT, config: { [`${PROJECT}:count`]: String(count) } });
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
