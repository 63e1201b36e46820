// Modules @pulumi/pulumi loads when it starts but neither a provider host nor a test process uses:
// for serializing closures (TypeScript's compiler, and normalize-package-data to read their
// packages), finding their packages (npm's Arborist), the Automation API's commands (execa),
// reading a plugin's manifest (js-yaml) and tracing (@opentelemetry/api, used only when a trace is
// asked for). They are about half of a dynamic host's start (~0.25 s of CPU; the last four ~0.07 s,
// and the suite starts about 300 hosts) and ~0.5 s of each test file that loads the SDK. Where they are
// deferred, each loads when first used; code that uses one gets the module itself, later.
const Module = require("node:module");

const DEFERRED_MODULES = ["typescript", "@npmcli/arborist", "normalize-package-data", "execa", "js-yaml", "@opentelemetry/api"];

/**
 * The module `load()` returns, loaded when it is first looked into. It shows as an ES module
 * namespace, as Node's `import` shows a CommonJS module: its fields, and the module itself as
 * `default`. Compiled imports take such a namespace as it is (TypeScript's `__importStar` would
 * otherwise copy a CommonJS module's fields at once, loading it), and read its fields at use.
 */
function deferred(load) {
  let loaded;
  const real = () => (loaded ??= load());
  // The fields only the namespace adds, for a CommonJS module.
  const added = () => (real().__esModule ? {} : { __esModule: true, default: real() });
  return new Proxy(
    {},
    {
      get: (_, key) => (key === "__esModule" ? true : Object.hasOwn(added(), key) ? added()[key] : Reflect.get(real(), key)),
      has: (_, key) => key in added() || Reflect.has(real(), key),
      ownKeys: () => [...new Set([...Reflect.ownKeys(real()), ...Object.keys(added())])],
      getOwnPropertyDescriptor: (_, key) => {
        const descriptor = Object.getOwnPropertyDescriptor(added(), key) ?? Reflect.getOwnPropertyDescriptor(real(), key);
        // A proxy may only report a property its (empty) target could have: a configurable one.
        return descriptor && { ...descriptor, configurable: true };
      },
    },
  );
}

/** Defers the modules in this Node process's own `require`. */
function deferInThisProcess() {
  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    if (!DEFERRED_MODULES.includes(request)) return load.apply(this, arguments);
    return deferred(() => load.call(this, request, parent, isMain));
  };
}

module.exports = { DEFERRED_MODULES, deferred, deferInThisProcess };
