/**
 * `npm run bench`: the provider against the emulator, through Pulumi's real provider host, beside a
 * baseline measured in the same run. Prints the tables and writes them to bench/results.md.
 *
 * - refresh of N instances: getInstances calls, wall time and the host's peak memory, ours (one
 *   shared list per provider process) vs the baseline (naive-lifecycle.ts: one getInstances per read);
 * - `__provider` bytes per resource: ours (one line that loads the package) vs what Pulumi's closure
 *   serializer makes of a shim and of the whole provider;
 * - the provider path's overhead per operation vs a bare HTTP request to the emulator.
 */
import { setMaxListeners } from "node:events";
import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { Agent, request } from "undici";
import { GreenApiEmulator } from "../emulator";
import { captureRegistrations, Engine, type ProviderHost, type StateEntry } from "../harness";
import { INSTANCE_LIST_FRESHNESS_MS } from "../provider/lifecycle/instance-list";
import { GreenApiInstance } from "../provider/resource";
import { accountState } from "./account-state";
import { naiveProvider, oursProvider, serializedShimProvider, wholeClosureProvider } from "./providers";
import { peakRss, REPO_ROOT, startHost } from "./stack";
import { cliBulkCreate, type BulkCreate } from "./cli-bulk-create";
import { cliRefresh, type CliRefresh } from "./cli-refresh";
import { doorsOf } from "./cli-stacks";
import { median } from "./stats";
import { GREEN_API_PARTNER_RATE_LIMIT } from "../emulator";
import { findPulumiCli } from "../harness/cli";

const SIZES = [10, 100, 1_000];
/** Per answer; makes requests overlap as they would against Green API, so sharing has something to share. */
const LATENCY_MS = 50;
/** Deleted instances stay listed for ~3 months; churn leaves some in every real account. */
const DELETED_SHARE = 0.1;
const OVERHEAD_SAMPLES = 300;
/** The CLI refresh: N instances, at these --parallel values (8 is the CLI's default here, 4 × CPUs). */
const CLI_SIZES = [200, 1_000];
const CLI_PARALLELS = [8, 32];
/** The CLI bulk create: N new instances in one `pulumi up --parallel 64`, under Green API's partner bucket. */
const BULK_SIZES = [100, 500];
const BULK_PARALLEL = 64;
/**
 * Runs per CLI cell, reported by their median: two single runs on this machine differed by up to 15 %
 * per cell. The bulk create of 500 (over a minute a run) runs once.
 */
const CLI_RUNS = 3;
const bulkRunsOf = (n: number) => (n <= 100 ? CLI_RUNS : 1);
const WARMUP_SAMPLES = 30;
/**
 * The host-level tables compare sharing the list with one list per read, and the provider path with a
 * bare GET: their emulator's partner gateway is far more generous than Green API's, and says so in its
 * headers, so that the provider's pacer (which follows them) does not decide their wall times. Under
 * Green API's 10 a second, the baseline's one list per read alone would take N / 10 seconds.
 */
const UNHURRIED_GATEWAY = { ratePerSecond: 100_000, burst: 100_000 };

interface RefreshResult {
  n: number;
  ours: RefreshMeasure;
  naive: RefreshMeasure;
  /** Mean JSON bytes of one resource's state entry (inputs + outputs), ours. */
  entryBytes: number;
  /** One getInstances answer for this account. */
  listBytes: number;
  listItems: number;
}

interface RefreshMeasure {
  ms: number;
  getInstances: number;
  instanceApiCalls: number;
  peakRssBytes?: number;
}

async function main(): Promise<void> {
  // The emulator's close signal gets one listener per request waiting out its latency: thousands here.
  setMaxListeners(0);
  const started = performance.now();
  const loadAtStart = loadavg()[0];
  // `--only=cli`: the CLI tables alone, printed but not written to results.md (which holds whole runs).
  const cliOnly = process.argv.includes("--only=cli");
  const cli = findPulumiCli();
  const clis = cli ? await cliTables(cli) : undefined;
  if (cliOnly) {
    console.log(["", ...renderBulkCreate(clis?.bulk), ...renderCliRefresh(clis?.refresh)].join("\n"));
    return;
  }
  // The serialized providers: what each resource's state carries as __provider.
  const ours = await oursProvider();
  const naive = naiveProvider();
  const serializedProviders: SerializedProvider[] = [
    {
      label: "serialized shim (each method a closure loading the package; stored before December 2026)",
      ...(await serializedShimProvider()),
    },
    { label: "whole closure (lifecycle functions captured by value)", ...(await wholeClosureProvider()) },
  ];

  const refreshes: RefreshResult[] = [];
  for (const n of SIZES) {
    refreshes.push(await refresh(n, ours, naive));
    log(`refresh N=${n} done`);
  }
  const overhead = await perOperation(ours, naive);
  log(`per-operation overhead done`);

  const report = render({
    refreshes,
    overhead,
    ours,
    serializedProviders,
    cliRefreshes: clis?.refresh,
    bulkCreates: clis?.bulk,
    seconds: (performance.now() - started) / 1000,
    load: [loadAtStart, loadavg()[0]],
  });
  console.log(`\n${report}`);
  writeFileSync(join(REPO_ROOT, "bench", "results.md"), report);
  log(`written to bench/results.md`);
}

