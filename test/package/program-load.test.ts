/**
 * A program that declares GreenApiInstance loads neither zod nor undici: the provider runs in its
 * own process, and under load their ~200 files cost a program's start hundreds of milliseconds
 * (issue 19). The package root loads the client only when a program uses it, and the client loads
 * undici only when it makes its first request. Declaring an instance
 * records no stack trace per property (in a TypeScript program each is mapped through source maps).
 */
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { GreenApiInstance } from "pulumi-greenapi";
import { captureRegistrations } from "../../harness";

const REPO_ROOT = resolve(__dirname, "..", "..");

const HEAVY = /[\\/]node_modules[\\/](zod|undici)[\\/]/;
/** @pulumi/pulumi's files other than the protocol's generated stubs: the SDK's runtime. */
const SDK_RUNTIME = /[\\/]@pulumi[\\/]pulumi[\\/](?!proto[\\/])/;

/** Runs `script` in a fresh Node process in the repo, where `heavy()` and `sdkRuntime()` list what is loaded so far; returns what it printed as JSON. */
async function inFreshNode<T>(script: string): Promise<T> {
  const probe = `
    const heavy = () => Object.keys(require.cache).filter((file) => ${HEAVY}.test(file)).map((file) => file.match(${HEAVY})[1]);
    const sdkRuntime = () => Object.keys(require.cache).filter((file) => ${SDK_RUNTIME}.test(file));
    ${script}`;
  const { stdout } = await promisify(execFile)(process.execPath, ["-e", probe], { cwd: REPO_ROOT });
  return JSON.parse(stdout);
}

describe("what require('pulumi-greenapi') loads", () => {
  it("GreenApiInstance without zod or undici; the client's exports load zod on first use, undici at the first request", async () => {
    const loaded = await inFreshNode(`
      const pkg = require("pulumi-greenapi");
      if (typeof pkg.GreenApiInstance !== "function") throw new Error("no GreenApiInstance");
      const before = [...new Set(heavy())];
      if (typeof pkg.PartnerClient !== "function" || typeof pkg.CONFIG_KEYS.apiUrl.env !== "string") throw new Error("no client");
      // Port 9 (discard), where nothing listens: the request fails, but undici made it.
      const client = new pkg.PartnerClient({ partnerToken: "t", partnerApiUrl: "http://127.0.0.1:9", retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 } });
      const beforeRequest = [...new Set(heavy())].sort();
      client.getInstances().catch(() => undefined).finally(async () => {
        await client.close();
        console.log(JSON.stringify({ before, beforeRequest, afterRequest: [...new Set(heavy())].sort() }));
      });`);
    expect(loaded).toEqual({ before: [], beforeRequest: ["zod"], afterRequest: ["undici", "zod"] });
  });
});

describe("what the plugin loads at start", () => {
  it("of @pulumi/pulumi, the protocol's generated stubs only: the SDK's runtime is not needed to serve it", async () => {
    expect(await inFreshNode(`require("./dist/provider/plugin/server"); console.log(JSON.stringify(sdkRuntime()));`)).toEqual([]);
  });

  it("without undici: a plugin that makes no request to Green API (a preview) does not load the HTTP client", async () => {
    expect(await inFreshNode(`require("./dist/provider/plugin/server"); console.log(JSON.stringify(heavy().includes("undici")));`)).toBe(
      false,
    );
  });

  it("marks secrets exactly as the SDK does", async () => {
    const { SECRET_SIG, SECRET_VALUE } = await import("../../provider/plugin/wire");
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- an SDK internal without type declarations
    const rpc = require("@pulumi/pulumi/runtime/rpc") as { specialSigKey: string; specialSecretSig: string };
    expect({ SECRET_SIG, SECRET_VALUE }).toEqual({ SECRET_SIG: rpc.specialSigKey, SECRET_VALUE: rpc.specialSecretSig });
  });
});

describe("declaring a GreenApiInstance", () => {
  /** The frames of every stack trace formatted while `work` runs (Pulumi's SDK formats one for each promise it records). */
  async function framesFormattedDuring(work: () => Promise<unknown>): Promise<number[]> {
    const frames: number[] = [];
    const original = Error.prepareStackTrace;
    Error.prepareStackTrace = (error, stack) => {
      frames.push(stack.length);
      return original ? original(error, stack) : `${error}`;
    };
    try {
      await work();
    } finally {
      Error.prepareStackTrace = original;
    }
    return frames;
  }

  const declare = () =>
    captureRegistrations(() => {
      new GreenApiInstance("bot", {});
    });

  it("formats no stack trace for the SDK's records of its properties, unless PULUMI_DEBUG_PROMISE_LEAKS asks for them", async () => {
    const limit = Error.stackTraceLimit;
    const withFrames = (frames: number[]) => frames.filter((count) => count > 0).length;
    const quiet = await framesFormattedDuring(declare);
    expect(Error.stackTraceLimit).toBe(limit);
    process.env.PULUMI_DEBUG_PROMISE_LEAKS = "true";
    let debugging: number[];
    try {
      debugging = await framesFormattedDuring(declare);
    } finally {
      delete process.env.PULUMI_DEBUG_PROMISE_LEAKS;
    }
    // Several promises for each of the resource's 40-odd properties; a few more outside the constructor.
    expect(quiet.length).toBeGreaterThan(100);
    expect(withFrames(debugging)).toBeGreaterThan(100);
    expect(withFrames(quiet)).toBeLessThan(withFrames(debugging) / 10);
  });

  it("gives an error thrown while declaring the program's own stack trace, and leaves the limit as it was", async () => {
    const limit = Error.stackTraceLimit;
    let thrown: unknown;
    await captureRegistrations(() => {
      try {
        // A name is required for the URN: Pulumi's constructor throws.
        new GreenApiInstance(undefined as unknown as string);
      } catch (error) {
        thrown = error;
      }
    });
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).message).toMatch(/Missing resource name/);
    expect((thrown as Error).stack).toContain("program-load.test.ts");
    expect(Error.stackTraceLimit).toBe(limit);
  });
});
