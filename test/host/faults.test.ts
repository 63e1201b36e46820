/**
 * The fault matrix, through Pulumi's real provider host: every lifecycle operation against every way
 * the network to Green API misbehaves. Each cell checks its outcome and the invariants the provider
 * promises — never lose an instance, never bill one twice, never leak a credential:
 *  - at most one live instance per resource (name) in the account;
 *  - the resource's state holds exactly its live instance (none lost, none phantom);
 *  - createInstance took effect exactly once per resource;
 *  - no error message and nothing the host printed contains a credential.
 * Each cell is one resource in a stack of its own; a last test checks the whole account against
 * all the stacks. docs/reliability.md carries the table rendered from EXPECTED below, and a test
 * keeps the two equal.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Fault, Method } from "../../emulator";
import { Engine, HostError, startConfiguredHost, type Step } from "../../harness";
import { REPO_ROOT, goals, startStack, type TestStack } from "./stack";

// Short deadlines so a hang costs about a second; the operation budget leaves room for one
// Retry-After of 1 s, or one hung request and a retry.
const REQUEST_SECONDS = 1;
const OPERATION_SECONDS = 3;

type Op = "create" | "read" | "update" | "delete";
const OPS: readonly Op[] = ["create", "read", "update", "delete"];
const METHOD: Record<Op, Method> = {
  create: "createInstance",
  read: "getInstances",
  update: "setSettings",
  delete: "deleteInstanceAccount",
};

type FaultName =
  | "HTTP 429 + Retry-After"
  | "HTTP 503"
  | "HTTP 502 HTML page"
  | "dropped connection"
  | "hang"
  | "malformed body"
  | "lost response"
  | "HTTP 404 page"
  | "every attempt hangs";

const FAULTS: Record<FaultName, { describe: string; fault: (method: Method) => Fault }> = {
  "HTTP 429 + Retry-After": { describe: "rate limited, Retry-After: 1", fault: (method) => ({ method, kind: "status", status: 429, retryAfterSeconds: 1 }) },
  "HTTP 503": { describe: "service unavailable", fault: (method) => ({ method, kind: "status", status: 503 }) },
  "HTTP 502 HTML page": { describe: "a proxy's error page", fault: (method) => ({ method, kind: "html" }) },
  "dropped connection": { describe: "connection dropped, not performed", fault: (method) => ({ method, kind: "drop" }) },
  hang: { describe: "no answer within the 1 s request deadline", fault: (method) => ({ method, kind: "hang" }) },
  "malformed body": { describe: "HTTP 200 with cut-off JSON", fault: (method) => ({ method, kind: "malformed" }) },
  "lost response": { describe: "performed, then the connection dropped", fault: (method) => ({ method, kind: "performThenDrop" }) },
  "HTTP 404 page": { describe: "a wrong API URL, or a proxy", fault: (method) => ({ method, kind: "status", status: 404 }) },
  "every attempt hangs": { describe: "no answer, ever (operation deadline 3 s)", fault: (method) => ({ method, kind: "hang", times: 100 }) },
};

interface Expected {
  outcome: "success" | "error";
  /** Requests of the faulted method during the operation; a range where retries race the deadline. */
  requests: number | [min: number, max: number];
  /** For errors: what the message must say besides naming the method. */
  message?: RegExp;
  /** The outcome in the docs' words. */
  doc: string;
}

const retried = (doc = "retried, succeeds"): Expected => ({ outcome: "success", requests: 2, doc });
const recreated = (doc = "lookup by name finds nothing; created again: one instance"): Expected => ({ outcome: "success", requests: 2, doc });
const afterError = (op: Op) =>
  op === "create" ? "nothing created; the next run creates one" : op === "delete" ? "instance stays in state; the next run deletes it" : "state unchanged; the next run succeeds";
const wrongUrl = (op: Op): Expected => ({
  outcome: "error",
  requests: 1,
  message: /HTTP 404.*check greenapi:partnerApiUrl/s,
  doc: `error naming the API URL settings, not retried; ${afterError(op)}`,
});
const keepsHanging = (op: Op): Expected =>
  op === "create"
    ? {
        outcome: "error",
        requests: [2, 3],
        message: /no answer within.*greenapi:requestTimeoutSeconds.*greenapi:operationTimeoutSeconds/s,
        doc: `timeout error when the operation deadline runs out (at most 3 createInstance attempts, each after a lookup by name); ${afterError(op)}`,
      }
    : {
        outcome: "error",
        requests: [2, 4],
        message: /no answer within.*gave up after \d attempts.*greenapi:requestTimeoutSeconds.*greenapi:operationTimeoutSeconds/s,
        doc: `timeout error at the operation deadline; ${afterError(op)}`,
      };

