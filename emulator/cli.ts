#!/usr/bin/env node
// `npm run emulator`: a local Green API to point the provider (or curl) at.

import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { GREEN_API_PARTNER_RATE_LIMIT, type PartnerRateLimit } from "./rate-limit";
import { METHODS } from "./routes";
import { GreenApiEmulator } from "./server";
import { PRODUCTS, type Fault, type Method } from "./types";

const USAGE = `Usage: node dist/emulator/cli.js [options]
  --port N          port to listen on (default 7700; 0 picks a free one)
  --host HOST       address to bind (default 127.0.0.1)
  --token TOKEN     partner token to accept (default: random; with --state, the same on every run)
  --seed N          start with N instances when the account is empty
  --state FILE      load instances from FILE and save them there after every change
  --latency MS      delay every answer by MS milliseconds
  --rate-limit      enforce Green API's per-instance rate limits
  --partner-rate N  the partner gateway's bucket: N partner calls a second per account (default 10)
  --partner-burst N ...in bursts of up to N (default 20); over it, HTTP 429 with X-RateLimit-* headers
  --no-partner-rate-limit
                    no partner bucket (and no X-RateLimit-* headers)
  --startup-ms MS   new instances spend MS milliseconds being built, as Green API's do
                    (getStateInstance answers null, then "starting"); default 6000, 0 for none
  --instance-hosts  serve each product's instance API on a host (port) of its own, and only
                    there, as Green API does; createInstance names it in apiUrlInstance
  --fault SPEC      misbehave on the next matching request; repeatable. SPEC is
                    METHOD:KIND[:ARG][*TIMES], KIND one of status (ARG: the HTTP status),
                    late (ARG: milliseconds held before performing), drop, hang,
                    malformed, html, performThenDrop. Example: createInstance:late:90000
  --help            show this help`;

interface CliOptions {
  port: number;
  host: string;
  token?: string;
  seed: number;
  state?: string;
  latency: number;
  rateLimit: boolean;
  partnerRateLimit: PartnerRateLimit | false;
  startupMs: number;
  instanceHosts: boolean;
  faults: Fault[];
}

class UsageError extends Error {}

/** Short, but long enough to see what a new Green API instance does first (and what `waitForReady` waits for). */
const DEFAULT_STARTUP_MS = 6_000;

function parseCli(argv: string[]): CliOptions | "help" {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      port: { type: "string", default: "7700" },
      host: { type: "string", default: "127.0.0.1" },
      token: { type: "string" },
      seed: { type: "string", default: "0" },
      state: { type: "string" },
      latency: { type: "string", default: "0" },
      "rate-limit": { type: "boolean", default: false },
      "partner-rate": { type: "string", default: String(GREEN_API_PARTNER_RATE_LIMIT.ratePerSecond) },
      "partner-burst": { type: "string", default: String(GREEN_API_PARTNER_RATE_LIMIT.burst) },
      "no-partner-rate-limit": { type: "boolean", default: false },
      "startup-ms": { type: "string", default: String(DEFAULT_STARTUP_MS) },
      "instance-hosts": { type: "boolean", default: false },
      fault: { type: "string", multiple: true, default: [] },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) return "help";
  return {
    port: count("--port", values.port),
    host: values.host,
    token: values.token,
    seed: count("--seed", values.seed),
    state: values.state,
    latency: count("--latency", values.latency),
    rateLimit: values["rate-limit"],
    partnerRateLimit: values["no-partner-rate-limit"]
      ? false
      : { ratePerSecond: positive("--partner-rate", values["partner-rate"]), burst: positive("--partner-burst", values["partner-burst"]) },
    startupMs: count("--startup-ms", values["startup-ms"]),
    instanceHosts: values["instance-hosts"],
    faults: values.fault.map(parseFault),
  };
}

const FAULT_KINDS = ["status", "late", "drop", "hang", "malformed", "html", "performThenDrop"] as const;