/** The CLI's tables: bulk create, then refresh, each through every front door this CLI can drive. */
async function cliTables(cli: string): Promise<{ bulk: BulkCreate[]; refresh: CliRefresh[] }> {
  const bulk: BulkCreate[] = [];
  const refresh: CliRefresh[] = [];
  for (const n of BULK_SIZES)
    for (const door of doorsOf(cli)) bulk.push(await cliBulkCreate(cli, door, n, BULK_PARALLEL, LATENCY_MS, log, { runs: bulkRunsOf(n) }));
  // Where the dynamic provider's extra time goes at the largest N: the engine's per-step state saves.
  const largest = BULK_SIZES[BULK_SIZES.length - 1];
  bulk.push(await cliBulkCreate(cli, "dynamic provider", largest, BULK_PARALLEL, LATENCY_MS, log, { skipCheckpoints: true }));
  for (const n of CLI_SIZES)
    for (const door of doorsOf(cli)) refresh.push(...(await cliRefresh(cli, door, n, CLI_PARALLELS, LATENCY_MS, log, CLI_RUNS)));
  return { bulk, refresh };
}

/** One seeded account of N alive instances, refreshed once by each variant in its own fresh host. */
async function refresh(n: number, ours: string, naive: string): Promise<RefreshResult> {
  const emulator = await GreenApiEmulator.start({ latencyMs: LATENCY_MS, partnerRateLimit: UNHURRIED_GATEWAY });
  const [oursHost, naiveHost] = await Promise.all([startHost(emulator), startHost(emulator)]);
  try {
    // One instance is created for real; its state entry is the template for the N − 1 seeded ones.
    emulator.seedAccount({ alive: n - 1, deleted: Math.ceil(n * DELETED_SHARE) });
    const oursEngine = new Engine(oursHost);
    const template = await createTemplate(oursEngine);
    if (template.outputs.__provider !== ours) throw new Error("the template was not created by GreenApiInstance's provider");
    const seeded = emulator.list().filter((instance) => String(instance.idInstance) !== template.id);
    for (const entry of accountState(seeded, template)) oursEngine.state.set(entry.urn, entry);
    const naiveEngine = new Engine(naiveHost);
    for (const entry of accountState(emulator.list(), template, naive)) naiveEngine.state.set(entry.urn, entry);
    if (oursEngine.state.size !== n || naiveEngine.state.size !== n) throw new Error(`expected ${n} resources in state`);

    // Load the baseline's code before measuring, as the create did for ours; then let both hosts'
    // lists go stale, so each refresh starts from nothing, as a new `pulumi refresh` would.
    await goneReader(emulator, template)(naiveHost, naive);
    await sleep(INSTANCE_LIST_FRESHNESS_MS + 200);

    const oursMeasure = await measureRefresh(oursEngine, oursHost, emulator);
    const naiveMeasure = await measureRefresh(naiveEngine, naiveHost, emulator);
    const entries = [...oursEngine.state.values()];
    const entryBytes = entries.reduce((sum, e) => sum + jsonBytes({ inputs: e.inputs, outputs: e.outputs }), 0) / entries.length;
    const list = await (await fetch(`${emulator.url}/partner/getInstances/${emulator.partnerToken}`)).text();
    return {
      n,
      ours: oursMeasure,
      naive: naiveMeasure,
      entryBytes,
      listBytes: jsonBytes(list),
      listItems: (JSON.parse(list) as unknown[]).length,
    };
  } finally {
    await Promise.all([oursHost.stop(), naiveHost.stop()]);
    await emulator.close();
  }
}

async function createTemplate(engine: Engine): Promise<StateEntry> {
  const [registration] = await captureRegistrations(() => {
    new GreenApiInstance("bench-template", { name: "bench-template" });
  });
  await engine.up([{ type: registration.type, name: registration.name, inputs: registration.inputs }]);
  return [...engine.state.values()][0];
}

