// Where the harness's code cache (compile-cache.js) keeps what: one definition for the preload and
// its test. Compiled code lives outside the clone, beside the CLI's build (scripts/pulumi-cli.sh),
// under a key that is the same in every clone; where `require`s led stays in the clone.
const { createHash } = require("node:crypto");
const { homedir } = require("node:os");
const { join } = require("node:path");

const CACHE_DIR = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "pulumi-greenapi", "compile-cache", process.version);
const RESOLVED_DIR = join(__dirname, "..", "node_modules", ".cache", "greenapi-harness-compile-cache", process.version);

/** The directory of code compiled under V8's default flags. */
const DEFAULT_FLAGS_DIR = join(CACHE_DIR, "default");

/** The directory of code compiled under the given V8 flags (those set since start, besides the defaults). */
function flagsDirOf(flags) {
  const key = createHash("sha256")
    .update([...flags].sort().join(" "))
    .digest("hex");
  return flags.size === 0 ? DEFAULT_FLAGS_DIR : join(CACHE_DIR, key.slice(0, 16));
}

/** The file that keeps one module's compiled code: by its name and its source. */
function cacheFileOf(flagsDir, name, source) {
  return join(flagsDir, createHash("sha256").update(name).update("\0").update(source).digest("hex"));
}

module.exports = { CACHE_DIR, RESOLVED_DIR, DEFAULT_FLAGS_DIR, flagsDirOf, cacheFileOf };
