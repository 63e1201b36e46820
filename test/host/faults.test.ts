/**
 * The fault matrix, through each front door (Pulumi's dynamic-provider host and the greenapi plugin):
 * every lifecycle operation against every way
 * the network to Green API misbehaves. Each cell checks its outcome and the invariants the provider
 * promises — never lose an instance, never bill one twice, never leak a credential:
 *  - at most one live instance per resource (name) in the account;
 *  - the resource's state holds exactly its live instance (none lost, none phantom);
 *  - createInstance took effect exactly once per resource;
 *  - no write (createInstance, setSettings) the operation sent takes effect after it ended;
 *  - no error message and nothing the host printed contains a credential.
 * Each cell is one resource in a stack of its own; a last test checks each account against all its
 * stacks. docs/reliability.md carries the table rendered from EXPECTED below, and a test keeps the
 * two equal.
 *
 * Deterministic on a busy machine: instances are set up with the ordinary deadlines; only the
 * operation under test runs with the short ones. Faults on createInstance, setSettings and
 * deleteInstanceAccount are aimed at the cell's own instance (by name or idInstance), so those cells
 * run side by side; getInstances names no instance, so the read cells run one at a time against an
 * account (emulator) of their own.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Fault, FaultTarget, GreenApiEmulator, Method } from "../../emulator";
import { Engine, HostError, startConfiguredHost, unwrapSecrets, type ProviderHost, type Step } from "../../harness";
import { REPO_ROOT, eachDoor, goals, startStack, type Door, type TestStack } from "./stack";

// Short deadlines for the operation under test: a hang costs two seconds. Writes need room for two
// settle windows (a failed attempt's, then a retry's: 3 request deadlines + 1 s each) and their
// lookups; the others get a few seconds over the least the configuration allows, so that a machine
// busy enough to stall one retry past its deadline still leaves time for another.
const REQUEST_SECONDS = 2;
const SETTLE_SECONDS = 3 * REQUEST_SECONDS + 1;
const WRITE_OPERATION_SECONDS = 2 * SETTLE_SECONDS + 12;
const OTHER_OPERATION_SECONDS = SETTLE_SECONDS + 5;
const LATE_MS = 1.5 * REQUEST_SECONDS * 1000;

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
  | "performed late"
  | "HTTP 404 page"
  | "every attempt hangs";

const FAULTS: Record<FaultName, { describe: string; fault: (method: Method) => Fault }> = {
  "HTTP 429 + Retry-After": {
    describe: "rate limited, Retry-After: 1",
    fault: (method) => ({ method, kind: "status", status: 429, retryAfterSeconds: 1 }),
  },
  "HTTP 503": { describe: "service unavailable", fault: (method) => ({ method, kind: "status", status: 503 }) },
  "HTTP 502 HTML page": { describe: "a proxy's error page", fault: (method) => ({ method, kind: "html" }) },
  "dropped connection": { describe: "connection dropped, not performed", fault: (method) => ({ method, kind: "drop" }) },
  hang: { describe: `no answer within the ${REQUEST_SECONDS} s request deadline`, fault: (method) => ({ method, kind: "hang" }) },
  "malformed body": { describe: "HTTP 200 with cut-off JSON", fault: (method) => ({ method, kind: "malformed" }) },
  "lost response": { describe: "performed, then the connection dropped", fault: (method) => ({ method, kind: "performThenDrop" }) },
  "performed late": {
    describe: `performed ${LATE_MS / 1000} s after it arrived (1.5 × the request deadline), after the client gave up`,
    fault: (method) => ({ method, kind: "late", delayMs: LATE_MS }),
  },
  "HTTP 404 page": { describe: "a wrong API URL, or a proxy", fault: (method) => ({ method, kind: "status", status: 404 }) },
  "every attempt hangs": {
    describe: `no answer, ever (operation deadline ${WRITE_OPERATION_SECONDS} s for create and update, ${OTHER_OPERATION_SECONDS} s for read and delete)`,
    fault: (method) => ({ method, kind: "hang", times: 100 }),
  },
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

// A repeatable request is retried until it succeeds: on a busy machine a retry may itself run into
// the short deadline and be retried again, so these cells allow two requests more.
const retried = (doc = "retried, succeeds"): Expected => ({ outcome: "success", requests: [2, 4], doc });
const recreated = (
  doc = "outcome unknown: the name is looked up until 3 request deadlines after the attempt; absent, so created again: one instance",
): Expected => ({
  outcome: "success",
  requests: 2,
  doc,
});
const rewritten = (doc = "outcome unknown: retried with the same settings; ends once the first attempt can no longer land"): Expected => ({
  outcome: "success",
  requests: [2, 3],
  doc,
});
const afterError = (op: Op) =>
  op === "create"
    ? "nothing created; the next run creates one"
    : op === "delete"
      ? "instance stays in state; the next run deletes it"
      : "state unchanged; the next run succeeds";
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
        message: /no answer within.*greenapi:operationTimeoutSeconds/s,
        doc: "each attempt's name is looked up until 3 request deadlines after it; after 3 attempts, or when no time is left for another, a timeout error; nothing created; the next run creates one",
      }
    : {
        outcome: "error",
        // Every attempt hangs a request deadline, then waits a jittered backoff; update keeps trying
        // while an attempt's settle window fits, read and delete while the deadline allows.
        requests: op === "update" ? [3, 6] : [2, 6],
        // Usually the last attempt hangs into the operation deadline ("no answer within"); on a busy
        // machine the attempts can use it up first, and the next is not sent ("no time left"). Either
        // way the operation ends at its deadline, after several attempts, naming both settings.
        message:
          /(no answer within.*gave up after \d attempts.*greenapi:requestTimeoutSeconds|no time left in the operation's deadline.*gave up after \d attempts).*greenapi:operationTimeoutSeconds/s,
        doc: `timeout error at the operation deadline${op === "update" ? " (no attempt sent that could land after it)" : ""}; ${afterError(op)}`,
      };

const EXPECTED: Record<FaultName, Record<Op, Expected>> = {
  "HTTP 429 + Retry-After": {
    create: recreated("waits Retry-After (Green API refuses a 429 before performing it), sent again without a lookup: one instance"),
    read: retried("waits Retry-After, retried, succeeds"),
    update: retried("waits Retry-After, retried, succeeds"),
    delete: retried("waits Retry-After, retried, succeeds"),
  },
  "HTTP 503": { create: recreated(), read: retried(), update: rewritten(), delete: retried() },
  "HTTP 502 HTML page": { create: recreated(), read: retried(), update: rewritten(), delete: retried() },
  "dropped connection": { create: recreated(), read: retried(), update: rewritten(), delete: retried() },
  hang: {
    create: recreated(),
    read: retried("times out, retried within the operation deadline, succeeds"),
    update: rewritten(),
    delete: retried("times out, retried within the operation deadline, succeeds"),
  },
  "malformed body": { create: recreated(), read: retried(), update: rewritten(), delete: retried() },
  "lost response": {
    create: { outcome: "success", requests: 1, doc: "lookup by name finds the instance and records it: no second createInstance" },
    read: retried(),
    update: rewritten(),
    delete: retried("the retry answers 404 (already deleted): counted as deleted"),
  },
  "performed late": {
    create: {
      outcome: "success",
      requests: 1,
      doc: "outcome unknown: lookups by name find the instance once Green API has performed it: no second createInstance",
    },
    read: retried("times out, retried, succeeds"),
    update: rewritten("times out, retried with the same settings; ends after the late one has landed"),
    delete: retried("times out, retried: deleted (a 404 if the late one landed first)"),
  },
  "HTTP 404 page": { create: wrongUrl("create"), read: wrongUrl("read"), update: wrongUrl("update"), delete: wrongUrl("delete") },
  "every attempt hangs": {
    create: keepsHanging("create"),
    read: keepsHanging("read"),
    update: keepsHanging("update"),
    delete: keepsHanging("delete"),
  },
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

/** One account (emulator) with its hosts: `setup` with the ordinary deadlines, the others with the cell's short ones. */
interface Account {
  stack: TestStack;
  configFor(op: Op): Record<string, string>;
  hostFor(op: Op): ProviderHost;
  /** Everything this account's hosts printed. */
  output(): string;
  close(): Promise<void>;
}

