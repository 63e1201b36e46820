/**
 * `npm ci` on a fresh clone needs a lock that lists every optional platform package; this registry
 * lacks some, so npm leaves them out when it writes the lock (see scripts/complete-lockfile.ts).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { missingOptionalPackages, platformOf } from "../../scripts/complete-lockfile";

const REPO_ROOT = join(__dirname, "..", "..");

it("package-lock.json lists every optional platform package (else: npm run build && node dist/scripts/complete-lockfile.js)", () => {
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, "package-lock.json"), "utf8"));
  expect(missingOptionalPackages(lock).map((m) => m.name)).toEqual([]);
});

it("reads a binding's platform from its name", () => {
  expect(platformOf("@unrs/resolver-binding-linux-arm64-musl")).toEqual({ os: ["linux"], cpu: ["arm64"], libc: ["musl"] });
  expect(platformOf("@unrs/resolver-binding-win32-x64-msvc")).toEqual({ os: ["win32"], cpu: ["x64"] });
  expect(platformOf("@unrs/resolver-binding-wasm32-wasi")).toEqual({ cpu: ["wasm32"] });
  expect(missingOptionalPackages({ packages: { "node_modules/a": { optionalDependencies: { "b-linux-x64": "1.0.0" } } } })).toEqual([
    { name: "b-linux-x64", version: "1.0.0", dev: false },
  ]);
});
