/**
 * `npm run plugin:pack`: the greenapi provider plugin as Pulumi plugin archives, one per platform, in
 * dist/plugin/: pulumi-resource-greenapi-v<version>-<os>-<arch>.tar.gz and their SHA256SUMS, what
 * `pulumi plugin install resource greenapi v<version> -f <archive>` installs and what the CLI
 * downloads from the schema's pluginDownloadURL.
 *
 * Each archive holds the plugin with its dependencies bundled by esbuild into one file
 * (pulumi-resource-greenapi.cjs), its launcher (provider/plugin/archive/: a shell script, and a .cmd
 * beside it for Windows) that needs only Node.js on PATH, schema.json with the package's version and
 * pluginDownloadURL, the project's LICENSE and the bundled packages' licenses. JavaScript runs
 * anywhere Node does, so the archives differ only in the Windows launcher.
 *
 *   --out DIR                   where to write (default dist/plugin)
 *   --plugin-download-url URL   the schema's pluginDownloadURL (or GREENAPI_PLUGIN_DOWNLOAD_URL;
 *                               default DEFAULT_PLUGIN_DOWNLOAD_URL, the project's GitHub releases)
 */
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { build, type Metafile, type Plugin } from "esbuild";
import * as tar from "tar";

/** The repo root, from the sources (scripts/) or the build (dist/scripts/). */
const REPO_ROOT = [resolve(__dirname, ".."), resolve(__dirname, "..", "..")].find((dir) => existsSync(join(dir, "package-lock.json")))!;

/** Pulumi's names for the platforms (`pulumi plugin install` picks the archive by them). */
export const PLATFORMS = ["linux-amd64", "linux-arm64", "darwin-amd64", "darwin-arm64", "windows-amd64"] as const;
export type Platform = (typeof PLATFORMS)[number];

/** The project's GitHub releases: the CLI looks there for `pulumi-resource-greenapi-v<version>-<os>-<arch>.tar.gz`. */
export const DEFAULT_PLUGIN_DOWNLOAD_URL = "github://api.github.com/pulumi-greenapi/pulumi-greenapi";
export const PLUGIN_DOWNLOAD_URL_ENV = "GREENAPI_PLUGIN_DOWNLOAD_URL";

/** The launcher's name, which the CLI runs; the bundle it starts sits beside it. */
export const LAUNCHER = "pulumi-resource-greenapi";
export const BUNDLE = `${LAUNCHER}.cjs`;

/** File times in the archives: SOURCE_DATE_EPOCH (reproducible builds' convention), else a fixed date, so that one commit packs to the same bytes. */
const MTIME = new Date(Number(process.env.SOURCE_DATE_EPOCH ?? Date.UTC(1980, 0, 1) / 1000) * 1000);

export interface PackOptions {
  outDir: string;
  pluginDownloadUrl?: string;
}

export interface PackedArchive {
  platform: Platform;
  /** Absolute path of the archive. */
  file: string;
  sha256: string;
}

export function archiveName(version: string, platform: Platform): string {
  return `${LAUNCHER}-v${version}-${platform}.tar.gz`;
}

export function packageVersion(): string {
  return JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).version;
}

