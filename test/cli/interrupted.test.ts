/**
 * A `pulumi up` of examples/basic killed with SIGKILL while both createInstance requests are in
 * flight — Green API performs them after the CLI is gone, and nobody is told the new instances'
 * ids — and what it takes to get back to exactly one live instance per resource, recorded in the
 * stack, with nothing created twice.
 *
 * The kill takes the CLI and every process it started (language host, program, provider): the CLI
 * starts each plugin in a process group of its own, so killing its group would not reach them. The
 * emulator holds each createInstance (a "late" fault) and performs it after the kill; the tests wait
 * for conditions (requests seen, processes gone, late requests performed), never for a set time.
 *
 * What the CLI says at each step is what the README's recovery section ("Interrupted `pulumi up`")
 * quotes. Runs where a `pulumi` CLI is on PATH, like test/cli/basic.test.ts.
 */
import { GreenApiEmulator, type EmulatedInstance, type RecordedRequest } from "../../emulator";
import { pulumiCliForTests, PulumiCliProject, type CliOutcome, type StackExport } from "../../harness/cli";
import { waitUntil } from "../../harness/wait-until";
import { basicProject, BASIC_PROJECT } from "../../harness/basic-project";

const INSTANCE_TYPE = "pulumi-nodejs:dynamic/greenapi:Instance";
const PROJECT = BASIC_PROJECT;
const STACK = "dev";
const RESOURCES = ["sales", "support-bot"];
const urn = (name: string) => `urn:pulumi:${STACK}::${PROJECT}::${INSTANCE_TYPE}::${name}`;
const WEBHOOK_TOKEN = "cli-interrupted-webhook-credential-31c9";
/**
 * How long Green API holds each createInstance before performing it. Well under the provider's
 * request deadline (5 s here), so the kill, not a timeout, is what ends the run; the kill comes as
 * soon as both requests have arrived, long before this.
 */
const LATE_MS = 3_000;
const TIMEOUT_MS = 300_000;

const cli = pulumiCliForTests("test/cli/interrupted.test.ts");
const suite = cli ? describe : describe.skip;