const EXPECTED: Record<FaultName, Record<Op, Expected>> = {
  "HTTP 429 + Retry-After": {
    create: recreated("waits Retry-After; lookup by name finds nothing; created again: one instance"),
    read: retried("waits Retry-After, retried, succeeds"),
    update: retried("waits Retry-After, retried, succeeds"),
    delete: retried("waits Retry-After, retried, succeeds"),
  },
  "HTTP 503": { create: recreated(), read: retried(), update: retried(), delete: retried() },
  "HTTP 502 HTML page": { create: recreated(), read: retried(), update: retried(), delete: retried() },
  "dropped connection": { create: recreated(), read: retried(), update: retried(), delete: retried() },
  hang: {
    create: recreated("times out; lookup by name finds nothing; created again: one instance"),
    read: retried("times out, retried within the operation deadline, succeeds"),
    update: retried("times out, retried within the operation deadline, succeeds"),
    delete: retried("times out, retried within the operation deadline, succeeds"),
  },
  "malformed body": { create: recreated(), read: retried(), update: retried(), delete: retried() },
  "lost response": {
    create: { outcome: "success", requests: 1, doc: "lookup by name finds the instance and records it: no second createInstance" },
    read: retried(),
    update: retried("retried with the same settings, succeeds"),
    delete: retried("the retry answers 404 (already deleted): counted as deleted"),
  },
  "HTTP 404 page": { create: wrongUrl("create"), read: wrongUrl("read"), update: wrongUrl("update"), delete: wrongUrl("delete") },
  "every attempt hangs": { create: keepsHanging("create"), read: keepsHanging("read"), update: keepsHanging("update"), delete: keepsHanging("delete") },
};

const PARTNER_TOKEN = "gacFaultMatrixPartnerToken0123456789abcdef";
const WEBHOOK_TOKENS = { before: "whk-fault-matrix-before-7f3a", after: "whk-fault-matrix-after-91cd" };
const SETTINGS = {
  before: { webhookUrl: "https://hooks.example.com/a", webhookUrlToken: WEBHOOK_TOKENS.before, incomingWebhook: true },
  after: { webhookUrl: "https://hooks.example.com/a", webhookUrlToken: WEBHOOK_TOKENS.after, incomingWebhook: false },
};

interface Cell {
  op: Op;
  fault: FaultName;
  expected: Expected;
  resource: string;
}
const CELLS: Cell[] = (Object.keys(EXPECTED) as FaultName[]).flatMap((fault) =>
  OPS.map((op) => ({ op, fault, expected: EXPECTED[fault][op], resource: `${op}-${fault.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}` })),
);
// createInstance and getInstances name no instance, so their faults would hit whichever resource
// calls next; a fault that never ends has to be cleared before the re-run. Those cells run one at a
// time. The others aim their fault at the cell's own instance and run side by side.
const isShared = (cell: Cell) => cell.op === "create" || cell.op === "read" || cell.fault === "every attempt hangs";

let stack: TestStack;
/** One engine (one stack's state) per cell; together they must account for every live instance. */
const engines = new Map<string, Engine>();
/** The name each cell's instance gets (its auto-name), for cells that ran or were set up. */
const names = new Map<string, string>();

beforeAll(async () => {
  stack = await startStack({
    emulator: { partnerToken: PARTNER_TOKEN },
    config: () => ({
      "greenapi:requestTimeoutSeconds": String(REQUEST_SECONDS),
      "greenapi:operationTimeoutSeconds": String(OPERATION_SECONDS),
    }),
  });
  // Every cell but create starts from a created instance; creating them all up front keeps the
  // per-instance pacing of the creates out of the cells.
  for (const cell of CELLS) engines.set(cell.resource, new Engine(stack.host));
  const arranged = CELLS.filter((cell) => cell.op !== "create");
  await Promise.all(arranged.map(async (cell) => engines.get(cell.resource)!.up(await declare(cell.resource, SETTINGS.before))));
});
afterAll(async () => {
  await stack?.close();
});
afterEach(() => {
  stack.emulator.clearFaults(); // not run for concurrent tests, which leave no fault behind
});

