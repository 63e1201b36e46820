/**
 * The harness's code cache (harness/compile-cache.js, in the preload the harness gives its hosts and
 * the CLI suite's Node processes): an installed package's module is kept and runs the same from the
 * cache, which the next process takes as it is; a program in a directory of its own for one test, as
 * a CLI project's is, is left out.
 */
import { randomUUID } from "node:crypto";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { PRELOAD } from "../../harness/node-options";
import { REPO_ROOT } from "../../harness/repo";

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain script the preload uses, without type declarations
const files = require("../../harness/compile-cache-files") as {
  RESOLVED_DIR: string;
  DEFAULT_FLAGS_DIR: string;
  cacheFileOf(flagsDir: string, name: string, source: string): string;
};
/** Where the cache keeps code compiled under V8's default flags: by the file's name (its path in the repository, or its full path) and its source. */
const cacheFileOf = (name: string, source: string) => files.cacheFileOf(files.DEFAULT_FLAGS_DIR, name, source);
/** Where each `require` led, by the requiring file's directory and the request: in the clone's node_modules. */
function resolutions(): Record<string, string> {
  const file = join(files.RESOLVED_DIR, "resolved.json");
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
}

describe("the harness's code cache", () => {
  let dir: string;

  beforeAll(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), "greenapi-compile-cache-")));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps an installed package's module and runs it from there; a throwaway program's it leaves out", async () => {
    // New sources, so neither file can be in the cache already.
    const nonce = randomUUID();
    const packageSource = `module.exports = ${JSON.stringify(nonce)};\n`;
    const packageFile = join(dir, "node_modules", "probe", "index.js");
    mkdirSync(join(dir, "node_modules", "probe"), { recursive: true });
    writeFileSync(packageFile, packageSource);
    // Then, as @pulumi/pulumi does partway through loading, natives syntax is turned on: the module
    // was compiled before, under the default flags, and its cache must be written under them. (The
    // cache writes 200 ms after a load, on a timer that does not keep the process alive; the
    // program's own, later timer does, and fires after it.)
    const programSource = [
      `console.log(require("probe"));`,
      `require("node:v8").setFlagsFromString("--allow-natives-syntax");`,
      `setTimeout(() => {}, 1000); // ${nonce}`,
    ].join("\n");
    const program = join(dir, "program.js");
    writeFileSync(program, programSource);
    const run = async () => (await promisify(execFile)(process.execPath, ["--require", PRELOAD, program], { cwd: dir })).stdout.trim();

    expect(await run()).toBe(nonce);
    expect(existsSync(cacheFileOf(packageFile, packageSource))).toBe(true);
    expect(existsSync(cacheFileOf(program, programSource))).toBe(false);
    // Nor where the program's `require` led.
    expect(Object.keys(resolutions()).filter((key) => key.startsWith(`${dir}\0`))).toEqual([]);
    // Now from the cache: the same module, the same value, and the cache taken as it is, not
    // rejected and written again (as it would be if its V8 flags differed from the reader's).
    const written = statSync(cacheFileOf(packageFile, packageSource)).ino;
    expect(await run()).toBe(nonce);
    expect(statSync(cacheFileOf(packageFile, packageSource)).ino).toBe(written);
  });

  it("keys a repository file by its path in the repository, so that every clone of it shares the entry", async () => {
    // A new module inside the repository (in its node_modules, which git ignores).
    const nonce = randomUUID();
    const name = join("node_modules", ".cache", `greenapi-compile-cache-probe-${nonce}.js`);
    const source = `module.exports = ${JSON.stringify(nonce)};\n`;
    writeFileSync(join(REPO_ROOT, name), source);
    try {
      const script = `console.log(require(${JSON.stringify(join(REPO_ROOT, name))})); setTimeout(() => {}, 1000);`;
      const { stdout } = await promisify(execFile)(process.execPath, ["--require", PRELOAD, "-e", script], { cwd: REPO_ROOT });
      expect(stdout.trim()).toBe(nonce);
      expect(existsSync(cacheFileOf(name, source))).toBe(true);
      expect(existsSync(cacheFileOf(join(REPO_ROOT, name), source))).toBe(false);
    } finally {
      rmSync(join(REPO_ROOT, name), { force: true });
    }
  });
});
