/**
 * A minimal stand-in for the Pulumi engine's deployment loop: `up`, `refresh` and `destroy` over a
 * ProviderHost, calling the provider in the engine's order and keeping state as the state file would.
 */
import { cpus } from "node:os";
import { isDeepStrictEqual } from "node:util";
import { HostError, makeUrn, type CheckFailure, type ProviderHost } from "./host";
import type { PropertyMap } from "./wire";

export interface StateEntry {
  urn: string;
  type: string;
  id: string;
  inputs: PropertyMap;
  outputs: PropertyMap;
}

export type StepOp = "create" | "update" | "replace" | "same" | "delete" | "refresh-same" | "refresh-changed" | "refresh-gone";

export interface Step {
  op: StepOp;
  urn: string;
  id?: string;
  detail?: string;
}

export interface ResourceGoal {
  type: string;
  name: string;
  inputs: PropertyMap;
}

export class CheckFailedError extends Error {
  constructor(
    readonly urn: string,
    readonly failures: CheckFailure[],
  ) {
    // Like the engine's message, minus the value: a failing input may be a secret.
    super(`${urn}: ${failures.map(describeFailure).join("; ")}`);
    this.name = "CheckFailedError";
  }
}

/**
 * A running host to share between commands, or a way to start one. Each `pulumi` command starts
 * its own provider host, so anything a provider keeps in memory lives for one command only; give a
 * factory to reproduce that (each command then starts, configures and stops a host of its own).
 */
export type HostSource = ProviderHost | (() => Promise<ProviderHost>);

export class Engine {
  state = new Map<string, StateEntry>();
  private host!: ProviderHost;
  private busy = false;
  private readonly finishedOutput: string[] = [];

  private readonly parallel: number;

  /**
   * `parallel`: resource operations at once, like the CLI's `--parallel`; its default is the CLI's
   * own since early 2024 (4 × CPUs, pulumi/pulumi#15016), so reads arrive in the waves a real refresh makes.
   */
  constructor(
    private readonly source: HostSource,
    options: { parallel?: number } = {},
  ) {
    this.parallel = options.parallel ?? 4 * cpus().length;
  }

  /** Everything the provider hosts printed during this engine's commands so far. */
  output(): string {
    const running = this.busy && typeof this.source === "function" ? this.host.output() : "";
    return this.finishedOutput.join("") + running + (typeof this.source === "function" ? "" : this.source.output());
  }

  /** Brings state to the given resources; resources in state but not listed are deleted afterwards. */
  up(resources: ResourceGoal[]): Promise<Step[]> {
    return this.command(async () => {
      const goals = resources.map((r) => ({ ...r, urn: makeUrn(r.type, r.name, this.host.stack, this.host.project) }));
      assertUniqueUrns(goals.map((g) => g.urn));
      const steps = await this.each(goals, (goal) => this.apply(goal));
      const wanted = new Set(goals.map((g) => g.urn));
      const removed = [...this.state.values()].filter((entry) => !wanted.has(entry.urn));
      return [...steps, ...(await this.each(removed, (entry) => this.remove(entry)))];
    });
  }

  refresh(): Promise<Step[]> {
    if (this.state.size === 0) return Promise.resolve([]);
    return this.command(() => this.each([...this.state.values()], (entry) => this.refreshOne(entry)));
  }

  destroy(): Promise<Step[]> {
    if (this.state.size === 0) return Promise.resolve([]);
    return this.command(() => this.each([...this.state.values()], (entry) => this.remove(entry)));
  }

  private each<I, T>(items: I[], step: (item: I) => Promise<T>): Promise<T[]> {
    return settleAll(items, step, this.parallel);
  }

  private async command<T>(run: () => Promise<T>): Promise<T> {
    if (this.busy) throw new Error("engine commands cannot overlap, as `pulumi` commands on one stack cannot");
    this.busy = true;
    const own = typeof this.source === "function";
    try {
      this.host = own ? await (this.source as () => Promise<ProviderHost>)() : (this.source as ProviderHost);
      return await run();
    } finally {
      if (own && this.host) {
        await this.host.stop();
        this.finishedOutput.push(this.host.output());
      }
      this.busy = false;
    }
  }

  private async apply(goal: ResourceGoal & { urn: string }): Promise<Step> {
    const old = this.state.get(goal.urn);
    const inputs = await this.check(goal.urn, old?.inputs ?? {}, goal.inputs);
    return old ? this.change(old, inputs) : this.create(goal.urn, goal.type, inputs);
  }

  private async check(urn: string, olds: PropertyMap, news: PropertyMap): Promise<PropertyMap> {
    const { inputs, failures } = await this.host.check(urn, olds, news);
    if (failures.length > 0) {
      throw new CheckFailedError(urn, failures);
    }
    return inputs;
  }

  private async create(urn: string, type: string, inputs: PropertyMap): Promise<Step> {
    const { id } = await this.createRecorded(urn, type, inputs);
    return { op: "create", urn, id };
  }

