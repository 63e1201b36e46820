/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    // tsconfig sets isolatedModules: ts-jest transpiles only; `npm run typecheck` checks types once.
    "^.+\\.ts$": ["ts-jest", {}],
  },
  testTimeout: 60000,
};