/** Reads of an instance deleted out of band: the provider stops after the list (one getInstances). */
function goneReader(emulator: GreenApiEmulator, template: StateEntry) {
  const gone = emulator.list().find((instance) => instance.deleted);
  if (!gone) throw new Error("the account has no deleted instance");
  const urn = template.urn.replace(/::[^:]*$/, `::gone-${gone.idInstance}`);
  const props = { ...template.outputs, idInstance: gone.idInstance, apiTokenInstance: gone.apiTokenInstance };
  return async (host: ProviderHost, provider: string) => {
    const result = await host.read(urn, String(gone.idInstance), { ...props, __provider: provider });
    if (result.id !== "") throw new Error(`instance ${gone.idInstance} is deleted, yet the read kept it`);
  };
}

async function measureRefresh(engine: Engine, host: ProviderHost, emulator: GreenApiEmulator): Promise<RefreshMeasure> {
  emulator.resetCounts();
  const start = performance.now();
  const steps = await engine.refresh();
  const ms = performance.now() - start;
  // Every instance is alive: a read that lost one would make the comparison meaningless.
  const lost = steps.filter((step) => step.op === "refresh-gone");
  if (lost.length > 0) throw new Error(`${lost.length} alive instances were dropped by the refresh`);
  const counts = emulator.counts();
  return {
    ms,
    getInstances: counts.getInstances,
    instanceApiCalls: counts.getStateInstance + counts.getSettings + counts.qr,
    peakRssBytes: peakRss(host.pid),
  };
}

interface Overhead {
  bareMs: number;
  naiveMs: number;
  oursMs: number;
}

/**
 * Medians over interleaved samples (no emulator latency, a 10-instance account): a bare keep-alive
 * GET of getInstances; host.read through the baseline, which sends that same GET per read; and
 * host.read through ours, which shares the list within its window. The reads are of an instance
 * deleted out of band, where the provider stops after the list, so the only HTTP is that one GET.
 */
async function perOperation(ours: string, naive: string): Promise<Overhead> {
  const emulator = await GreenApiEmulator.start({ partnerRateLimit: UNHURRIED_GATEWAY });
  const [oursHost, naiveHost] = await Promise.all([startHost(emulator), startHost(emulator)]);
  const agent = new Agent({ keepAliveTimeout: 4_000 });
  try {
    emulator.seedAccount({ alive: 9, deleted: 1 });
    const readGone = goneReader(emulator, await createTemplate(new Engine(oursHost)));
    const url = `${emulator.url}/partner/getInstances/${emulator.partnerToken}`;
    const bare = async () => {
      const response = await request(url, { dispatcher: agent });
      await response.body.text();
    };
    const samples = { bare: [] as number[], naive: [] as number[], ours: [] as number[] };
    for (let i = 0; i < WARMUP_SAMPLES + OVERHEAD_SAMPLES; i++) {
      const keep = i >= WARMUP_SAMPLES;
      for (const [key, op] of [
        ["bare", bare],
        ["naive", () => readGone(naiveHost, naive)],
        ["ours", () => readGone(oursHost, ours)],
      ] as const) {
        const start = performance.now();
        await op();
        if (keep) samples[key].push(performance.now() - start);
      }
    }
    return { bareMs: median(samples.bare), naiveMs: median(samples.naive), oursMs: median(samples.ours) };
  } finally {
    await agent.close();
    await Promise.all([oursHost.stop(), naiveHost.stop()]);
    await emulator.close();
  }
}

/** A `__provider` Pulumi's closure serializer makes, or why it cannot. */
type SerializedProvider = { label: string } & ({ text: string } | { error: string });

