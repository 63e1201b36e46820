/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": "<rootDir>/test/transform.js",
  },
  // Generous: on a busy 2-core machine host and CLI tests take several times their idle duration.
  testTimeout: 300000,
  // Modules loaded on first use (test/deferred-modules.js).
  setupFiles: ["<rootDir>/test/deferred-modules.js"],
  // A leak scan over everything each test file printed (test/leak-scan.ts).
  setupFilesAfterEnv: ["<rootDir>/test/leak-scan.ts"],
  // Host-driven tests mostly wait (on Green API's per-instance pacing, on host start-up), so more
  // workers than this machine's two cores still shortens the run.
  maxWorkers: 3,
  // The fault matrix runs its cells side by side; most of each cell is waiting out a settle window.
  maxConcurrency: 32,
};
