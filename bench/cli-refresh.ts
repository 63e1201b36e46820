/**
 * `pulumi refresh --parallel P` of N instances through the real CLI, through each front door, against
 * the emulator with a fixed latency, beside its floor — ceil(N / P) waves of one instance-API round
 * trip (a read's getStateInstance and getSettings go out side by side), plus the one shared
 * getInstances — and beside a refresh of N no-op resources through the same door in the same run:
 * what the CLI, the engine and the door cost without any of our work (at P = 32 this machine is
 * CPU-bound, not latency-bound).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Agent, request } from "undici";
import { GreenApiEmulator } from "../emulator";
import type { PulumiCliProject } from "../harness/cli";
import { greenapiStack, noopStack, skippingCheckpoints, timed, type Door } from "./cli-stacks";
import { median } from "./stats";

export interface CliRefresh {
  door: Door;
  n: number;
  parallel: number;
  /** Median of `runs`. */
  wallMs: number;
  /** The same refresh of N no-op resources through the same door (median of `runs`, taking turns with the refresh above). */
  noopMs: number;
  runs: number;
  roundTripMs: number;
  floorMs: number;
  /** The most any of the runs made. */
  getInstances: number;
}

/**
 * The set-up creates the instances through a partner gateway far more generous than Green API's
 * (the provider learns it from the headers), so that creating 1,000 does not take 100 s; a refresh
 * makes one partner call either way.
 */
const SETUP_GATEWAY = { ratePerSecond: 1_000, burst: 1_000 };
const SETUP_PARALLEL = 32;

export async function cliRefresh(
  cli: string,
  door: Door,
  n: number,
  parallels: number[],
  latencyMs: number,
  log: (line: string) => void,
  runs = 1,
): Promise<CliRefresh[]> {
  const emulator = await GreenApiEmulator.start({ latencyMs, partnerRateLimit: SETUP_GATEWAY });
  const scratch = mkdtempSync(join(tmpdir(), "greenapi-bench-cli-"));
  const projects: PulumiCliProject[] = [];
  try {
    const instances = await greenapiStack(door, cli, emulator, n, scratch);
    projects.push(instances);
    await skippingCheckpoints(() => timed(instances, "up", SETUP_PARALLEL));
    const noop = await noopStack(door, cli, n, scratch, instances);
    projects.push(noop);
    await skippingCheckpoints(() => timed(noop, "up", SETUP_PARALLEL));
    log(`CLI refresh, ${door}: ${n} instances and ${n} no-op resources created`);
    const roundTripMs = await instanceRoundTrip(emulator);
    const results: CliRefresh[] = [];
    for (const parallel of parallels) {
      const noops: number[] = [];
      const walls: number[] = [];
      const lists: number[] = [];
      // Taking turns, so that a slow moment of the machine weighs on both alike.
      for (let run = 0; run < runs; run++) {
        noops.push(await timed(noop, "refresh", parallel));
        emulator.resetCounts();
        walls.push(await timed(instances, "refresh", parallel));
        lists.push(emulator.count("getInstances"));
      }
      const [wallMs, noopMs] = [median(walls), median(noops)];
      results.push({
        door,
        n,
        parallel,
        wallMs,
        noopMs,
        runs,
        roundTripMs,
        floorMs: Math.ceil(n / parallel) * roundTripMs + roundTripMs,
        getInstances: Math.max(...lists),
      });
      const seconds = (values: number[]) => values.map((ms) => (ms / 1000).toFixed(2)).join(", ");
      log(`CLI refresh, ${door}, N=${n} --parallel ${parallel}: ${seconds(walls)} s (no-op ${seconds(noops)} s)`);
    }
    return results;
  } finally {
    for (const project of projects) project.close();
    rmSync(scratch, { recursive: true, force: true });
    await emulator.close();
  }
}

/** Median of bare getStateInstance requests: what one instance-API round trip costs here. */
async function instanceRoundTrip(emulator: GreenApiEmulator): Promise<number> {
  const [instance] = emulator.list().filter((i) => !i.deleted);
  const agent = new Agent();
  const samples: number[] = [];
  try {
    for (let i = 0; i < 15; i++) {
      const started = performance.now();
      const answer = await request(`${emulator.url}/waInstance${instance.idInstance}/getStateInstance/${instance.apiTokenInstance}`, {
        dispatcher: agent,
      });
      await answer.body.text();
      samples.push(performance.now() - started);
    }
  } finally {
    await agent.close();
  }
  return median(samples);
}
