// The emulator command: banner, redacted request log, --state across restarts, clean stop on SIGTERM.

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import ts from "typescript";
import { call } from "./helpers";

const ROOT = resolve(__dirname, "../..");
const SOURCES = join(ROOT, "emulator");
let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "greenapi-emulator-cli-"));
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/**
 * dist/emulator/cli.js when the build is up to date; otherwise the emulator transpiled on its own (it imports
 * only itself and node:*), so this test does not depend on the rest of the project compiling.
 */
function cliPath(): string {
  const built = join(ROOT, "dist/emulator");
  const sources = readdirSync(SOURCES).filter((file) => file.endsWith(".ts"));
  const fresh = sources.every((file) => {
    const output = join(built, file.replace(/\.ts$/, ".js"));
    return existsSync(output) && statSync(output).mtimeMs >= statSync(join(SOURCES, file)).mtimeMs;
  });
  if (fresh) return join(built, "cli.js");
  const out = join(scratch, "emulator");
  mkdirSync(out, { recursive: true });
  for (const file of sources) {
    const { outputText } = ts.transpileModule(readFileSync(join(SOURCES, file), "utf8"), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    writeFileSync(join(out, file.replace(/\.ts$/, ".js")), outputText);
  }
  return join(out, "cli.js");
}

interface Running {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
  waitFor: (pattern: RegExp) => Promise<RegExpMatchArray>;
  stop: () => Promise<number | null>;
}

function run(cli: string, args: string[]): Running {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));

  const waitFor = (pattern: RegExp) =>
    new Promise<RegExpMatchArray>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`timed out waiting for ${pattern}; output:\n${output}`)), 20_000);
      const check = () => {
        const match = output.match(pattern);
        if (!match) return;
        clearTimeout(timer);
        listeners.delete(check);
        done(match);
      };
      listeners.add(check);
      check();
    });
  const stop = () => {
    child.kill("SIGTERM");
    return exited;
  };
  return { child, exited, output: () => output, waitFor, stop };
}

test("the CLI prints how to connect, logs requests with tokens redacted, and keeps --state across runs", async () => {
  const cli = cliPath();
  const statePath = join(scratch, "state.json");
  const token = "cli-partner-token-0123456789";
  // No start-up phase: the restarted instance must answer "notAuthorized" however soon the second run starts.
  const args = ["--port", "0", "--token", token, "--state", statePath, "--startup-ms", "0"];

  const first = run(cli, args);
  try {
    const [, url] = await first.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    expect(first.output()).toContain(`partner token: ${token}`);
    expect(first.output()).toContain(`export GREEN_API_PARTNER_API_URL=${url} GREEN_API_URL=${url} GREEN_API_PARTNER_TOKEN=${token}`);
    expect(first.output()).toContain(`pulumi config set --secret greenapi:partnerToken ${token}`);
    const banner = first.output();

    const created = (await call(url, "POST", `/partner/createInstance/${token}`, { name: "persisted" })).json as {
      idInstance: number;
      apiTokenInstance: string;
    };
    await call(url, "GET", `/waInstance${created.idInstance}/getStateInstance/${created.apiTokenInstance}`);
    await first.waitFor(/GET \/waInstance\d+\/getStateInstance\/\*\*\* -> 200/);
    const log = first.output().slice(banner.length);
    expect(log).toMatch(/POST \/partner\/createInstance\/\*\*\* -> 200/);
    expect(log).not.toContain(token);
    expect(log).not.toContain(created.apiTokenInstance);

    expect(await first.stop()).toBe(0);

    const second = run(cli, args);
    try {
      const [, secondUrl] = await second.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      expect(second.output()).toContain("instances: 1");
      const listed = (await call(secondUrl, "GET", `/partner/getInstances/${token}`)).json;
      // Its apiUrlInstance is the new run's own URL.
      expect(listed).toEqual([expect.objectContaining({ ...created, apiUrlInstance: secondUrl, name: "persisted", deleted: false })]);
      const stateUrl = `/waInstance${created.idInstance}/getStateInstance/${created.apiTokenInstance}`;
      const state = await call(secondUrl, "GET", stateUrl);
      expect(state.json).toEqual({ stateInstance: "notAuthorized" });
      // Ids continue after the saved ones instead of being handed out twice.
      const next = (await call(secondUrl, "POST", `/partner/createInstance/${token}`, {})).json as { idInstance: number };
      expect(next.idInstance).toBe(created.idInstance + 1);
    } finally {
      expect(await second.stop()).toBe(0);
    }
  } finally {
    if (first.child.exitCode === null) await first.stop();
  }
});

test("the CLI refuses a bad option with usage and exit code 2", async () => {
  const bad = run(cliPath(), ["--port", "seven"]);
  await bad.waitFor(/Usage:/);
  expect(bad.output()).toContain('--port wants a whole number, got "seven"');
  expect(await bad.exited).toBe(2);
});