suite(cli ? `an interrupted pulumi up (${cli})` : "an interrupted pulumi up — skipped: no pulumi CLI on PATH", () => {
  let emulator: GreenApiEmulator;
  let project: PulumiCliProject;

  beforeAll(async () => {
    emulator = await GreenApiEmulator.start();
    project = await basicProject({
      cli: cli!,
      preload: true,
      stack: STACK,
      emulator,
      webhookUrlToken: WEBHOOK_TOKEN,
      config: { "greenapi:requestTimeoutSeconds": "5" },
    });
  }, 120_000);

  afterAll(async () => {
    project?.close();
    await emulator?.close();
  });

  const alive = () => emulator.list().filter((instance) => !instance.deleted);
  const requestsOf = (method: RecordedRequest["method"]) => emulator.requests.filter((request) => request.method === method);
  const instancesIn = (state: StackExport) => (state.deployment.resources ?? []).filter((r) => r.type === INSTANCE_TYPE);
  const pendingIn = (state: StackExport) => (state.deployment.pending_operations ?? []).map((op) => [op.type, op.resource.urn]).sort();
  const stack = (args: string[]) => [...args, "--stack", STACK];

  /**
   * `pulumi up`, killed (CLI, language host, program and provider, all with SIGKILL) once both
   * createInstance requests have reached Green API and before either was performed or answered.
   * Green API then performs both. Returns the two instances by resource name, and the output.
   */
  async function interruptedUp(): Promise<{ instances: Record<string, EmulatedInstance>; outcome: CliOutcome }> {
    expect(alive()).toEqual([]);
    emulator.resetCounts();
    emulator.injectFault({ method: "createInstance", kind: "late", delayMs: LATE_MS, times: 2 });
    const running = project.start(stack(["up", "--yes", "--skip-preview"]));
    try {
      await waitUntil(() => requestsOf("createInstance").length === 2 || running.ended, "both createInstance requests", 120_000);
    } catch (error) {
      await running.killTree("SIGKILL");
      throw new Error(`${(error as Error).message}; pulumi up printed:\n${running.output}`);
    }
    if (running.ended) throw new Error(`pulumi up ended before both creates were sent:\n${running.output}`);
    // Neither performed yet, so neither answered: the kill lands while both are outstanding.
    expect(requestsOf("createInstance").map((r) => r.performedAt)).toEqual([undefined, undefined]);
    const { outcome, killed } = await running.killTree("SIGKILL");

    expect(outcome).toMatchObject({ exitCode: null, signal: "SIGKILL" });
    expect(outcome.output).toMatch(/\+ +pulumi-nodejs:dynamic\/greenapi:Instance support-bot creating/);
    expect(outcome.output).not.toMatch(/created/);
    // What it killed, besides the CLI: the language host, the program it ran, the provider.
    const commands = killed.map((p) => p.command);
    expect(commands).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/pulumi-language-nodejs/),
        expect.stringMatching(/@pulumi\/pulumi\/cmd\/run/),
        expect.stringMatching(/@pulumi\/pulumi\/cmd\/dynamic-provider/),
      ]),
    );

    // Step 1 of the recovery: wait until Green API has performed what the killed run sent (a user
    // waits out the settle window, 3 request deadlines + 1 s; a recovery up any sooner could miss
    // an instance still being created, and create a second one of the same name).
    await emulator.lateRequestsPerformed();
    // Both performed after the CLI was gone, answered to nobody.
    expect(requestsOf("createInstance").map((r) => [r.performedAt !== undefined, r.status])).toEqual([
      [true, 0],
      [true, 0],
    ]);
    expect(alive()).toHaveLength(2);
    const byName = (resource: string) => alive().find((instance) => instance.name.startsWith(`${resource}-`))!;
    const instances = Object.fromEntries(RESOURCES.map((resource) => [resource, byName(resource)]));
    expect(Object.values(instances).every(Boolean)).toBe(true);
    return { instances, outcome };
  }

  /** Exactly the killed run's instances are alive and recorded, nothing pending, nothing to change. */
  async function expectRecovered(instances: Record<string, EmulatedInstance>): Promise<void> {
    expect(
      alive()
        .map((i) => i.idInstance)
        .sort(),
    ).toEqual(
      Object.values(instances)
        .map((i) => i.idInstance)
        .sort(),
    );
    const state = await project.exportState();
    expect(pendingIn(state)).toEqual([]);
    expect(
      instancesIn(state)
        .map((r) => [r.urn, r.id])
        .sort(),
    ).toEqual(RESOURCES.map((name) => [urn(name), String(instances[name].idInstance)]));
    const outputs = await project.outputs();
    expect([outputs.salesIdInstance, outputs.supportIdInstance]).toEqual([instances.sales.idInstance, instances["support-bot"].idInstance]);
    // The support bot has its declared settings (the create that carried them was the killed run's).
    expect(emulator.get(instances["support-bot"].idInstance)!.settings).toMatchObject({
      webhookUrlToken: WEBHOOK_TOKEN,
      incomingWebhook: "yes",
    });
    await project.preview({ expectNoChanges: true });
    await project.refresh({ expectNoChanges: true });
  }

  async function destroyAll(): Promise<void> {
    await project.destroy();
    expect(alive()).toEqual([]);
  }

  /** `pulumi up` after the interrupted one: each instance found by its auto-name and taken over, none created. */
  function expectTakenOver(up: { output: string }, instances: Record<string, EmulatedInstance>): void {
    for (const instance of Object.values(instances)) {
      expect(up.output).toContain(
        `greenapi: instance ${instance.idInstance} "${instance.name}" was created by an earlier, interrupted run: using it instead of creating another.`,
      );
    }
    expect(up.output).toMatch(/\+ 2 created\s+1 unchanged/);
    expect(requestsOf("createInstance")).toEqual([]);
  }

  it(
    "the documented recovery: pulumi cancel, pulumi refresh --clear-pending-creates, pulumi up — which takes the instances over",
    async () => {
      const { instances } = await interruptedUp();

      // The file backend still holds the killed run's lock: every update is refused, before any request.
      expect(project.lockFiles()).toHaveLength(1);
      emulator.resetCounts();
      const locked = await project.attempt(stack(["up", "--yes", "--skip-preview"]));
      expect(locked.exitCode).not.toBe(0);
      expect(locked.output).toMatch(
        /error: the stack is currently locked by 1 lock\(s\)\. Either wait for the other process\(es\) to end or delete the lock file with `pulumi cancel`\./,
      );
      expect(emulator.requests).toEqual([]);

      // The state records both creates as pending, and neither resource.
      const state = await project.exportState();
      expect(pendingIn(state)).toEqual(RESOURCES.map((name) => ["creating", urn(name)]));
      expect(instancesIn(state)).toEqual([]);

      const cancel = await project.cancel();
      expect(cancel.output).toContain(`The currently running update for '${STACK}' has been canceled!`);
      expect(project.lockFiles()).toEqual([]);

      await project.refresh({ clearPendingCreates: true });
      expect(pendingIn(await project.exportState())).toEqual([]);
      expect(emulator.requests).toEqual([]); // nothing recorded, so nothing to read

      const up = await project.up();
      expectTakenOver(up, instances);
      expect(up.output).not.toContain("pending operations");
      await expectRecovered(instances);
      await destroyAll();
    },
    TIMEOUT_MS,
  );

  it(
    "a plain pulumi up after pulumi cancel takes the instances over too, but the pending creates stay (and warn) until refresh --clear-pending-creates",
    async () => {
      const { instances } = await interruptedUp();
      await project.cancel();

      emulator.resetCounts();
      const up = await project.up();
      expect(up.output).toContain("warning: Attempting to deploy or update resources with 2 pending operations from previous deployment.");
      for (const name of RESOURCES) expect(up.output).toContain(`* ${urn(name)}, interrupted while creating`);
      expect(up.output).toContain("Note that `pulumi refresh` will need to be run interactively to clear pending CREATE operations.");
      expectTakenOver(up, instances);

      // Recorded, but the pending creates are still there; a plain (non-interactive) refresh keeps them.
      let state = await project.exportState();
      expect(
        instancesIn(state)
          .map((r) => r.id)
          .sort(),
      ).toEqual(
        Object.values(instances)
          .map((i) => String(i.idInstance))
          .sort(),
      );
      expect(pendingIn(state)).toEqual(RESOURCES.map((name) => ["creating", urn(name)]));
      await project.refresh();
      expect(pendingIn(await project.exportState())).toEqual(RESOURCES.map((name) => ["creating", urn(name)]));

      await project.refresh({ clearPendingCreates: true });
      state = await project.exportState();
      expect(pendingIn(state)).toEqual([]);
      expect(instancesIn(state)).toHaveLength(2); // only the pending entries went
      await expectRecovered(instances);
      await destroyAll();
    },
    TIMEOUT_MS,
  );

  it(
    "refresh --import-pending-creates URN ID … clears the pending creates; whether or not it records them, the next up ends with the same two instances",
    async () => {
      const { instances } = await interruptedUp();
      await project.cancel();

      // The ids as the console shows them, found by the auto-names the pending creates carry.
      const pending = (await project.exportState()).deployment.pending_operations!;
      const importPendingCreates = pending.map((op) => {
        const name = op.resource.inputs!.name as string;
        return { urn: op.resource.urn, id: String(alive().find((instance) => instance.name === name)!.idInstance) };
      });
      expect(importPendingCreates.map((entry) => entry.id).sort()).toEqual(
        Object.values(instances)
          .map((i) => String(i.idInstance))
          .sort(),
      );
      emulator.resetCounts();
      await project.refresh({ importPendingCreates });
      const state = await project.exportState();
      expect(pendingIn(state)).toEqual([]);

      const up = await project.up();
      if (instancesIn(state).length === 0) {
        // CLI v3.274.1: the pending creates were turned into pending imports, which the refresh
        // then dropped without reading them (no request reached Green API). The up takes over.
        expect(emulator.counts().getSettings).toBe(0);
        expectTakenOver(up, instances);
      } else {
        // A CLI that does import them: recorded with the given ids, nothing left to create.
        expect(
          instancesIn(state)
            .map((r) => [r.urn, r.id])
            .sort(),
        ).toEqual(importPendingCreates.map((e) => [e.urn, e.id]).sort());
        expect(requestsOf("createInstance")).toEqual([]);
      }
      await expectRecovered(instances);
      await destroyAll();
    },
    TIMEOUT_MS,
  );

  it("no credential in what any command printed, interrupted ones included, nor in the backend's files", () => {
    const credentials = [emulator.partnerToken, WEBHOOK_TOKEN, ...emulator.list().map((i) => i.apiTokenInstance)];
    expect(emulator.list()).toHaveLength(6);
    expect(project.transcript.filter((run) => run.signal === "SIGKILL")).toHaveLength(3);
    const where = [
      ...project.transcript.map((run) => ({ where: `the output of \`${run.command}\``, text: run.output })),
      ...project.backendFiles().map((file) => ({ where: file.path, text: file.text })),
    ];
    const leaks = where.filter(({ text }) => credentials.some((credential) => text.includes(credential))).map(({ where }) => where);
    expect(leaks).toEqual([]);
  });
});
