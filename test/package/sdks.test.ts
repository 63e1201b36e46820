/**
 * `npm run sdks` (scripts/sdks.ts): the Node.js, Python, Go and C# SDKs generated from the schema carry
 * the package's version and the plugin's download location, and three build with their language's
 * ordinary tools — the Python one into a wheel with pip, the Node.js one with tsc against the newest
 * @pulumi/pulumi (`npm run newest-sdk`; the generated package asks for ^3.269), the Go one with
 * `go build`. The C# one is not built: no .NET SDK here, and NuGet (its Pulumi package) is out of
 * reach. Needs the generators (`npm run pulumi-cli`); skips without them unless
 * GREENAPI_REQUIRE_PULUMI_CLI is set.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { DEFAULT_PLUGIN_DOWNLOAD_URL, packageVersion } from "../../scripts/plugin-pack";
import { generateSdks, type SdkLanguage } from "../../scripts/sdks";
import { cliWithTools, toolBeside } from "../cli/plugin-helpers";

const run = promisify(execFile);
const REPO_ROOT = resolve(__dirname, "..", "..");
const VERSION = packageVersion();
const TIMEOUT_MS = 300_000;

const cli = cliWithTools("test/package/sdks.test.ts", ["pulumi-gen-sdk", "pulumi-gen-sdk-dotnet"]);
const suite = cli ? describe : describe.skip;

suite(cli ? "npm run sdks" : "npm run sdks — skipped: no pulumi-gen-sdk", () => {
  let scratch: string;
  let dirs: Record<SdkLanguage, string>;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), "greenapi-sdks-test-"));
    dirs = await generateSdks({ outDir: join(scratch, "sdks"), generatorDir: dirname(toolBeside(cli!, "pulumi-gen-sdk")!) });
  }, TIMEOUT_MS);

  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  const plugin = { resource: true, name: "greenapi", version: VERSION, server: DEFAULT_PLUGIN_DOWNLOAD_URL };

  it("writes one SDK per language, each naming the plugin's version and where the CLI gets it", () => {
    expect(readdirSync(join(scratch, "sdks")).sort()).toEqual(["dotnet", "go", "nodejs", "python"]);
    const manifest = JSON.parse(readFileSync(join(dirs.nodejs, "package.json"), "utf8"));
    expect(manifest).toMatchObject({ name: "pulumi-greenapi-sdk", version: VERSION, pulumi: plugin });
    expect(readFileSync(join(dirs.python, "pyproject.toml"), "utf8")).toMatch(
      new RegExp(`^\\s*version = "${VERSION.replace(/\./g, "\\.")}"$`, "m"),
    );
    expect(JSON.parse(readFileSync(join(dirs.python, "pulumi_greenapi", "pulumi-plugin.json"), "utf8"))).toEqual(plugin);
    expect(JSON.parse(readFileSync(join(dirs.go, "greenapi", "pulumi-plugin.json"), "utf8"))).toEqual(plugin);
    expect(readFileSync(join(dirs.go, "go.mod"), "utf8")).toMatch(/^module pulumi-greenapi\/sdk\/go$/m);
    expect(readFileSync(join(dirs.dotnet, "Pulumi.Greenapi.csproj"), "utf8")).toContain(`<Version>${VERSION}</Version>`);
    expect(readFileSync(join(dirs.dotnet, "version.txt"), "utf8")).toBe(VERSION);
    expect(JSON.parse(readFileSync(join(dirs.dotnet, "pulumi-plugin.json"), "utf8"))).toEqual(plugin);
  });

  it(
    "the Python SDK builds into a wheel with pip",
    async () => {
      const wheels = join(scratch, "wheels");
      await run("python3", ["-m", "pip", "wheel", "--no-deps", "--quiet", dirs.python, "--wheel-dir", wheels], { maxBuffer: 16 << 20 });
      expect(readdirSync(wheels)).toEqual([`pulumi_greenapi-${VERSION}-py3-none-any.whl`]);
    },
    TIMEOUT_MS,
  );

  it(
    "the Node.js SDK compiles with tsc against the newest @pulumi/pulumi",
    async () => {
      const { stdout } = await run("bash", [join(REPO_ROOT, "scripts", "newest-sdk.sh")]);
      const modules = join(stdout.trim().split("\n").pop()!, "node_modules");
      symlinkSync(modules, join(dirs.nodejs, "node_modules"), "dir");
      await run(process.execPath, [join(modules, "typescript", "bin", "tsc"), "-p", dirs.nodejs], { maxBuffer: 16 << 20 });
      expect(readdirSync(join(dirs.nodejs, "bin"))).toEqual(
        expect.arrayContaining(["index.js", "index.d.ts", "instance.js", "provider.js"]),
      );
    },
    TIMEOUT_MS,
  );

  it(
    "the Go SDK builds",
    async () => {
      await run("go", ["mod", "tidy"], { cwd: dirs.go });
      await run("go", ["build", "./..."], { cwd: dirs.go });
      await run("go", ["vet", "./..."], { cwd: dirs.go });
    },
    TIMEOUT_MS,
  );
});