test("the CLI injects faults given with --fault, late ones included", async () => {
  const emulator = run(cliPath(), [
    "--port",
    "0",
    "--token",
    "gacCliFaults",
    "--fault",
    "getInstances:status:503*2",
    "--fault",
    "createInstance:late:300",
  ]);
  try {
    const [, url] = await emulator.waitFor(/listening on (http:\/\/\S+)/);
    const list = () => call(url, "GET", "/partner/getInstances/gacCliFaults");
    expect([(await list()).status, (await list()).status, (await list()).status]).toEqual([503, 503, 200]);
    const started = Date.now();
    const created = await call(url, "POST", "/partner/createInstance/gacCliFaults", { name: "late" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(created.json).toMatchObject({ idInstance: expect.any(Number) });
    await emulator.waitFor(/fault: late/);
  } finally {
    await emulator.stop();
  }
});

test("by default new instances are built first, as Green API's are (null, then starting, then notAuthorized); --instance-hosts gives each product its host", async () => {
  const emulator = run(cliPath(), ["--port", "0", "--token", "gacCliStartup", "--instance-hosts"]);
  try {
    const [, url] = await emulator.waitFor(/listening on (http:\/\/\S+)/);
    const [, seconds] = await emulator.waitFor(/new instances are being built for (\d+) s/);
    expect(Number(seconds)).toBeGreaterThanOrEqual(4);
    const [, telegramHost] = await emulator.waitFor(/telegram: (http:\/\/\S+)/);
    expect(telegramHost).not.toBe(url);

    const created = (await call(url, "POST", "/partner/createInstance/gacCliStartup", { typeInstance: "telegram" })).json as {
      idInstance: number;
      apiTokenInstance: string;
      apiUrlInstance: string;
    };
    expect(created.apiUrlInstance).toBe(telegramHost);
    const statePath = `/waInstance${created.idInstance}/getStateInstance/${created.apiTokenInstance}`;
    // Only on its own host: the partner host does not serve instance calls.
    expect((await call(url, "GET", statePath)).status).toBe(404);
    // States in order, whatever the machine's speed: seconds of start-up are seen from the first look.
    const seen: unknown[] = [];
    for (;;) {
      const state = (await call(telegramHost, "GET", statePath)).json as { stateInstance: string } | null;
      const value = state === null ? null : state.stateInstance;
      if (seen.at(-1) !== value) seen.push(value);
      if (value === "notAuthorized") break;
      await new Promise((done) => setTimeout(done, 200));
    }
    expect([
      [null, "starting", "notAuthorized"],
      ["starting", "notAuthorized"],
    ]).toContainEqual(seen);
  } finally {
    await emulator.stop();
  }
});

test("the CLI emulator has Green API's partner bucket on by default (10 a second, bursts of 20); --partner-rate, --partner-burst and --no-partner-rate-limit change it", async () => {
  const token = "gacCliGateway";
  const burst = async (url: string, n: number) => {
    const answers = await Promise.all(Array.from({ length: n }, () => call(url, "GET", `/partner/getInstances/${token}`)));
    return answers.map((answer) => answer.status);
  };
  const byDefault = run(cliPath(), ["--port", "0", "--token", token]);
  try {
    const [, url] = await byDefault.waitFor(/listening on (http:\/\/\S+)/);
    expect(byDefault.output()).toContain("partner calls: 10 a second, bursts of 20");
    const statuses = await burst(url, 30);
    // 20 at once, and maybe a token or two that came back while the burst was sent.
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(20);
    expect(statuses.filter((status) => status === 200).length).toBeLessThan(30);
    expect(statuses.filter((status) => status !== 200).every((status) => status === 429)).toBe(true);
  } finally {
    await byDefault.stop();
  }
  const slow = run(cliPath(), ["--port", "0", "--token", token, "--partner-rate", "1", "--partner-burst", "2"]);
  try {
    const [, url] = await slow.waitFor(/listening on (http:\/\/\S+)/);
    expect((await burst(url, 4)).filter((status) => status === 200)).toHaveLength(2);
  } finally {
    await slow.stop();
  }
  const off = run(cliPath(), ["--port", "0", "--token", token, "--no-partner-rate-limit"]);
  try {
    const [, url] = await off.waitFor(/listening on (http:\/\/\S+)/);
    expect(off.output()).toContain("partner calls: no rate limit");
    expect(await burst(url, 40)).toEqual(Array(40).fill(200));
  } finally {
    await off.stop();
  }
});

test.each([["createInstance:late"], ["nosuch:drop"], ["qr:explode"], ["qr:drop:5"]])(
  "the CLI refuses --fault %s with usage",
  async (spec) => {
    const bad = run(cliPath(), ["--fault", spec]);
    await bad.waitFor(/Usage:/);
    expect(bad.output()).toContain(`--fault ${spec}`);
    expect(await bad.exited).toBe(2);
  },
);
