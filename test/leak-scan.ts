/**
 * Runs after every test file (jest setupFilesAfterEnv): nothing a provider host printed and nothing
 * the file printed to the console may contain a credential that an emulator of this file handed out
 * or was given — partner tokens, instance tokens, webhook tokens. The dedicated checks (errors,
 * __provider, secret outputs) are in test/host/leaks.test.ts; this one covers the whole suite.
 */
import { GreenApiEmulator } from "../emulator";
import { ProviderHost } from "../harness/host";

// This file's own record of what its emulators and hosts were: the shipped classes keep none.
const emulators: GreenApiEmulator[] = [];
const hosts: ProviderHost[] = [];
const startEmulator = GreenApiEmulator.start.bind(GreenApiEmulator);
GreenApiEmulator.start = async (...args) => remember(emulators, await startEmulator(...args));
const startHost = ProviderHost.start.bind(ProviderHost);
ProviderHost.start = async (...args) => remember(hosts, await startHost(...args));

function remember<T>(list: T[], item: T): T {
  list.push(item);
  return item;
}

const printed: string[] = [];
for (const method of ["log", "info", "warn", "error", "debug"] as const) {
  const original = console[method].bind(console);
  console[method] = (...args: unknown[]) => {
    printed.push(args.map((arg) => (arg instanceof Error ? `${arg.message}\n${arg.stack}` : String(arg))).join(" "));
    original(...args);
  };
}

afterAll(() => {
  const everything = [...hosts.map((host) => host.output()), ...printed].join("\n");
  const credentials = new Set(emulators.flatMap((emulator) => emulator.credentials()));
  const leaked = [...credentials].filter((credential) => everything.includes(credential));
  // Print where, never what: the report itself must not leak.
  expect(leaked.map((credential) => `a credential of ${credential.length} characters`)).toEqual([]);
});
