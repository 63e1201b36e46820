/**
 * Soak: creates whose answer never arrives, over and over, through Pulumi's real provider host,
 * in two trials:
 *  - lost answer: the emulator performs each createInstance, then drops the connection;
 *  - late: the emulator performs each createInstance 0.5 to 2 request deadlines after it arrived,
 *    whether or not the provider still waits (a slow Green API); in every fourth batch the account
 *    list fails too once the creates have arrived, so the provider cannot find out in time.
 * Either way the provider must find the instance by name instead of creating (and billing) a second
 * one. A create that fails saying its outcome is unknown is run again, as a user would, and must then
 * end with its instance. Prints what is left in the account and exits non-zero on any duplicate,
 * orphan, lost instance or unrecovered create.
 *
 *   npm run soak [-- --iterations 100 --concurrency 10 --trial lost|late|both]
 */
import { parseArgs } from "node:util";
import { GreenApiEmulator } from "../emulator";
import { captureRegistrations, Engine, makeProgramDir, removeProgramDir, startConfiguredHost, type ResourceGoal } from "../harness";
import { GreenApiInstance } from "../provider";

type Trial = "lost" | "late";

/** The late trial runs with the default deadlines' shape (room for one settle window), scaled down. */
const LATE_REQUEST_SECONDS = 1;
const LATE_OPERATION_SECONDS = 5;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      iterations: { type: "string", default: "100" },
      concurrency: { type: "string", default: "10" },
      trial: { type: "string", default: "both" },
    },
  });
  const iterations = positive(values.iterations, "--iterations");
  // Several creates at once, as the engine runs independent resources: lookups by name must not
  // mistake a neighbour's instance, or a list fetched before the create, for the answer.
  const concurrency = Math.min(positive(values.concurrency, "--concurrency"), iterations);
  if (!["lost", "late", "both"].includes(values.trial)) throw new UsageError(`--trial must be lost, late or both, got "${values.trial}"`);
  const trials: Trial[] = values.trial === "both" ? ["lost", "late"] : [values.trial as Trial];
  let ok = true;
  for (const trial of trials) ok = (await runTrial(trial, iterations, concurrency)) && ok;
  return ok ? 0 : 1;
}

async function runTrial(trial: Trial, iterations: number, concurrency: number): Promise<boolean> {
  const started = Date.now();
  const emulator = await GreenApiEmulator.start();
  const config = {
    "greenapi:partnerToken": emulator.partnerToken,
    "greenapi:partnerApiUrl": emulator.url,
    "greenapi:apiUrl": emulator.url,
    ...(trial === "late"
      ? {
          "greenapi:requestTimeoutSeconds": String(LATE_REQUEST_SECONDS),
          "greenapi:operationTimeoutSeconds": String(LATE_OPERATION_SECONDS),
        }
      : { "greenapi:requestTimeoutSeconds": "5" }),
  };
  const programDir = makeProgramDir("greenapi-soak-");
  const host = await startConfiguredHost(config, { programDir });
  const engines: Engine[] = [];
  let failures = 0;
  let unknown = 0;
  let recovered = 0;
  let creates = 0; // createInstance requests sent so far (one per resource: never a second)
  try {
    for (let first = 0; first < iterations; first += concurrency) {
      const names = Array.from({ length: Math.min(concurrency, iterations - first) }, (_, i) => `soak-${trial}-${first + i + 1}`);
      const registrations = await captureRegistrations(
        () => {
          for (const name of names) new GreenApiInstance(name);
        },
        { config, secretKeys: ["greenapi:partnerToken"] },
      );
      for (const { inputs } of registrations) {
        const name = String(inputs.__autoName);
        const delayMs = Math.round((0.5 + 1.5 * Math.random()) * LATE_REQUEST_SECONDS * 1000);
        emulator.injectFault(
          trial === "late"
            ? { method: "createInstance", kind: "late", delayMs, name }
            : { method: "createInstance", kind: "performThenDrop", name },
        );
      }
      const goals: ResourceGoal[] = registrations.map(({ type, name, inputs }) => ({ type, name, inputs }));
      const engine = new Engine(host);
      engines.push(engine);
      const running = engine.up(goals).then(
        () => undefined,
        (e: Error) => e,
      );
      const blind = trial === "late" && (first / concurrency) % 4 === 3;
      if (blind) {
        const arrived = () => emulator.requests.filter((r) => r.method === "createInstance").length >= creates + names.length;
        while (!arrived()) await new Promise((resolve) => setTimeout(resolve, 10));
        emulator.injectFault({ method: "getInstances", kind: "status", status: 503, times: 100_000 });
      }
      const error = await running;
      if (blind) emulator.clearFaults({ method: "getInstances" });
      creates += names.length;
      if (!error) continue;
      if (!/the outcome is unknown/.test(error.message)) {
        failures++;
        console.error(`soak: up of ${names.join(", ")} failed: ${error.message}`);
        continue;
      }
      // As a user would: run `pulumi up` again, once Green API has caught up.
      const missing = goals.length - engine.state.size;
      unknown += missing;
      await emulator.lateRequestsPerformed();
      await engine.up(goals).catch((e: Error) => console.error(`soak: the next up of ${names.join(", ")} failed: ${e.message}`));
      recovered += missing - (goals.length - engine.state.size);
    }
    await emulator.lateRequestsPerformed();

    const live = emulator.list().filter((instance) => !instance.deleted);
    const recorded = new Set(engines.flatMap((engine) => [...engine.state.values()].map((entry) => Number(entry.id))));
    const perName = new Map<string, number>();
    for (const instance of live) perName.set(instance.name, (perName.get(instance.name) ?? 0) + 1);
    const duplicates = [...perName.values()].reduce((sum, count) => sum + count - 1, 0);
    const orphans = live.filter((instance) => !recorded.has(instance.idInstance)).length;
    const lost = [...recorded].filter((id) => !live.some((instance) => instance.idInstance === id)).length;

    for (const engine of engines) await engine.destroy();
    const leftAlive = emulator.list().filter((instance) => !instance.deleted).length;

    const what =
      trial === "late"
        ? `creates that Green API performed 0.5–2 request deadlines (${LATE_REQUEST_SECONDS} s) late`
        : "creates whose answer was lost";
    console.log(`soak: ${iterations} ${what}, ${concurrency} at a time, through Pulumi's provider host`);
    console.log(`  createInstance requests:          ${emulator.count("createInstance")}`);
    console.log(`  live instances / in state:        ${live.length} / ${recorded.size}`);
    console.log(`  duplicate live instances:         ${duplicates}`);
    console.log(`  live but not in state (orphans):  ${orphans}`);
    console.log(`  in state but not live (lost):     ${lost}`);
    console.log(`  creates failed "outcome unknown": ${unknown}, recovered by the next up: ${recovered}`);
    console.log(`  other failed runs:                ${failures}`);
    console.log(`  alive after destroy:              ${leftAlive}`);
    console.log(`  ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const ok =
      duplicates === 0 &&
      orphans === 0 &&
      lost === 0 &&
      failures === 0 &&
      recovered === unknown &&
      leftAlive === 0 &&
      live.length === iterations &&
      emulator.count("createInstance") === iterations;
    console.log(ok ? `soak (${trial}): OK` : `soak (${trial}): FAILED`);
    return ok;
  } finally {
    await host.stop();
    await emulator.close();
    removeProgramDir(programDir);
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
    console.error(
      error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")
        ? `soak: ${(error as Error).message}`
        : error,
    );
    process.exit(1);
  },
);