function render(r: {
  refreshes: RefreshResult[];
  overhead: Overhead;
  ours: string;
  serializedProviders: SerializedProvider[];
  cliRefreshes?: CliRefresh[];
  bulkCreates?: BulkCreate[];
  seconds: number;
  /** The 1-minute load average when the run started and when it ended: other work on the machine. */
  load: [number, number];
}): string {
  const largest = r.refreshes[r.refreshes.length - 1];
  const thin = jsonBytes(r.ours);
  const serializedRows = r.serializedProviders.map((alternative) => {
    if ("error" in alternative) return row([alternative.label, `fails to serialize: ${alternative.error}`, "—", "—", "—"]);
    const bytes = jsonBytes(alternative.text);
    // __provider is stored twice per resource, in its inputs and its outputs, as a JSON string.
    const entry = largest.entryBytes + 2 * (jsonBytes(JSON.stringify(alternative.text)) - jsonBytes(JSON.stringify(r.ours)));
    return row([alternative.label, fmtBytes(bytes), fmtBytes(entry), ratio(bytes, thin), ratio(entry, largest.entryBytes)]);
  });
  const { bareMs, naiveMs, oursMs } = r.overhead;

  return [
    "# Benchmark results",
    "",
    `\`npm run bench\` — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} CPUs, ${r.seconds.toFixed(0)} s in all; ` +
      `load average ${r.load[0].toFixed(1)} at the start, ${r.load[1].toFixed(1)} at the end (other work on this machine slows every wall time).`,
    "Everything runs through Pulumi's own dynamic-provider host (spawned as the CLI spawns it, driven over gRPC)",
    "against the Green API emulator over HTTP. Ours and the baseline are measured in the same run; each refresh",
    "runs in a fresh host process, as `pulumi refresh` would, with the CLI's default parallelism (4 × CPUs:",
    `${4 * cpus().length} reads at a time here). The baseline (bench/naive-lifecycle.ts) is the same provider with the`,
    "shared list switched off: one getInstances per read. The partner gateway of these host-level runs admits",
    `${UNHURRIED_GATEWAY.ratePerSecond.toLocaleString("en")} calls a second (its headers say so, and the provider's pacer follows them); under Green API's`,
    "10 a second the baseline's lists alone would take N / 10 seconds.",
    "",
    `## Refresh of N instances (emulator latency ${LATENCY_MS} ms; account: N alive + ${DELETED_SHARE * 100}% deleted)`,
    "",
    `One getInstances answer: ${largest.listItems.toLocaleString("en")} instances, ${fmtBytes(largest.listBytes)} at N = ${largest.n.toLocaleString("en")} (${Math.round(largest.listBytes / largest.listItems)} bytes per instance).`,
    "",
    "| N | getInstances, ours | getInstances, baseline | calls: baseline ÷ ours | wall, ours | wall, baseline | time: baseline ÷ ours | instance-API calls (each) |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...r.refreshes.map(({ n, ours, naive }) =>
      row([
        n.toLocaleString("en"),
        ours.getInstances.toLocaleString("en"),
        naive.getInstances.toLocaleString("en"),
        ratio(naive.getInstances, ours.getInstances),
        fmtMs(ours.ms),
        fmtMs(naive.ms),
        ratio(naive.ms, ours.ms),
        ours.instanceApiCalls === naive.instanceApiCalls
          ? ours.instanceApiCalls.toLocaleString("en")
          : `${ours.instanceApiCalls.toLocaleString("en")} / ${naive.instanceApiCalls.toLocaleString("en")}`,
      ]),
    ),
    "",
    "Both make the same per-resource instance-API calls (getStateInstance and getSettings, side by side: Green",
    "API limits each method of an instance on its own). At N = 1,000 those calls, not the list, set the wall",
    "time; the baseline also downloads the whole account once per resource.",
    "",
    ...renderBulkCreate(r.bulkCreates),
    ...renderCliRefresh(r.cliRefreshes),
    `## Peak memory of the provider host (VmHWM) during the refresh`,
    "",
    "| N | ours | baseline | baseline ÷ ours |",
    "|---:|---:|---:|---:|",
    ...r.refreshes.map(({ n, ours, naive }) =>
      row([
        n.toLocaleString("en"),
        fmtBytes(ours.peakRssBytes),
        fmtBytes(naive.peakRssBytes),
        ratio(naive.peakRssBytes, ours.peakRssBytes),
      ]),
    ),
    "",
    "## State per resource",
    "",
    "| | `__provider` | state entry (inputs + outputs) | `__provider` ÷ ours | entry ÷ ours |",
    "|---|---:|---:|---:|---:|",
    row([
      "ours: one line that loads `pulumi-greenapi/lifecycle` in the host",
      fmtBytes(thin),
      fmtBytes(largest.entryBytes),
      "1.0×",
      "1.0×",
    ]),
    ...serializedRows,
    "",
    "Entry size measured on the refreshed state at the largest N; `__provider` is stored in both inputs and outputs.",
    "",
    `## Per-operation overhead (no emulator latency; medians of ${OVERHEAD_SAMPLES} interleaved samples)`,
    "",
    "| operation | median | ÷ bare GET |",
    "|---|---:|---:|",
    row(["bare HTTP GET of getInstances (undici, keep-alive)", fmtMs(bareMs), "1.0×"]),
    row(["host.read, baseline (the same GET on every read)", fmtMs(naiveMs), ratio(naiveMs, bareMs)]),
    row([`host.read, ours (list shared while reads keep coming)`, fmtMs(oursMs), ratio(oursMs, bareMs)]),
    "",
    "Reads of an instance deleted out of band: the provider stops after the list, so the only HTTP in a read",
    "is that one GET, and the difference is the provider path itself (gRPC, the host, validation, lifecycle).",
    "",
  ].join("\n");
}