  /**
   * Records the resource even when the provider reports it created but failed to initialize, as the
   * engine does, so the next run can update or delete it instead of orphaning it.
   */
  private async createRecorded(urn: string, type: string, inputs: PropertyMap): Promise<StateEntry> {
    try {
      const { id, properties } = await this.host.create(urn, inputs);
      if (!id) {
        throw new Error(`${urn}: the provider returned an empty id from create`);
      }
      return this.record({ urn, type, id, inputs, outputs: properties });
    } catch (error) {
      if (error instanceof HostError && error.initFailed) {
        const { id, properties } = error.initFailed;
        this.record({ urn, type, id, inputs, outputs: properties });
      }
      throw error;
    }
  }

  private async change(old: StateEntry, inputs: PropertyMap): Promise<Step> {
    const diff = await this.host.diff(old.urn, old.id, old.outputs, inputs, old.inputs);
    // A provider without `diff` answers "unknown"; the engine then compares old and new inputs itself.
    const changed = diff.changes === "some" || (diff.changes === "unknown" && !isDeepStrictEqual(old.inputs, inputs));
    if (!changed) {
      this.record({ ...old, inputs });
      return { op: "same", urn: old.urn, id: old.id };
    }
    if (diff.replaces.length > 0) {
      return this.replace(old, inputs, diff.replaces, diff.deleteBeforeReplace);
    }
    return this.update(old, inputs);
  }

  private async update(old: StateEntry, inputs: PropertyMap): Promise<Step> {
    try {
      const { properties } = await this.host.update(old.urn, old.id, old.outputs, inputs, old.inputs);
      this.record({ ...old, inputs, outputs: properties });
    } catch (error) {
      if (error instanceof HostError && error.initFailed) {
        this.record({ ...old, inputs, outputs: error.initFailed.properties });
      }
      throw error;
    }
    return { op: "update", urn: old.urn, id: old.id };
  }

  private async replace(old: StateEntry, inputs: PropertyMap, replaces: string[], deleteBeforeReplace: boolean): Promise<Step> {
    if (deleteBeforeReplace) {
      await this.deleteResource(old);
      this.state.delete(old.urn);
    }
    const created = await this.createRecorded(old.urn, old.type, inputs);
    if (!deleteBeforeReplace) {
      await this.deleteResource(old);
    }
    const order = deleteBeforeReplace ? "delete-before-replace" : "create-before-delete";
    return { op: "replace", urn: old.urn, id: created.id, detail: `${replaces.join(", ")} (${order}, was ${old.id})` };
  }

  private async remove(entry: StateEntry): Promise<Step> {
    await this.deleteResource(entry);
    this.state.delete(entry.urn);
    return { op: "delete", urn: entry.urn, id: entry.id };
  }

  private deleteResource(entry: StateEntry): Promise<void> {
    return this.host.delete(entry.urn, entry.id, entry.outputs, entry.inputs);
  }

  private async refreshOne(entry: StateEntry): Promise<Step> {
    const read = await this.host.read(entry.urn, entry.id, entry.outputs, entry.inputs);
    if (!read.id) {
      this.state.delete(entry.urn);
      return { op: "refresh-gone", urn: entry.urn, id: entry.id };
    }
    const next = { ...entry, id: read.id, outputs: read.properties, inputs: read.inputs ?? entry.inputs };
    this.record(next);
    const changed = changedKeys(entry.outputs, next.outputs);
    if (changed.length === 0 && isDeepStrictEqual(next, entry)) return { op: "refresh-same", urn: entry.urn, id: read.id };
    const detail = [changed.length ? `outputs: ${changed.join(", ")}` : "", read.inputs ? "inputs updated" : ""].filter(Boolean).join("; ");
    return { op: "refresh-changed", urn: entry.urn, id: read.id, detail };
  }

  private record(entry: StateEntry): StateEntry {
    this.state.set(entry.urn, entry);
    return entry;
  }
}

/** Names only: values may be secrets. */
function changedKeys(before: PropertyMap, after: PropertyMap): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((key) => !isDeepStrictEqual(before[key], after[key])).sort();
}

function describeFailure(failure: CheckFailure): string {
  return failure.property ? `property ${failure.property}: ${failure.reason}` : failure.reason;
}

function assertUniqueUrns(urns: string[]): void {
  const seen = new Set<string>();
  for (const urn of urns) {
    if (seen.has(urn)) {
      throw new Error(`duplicate resource URN ${urn}`);
    }
    seen.add(urn);
  }
}

/**
 * Runs steps concurrently like the engine does for independent resources, but lets every step
 * finish before reporting the first failure, so state never changes after the caller sees an error.
 */
/**
 * Runs `step` for every item, at most `parallel` at a time, each starting as another ends; like
 * the engine, it lets every step finish before reporting the first failure.
 */
async function settleAll<I, T>(items: I[], step: (item: I) => Promise<T>, parallel: number): Promise<T[]> {
  const results: PromiseSettledResult<T>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = { status: "fulfilled", value: await step(items[index]) };
      } catch (reason) {
        results[index] = { status: "rejected", reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) {
    throw failed.reason;
  }
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}
