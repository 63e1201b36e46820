/**
 * The plugin archives (`npm run plugin:pack`, scripts/plugin-pack.ts) as a user gets them: one per
 * platform with checksums, each holding the launcher, the bundled plugin and schema.json and no
 * node_modules; unpacked where no node_modules is above it and started with nothing but `node` on
 * PATH, the plugin serves GetPluginInfo and GetSchema; with no Node or too old a one, the launcher
 * says which it found.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import type * as emptyTypes from "google-protobuf/google/protobuf/empty_pb";
import type * as pluginPbTypes from "@pulumi/pulumi/proto/plugin_pb";
import { grpc, pb, pulumiDir, ResourceProviderClient } from "../../harness/wire";
import { archiveName, BUNDLE, LAUNCHER, packageVersion, packPlugin, PLATFORMS } from "../../scripts/plugin-pack";

const run = promisify(execFile);
const REPO_ROOT = resolve(__dirname, "..", "..");
/** Packed with an override, as a fork publishing its own releases would. */
const DOWNLOAD_URL = "github://api.github.com/example-fork/pulumi-greenapi";
const VERSION = packageVersion();
const START_TIMEOUT_MS = 60_000;

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the protobuf copy the SDK's stubs use
const { Empty } = require(require.resolve("google-protobuf/google/protobuf/empty_pb", { paths: [pulumiDir] })) as typeof emptyTypes;

let scratch: string;
let outDir: string;
/** The linux-amd64 archive, unpacked into a directory of its own. */
let unpacked: string;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "greenapi-plugin-archive-"));
  outDir = join(scratch, "dist");
  await packPlugin({ outDir, pluginDownloadUrl: DOWNLOAD_URL });
  unpacked = join(scratch, "plugin");
  mkdirSync(unpacked);
  await run("tar", ["-xzf", join(outDir, archiveName(VERSION, "linux-amd64")), "-C", unpacked]);
}, 120_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** `tar -tvzf`: each entry's mode string and name. */
async function listing(archive: string): Promise<Array<{ mode: string; name: string }>> {
  const { stdout } = await run("tar", ["-tvzf", archive]);
  return stdout
    .trim()
    .split("\n")
    .map((line) => line.split(/\s+/))
    .map((fields) => ({ mode: fields[0], name: fields[fields.length - 1] }));
}

describe("npm run plugin:pack", () => {
  it("writes one archive per platform, named as `pulumi plugin install` expects, and SHA256SUMS that sha256sum accepts", async () => {
    const names = PLATFORMS.map((platform) => `pulumi-resource-greenapi-v${VERSION}-${platform}.tar.gz`);
    expect(readdirSync(outDir).sort()).toEqual([...names, "SHA256SUMS"].sort());
    const { stdout } = await run("sha256sum", ["--check", "SHA256SUMS"], { cwd: outDir });
    expect(stdout.trim().split("\n").sort()).toEqual(names.map((name) => `${name}: OK`).sort());
  });

  it("puts the launcher (and a .cmd on Windows), the one-file plugin, schema.json and the licenses in each archive, and no node_modules", async () => {
    for (const platform of PLATFORMS) {
      const entries = await listing(join(outDir, archiveName(VERSION, platform)));
      const expected = [
        LAUNCHER,
        ...(platform === "windows-amd64" ? [`${LAUNCHER}.cmd`] : []),
        BUNDLE,
        "schema.json",
        "LICENSE",
        "THIRD-PARTY-LICENSES",
      ];
      expect({ platform, files: entries.map((entry) => entry.name).sort() }).toEqual({ platform, files: expected.sort() });
      expect(entries.find((entry) => entry.name === LAUNCHER)!.mode).toBe("-rwxr-xr-x");
    }
    // The licenses name what the bundle holds.
    const notices = readFileSync(join(unpacked, "THIRD-PARTY-LICENSES"), "utf8");
    for (const name of ["@grpc/grpc-js", "@pulumi/pulumi", "undici", "zod"]) expect(notices).toMatch(new RegExp(`^${name}@\\S+ \\(`, "m"));
  });

  it("ships provider/plugin/schema.json with the package's version and the pluginDownloadURL it was packed with", () => {
    const shipped = JSON.parse(readFileSync(join(unpacked, "schema.json"), "utf8"));
    const source = JSON.parse(readFileSync(join(REPO_ROOT, "provider", "plugin", "schema.json"), "utf8"));
    expect(shipped).toEqual({ ...source, version: VERSION, pluginDownloadURL: DOWNLOAD_URL });
    expect(VERSION).toBe(JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).version);
  });
});

