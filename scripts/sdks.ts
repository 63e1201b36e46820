/**
 * `npm run sdks`: the greenapi package's SDKs, generated from the one schema into dist/sdks/ with
 * Pulumi's own code generators (pulumi-gen-sdk at the CLI's version, pulumi-gen-sdk-dotnet at
 * v3.225.1, the last with the C# one; both built by `npm run pulumi-cli`):
 *
 *   nodejs/   an npm package (TypeScript sources; `npm install && npm run build` compiles it into bin/,
 *             the package to install: `npm install <dir>/bin`)
 *   python/   a Python package with pyproject.toml (`pip wheel dist/sdks/python` builds the wheel)
 *   go/       a Go module (pulumi-greenapi/sdk/go; import pulumi-greenapi/sdk/go/greenapi)
 *   dotnet/   a C# project (Pulumi.Greenapi.csproj; `dotnet build` with NuGet's Pulumi package)
 *
 * The schema is the plugin archives' (scripts/plugin-pack.ts): the package's version and the
 * pluginDownloadURL, so a program on an SDK asks the CLI for exactly that plugin and says where to
 * get it. Nothing generated is committed.
 *
 *   --out DIR                   where to write (default dist/sdks)
 *   --plugin-download-url URL   as for plugin:pack (or GREENAPI_PLUGIN_DOWNLOAD_URL)
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { archiveSchema, DEFAULT_PLUGIN_DOWNLOAD_URL, packageVersion, PLUGIN_DOWNLOAD_URL_ENV } from "./plugin-pack";

const REPO_ROOT = [resolve(__dirname, ".."), resolve(__dirname, "..", "..")].find((dir) => existsSync(join(dir, "package-lock.json")))!;

export const SDK_LANGUAGES = ["nodejs", "python", "go", "dotnet"] as const;
export type SdkLanguage = (typeof SDK_LANGUAGES)[number];

/** The directory of the generators: `npm run pulumi-cli` prints it (and builds them the first time). */
function cliDir(): string {
  const out = execFileSync("bash", [join(REPO_ROOT, "scripts", "pulumi-cli.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  return out.trim().split("\n").pop()!;
}

/** The version of a module a wrapper module under tools/ requires. */
function required(toolModule: string, module: string): string {
  const goMod = readFileSync(join(REPO_ROOT, "tools", toolModule, "go.mod"), "utf8");
  const version = goMod.match(new RegExp(`^\\s*${module.replace(/[./]/g, "\\$&")} (v\\S+)`, "m"))?.[1];
  if (!version) throw new Error(`no ${module} in tools/${toolModule}/go.mod`);
  return version;
}

export async function generateSdks<L extends SdkLanguage = SdkLanguage>({
  outDir,
  pluginDownloadUrl = DEFAULT_PLUGIN_DOWNLOAD_URL,
  generatorDir = cliDir(),
  languages = SDK_LANGUAGES as readonly SdkLanguage[] as readonly L[],
}: {
  outDir: string;
  pluginDownloadUrl?: string;
  /** Where pulumi-gen-sdk and pulumi-gen-sdk-dotnet are. */
  generatorDir?: string;
  /** Only these (all by default). */
  languages?: readonly L[];
}): Promise<Record<L, string>> {
  const schema = archiveSchema(packageVersion(), pluginDownloadUrl);
  const scratch = mkdtempSync(join(tmpdir(), "greenapi-sdks-"));
  try {
    const schemaFile = join(scratch, "schema.json");
    writeFileSync(schemaFile, JSON.stringify(schema, null, 2));
    const dirs = {} as Record<L, string>;
    const dirOf = (language: SdkLanguage): string | undefined => (dirs as Partial<Record<SdkLanguage, string>>)[language];
    for (const language of languages) {
      const dir = join(outDir, language);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      const [generator, ...args] = language === "dotnet" ? ["pulumi-gen-sdk-dotnet"] : ["pulumi-gen-sdk", "-language", language];
      execFileSync(join(generatorDir, generator), [...args, schemaFile, dir], { stdio: ["ignore", "inherit", "inherit"] });
      dirs[language] = dir;
    }
    // Pulumi's SDK packages are published as the compiled bin/ with package.json copied in (the generated
    // code reads ./package.json beside it); the build does that copy, so \`npm install && npm run build\`
    // leaves bin/ as the package to install.
    const nodejs = dirOf("nodejs");
    if (nodejs) {
      const nodeManifest = join(nodejs, "package.json");
      const manifest = JSON.parse(readFileSync(nodeManifest, "utf8"));
      const copy = "node -e \"require('fs').copyFileSync('package.json', 'bin/package.json')\"";
      writeFileSync(
        nodeManifest,
        `${JSON.stringify({ ...manifest, scripts: { ...manifest.scripts, build: `tsc && ${copy}` } }, null, 4)}\n`,
      );
    }
    // pyproject.toml reads README.md beside it; the generator writes it into the package.
    const python = dirOf("python");
    if (python) copyFileSync(join(python, "pulumi_greenapi", "README.md"), join(python, "README.md"));
    // The Go SDK as a module of its own, on the Go SDK of the generator's version.
    const go = dirOf("go");
    if (go) {
      const goModule = (schema.language as { go: { importBasePath: string } }).go.importBasePath.replace(/\/greenapi$/, "");
      const goSdk = required("pulumi-gen-sdk", "github.com/pulumi/pulumi/sdk/v3");
      writeFileSync(join(go, "go.mod"), `module ${goModule}\n\ngo 1.26\n\nrequire github.com/pulumi/pulumi/sdk/v3 ${goSdk}\n`);
    }
    return dirs;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function parseArgs(argv: string[]): { outDir: string; pluginDownloadUrl?: string } {
  const options = { outDir: join(REPO_ROOT, "dist", "sdks"), pluginDownloadUrl: process.env[PLUGIN_DOWNLOAD_URL_ENV] || undefined };
  for (let i = 0; i < argv.length; i += 2) {
    const value = argv[i + 1];
    if (argv[i] === "--out" && value) options.outDir = resolve(value);
    else if (argv[i] === "--plugin-download-url" && value) options.pluginDownloadUrl = value;
    else throw new Error(`sdks: unknown or incomplete option ${argv[i]} (options: --out DIR, --plugin-download-url URL)`);
  }
  return options;
}

if (require.main === module) {
  generateSdks(parseArgs(process.argv.slice(2))).then(
    (dirs) => {
      for (const [language, dir] of Object.entries(dirs)) console.log(`${language}: ${dir}`);
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
