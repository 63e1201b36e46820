// Preloaded (`node --require`) into the dynamic-provider hosts the harness starts. @pulumi/pulumi
// loads TypeScript's compiler and npm's Arborist when it starts, for serializing closures and
// finding their packages, which a provider host never does: about half of its start, ~0.18 s of CPU,
// and the suite starts about 160 hosts. Here each is loaded when first used instead; code that uses
// one gets the module itself, later.
const Module = require("node:module");

const DEFERRED = new Set(["typescript", "@npmcli/arborist"]);

const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (!DEFERRED.has(request)) return load.apply(this, arguments);
  let loaded;
  const real = () => (loaded ??= load.call(this, request, parent, isMain));
  return new Proxy(
    {},
    {
      // TypeScript's import helper copies a CommonJS module's keys at once (`__importStar`), unless
      // the module says it is an ES module: this one passes through, and its fields are read at use.
      get: (_, key) => (key === "__esModule" ? true : Reflect.get(real(), key)),
      has: (_, key) => Reflect.has(real(), key),
      ownKeys: () => Reflect.ownKeys(real()),
      getOwnPropertyDescriptor: (_, key) => {
        const descriptor = Reflect.getOwnPropertyDescriptor(real(), key);
        // A proxy may only report a property its (empty) target could have: a configurable one.
        return descriptor && { ...descriptor, configurable: true };
      },
    },
  );
};
