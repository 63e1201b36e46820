/**
 * `npm run demo`: the examples/basic program's whole lifecycle, on this machine, with no Green API
 * account, against the emulator: up, refresh, a change made in the console noticed and put back, an
 * instance deleted in the console noticed and recreated, destroy.
 *
 * With a `pulumi` CLI on PATH it runs the real CLI (a throwaway project and a local file backend)
 * and prints its output; without one (or with `--host`), it drives Pulumi's own provider host, one
 * host per command as the CLI runs it.
 */
import { GreenApiEmulator } from "../emulator";
import { captureRegistrations, Engine, ProviderHost, REPO_ROOT, type Step } from "../harness";
import { findPulumiCli } from "../harness/cli";
import { basicProject, BASIC_PROJECT } from "../harness/basic-project";

const PROJECT = BASIC_PROJECT;
const STACK = "demo";
const SECRET_OUTPUTS = new Set(["apiTokenInstance", "qrUrl", "webhookUrlToken"]);

async function main(): Promise<void> {
  const forceHost = process.argv.includes("--host");
  const cli = forceHost ? undefined : findPulumiCli();
  if (cli) {
    say(`Running the real pulumi CLI (${cli}) on examples/basic, against a local Green API emulator.`);
    await withCli(cli);
  } else {
    say(
      `${forceHost ? "--host given" : "No pulumi CLI on PATH"}: running examples/basic through Pulumi's own provider host ` +
        "(@pulumi/pulumi/cmd/dynamic-provider), one host per command as the CLI runs it.",
    );
    await withHost();
  }
}

async function withHost(): Promise<void> {
  const emulator = await GreenApiEmulator.start();
  const config = {
    "greenapi:partnerToken": emulator.partnerToken,
    "greenapi:partnerApiUrl": emulator.url,
    "greenapi:apiUrl": emulator.url,
    [`${PROJECT}:webhookUrlToken`]: "demo-webhook-credential",
  };
  const secretKeys = ["greenapi:partnerToken", `${PROJECT}:webhookUrlToken`];
  const engine = new Engine(async () => {
    // The repo root is a Pulumi project (Pulumi.yaml runs examples/basic) with the package in node_modules.
    const host = await ProviderHost.start({ programDir: REPO_ROOT, project: PROJECT, stack: STACK });
    await host.configure(config, secretKeys);
    return host;
  });

  try {
    say(`Green API emulator at ${emulator.url}; the example program is examples/basic (two instances).`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the program runs when loaded, inside the capture
    const registrations = await captureRegistrations(() => require("../examples/basic/index"), {
      project: PROJECT,
      stack: STACK,
      config,
      secretKeys,
    });
    const goals = registrations.map(({ type, name, inputs }) => ({ type, name, inputs }));

    heading("pulumi up");
    show(await engine.up(goals));
    for (const entry of engine.state.values()) {
      const outputs = entry.outputs as Record<string, unknown>;
      say(
        `  ${nameOf(entry.urn)}: idInstance ${outputs.idInstance}, name "${outputs.name}", apiTokenInstance ${secret(outputs, "apiTokenInstance")}, qrUrl ${secret(outputs, "qrUrl")}`,
      );
    }

    heading("pulumi refresh");
    show(await engine.refresh());

    const support = [...engine.state.values()].find((e) => nameOf(e.urn) === "support-bot")!;
    const sales = [...engine.state.values()].find((e) => nameOf(e.urn) === "sales")!;

    heading("Someone changes support-bot's webhook URL in the Green API console");
    emulator.changeOutOfBand(Number(support.id), { settings: { webhookUrl: "https://console-edit.example.com/hook" } });
    heading("pulumi refresh");
    show(await engine.refresh());
    say(`  support-bot webhookUrl is now ${JSON.stringify(support && engine.state.get(support.urn)!.outputs.webhookUrl)} in the stack`);
    heading("pulumi up  (puts the declared value back, in place)");
    show(await engine.up(goals));
    say(
      `  Green API now has webhookUrl ${JSON.stringify(emulator.get(Number(support.id))!.settings.webhookUrl)}; setSettings calls: ${emulator.count("setSettings")}`,
    );

    heading("Someone deletes the sales instance in the console");
    emulator.deleteOutOfBand(Number(sales.id));
    heading("pulumi refresh");
    show(await engine.refresh());
    heading("pulumi up  (creates it again)");
    show(await engine.up(goals));

    heading("pulumi destroy");
    show(await engine.destroy());
    const alive = emulator.list().filter((i) => !i.deleted).length;
    say(
      `\nDone: ${emulator.count("createInstance")} createInstance calls, ${alive} instances left alive, stack empty: ${engine.state.size === 0}.`,
    );
    if (alive !== 0 || engine.state.size !== 0) throw new Error("the demo left instances behind");
  } finally {
    await emulator.close();
  }
}

/** The same story through the real CLI, printing what it prints. */
async function withCli(cli: string): Promise<void> {
  const emulator = await GreenApiEmulator.start();
  const webhookToken = "demo-webhook-credential";
  const project = await basicProject({
    cli,
    stack: STACK,
    emulator,
    webhookUrlToken: webhookToken,
    echo: (text) => process.stdout.write(text),
    color: process.stdout.isTTY,
  });
  try {
    say(`${await project.version()}; Green API emulator at ${emulator.url}; backend ${project.backendDir} (file://, passphrase secrets).`);
    await project.up();
    const outputs = await project.outputs();
    const support = Number(outputs.supportIdInstance);
    const sales = Number(outputs.salesIdInstance);
    await project.refresh();

    heading("Someone changes support-bot's webhook URL in the Green API console");
    emulator.changeOutOfBand(support, { settings: { webhookUrl: "https://console-edit.example.com/hook" } });
    await project.refresh();
    await project.up();
    say(`\n  Green API now has webhookUrl ${JSON.stringify(emulator.get(support)!.settings.webhookUrl)} again.`);

    heading("Someone deletes the sales instance in the console");
    emulator.deleteOutOfBand(sales);
    await project.refresh();
    await project.up();

    const credentials = [emulator.partnerToken, webhookToken, ...emulator.list().map((i) => i.apiTokenInstance)];
    await project.destroy();
    const files = project.backendFiles();
    const leaking = files.filter((file) => credentials.some((secret) => file.text.includes(secret)));
    const alive = emulator.list().filter((i) => !i.deleted).length;
    say(
      `\nDone: ${emulator.count("createInstance")} createInstance calls, ${alive} instances left alive; ` +
        `${files.length} files written by the backend, ${leaking.length} of them holding a token in clear text.`,
    );
    if (alive !== 0) throw new Error("the demo left instances behind");
    if (leaking.length > 0) throw new Error(`credentials in clear text in ${leaking.map((f) => f.path).join(", ")}`);
  } finally {
    project.close();
    await emulator.close();
  }
}

function show(steps: Step[]): void {
  if (steps.length === 0) say("  (nothing to do)");
  for (const step of steps)
    say(`  ${step.op.padEnd(15)} ${nameOf(step.urn)}${step.id ? ` (id ${step.id})` : ""}${step.detail ? ` — ${step.detail}` : ""}`);
}

function secret(outputs: Record<string, unknown>, key: string): string {
  return SECRET_OUTPUTS.has(key) && outputs[key] ? "[secret]" : String(outputs[key]);
}

function nameOf(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

function heading(text: string): void {
  say(`\n$ ${text}`);
}

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`demo failed: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  },
);
