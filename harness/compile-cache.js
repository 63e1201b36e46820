// Preloaded (preload.js) into the Node processes the harness starts and those the CLI suite's CLI
// starts: a V8 code cache for every CommonJS module they load, as Node 22's NODE_COMPILE_CACHE keeps,
// and the file each `require` resolved to. The same source runs; only its parsing and the search for
// it are skipped. A dynamic host or a program spends about 0.6 s of CPU loading @pulumi/pulumi, a
// plugin 0.2 s loading its modules, and the suite starts about 300 and 150 of them.
const Module = require("node:module");
const v8 = require("node:v8");
const { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } = require("node:fs");
const { dirname, join, relative, sep } = require("node:path");
const { setTimeout } = require("node:timers");
const vm = require("node:vm");
const { DEFAULT_FLAGS_DIR, RESOLVED_DIR, cacheFileOf, flagsDirOf } = require("./compile-cache-files");

const REPO_ROOT = join(__dirname, "..");

// Compiled code goes outside the clone (compile-cache-files.js), so that a fresh clone on a machine
// that has run the suite starts warm (a cold start costs a suite ~30 s of CPU). Its key is the same
// in every clone: a repository file's path in the repository (any other file's full path) and the
// source, so an edited file gets a new entry and no clone reads another's code for a source of its
// own. Delete the directory to reclaim it. Where `require`s led stays in the clone's node_modules:
// another clone's packages may be laid out differently, and a file found there might not be the one
// Node would find here.
const nameOf = (file) => (file.startsWith(REPO_ROOT + sep) ? relative(REPO_ROOT, file) : file);
mkdirSync(RESOLVED_DIR, { recursive: true });

// V8 takes a cache only under the flags it was written with, the one built into Node for its own
// modules too. @pulumi/pulumi turns on natives syntax (for closure serialization) partway through
// loading; turned on from the start, every Node module a process loads would be compiled anew (~25 ms
// of a host's start; a plugin never turns it on). So the caches go by the flags in force: what was
// loaded under the old flags is written when they change, with the functions that ran by then, and
// a module is read from the cache of the flags in force when it loads.
const flagsSet = new Set();
let flagsDir = DEFAULT_FLAGS_DIR;
const setFlagsFromString = v8.setFlagsFromString;
v8.setFlagsFromString = function (flags) {
  save();
  flagsSet.add(String(flags).trim());
  flagsDir = flagsDirOf(flagsSet);
  mkdirSync(flagsDir, { recursive: true });
  return setFlagsFromString.call(this, flags);
};
mkdirSync(flagsDir, { recursive: true });

// Only files that outlive a test, this repository's and installed packages': a CLI project's program,
// in a directory of its own for one test, would only fill the cache.
const lasting = (file) => file.startsWith(REPO_ROOT + sep) || file.includes(`${sep}node_modules${sep}`);

/**
 * What to write, by file: done shortly after, not at exit, since hosts end by a signal. Each file is
 * written whole or not at all, with other hosts writing beside it; one that cannot be written only
 * costs the next host its parse or search.
 */
const unsaved = new Map();
let saving;
function saveLater(file, data) {
  unsaved.set(file, data);
  saving ??= setTimeout(save, 200).unref();
}
function save() {
  saving = undefined;
  for (const [file, data] of unsaved) {
    try {
      const temporary = `${file}.${process.pid}`;
      writeFileSync(temporary, data());
      renameSync(temporary, file);
    } catch {
      // Left for the next host.
    }
  }
  unsaved.clear();
}

// One limit: on Node 20 a script run from V8's cache has no dynamic-import callback, so every
// `import()` in these processes fails at once (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING), loudly, never
// silently. Hosts load providers with `require`, our build is CommonJS, and the SDK's `cmd/run`
// imports a program only when its package.json says `"type": "module"`, which the suite's never do.
const compile = Module.prototype._compile;
Module.prototype._compile = function (content, filename) {
  if (!lasting(filename)) return compile.call(this, content, filename);
  // Node strips a shebang line before compiling; vm.Script would not.
  const source = content.startsWith("#!") ? `//${content.slice(2)}` : content;
  const file = cacheFileOf(flagsDir, nameOf(filename), source);
  let cachedData;
  try {
    cachedData = readFileSync(file);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(source), { filename, cachedData });
  // Created when written: by then it holds the functions that ran, not only the top level.
  if (cachedData === undefined || script.cachedDataRejected) saveLater(file, () => script.createCachedData());
  const require = (id) => this.require(id);
  require.resolve = (request, options) => Module._resolveFilename(request, this, false, options);
  require.resolve.paths = (request) => Module._resolveLookupPaths(request, this);
  require.main = process.mainModule;
  require.cache = Module._cache;
  require.extensions = Module._extensions;
  return script.runInThisContext({ displayErrors: true }).call(this.exports, this.exports, require, this, filename, dirname(filename));
};

// Where each `require` led, by the requiring file's directory and the request: what Node's search
// depends on (a thousand modules cost a host ~80 ms of stat calls and package.json reads). A file
// that has gone since is searched for again.
const RESOLVED_FILE = join(RESOLVED_DIR, "resolved.json");
let resolved;
try {
  resolved = new Map(Object.entries(JSON.parse(readFileSync(RESOLVED_FILE, "utf8"))));
} catch {
  resolved = new Map();
}
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, isMain, options) {
  // require.resolve with its own paths, the main script, throwaway programs and built-ins go Node's own way.
  if (options !== undefined || !parent?.filename || !lasting(parent.filename) || Module.isBuiltin(request))
    return resolveFilename.call(this, request, parent, isMain, options);
  const key = `${dirname(parent.filename)}\0${request}`;
  const known = resolved.get(key);
  if (known !== undefined && existsSync(known)) return known;
  const filename = resolveFilename.call(this, request, parent, isMain, options);
  resolved.set(key, filename);
  saveLater(RESOLVED_FILE, () => JSON.stringify(Object.fromEntries(resolved)));
  return filename;
};