/** Writes every platform's archive and SHA256SUMS into outDir, replacing the archives an earlier run left there. */
export async function packPlugin({ outDir, pluginDownloadUrl = DEFAULT_PLUGIN_DOWNLOAD_URL }: PackOptions): Promise<PackedArchive[]> {
  const version = packageVersion();
  const stage = mkdtempSync(join(tmpdir(), "greenapi-plugin-pack-"));
  try {
    const notices = await bundle(join(stage, BUNDLE));
    writeFileSync(join(stage, "THIRD-PARTY-LICENSES"), notices);
    writeFileSync(join(stage, "schema.json"), `${JSON.stringify(archiveSchema(version, pluginDownloadUrl), null, 2)}\n`);
    copyFileSync(join(REPO_ROOT, "LICENSE"), join(stage, "LICENSE"));
    const launchers = join(REPO_ROOT, "provider", "plugin", "archive");
    copyFileSync(join(launchers, LAUNCHER), join(stage, LAUNCHER));
    // cmd.exe reads batch files line by line and expects CRLF.
    writeFileSync(join(stage, `${LAUNCHER}.cmd`), readFileSync(join(launchers, `${LAUNCHER}.cmd`), "utf8").replace(/\r?\n/g, "\r\n"));
    for (const file of readdirSync(stage)) chmodSync(join(stage, file), file === LAUNCHER ? 0o755 : 0o644);

    mkdirSync(outDir, { recursive: true });
    for (const file of readdirSync(outDir)) {
      if (file === "SHA256SUMS" || (file.startsWith(`${LAUNCHER}-v`) && file.endsWith(".tar.gz"))) rmSync(join(outDir, file));
    }
    const archives: PackedArchive[] = [];
    for (const platform of PLATFORMS) {
      const files = [
        LAUNCHER,
        ...(platform.startsWith("windows-") ? [`${LAUNCHER}.cmd`] : []),
        BUNDLE,
        "schema.json",
        "LICENSE",
        "THIRD-PARTY-LICENSES",
      ];
      const file = join(outDir, archiveName(version, platform));
      await tar.create({ file, cwd: stage, gzip: { level: 9 }, portable: true, mtime: MTIME }, files);
      archives.push({ platform, file, sha256: createHash("sha256").update(readFileSync(file)).digest("hex") });
    }
    // sha256sum's format: `sha256sum -c SHA256SUMS` checks the archives.
    writeFileSync(join(outDir, "SHA256SUMS"), archives.map(({ file, sha256 }) => `${sha256}  ${basename(file)}\n`).join(""));
    return archives;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** provider/plugin/schema.json with the package's version and where the CLI downloads the plugin. */
export function archiveSchema(version: string, pluginDownloadUrl: string): Record<string, unknown> {
  const schema = JSON.parse(readFileSync(join(REPO_ROOT, "provider", "plugin", "schema.json"), "utf8")) as Record<string, unknown>;
  const entries = Object.entries({ ...schema, version }).filter(([key]) => key !== "pluginDownloadURL");
  const at = entries.findIndex(([key]) => key === "version") + 1;
  return Object.fromEntries([...entries.slice(0, at), ["pluginDownloadURL", pluginDownloadUrl], ...entries.slice(at)]);
}

/**
 * provider/plugin/grpc.ts loads @pulumi/pulumi's copy of @grpc/grpc-js through createRequire, which
 * a bundler cannot follow: here it is that same copy, required from @pulumi/pulumi's directory.
 */
const grpcOfPulumi: Plugin = {
  name: "grpc-of-pulumi",
  setup(builder) {
    builder.onLoad({ filter: /[\\/]provider[\\/]plugin[\\/]grpc\.ts$/ }, () => ({
      contents: 'module.exports = { grpc: require("@grpc/grpc-js") };',
      loader: "js",
      resolveDir: dirname(require.resolve("@pulumi/pulumi", { paths: [REPO_ROOT] })),
    }));
  },
};

/** Bundles the plugin into outfile; returns the license texts of every package in it. */
async function bundle(outfile: string): Promise<string> {
  const result = await build({
    entryPoints: [join(REPO_ROOT, "provider", "plugin", "main.ts")],
    absWorkingDir: REPO_ROOT,
    outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    plugins: [grpcOfPulumi],
    metafile: true,
    logLevel: "silent",
  });
  // A warning here (a require the bundler could not follow, say) is a plugin that fails at run time.
  if (result.warnings.length > 0) {
    throw new Error(
      `esbuild warned while bundling the plugin:\n${result.warnings.map((w) => `${w.location?.file ?? ""}: ${w.text}`).join("\n")}`,
    );
  }
  return licenses(result.metafile);
}

/** Every bundled package's name, version, license and license file. */
function licenses(metafile: Metafile): string {
  const roots = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const match = input.match(/^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//);
    if (match) roots.add(match[1]);
  }
  const sections = [...roots]
    .map((root) => {
      const dir = join(REPO_ROOT, root);
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
      const licenseFile = readdirSync(dir).find((file) => /^(licen[cs]e|copying)/i.test(file));
      const text = licenseFile
        ? readFileSync(join(dir, licenseFile), "utf8").trim()
        : `(no license file; package.json says ${manifest.license})`;
      return {
        id: `${manifest.name}@${manifest.version}`,
        text: `${manifest.name}@${manifest.version} (${manifest.license})\n\n${text}\n`,
      };
    })
    .sort((a, b) => a.id.localeCompare(b.id));
  const distinct = [...new Map(sections.map((section) => [section.id, section.text])).values()];
  return `${BUNDLE} bundles these packages, each under its own license:\n\n${distinct.join("\n---\n\n")}`;
}

function parseArgs(argv: string[]): PackOptions {
  const options: PackOptions = {
    outDir: join(REPO_ROOT, "dist", "plugin"),
    pluginDownloadUrl: process.env[PLUGIN_DOWNLOAD_URL_ENV] || undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    if (argv[i] === "--out" && value) options.outDir = resolve(value);
    else if (argv[i] === "--plugin-download-url" && value) options.pluginDownloadUrl = value;
    else throw new Error(`plugin:pack: unknown or incomplete option ${argv[i]} (options: --out DIR, --plugin-download-url URL)`);
    i++;
  }
  return options;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  for (const { file, sha256 } of await packPlugin(options)) console.log(`${sha256}  ${file}`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