describe("fault matrix through Pulumi's provider host", () => {
  describe("faults on calls every resource makes, and faults that never end: one cell at a time", () => {
    it.each(CELLS.filter(isShared))("$op × $fault", (cell) => runCell(cell));
  });

  describe("faults aimed at the cell's own instance: cells side by side", () => {
    it.concurrent.each(CELLS.filter((cell) => !isShared(cell)))("$op × $fault", (cell) => runCell(cell));
  });

  it("leaves the account and the stacks in agreement: one live instance per resource, each in its stack", () => {
    const all = stack.emulator.list();
    const live = all.filter((i) => !i.deleted);
    const byNumber = (a: number, b: number) => a - b;
    const recorded = [...engines.values()].flatMap((engine) => [...engine.state.values()].map((entry) => Number(entry.id)));
    expect(recorded.sort(byNumber)).toEqual(live.map((i) => i.idInstance).sort(byNumber));
    expect(new Set(live.map((i) => i.name)).size).toBe(live.length);
    // One instance ever created per cell that ran (create cells) or was set up (the others).
    expect(all).toHaveLength(names.size);
    expect(new Set(all.map((i) => i.name))).toEqual(new Set(names.values()));
    expectNoCredentials(stack.host.output());
  });

  it("docs/reliability.md shows this matrix as verified here", () => {
    const docs = readFileSync(join(REPO_ROOT, "docs", "reliability.md"), "utf8");
    expect(docs).toContain(renderMatrix());
  });
});

async function runCell({ op, fault, expected, resource }: Cell): Promise<void> {
  const engine = engines.get(resource)!;
  // A refresh is its own `pulumi refresh`: a new host, which asks for the list instead of reusing
  // the one fetched when the instance was created.
  const actor = op === "read" ? onNewHosts(engine) : engine;
  const method = METHOD[op];
  const id = [...engine.state.values()][0]?.id;
  // createInstance and getInstances name no instance; those cells run alone, so every such request is theirs.
  const aimed = op === "update" || op === "delete" ? Number(id) : undefined;
  const requestsBefore = requestsOf(method, aimed);

  stack.emulator.injectFault({ ...FAULTS[fault].fault(method), ...(aimed === undefined ? {} : { idInstance: aimed }) });
  const result = await act(op, actor, resource).then(
    (steps) => ({ steps }),
    (error: unknown) => ({ error }),
  );

  const requests = requestsOf(method, aimed) - requestsBefore;
  const [min, max] = Array.isArray(expected.requests) ? expected.requests : [expected.requests, expected.requests];
  expect(requests).toBeGreaterThanOrEqual(min);
  expect(requests).toBeLessThanOrEqual(max);

  if (expected.outcome === "success") {
    if ("error" in result) throw result.error;
    expectDone(op, actor, result.steps, id);
    expectInvariants(resource, 1);
    if (fault === "lost response" && op === "delete") expect(stack.host.output()).toContain(`instance ${id} was already deleted`);
  } else {
    if (!("error" in result)) throw new Error(`expected ${op} to fail, but it succeeded: ${JSON.stringify(result.steps)}`);
    const error = result.error as HostError;
    expect(error).toBeInstanceOf(HostError);
    expect(error.message).toContain(`Green API ${method}: `);
    expect(error.message).toMatch(expected.message!);
    expect(error.message).not.toMatch(/\n\s+at /); // a message, not a stack trace
    expectNoCredentials(error.message);
    expectUntouched(op, actor, id);
    expectInvariants(resource, op === "create" ? 0 : 1);
    // The advice ends in "run again": with the network healthy, the same operation succeeds.
    if (fault === "every attempt hangs") stack.emulator.clearFaults(); // a shared cell: alone
    expectDone(op, actor, await act(op, actor, resource), id);
    expectInvariants(resource, 1);
  }
  expectNoCredentials(stack.host.output());
  expectNoCredentials(actor.output());
}

function requestsOf(method: Method, idInstance?: number): number {
  return stack.emulator.requests.filter((r) => r.method === method && (idInstance === undefined || r.idInstance === idInstance)).length;
}

async function declare(resource: string, settings: object) {
  const registrations = await stack.declare({ [resource]: settings });
  names.set(resource, String(registrations[0].inputs.__autoName));
  return goals(registrations);
}

/** An engine on `engine`'s state that runs each command in a host of its own, as the CLI does. */
function onNewHosts(engine: Engine): Engine {
  const actor = new Engine(() => startConfiguredHost(stack.config, { programDir: stack.programDir }));
  actor.state = engine.state;
  return actor;
}