function row(cells: Array<string | number>): string {
  return `| ${cells.join(" | ")} |`;
}

function ratio(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || b === 0) return "—";
  const value = a / b;
  return `${value >= 10 ? value.toFixed(0) : value.toFixed(1)}×`;
}

function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : ms >= 10 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(2)} ms`;
}

function fmtBytes(bytes: number | undefined): string {
  if (bytes === undefined) return "—";
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
  if (bytes >= 10 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${Math.round(bytes).toLocaleString("en")} B`;
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(typeof value === "string" ? value : JSON.stringify(value));
}

function log(message: string): void {
  console.error(`bench: ${message}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

function renderBulkCreate(results: BulkCreate[] | undefined): string[] {
  const { ratePerSecond, burst } = GREEN_API_PARTNER_RATE_LIMIT;
  const heading = `## Bulk create through the real CLI: \`pulumi up --parallel ${BULK_PARALLEL}\` of N new instances under Green API's partner bucket`;
  if (!results) return [heading, "", "Skipped: no `pulumi` on PATH (`npm run pulumi-cli` builds one).", ""];
  return [
    heading,
    "",
    `The emulator's partner gateway at Green API's bucket (${ratePerSecond} partner calls a second per account, bursts of ${burst};`,
    `HTTP 429 over it), latency ${LATENCY_MS} ms. Floor: the burst at once, then every other partner call at the bucket's rate —`,
    "the N createInstance calls plus the getInstances lists the provider needed (counted). Wall is the whole `pulumi up`,",
    "the CLI's start-up and the program's included (the first partner call comes once the CLI, the program and the",
    "provider have started; the plugin is the one its archive installs, bundled into one file). Every run ends with",
    "N instances, each created once; each row is the run with the median wall ÷ floor of its runs. The engine saves",
    "the whole state after every step (O(N²) bytes in all; the last column is one resource's entry): the last row is",
    "the same up with those saves skipped.",
    "",
    "| front door | N | runs | wall | first partner call | lists | floor | wall ÷ floor | createInstance requests | 429 answers | state entry |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...results.map((b) =>
      row([
        b.checkpointsSkipped ? `${b.door}, PULUMI_SKIP_CHECKPOINTS=true` : b.door,
        b.n.toLocaleString("en"),
        String(b.runs),
        fmtMs(b.wallMs),
        `after ${fmtMs(b.firstCallMs)}`,
        String(b.lists),
        fmtMs(b.floorMs),
        ratio(b.wallMs, b.floorMs),
        b.createRequests.toLocaleString("en"),
        String(b.refused),
        fmtBytes(b.entryBytes),
      ]),
    ),
    "",
  ];
}

function renderCliRefresh(results: CliRefresh[] | undefined): string[] {
  const heading = `## \`pulumi refresh\` through the real CLI (emulator latency ${LATENCY_MS} ms)`;
  if (!results) return [heading, "", "Skipped: no `pulumi` on PATH (`npm run pulumi-cli` builds one).", ""];
  return [
    heading,
    "",
    "Floor: ceil(N / P) waves of one instance-API round trip (a read's getStateInstance and getSettings go out",
    "side by side), plus the one shared getInstances. No-op: the same refresh, in the same run, of N resources",
    "through the same door that cost nothing of ours (a dynamic resource whose read returns its state; a plugin",
    "that answers Read at once), each holding a copy of an instance's state, since the engine's own cost per",
    "resource grows with its state: the CLI's, the engine's and the door's own cost. Goal: wall ≤ 1.25 × (no-op + floor).",
    `Wall and no-op are medians of ${results[0].runs} runs each, the two refreshes taking turns. The plugin is the one its`,
    "archive installs, as above.",
    "",
    "| front door | N | --parallel P | wall | no-op | floor | wall ÷ floor | (wall − no-op) ÷ floor | wall ÷ (no-op + floor) | getInstances |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...results.map((c) =>
      row([
        c.door,
        c.n.toLocaleString("en"),
        String(c.parallel),
        fmtMs(c.wallMs),
        fmtMs(c.noopMs),
        fmtMs(c.floorMs),
        ratio(c.wallMs, c.floorMs),
        ratio(Math.max(0, c.wallMs - c.noopMs), c.floorMs),
        ratio(c.wallMs, c.noopMs + c.floorMs),
        String(c.getInstances),
      ]),
    ),
    "",
    `One instance-API round trip measured here: ${fmtMs(results[0].roundTripMs)}.`,
    "",
  ];
}
