/**
 * Green API's partner gateway through Pulumi's provider host: one token bucket per account for
 * createInstance, getInstances and deleteInstanceAccount (10 a second, bursts of 20; HTTP 429 with
 * X-RateLimit-* headers and no Retry-After, before performing). A fleet `up` at a high --parallel
 * lives within it: every create succeeds exactly once, no lookup is spent on a 429, and destroy
 * deletes them all. And each partner method's HTTP 400 with a plain-text body (the older failure
 * Green API's docs describe) reaches the user as a clear error naming the method and quoting the text.
 */
import { GREEN_API_PARTNER_RATE_LIMIT } from "../../emulator";
import { Engine, HostError, startConfiguredHost } from "../../harness";
import { goals, startStack, type TestStack } from "./stack";

const N = 60;
const PARALLEL = 64;

describe(`${N} creates at --parallel ${PARALLEL} under the partner gateway's bucket`, () => {
  let stack: TestStack;
  let engine: Engine;

  beforeAll(async () => {
    stack = await startStack({ emulator: { partnerRateLimit: GREEN_API_PARTNER_RATE_LIMIT, latencyMs: 20 } });
    engine = new Engine(() => startConfiguredHost(stack.config, { programDir: stack.programDir }), { parallel: PARALLEL });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("creates every instance exactly once without a failure, then destroy deletes them all", async () => {
    const declared = Object.fromEntries(Array.from({ length: N }, (_, i) => [`tenant-${i}`, { incomingWebhook: true }]));
    const steps = await engine.up(goals(await stack.declare(declared)));
    expect(steps.map((s) => s.op)).toEqual(Array(N).fill("create"));

    const creates = stack.emulator.requests.filter((r) => r.method === "createInstance");
    const performed = creates.filter((r) => r.performedAt !== undefined);
    const refused = stack.emulator.requests.filter((r) => r.status === 429);
    console.log(
      `${N} creates at --parallel ${PARALLEL}: ${creates.length} createInstance requests, ${refused.length} answered 429, ` +
        `getInstances ${stack.emulator.count("getInstances")}`,
    );
    expect(performed).toHaveLength(N);
    const alive = stack.emulator.list().filter((i) => !i.deleted);
    expect(alive).toHaveLength(N);
    expect(new Set(alive.map((i) => i.name)).size).toBe(N);
    expect([...engine.state.values()].map((e) => Number(e.id)).sort()).toEqual(alive.map((i) => i.idInstance).sort());
    // The calls went at the bucket's pace instead of into it: without the mirror, 40 of the first 60 would be refused.
    expect(refused.length).toBeLessThanOrEqual(5);
    // The lookups around the creates are shared lists, not one per create (nor one per 429).
    expect(stack.emulator.count("getInstances")).toBeLessThanOrEqual(N / 4);

    stack.emulator.resetCounts();
    await engine.destroy();
    expect(stack.emulator.list().filter((i) => !i.deleted)).toEqual([]);
    const deletes = stack.emulator.requests.filter((r) => r.method === "deleteInstanceAccount" && r.performedAt !== undefined);
    expect(deletes).toHaveLength(N);
    // destroy runs in a new provider process, whose mirror starts full while the gateway may still be
    // drained by the up just before: at most a burst's worth of 429s until the first answers' headers
    // correct it (without the mirror, 40 of the 60 deletes sent at once would be refused).
    expect(stack.emulator.requests.filter((r) => r.status === 429).length).toBeLessThanOrEqual(20);
  });
});

describe("a partner method failing with HTTP 400 and a plain-text body", () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  const failureOf = (promise: Promise<unknown>): Promise<HostError> =>
    promise.then(
      () => {
        throw new Error("expected the command to fail");
      },
      (error: unknown) => {
        expect(error).toBeInstanceOf(HostError);
        return error as HostError;
      },
    );

  it("createInstance: the error names the method and quotes the text, and nothing is created", async () => {
    const registrations = await stack.declare({ "text-400": {} });
    stack.emulator.injectFault({ method: "createInstance", kind: "status", status: 400, body: "Validation failed: name is too long" });
    const error = await failureOf(stack.engine.up(goals(registrations)));
    expect(error.message).toMatch(/Green API createInstance: HTTP 400 "Validation failed: name is too long"/);
    expect(error.message).toMatch(/Green API rejected the request; check the value it names/);
    expect(stack.emulator.list()).toEqual([]);
    expect(stack.engine.state.size).toBe(0);
  });

  it("getInstances: a refresh fails naming the method and quoting the text, and the state is kept", async () => {
    await stack.engine.up(goals(await stack.declare({ "text-400": {} })));
    const before = [...stack.engine.state.values()];
    stack.emulator.injectFault({ method: "getInstances", kind: "status", status: 400, body: "Bad Request: partner account is blocked" });
    const error = await failureOf(stack.engine.refresh());
    expect(error.message).toMatch(/Green API getInstances: HTTP 400 "Bad Request: partner account is blocked"/);
    expect([...stack.engine.state.values()]).toEqual(before);
  });

  it("deleteInstanceAccount: destroy fails naming the method and quoting the text, and the instance stays in state", async () => {
    const [entry] = stack.engine.state.values();
    stack.emulator.injectFault({ method: "deleteInstanceAccount", kind: "status", status: 400, body: "Validation failed: idInstance" });
    const error = await failureOf(stack.engine.destroy());
    expect(error.message).toMatch(/Green API deleteInstanceAccount: HTTP 400 "Validation failed: idInstance"/);
    expect(stack.engine.state.get(entry.urn)?.id).toBe(entry.id);
    expect(stack.emulator.get(Number(entry.id))!.deleted).toBe(false);
    await stack.engine.destroy();
    expect(stack.emulator.get(Number(entry.id))!.deleted).toBe(true);
  });
});