describe("an unpacked archive", () => {
  let plugin: ChildProcess | undefined;
  afterEach(() => {
    plugin?.kill();
    plugin = undefined;
  });

  /** Starts the plugin and returns the port it prints (no engine to call back: GetPluginInfo and GetSchema need none). */
  async function start(command: string, env: NodeJS.ProcessEnv): Promise<number> {
    const child = spawn(command, [], { cwd: scratch, env, stdio: ["ignore", "pipe", "pipe"] });
    plugin = child;
    let output = "";
    return new Promise<number>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`no port within ${START_TIMEOUT_MS / 1000} s:\n${output}`)), START_TIMEOUT_MS);
      child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
        output += chunk;
        const line = output.match(/^(\d+)\n/);
        if (line) {
          clearTimeout(timer);
          done(Number(line[1]));
        }
      });
      child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
      child.once("exit", (code) => {
        clearTimeout(timer);
        fail(new Error(`the plugin exited with ${code}:\n${output}`));
      });
    });
  }

  async function askPlugin(port: number): Promise<{ version: string; schema: string }> {
    const client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    try {
      const info = await new Promise<pluginPbTypes.PluginInfo>((done, fail) =>
        client.getPluginInfo(new Empty(), (error, response) => (error ? fail(error) : done(response!))),
      );
      const schema = await new Promise<string>((done, fail) =>
        client.getSchema(new pb.GetSchemaRequest(), (error, response) => (error ? fail(error) : done(response!.getSchema()))),
      );
      return { version: info.getVersion(), schema };
    } finally {
      client.close();
    }
  }

  it(
    "with no node_modules above it and only node on PATH, starts and serves GetPluginInfo and GetSchema",
    async () => {
      for (let dir = unpacked; dir !== dirname(dir); dir = dirname(dir)) expect(existsSync(join(dir, "node_modules"))).toBe(false);
      // Nothing of this process's environment: no NODE_PATH, no npm variables, only node's directory on PATH.
      const port = await start(join(unpacked, LAUNCHER), { PATH: dirname(process.execPath) });
      const answers = await askPlugin(port);
      expect(answers.version).toBe(VERSION);
      expect(answers.schema).toBe(readFileSync(join(unpacked, "schema.json"), "utf8"));
      expect(JSON.parse(answers.schema).pluginDownloadURL).toBe(DOWNLOAD_URL);
    },
    START_TIMEOUT_MS * 2,
  );

  it(
    "starts through a link to its launcher from another directory on PATH",
    async () => {
      const bin = mkdtempSync(join(scratch, "bin-"));
      symlinkSync(join(unpacked, LAUNCHER), join(bin, LAUNCHER));
      const port = await start(LAUNCHER, { PATH: [bin, dirname(process.execPath)].join(":") });
      expect((await askPlugin(port)).version).toBe(VERSION);
    },
    START_TIMEOUT_MS * 2,
  );

  it("says which Node it found when that one is too old, and that there is none when there is none", async () => {
    const oldNode = mkdtempSync(join(scratch, "node18-"));
    writeFileSync(join(oldNode, "node"), "#!/bin/sh\necho v18.19.1\n", { mode: 0o755 });
    const tooOld = await run(join(unpacked, LAUNCHER), [], { env: { PATH: oldNode } }).catch((error) => error);
    expect(tooOld.code).toBe(1);
    expect(tooOld.stderr).toBe(`pulumi-resource-greenapi: needs Node.js >= 20, found v18.19.1 (${join(oldNode, "node")})\n`);

    const empty = mkdtempSync(join(scratch, "empty-"));
    const missing = await run(join(unpacked, LAUNCHER), [], { env: { PATH: empty } }).catch((error) => error);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("pulumi-resource-greenapi: needs Node.js >= 20 on PATH, and there is no node on PATH\n");
  });
});