function parseFault(spec: string): Fault {
  const [head, timesText] = spec.split("*", 2);
  const [method, kind, arg, ...rest] = head.split(":");
  const times = timesText === undefined ? undefined : count(`--fault ${spec} (*TIMES)`, timesText);
  if (!(METHODS as string[]).includes(method))
    throw new UsageError(`--fault ${spec}: unknown method "${method}" (one of ${METHODS.join(", ")})`);
  if (!(FAULT_KINDS as readonly string[]).includes(kind) || rest.length > 0) {
    throw new UsageError(`--fault ${spec}: KIND must be one of ${FAULT_KINDS.join(", ")}`);
  }
  const base = { method: method as Method, ...(times === undefined ? {} : { times }) };
  if (kind === "status") return { ...base, kind, status: count(`--fault ${spec} (the status)`, arg ?? "") };
  if (kind === "late") return { ...base, kind, delayMs: count(`--fault ${spec} (the delay)`, arg ?? "") };
  if (arg !== undefined) throw new UsageError(`--fault ${spec}: ${kind} takes no argument`);
  return { ...base, kind: kind as Exclude<(typeof FAULT_KINDS)[number], "status" | "late"> };
}

function positive(flag: string, text: string): number {
  const value = count(flag, text);
  if (value === 0) throw new UsageError(`${flag} must be at least 1 (--no-partner-rate-limit turns the bucket off)`);
  return value;
}

function count(flag: string, text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) {
    throw new UsageError(`${flag} wants a whole number, got "${text}"`);
  }
  return value;
}

/**
 * The partner token of an emulator that keeps its instances in `statePath`: derived from the file's
 * path, so a restarted emulator still accepts the token a stack was configured with. (A local test
 * server's token; predictability is not a concern.)
 */
function stateToken(statePath: string): string {
  return `gac${createHash("sha256").update(resolve(statePath)).digest("hex").slice(0, 32)}`;
}

function banner(emulator: GreenApiEmulator, options: CliOptions): string {
  const { url, partnerToken: token } = emulator;
  const instances = emulator.list().length;
  return [
    `Green API emulator listening on ${url}`,
    `  partner token: ${token}`,
    `  instances: ${instances}${options.state ? ` (state file: ${options.state})` : ""}`,
    options.partnerRateLimit
      ? `  partner calls: ${options.partnerRateLimit.ratePerSecond} a second, bursts of ${options.partnerRateLimit.burst}, as on Green API (--no-partner-rate-limit for none)`
      : "  partner calls: no rate limit (--no-partner-rate-limit)",
    options.startupMs > 0
      ? `  new instances are being built for ${options.startupMs / 1000} s, as on Green API (--startup-ms 0 for none)`
      : "  new instances are ready at once (--startup-ms 0)",
    ...(options.instanceHosts
      ? ["  instance API hosts (apiUrlInstance):", ...PRODUCTS.map((product) => `    ${product}: ${emulator.instanceUrl(product)}`)]
      : []),
    "",
    "Point the provider at it:",
    `  export GREEN_API_PARTNER_API_URL=${url} GREEN_API_URL=${url} GREEN_API_PARTNER_TOKEN=${token}`,
    "or, in a Pulumi stack:",
    `  pulumi config set greenapi:partnerApiUrl ${url}`,
    `  pulumi config set greenapi:apiUrl ${url}`,
    `  pulumi config set --secret greenapi:partnerToken ${token}`,
    "",
    "Ctrl+C stops it. One line per request follows, tokens shown as ***.",
  ].join("\n");
}

async function main(): Promise<void> {
  const options = parseCli(process.argv.slice(2));
  if (options === "help") {
    console.log(USAGE);
    return;
  }
  const emulator = await GreenApiEmulator.start({
    port: options.port,
    host: options.host,
    partnerToken: options.token ?? (options.state ? stateToken(options.state) : undefined),
    latencyMs: options.latency,
    rateLimit: options.rateLimit,
    partnerRateLimit: options.partnerRateLimit,
    startupMs: options.startupMs,
    instanceHosts: options.instanceHosts,
    statePath: options.state,
    log: (line) => console.log(`${new Date().toISOString()} ${line}`),
  });
  for (const fault of options.faults) emulator.injectFault(fault);
  // Only into an empty account, so restarting with --state does not pile up seeds.
  if (options.seed > 0 && emulator.list().length === 0) emulator.seedAccount({ alive: options.seed });
  console.log(banner(emulator, options));

  const stop = (): void => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`greenapi emulator: ${message}`);
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
    console.error(USAGE);
    process.exit(2);
  }
  process.exit(1);
});