async function startAccount(door: Door, ops: readonly Op[]): Promise<Account> {
  const stack = await startStack({ door, emulator: { partnerToken: PARTNER_TOKEN } });
  const configFor = (op: Op) => ({
    ...stack.config,
    "greenapi:requestTimeoutSeconds": String(REQUEST_SECONDS),
    "greenapi:operationTimeoutSeconds": String(op === "create" || op === "update" ? WRITE_OPERATION_SECONDS : OTHER_OPERATION_SECONDS),
  });
  const hosts = new Map<Op, ProviderHost>();
  for (const op of ops) hosts.set(op, await startConfiguredHost(configFor(op), { programDir: stack.programDir, door }));
  return {
    stack,
    configFor,
    hostFor: (op) => hosts.get(op)!,
    output: () => [stack.output(), ...[...hosts.values()].map((host) => host.output())].join(""),
    async close() {
      for (const host of hosts.values()) await host.stop();
      await stack.close();
    },
  };
}

eachDoor((door) => {
  let main: Account;
  let reads: Account;
  const accountOf = (op: Op) => (op === "read" ? reads : main);
  /** One state per cell; together they must account for every live instance of their account. */
  const states = new Map<string, Engine["state"]>();
  /** The name each cell's instance gets (its auto-name), for cells that ran or were set up. */
  const names = new Map<string, string>();

  beforeAll(async () => {
    [main, reads] = await Promise.all([startAccount(door, ["create", "update", "delete"]), startAccount(door, [])]);
    // Every cell but create starts from a created instance, made with the ordinary deadlines.
    const arranged = CELLS.filter((cell) => cell.op !== "create");
    await Promise.all(
      arranged.map(async (cell) => {
        const { stack } = accountOf(cell.op);
        const engine = new Engine(await stack.host());
        await engine.up(await declare(stack, cell.resource, SETTINGS.before));
        states.set(cell.resource, engine.state);
      }),
    );
  });
  afterAll(async () => {
    await Promise.all([main?.close(), reads?.close()]);
  });

  describe("fault matrix", () => {
    describe("faults on getInstances, which names no instance: one cell at a time, in an account of their own", () => {
      it.each(CELLS.filter((cell) => cell.op === "read"))("$op × $fault", (cell) => runCell(cell));
    });

    describe("faults aimed at the cell's own instance: cells side by side", () => {
      it.concurrent.each(CELLS.filter((cell) => cell.op !== "read"))("$op × $fault", (cell) => runCell(cell));
    });

    it.each([
      ["main", () => main],
      ["reads", () => reads],
    ])("leaves the %s account and its stacks in agreement: one live instance per resource, each in its stack", async (_, account) => {
      const { stack } = account();
      await stack.emulator.lateRequestsPerformed();
      const cells = CELLS.filter((cell) => accountOf(cell.op) === account());
      const all = stack.emulator.list();
      const live = all.filter((i) => !i.deleted);
      const byNumber = (a: number, b: number) => a - b;
      const recorded = cells.flatMap((cell) => [...(states.get(cell.resource)?.values() ?? [])].map((entry) => Number(entry.id)));
      expect(recorded.sort(byNumber)).toEqual(live.map((i) => i.idInstance).sort(byNumber));
      expect(new Set(live.map((i) => i.name)).size).toBe(live.length);
      // One instance ever created per cell that ran (create cells) or was set up (the others).
      const cellNames = cells.map((cell) => names.get(cell.resource)).filter((name) => name !== undefined);
      expect(all).toHaveLength(cellNames.length);
      expect(new Set(all.map((i) => i.name))).toEqual(new Set(cellNames));
      expectNoCredentials(stack, account().output());
    });
  });

  async function runCell({ op, fault, expected, resource }: Cell): Promise<void> {
    const account = accountOf(op);
    const { stack } = account;
    const state = states.get(resource) ?? new Map();
    states.set(resource, state);
    // A refresh is its own `pulumi refresh`: a new host, which asks for the list instead of reusing
    // the one fetched when the instance was created.
    const engine = new Engine(
      op === "read" ? () => startConfiguredHost(account.configFor(op), { programDir: stack.programDir, door }) : account.hostFor(op),
    );
    engine.state = state;
    const method = METHOD[op];
    const id = [...state.values()][0]?.id;
    const wanted =
      op === "create"
        ? await declare(stack, resource, SETTINGS.before)
        : op === "update"
          ? await declare(stack, resource, SETTINGS.after)
          : undefined;
    // The cell's own instance: by name for createInstance, by idInstance for the instance's calls; the
    // read cells run alone in their account, so every getInstances there is theirs.
    const target: FaultTarget = op === "create" ? { name: names.get(resource) } : op === "read" ? {} : { idInstance: Number(id) };
    const ours = (r: { method: string; idInstance?: number; body?: unknown }) =>
      r.method === method &&
      (target.idInstance === undefined || r.idInstance === target.idInstance) &&
      (target.name === undefined || (r.body as { name?: string } | undefined)?.name === target.name);
    const requestsBefore = stack.emulator.requests.filter(ours).length;
    const act = (): Promise<Step[]> => (op === "read" ? engine.refresh() : op === "delete" ? engine.destroy() : engine.up(wanted!));

    stack.emulator.injectFault({ ...FAULTS[fault].fault(method), ...target });
    const result = await act().then(
      (steps) => ({ steps }),
      (error: unknown) => ({ error }),
    );
    const endedAt = Date.now();
    if (expected.outcome === "success" && "error" in result) throw result.error;

    const requests = stack.emulator.requests.filter(ours);
    const [min, max] = Array.isArray(expected.requests) ? expected.requests : [expected.requests, expected.requests];
    expect(requests.length - requestsBefore).toBeGreaterThanOrEqual(min);
    expect(requests.length - requestsBefore).toBeLessThanOrEqual(max);
    // A write that lands after its operation ended could bill twice or overwrite newer settings.
    if (op === "create" || op === "update") expect(requests.filter((r) => (r.performedAt ?? 0) > endedAt)).toEqual([]);

    if (expected.outcome === "success") {
      if ("error" in result) throw result.error;
      expectDone(stack.emulator, op, engine, result.steps, id);
      expectInvariants(stack.emulator, resource, 1);
      if (fault === "lost response" && op === "delete") await outputShows(engine, `instance ${id} was already deleted`);
    } else {
      if (!("error" in result)) throw new Error(`expected ${op} to fail, but it succeeded: ${JSON.stringify(result.steps)}`);
      const error = result.error as HostError;
      expect(error).toBeInstanceOf(HostError);
      expect(error.message).toContain(`Green API ${method}: `);
      expect(error.message).toMatch(expected.message!);
      expect(error.message).not.toMatch(/\n\s+at /); // a message, not a stack trace
      expectNoCredentials(stack, error.message);
      expectUntouched(stack.emulator, op, engine, id);
      expectInvariants(stack.emulator, resource, op === "create" ? 0 : 1);
      // The advice ends in "run again": with the network healthy, the same operation succeeds.
      stack.emulator.clearFaults({ method, ...target });
      expectDone(stack.emulator, op, engine, await act(), id);
      expectInvariants(stack.emulator, resource, 1);
    }
    expectNoCredentials(stack, engine.output());
  }

  /** The host's output reaches us through a pipe, which on a busy machine can lag behind the gRPC answer. */
  async function outputShows(engine: Engine, text: string): Promise<void> {
    for (const deadline = Date.now() + 10_000; !engine.output().includes(text) && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(engine.output()).toContain(text);
  }

  async function declare(stack: TestStack, resource: string, settings: object) {
    const registrations = await stack.declare({ [resource]: settings });
    names.set(resource, stack.autoName(resource));
    return goals(registrations);
  }

  /** What the emulator and the state show once the operation succeeded. */
  function expectDone(emulator: GreenApiEmulator, op: Op, engine: Engine, steps: Step[], id: string | undefined): void {
    const entries = [...engine.state.values()];
    switch (op) {
      case "create":
        expect(steps.map((s) => s.op)).toEqual(["create"]);
        expect(entries).toHaveLength(1);
        expect(emulator.get(Number(entries[0].id))!.settings).toMatchObject({
          webhookUrlToken: WEBHOOK_TOKENS.before,
          incomingWebhook: "yes",
        });
        break;
      case "read":
        expect(steps).toEqual([expect.objectContaining({ op: expect.stringMatching(/^refresh-(same|changed)$/), id })]);
        expect(entries).toHaveLength(1);
        break;
      case "update":
        expect(steps.map((s) => s.op)).toEqual(["update"]);
        expect(emulator.get(Number(id))!.settings).toMatchObject({ webhookUrlToken: WEBHOOK_TOKENS.after, incomingWebhook: "no" });
        expect(unwrapSecrets(entries[0].outputs)).toMatchObject({ webhookUrlToken: WEBHOOK_TOKENS.after, incomingWebhook: false });
        break;
      case "delete":
        expect(steps.map((s) => s.op)).toEqual(["delete"]);
        expect(entries).toHaveLength(0);
        expect(emulator.get(Number(id))!.deleted).toBe(true);
        break;
    }
  }

  /** After a failed operation: nothing half-done, nothing forgotten. */
  function expectUntouched(emulator: GreenApiEmulator, op: Op, engine: Engine, id: string | undefined): void {
    const entries = [...engine.state.values()];
    if (op === "create") {
      expect(entries).toHaveLength(0);
      return;
    }
    expect(entries.map((e) => e.id)).toEqual([id]);
    const live = emulator.get(Number(id))!;
    expect(live.deleted).toBe(false);
    expect(live.settings).toMatchObject({ webhookUrlToken: WEBHOOK_TOKENS.before, incomingWebhook: "yes" });
    expect(unwrapSecrets(entries[0].outputs)).toMatchObject({ webhookUrlToken: WEBHOOK_TOKENS.before, incomingWebhook: true });
  }

  /**
   * The cell's resource: at most one live instance with its name, the cell's state holds exactly
   * the live one (never loses it, never keeps a deleted one), and createInstance took effect exactly
   * `created` times for it.
   */
  function expectInvariants(emulator: GreenApiEmulator, resource: string, created: number): void {
    const named = emulator.list().filter((i) => i.name === names.get(resource));
    const live = named.filter((i) => !i.deleted);
    expect(live.length).toBeLessThanOrEqual(1);
    expect([...states.get(resource)!.values()].map((e) => Number(e.id))).toEqual(live.map((i) => i.idInstance));
    expect(named).toHaveLength(created);
  }

  /** Every credential of the run: the partner token, the webhook tokens, every instance token issued. */
  function expectNoCredentials(stack: TestStack, text: string): void {
    const credentials = [PARTNER_TOKEN, ...Object.values(WEBHOOK_TOKENS), ...stack.emulator.list().map((i) => i.apiTokenInstance)];
    for (const secret of credentials) expect(text).not.toContain(secret);
  }
});

it("docs/reliability.md shows this matrix as verified here", () => {
  const docs = readFileSync(join(REPO_ROOT, "docs", "reliability.md"), "utf8");
  expect(docs).toContain(renderMatrix());
});

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
