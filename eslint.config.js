// ESLint (flat config): JavaScript's and typescript-eslint's recommended rules; formatting is Prettier's.
const js = require("@eslint/js");
const tseslint = require("typescript-eslint");
const prettier = require("eslint-config-prettier");
const { builtinModules } = require("node:module");

module.exports = tseslint.config(
  { ignores: ["dist/", "node_modules/", "coverage/", "tools/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      // `_`-prefixed names are destructured out on purpose (`const { secret: _secret, ...rest } = …`).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true },
      ],
      // Node's built-in modules by their `node:` names, everywhere.
      "no-restricted-imports": [
        "error",
        { paths: builtinModules.filter((name) => !name.startsWith("_")).map((name) => ({ name, message: `import "node:${name}"` })) },
      ],
    },
  },
  {
    // The serialized provider must `require` the installed package by name at call time, and the
    // package root loads the client on first use; the flag outputs are typed on the class by
    // merging it with an interface.
    files: ["provider/resource.ts", "provider/index.ts", "bench/providers.ts"],
    rules: {
      "@typescript-eslint/no-require-imports": "off",
      "@typescript-eslint/no-unsafe-declaration-merging": "off",
      "@typescript-eslint/no-empty-object-type": "off",
    },
  },
  {
    files: ["**/*.js"],
    languageOptions: {
      sourceType: "commonjs",
      globals: {
        require: "readonly",
        module: "writable",
        __dirname: "readonly",
        __filename: "readonly",
        process: "readonly",
        console: "readonly",
      },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