async function act(op: Op, engine: Engine, resource: string): Promise<Step[]> {
  switch (op) {
    case "create":
      return engine.up(await declare(resource, SETTINGS.before));
    case "read":
      return engine.refresh();
    case "update":
      return engine.up(await declare(resource, SETTINGS.after));
    case "delete":
      return engine.destroy();
  }
}

/** What the emulator and the state show once the operation succeeded. */
function expectDone(op: Op, engine: Engine, steps: Step[], id: string | undefined): void {
  const entries = [...engine.state.values()];
  switch (op) {
    case "create":
      expect(steps.map((s) => s.op)).toEqual(["create"]);
      expect(entries).toHaveLength(1);
      expect(stack.emulator.get(Number(entries[0].id))!.settings).toMatchObject({ webhookUrlToken: WEBHOOK_TOKENS.before, incomingWebhook: "yes" });
      break;
    case "read":
      expect(steps).toEqual([expect.objectContaining({ op: expect.stringMatching(/^refresh-(same|changed)$/), id })]);
      expect(entries).toHaveLength(1);
      break;
    case "update":
      expect(steps.map((s) => s.op)).toEqual(["update"]);
      expect(stack.emulator.get(Number(id))!.settings).toMatchObject({ webhookUrlToken: WEBHOOK_TOKENS.after, incomingWebhook: "no" });
      expect(entries[0].outputs).toMatchObject({ webhookUrlToken: WEBHOOK_TOKENS.after, incomingWebhook: false });
      break;
    case "delete":
      expect(steps.map((s) => s.op)).toEqual(["delete"]);
      expect(entries).toHaveLength(0);
      expect(stack.emulator.get(Number(id))!.deleted).toBe(true);
      break;
  }
}

/** After a failed operation: nothing half-done, nothing forgotten. */
function expectUntouched(op: Op, engine: Engine, id: string | undefined): void {
  const entries = [...engine.state.values()];
  if (op === "create") {
    expect(entries).toHaveLength(0);
    return;
  }
  expect(entries.map((e) => e.id)).toEqual([id]);
  const live = stack.emulator.get(Number(id))!;
  expect(live.deleted).toBe(false);
  expect(live.settings).toMatchObject({ webhookUrlToken: WEBHOOK_TOKENS.before, incomingWebhook: "yes" });
  expect(entries[0].outputs).toMatchObject({ webhookUrlToken: WEBHOOK_TOKENS.before, incomingWebhook: true });
}

/**
 * The cell's resource: at most one live instance with its name, the cell's state holds exactly
 * the live one (never loses it, never keeps a deleted one), and createInstance took effect exactly
 * `created` times for it.
 */
function expectInvariants(resource: string, created: number): void {
  const named = stack.emulator.list().filter((i) => i.name === names.get(resource));
  const live = named.filter((i) => !i.deleted);
  expect(live.length).toBeLessThanOrEqual(1);
  expect([...engines.get(resource)!.state.values()].map((e) => Number(e.id))).toEqual(live.map((i) => i.idInstance));
  expect(named).toHaveLength(created);
}

/** Every credential of the run: the partner token, the webhook tokens, every instance token issued. */
function expectNoCredentials(text: string): void {
  const credentials = [PARTNER_TOKEN, ...Object.values(WEBHOOK_TOKENS), ...stack.emulator.list().map((i) => i.apiTokenInstance)];
  for (const secret of credentials) expect(text).not.toContain(secret);
}

/** The markdown table in docs/reliability.md, rendered from EXPECTED. */
function renderMatrix(): string {
  const header = `| fault | ${OPS.map((op) => `${op} (\`${METHOD[op]}\`)`).join(" | ")} |`;
  const rows = (Object.keys(EXPECTED) as FaultName[]).map(
    (fault) => `| **${fault}**: ${FAULTS[fault].describe} | ${OPS.map((op) => cellText(EXPECTED[fault][op])).join(" | ")} |`,
  );
  return [header, `|${" --- |".repeat(OPS.length + 1)}`, ...rows].join("\n");
}

function cellText(expected: Expected): string {
  const [min, max] = Array.isArray(expected.requests) ? expected.requests : [expected.requests, expected.requests];
  const requests = min === max ? `${min} request${min === 1 ? "" : "s"}` : `${min}–${max} requests`;
  return `${expected.outcome === "success" ? "✅" : "❌"} ${expected.doc} (${requests})`;
}
