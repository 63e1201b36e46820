// Jest's transform for our TypeScript: esbuild strips the types (each file alone, as `isolatedModules`
// promises) in a fraction of ts-jest's time; `npm run typecheck` checks the types, once.
const { createHash } = require("node:crypto");
const { readFileSync } = require("node:fs");
const { transformSync, version } = require("esbuild");

const OPTIONS = {
  loader: "ts",
  format: "cjs",
  target: "node20",
  sourcemap: "external",
  // `import()` becomes `require()`, as in tsc's CommonJS output: Jest's module registry serves
  // `require` only (a native `import()` needs --experimental-vm-modules).
  supported: { "dynamic-import": false },
  // tsconfig's target ES2022 defines class fields (TypeScript's default there), as Node does.
  tsconfigRaw: { compilerOptions: { useDefineForClassFields: true } },
};
// Jest's cache key covers the source and Jest's config, not the transform: this file and esbuild's version join it.
const SELF = createHash("sha256").update(readFileSync(__filename)).update(version).digest("hex");

module.exports = {
  getCacheKey(source, filename) {
    return createHash("sha256").update(SELF).update(filename).update("\0").update(source).digest("hex");
  },
  process(source, filename) {
    const { code, map } = transformSync(source, { ...OPTIONS, sourcefile: filename });
    return { code, map };
  },
};
