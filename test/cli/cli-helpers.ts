/**
 * Small helpers the CLI test files share (harness/cli/ has the project itself): what is
 * alive in the emulator, every credential of a run, and where none of them may appear in clear.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { EmulatedInstance, GreenApiEmulator } from "../../emulator";
import type { PulumiCliProject, StackExport } from "../../harness/cli";

export const INSTANCE_TYPE = "pulumi-nodejs:dynamic/greenapi:Instance";
/** The key that marks a secret in state files and exports (Pulumi's specialSigKey), written out: the tests check the wire, not our code. */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";
/** Generous: a 2-core machine with other suites running. */
export const CLI_TIMEOUT_MS = 300_000;

export function alive(emulator: GreenApiEmulator): EmulatedInstance[] {
  return emulator.list().filter((instance) => !instance.deleted);
}

/** Every credential the emulator knows (partner, instance and webhook tokens), plus extras. */
export function credentials(emulator: GreenApiEmulator, extra: string[] = []): string[] {
  return [...new Set([...emulator.credentials(), ...extra.filter((credential) => credential.length > 0)])];
}

/** Names the place and how many credentials it holds in clear text, never the credentials themselves. */
export function expectNoCredentialIn(where: string, text: string, secrets: string[]): void {
  const found = secrets.filter((secret) => text.includes(secret)).length;
  expect({ where, credentialsInClearText: found }).toEqual({ where, credentialsInClearText: 0 });
}

/** No credential in the output of any command the project ran so far. */
export function expectNoCredentialInOutputs(project: PulumiCliProject, secrets: string[]): void {
  for (const run of project.transcript) expectNoCredentialIn(`the output of \`${run.command}\``, run.output, secrets);
}

/** No credential in clear text in any file the backend wrote: current state, backups, history, locks. */
export function expectNoCredentialInBackend(project: PulumiCliProject, secrets: string[]): void {
  for (const file of project.backendFiles()) expectNoCredentialIn(file.path, file.text, secrets);
}

/** The backend's files and `pulumi stack export` hold credentials only encrypted; returns the export. */
export async function expectStateHoldsCredentialsEncrypted(project: PulumiCliProject, secrets: string[]): Promise<StackExport> {
  expectNoCredentialInBackend(project, secrets);
  const state = await project.exportState();
  expectNoCredentialIn("pulumi stack export", JSON.stringify(state), secrets);
  return state;
}

/** Every regular file below dir, with its text. */
export function filesUnder(dir: string): Array<{ path: string; text: string }> {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .map((path) => ({ path, text: readFileSync(path, "utf8") }));
}

/** How many requests the emulator answered with HTTP 429. */
export function rateLimited(emulator: GreenApiEmulator): number {
  return emulator.requests.filter((request) => request.status === 429).length;
}
