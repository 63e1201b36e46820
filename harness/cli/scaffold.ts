/**
 * The files of a throwaway Pulumi project and the environment that keeps the CLI offline: what a
 * project needs before the first command runs.
 */
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../repo";

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
export function writeTypeScriptProject(dir: string, project: string, program: string, nodeModules = join(REPO_ROOT, "node_modules")): void {
  copyFileSync(program, join(dir, "index.ts"));
  writeFileSync(join(dir, "Pulumi.yaml"), `name: ${project}\nruntime:\n  name: nodejs\n  options:\n    typescript: true\nmain: index.ts\n`);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: project, private: true, main: "index.ts" }, null, 2));
  writeFileSync(join(dir, "tsconfig.json"), pulumiTemplateTsconfig(["index.ts"]));
  // @pulumi/pulumi, typescript and pulumi-greenapi (a link to this repo's build), as an install would provide.
  symlinkSync(nodeModules, join(dir, "node_modules"), "dir");
}
