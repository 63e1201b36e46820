/**
 * `npm run python-env`: a Python virtual environment for Python programs on the greenapi package,
 * as a Python user makes one — `python3 -m venv`, then pip: the `pulumi` SDK from PyPI at the versions
 * tools/pulumi-python/requirements.txt pins (with everything it pulls in), and the pulumi_greenapi SDK
 * generated from the schema as `npm run sdks` generates it (scripts/sdks.ts).
 *
 * Cached outside the clone, in
 * ${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-greenapi/python-env/python-<v>-pulumi-<v>-<key>, <key> a hash
 * of the interpreter, the requirements and the generated SDK's files: a changed schema or pin gets a
 * directory of its own, and a later run that finds its directory complete only prints it. That name
 * is a symbolic link to the environment, made once it is complete: a virtual environment cannot be
 * moved (pip writes its path into scripts), so it is built where it stays, under a name of its own.
 *
 * The directory is the last line on stdout, progress goes to stderr. Run a program with the
 * environment activated (its bin/ first on PATH): the Python language host runs the first `python3`
 * on PATH.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { generateSdks } from "./sdks";

const REPO_ROOT = [resolve(__dirname, ".."), resolve(__dirname, "..", "..")].find((dir) => existsSync(join(dir, "package-lock.json")))!;
export const PYTHON_REQUIREMENTS = join(REPO_ROOT, "tools", "pulumi-python", "requirements.txt");
/** Bump when what the directory holds changes. */
const LAYOUT = "python-env 1";
const COMPLETE = ".pulumi-greenapi-complete";
/** pip's own: a first install downloads ~20 packages from PyPI. */
const PIP_TIMEOUT_MS = 600_000;

function log(text: string): void {
  process.stderr.write(`python-env: ${text}\n`);
}

/** Runs a command, its output to stderr (stdout carries only the result); the error names the command. */
function run(command: string, args: string[], timeout = PIP_TIMEOUT_MS): void {
  try {
    execFileSync(command, args, { stdio: ["ignore", process.stderr, process.stderr], timeout });
  } catch (error) {
    throw new Error(`python-env: \`${command} ${args.join(" ")}\` failed`, { cause: error });
  }
}

/** Every file below dir, by its relative path, in one hash. */
function treeHash(dir: string): string {
  const hash = createHash("sha256");
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  for (const file of files)
    hash
      .update(`${relative(dir, file)}\0`)
      .update(readFileSync(file))
      .update("\0");
  return hash.digest("hex");
}

/** The version requirements.txt pins for a package. */
function pinned(requirements: string, name: string): string {
  const version = new RegExp(`^${name}==(\\S+)$`, "m").exec(requirements)?.[1];
  if (!version) throw new Error(`python-env: no ${name}==<version> in ${PYTHON_REQUIREMENTS}`);
  return version;
}

export interface PythonEnvOptions {
  /** Where pulumi-gen-sdk is (default: the directory `npm run pulumi-cli` prints). */
  generatorDir?: string;
  /** The interpreter the environment is made from. */
  python?: string;
}

/** The environment's directory (its bin/python runs programs), made on first use. */
export async function pythonEnv({ generatorDir, python = "python3" }: PythonEnvOptions = {}): Promise<string> {
  const requirements = readFileSync(PYTHON_REQUIREMENTS, "utf8");
  const pulumiVersion = pinned(requirements, "pulumi");
  let interpreter: { version: string; executable: string };
  try {
    interpreter = JSON.parse(
      execFileSync(
        python,
        ["-c", "import json, sys; print(json.dumps({'version': sys.version.split()[0], 'executable': sys.executable}))"],
        {
          encoding: "utf8",
        },
      ),
    );
  } catch (error) {
    throw new Error(`python-env: no Python at \`${python}\`: install Python >= 3.9 with its venv module`, { cause: error });
  }

  const scratch = mkdtempSync(join(tmpdir(), "greenapi-python-env-"));
  try {
    const { python: sdk } = await generateSdks({ outDir: scratch, languages: ["python"], generatorDir });
    const key = createHash("sha256")
      .update([LAYOUT, interpreter.version, interpreter.executable, requirements, treeHash(sdk)].join("\0"))
      .digest("hex")
      .slice(0, 8);
    const cacheRoot = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "pulumi-greenapi", "python-env");
    const dir = join(cacheRoot, `python-${interpreter.version}-pulumi-${pulumiVersion}-${key}`);
    if (existsSync(join(dir, COMPLETE))) return dir;

    mkdirSync(cacheRoot, { recursive: true });
    const env = mkdtempSync(join(cacheRoot, `.python-${interpreter.version}-pulumi-${pulumiVersion}-${key}.`));
    chmodSync(env, 0o755);
    log(`making a virtual environment with Python ${interpreter.version}, pulumi ${pulumiVersion} and pulumi_greenapi in ${env}`);
    try {
      run(python, ["-m", "venv", env]);
      const pip = [join(env, "bin", "python"), "-m", "pip", "--disable-pip-version-check", "--no-input"];
      run(pip[0], [...pip.slice(1), "install", "--quiet", "--requirement", PYTHON_REQUIREMENTS]);
      // Its dependencies are pinned above; pip check says if the SDK asks for anything else.
      run(pip[0], [...pip.slice(1), "install", "--quiet", "--no-deps", sdk]);
      run(pip[0], [...pip.slice(1), "check"]);
      run(join(env, "bin", "python"), ["-c", "import pulumi, pulumi_greenapi"]);
      writeFileSync(join(env, COMPLETE), `${pulumiVersion}\n`);
    } catch (error) {
      rmSync(env, { recursive: true, force: true });
      throw error;
    }
    try {
      symlinkSync(env, dir, "dir");
    } catch (error) {
      // Another run finished first: keep its environment (a test may be using it).
      rmSync(env, { recursive: true, force: true });
      if (!existsSync(join(dir, COMPLETE))) throw new Error(`python-env: cannot link ${dir} to the environment`, { cause: error });
    }
    return dir;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (require.main === module) {
  pythonEnv().then(
    (dir) => console.log(dir),
    (error: unknown) => {
      console.error(error instanceof Error ? `${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ""}` : error);
      process.exit(1);
    },
  );
}
