/**
 * Soak: the lost-response create, over and over, through Pulumi's real provider host. Every
 * createInstance is performed by the emulator and then its connection is dropped, so the provider
 * never sees the answer and must find the instance by name instead of creating (and billing) a
 * second one. Prints what is left in the account and exits non-zero on any duplicate, orphan or
 * lost instance.
 *
 *   npm run soak [-- --iterations 100 --concurrency 5]
 */
import { parseArgs } from "node:util";
import { GreenApiEmulator } from "../emulator";
import { captureRegistrations, Engine, makeProgramDir, startConfiguredHost } from "../harness";
import { GreenApiInstance } from "../provider";


async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { iterations: { type: "string", default: "100" }, concurrency: { type: "string", default: "5" } },
  });
  const iterations = positive(values.iterations, "--iterations");
  // Several creates at once, as the engine runs independent resources: lookups by name must not
  // mistake a neighbour's instance, or a list fetched before the create, for the answer.
  const concurrency = Math.min(positive(values.concurrency, "--concurrency"), iterations);
  const started = Date.now();

  const emulator = await GreenApiEmulator.start();
  const config = {
    "greenapi:partnerToken": emulator.partnerToken,
    "greenapi:partnerApiUrl": emulator.url,
    "greenapi:apiUrl": emulator.url,
    "greenapi:requestTimeoutSeconds": "5",
  };
  const host = await startConfiguredHost(config, { programDir: makeProgramDir("greenapi-soak-") });
  const engines: Engine[] = [];
  let failures = 0;
  try {
    for (let first = 0; first < iterations; first += concurrency) {
      const names = Array.from({ length: Math.min(concurrency, iterations - first) }, (_, i) => `soak-${first + i + 1}`);
      const registrations = await captureRegistrations(
        () => {
          for (const name of names) new GreenApiInstance(name);
        },
        { config, secretKeys: ["greenapi:partnerToken"] },
      );
      emulator.injectFault({ method: "createInstance", kind: "performThenDrop", times: names.length });
      const engine = new Engine(host);
      engines.push(engine);
      await engine.up(registrations.map(({ type, name, inputs }) => ({ type, name, inputs }))).catch((error: Error) => {
        failures++;
        console.error(`soak: up of ${names.join(", ")} failed: ${error.message}`);
      });
    }

    const live = emulator.list().filter((instance) => !instance.deleted);
    const recorded = new Set(engines.flatMap((engine) => [...engine.state.values()].map((entry) => Number(entry.id))));
    const perName = new Map<string, number>();
    for (const instance of live) perName.set(instance.name, (perName.get(instance.name) ?? 0) + 1);
    const duplicates = [...perName.values()].reduce((sum, count) => sum + count - 1, 0);
    const orphans = live.filter((instance) => !recorded.has(instance.idInstance)).length;
    const lost = [...recorded].filter((id) => !live.some((instance) => instance.idInstance === id)).length;
    const creates = emulator.count("createInstance");

    for (const engine of engines) await engine.destroy();
    const leftAlive = emulator.list().filter((instance) => !instance.deleted).length;

    console.log(`soak: ${iterations} creates whose answer was lost, ${concurrency} at a time, through Pulumi's provider host`);
    console.log(`  createInstance requests:          ${creates}`);
    console.log(`  live instances / in state:        ${live.length} / ${recorded.size}`);
    console.log(`  duplicate live instances:         ${duplicates}`);
    console.log(`  live but not in state (orphans):  ${orphans}`);
    console.log(`  in state but not live (lost):     ${lost}`);
    console.log(`  failed runs:                      ${failures}`);
    console.log(`  alive after destroy:              ${leftAlive}`);
    console.log(`  ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const ok = duplicates === 0 && orphans === 0 && lost === 0 && failures === 0 && leftAlive === 0 && live.length === iterations;
    console.log(ok ? "soak: OK" : "soak: FAILED");
    return ok ? 0 : 1;
  } finally {
    await host.stop();
    await emulator.close();
  }
}


class UsageError extends Error {}

function positive(text: string | undefined, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`${flag} must be a positive whole number, got "${text}"`);
  return value;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS") ? `soak: ${(error as Error).message}` : error);
    process.exit(1);
  },
);
