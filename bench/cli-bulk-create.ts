/**
 * `pulumi up --parallel P` of N new instances through the real CLI, against the emulator's partner
 * gateway at Green API's bucket (10 partner calls a second per account, bursts of 20), through
 * each front door, beside its floor: the burst at once, then every other partner call at the
 * bucket's rate — the N createInstance calls plus the getInstances lists the provider needed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GREEN_API_PARTNER_RATE_LIMIT, GreenApiEmulator } from "../emulator";
import { greenapiStack, skippingCheckpoints, timed, type Door } from "./cli-stacks";

export interface BulkCreate {
  door: Door;
  /** Run with PULUMI_SKIP_CHECKPOINTS=true (the state saved once, at the end). */
  checkpointsSkipped: boolean;
  n: number;
  parallel: number;
  wallMs: number;
  floorMs: number;
  /** createInstance requests sent (429s included) and performed. */
  createRequests: number;
  created: number;
  lists: number;
  /** Partner calls answered 429. */
  refused: number;
  /** Mean bytes of one instance's entry in the state the engine saves (`pulumi stack export`). */
  entryBytes: number;
  /** From the CLI's start to the first partner call: the CLI, the program and the provider starting. */
  firstCallMs: number;
  /** Runs made; this is the one with the median wall ÷ floor. */
  runs: number;
}

/** What N creates and L lists cost at the bucket: the first `burst` at once, the rest at its rate. */
export function bucketFloorMs(calls: number, limit = GREEN_API_PARTNER_RATE_LIMIT): number {
  return (Math.max(0, calls - limit.burst) / limit.ratePerSecond) * 1000;
}

/** `runs` ups, each of N new instances on a new stack and account: the run with the median wall ÷ floor. */
export async function cliBulkCreate(
  cli: string,
  door: Door,
  n: number,
  parallel: number,
  latencyMs: number,
  log: (line: string) => void,
  { skipCheckpoints = false, runs = 1 } = {},
): Promise<BulkCreate> {
  const setup: BulkCreateSetup = { cli, door, n, parallel, latencyMs, log, skipCheckpoints };
  const results: BulkCreate[] = [];
  for (let run = 0; run < runs; run++) results.push(await bulkCreateOnce(setup, runs));
  const byRatio = results.sort((a, b) => a.wallMs / a.floorMs - b.wallMs / b.floorMs);
  return byRatio[Math.floor(byRatio.length / 2)];
}

interface BulkCreateSetup {
  cli: string;
  door: Door;
  n: number;
  parallel: number;
  latencyMs: number;
  log: (line: string) => void;
  skipCheckpoints: boolean;
}

async function bulkCreateOnce(
  { cli, door, n, parallel, latencyMs, log, skipCheckpoints }: BulkCreateSetup,
  runs: number,
): Promise<BulkCreate> {
  const emulator = await GreenApiEmulator.start({ latencyMs, partnerRateLimit: GREEN_API_PARTNER_RATE_LIMIT });
  const scratch = mkdtempSync(join(tmpdir(), "greenapi-bench-bulk-"));
  const project = await greenapiStack(door, cli, emulator, n, scratch);
  try {
    // The stack was set up without a partner call: the gateway's bucket is full, as after a quiet while.
    const up = () => timed(project, "up", parallel);
    const startedAt = Date.now();
    const wallMs = skipCheckpoints ? await skippingCheckpoints(up) : await up();
    const requests = emulator.requests;
    const firstCallMs = Math.min(...requests.map((r) => r.at)) - startedAt;
    const created = requests.filter((r) => r.method === "createInstance" && r.performedAt !== undefined).length;
    const alive = emulator.list().filter((i) => !i.deleted).length;
    if (created !== n || alive !== n) throw new Error(`${door}: ${n} creates ended with ${created} performed and ${alive} alive`);
    const lists = emulator.count("getInstances");
    const resources = (await project.exportState()).deployment.resources ?? [];
    const entries = resources.filter((r) => r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith("pulumi:providers:"));
    const result: BulkCreate = {
      door,
      checkpointsSkipped: skipCheckpoints,
      n,
      parallel,
      wallMs,
      floorMs: bucketFloorMs(n + lists),
      createRequests: emulator.count("createInstance"),
      created,
      lists,
      refused: requests.filter((r) => r.status === 429).length,
      entryBytes: Buffer.byteLength(JSON.stringify(entries)) / entries.length,
      firstCallMs,
      runs,
    };
    const skipped = skipCheckpoints ? " (checkpoints skipped)" : "";
    log(`CLI bulk create, ${door}${skipped}, N=${n} --parallel ${parallel}: ${(wallMs / 1000).toFixed(1)} s`);
    return result;
  } finally {
    project.close();
    rmSync(scratch, { recursive: true, force: true });
    await emulator.close();
  }
}
