/**
 * `pulumi refresh --parallel P` of N instances through the real CLI, against the emulator with a
 * fixed latency, beside its floor: ceil(N / P) waves of one instance-API round trip (a read's
 * getStateInstance and getSettings go out side by side), plus the one shared getInstances.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Agent, request } from "undici";
import { GreenApiEmulator } from "../emulator";
import { PulumiCliProject } from "../harness/pulumi-cli";

export interface CliRefresh {
  n: number;
  parallel: number;
  wallMs: number;
  /** The same command on a stack of one instance: the CLI's own start-up and plugin launches. */
  fixedMs: number;
  roundTripMs: number;
  floorMs: number;
  getInstances: number;
}

const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { GreenApiInstance } from "pulumi-greenapi";

const count = new pulumi.Config().requireNumber("count");
for (let i = 0; i < count; i++) new GreenApiInstance(\`bot-\${i}\`, { incomingWebhook: true });
`;

export async function cliRefresh(
  cli: string,
  n: number,
  parallels: number[],
  latencyMs: number,
  log: (line: string) => void,
): Promise<CliRefresh[]> {
  const emulator = await GreenApiEmulator.start({ latencyMs });
  const scratch = mkdtempSync(join(tmpdir(), "greenapi-bench-cli-"));
  const program = join(scratch, "index.ts");
  writeFileSync(program, PROGRAM);
  const stackOf = async (count: number) =>
    PulumiCliProject.create({
      cli,
      program,
      project: "greenapi-bench",
      config: {
        "greenapi:partnerToken": emulator.partnerToken,
        "greenapi:partnerApiUrl": emulator.url,
        "greenapi:apiUrl": emulator.url,
        "greenapi-bench:count": String(count),
      },
      secretKeys: ["greenapi:partnerToken"],
    });
  const [big, one] = await Promise.all([stackOf(n), stackOf(1)]);
  try {
    await big.run(["up", "--yes", "--skip-preview", "--parallel", "32", "--stack", big.options.stack]);
    await one.run(["up", "--yes", "--skip-preview", "--stack", one.options.stack]);
    log(`CLI: ${n} instances created`);
    const roundTripMs = await instanceRoundTrip(emulator);
    const results: CliRefresh[] = [];
    for (const parallel of parallels) {
      const refresh = async (project: PulumiCliProject) => {
        const started = performance.now();
        await project.run(["refresh", "--yes", "--skip-preview", "--parallel", String(parallel), "--stack", project.options.stack]);
        return performance.now() - started;
      };
      const fixedMs = await refresh(one);
      emulator.resetCounts();
      const wallMs = await refresh(big);
      const getInstances = emulator.count("getInstances");
      results.push({
        n,
        parallel,
        wallMs,
        fixedMs,
        roundTripMs,
        floorMs: Math.ceil(n / parallel) * roundTripMs + roundTripMs,
        getInstances,
      });
      log(`CLI refresh N=${n} --parallel ${parallel} done`);
    }
    await big.run(["destroy", "--yes", "--skip-preview", "--parallel", "32", "--stack", big.options.stack]);
    await one.run(["destroy", "--yes", "--skip-preview", "--stack", one.options.stack]);
    return results;
  } finally {
    big.close();
    one.close();
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
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)];
}
