/**
 * PartnerClient as a script uses it (`pulumi-greenapi/client`), over HTTP against the emulator:
 * every method, what its result says, and how it fails — typed codes, deadlines, retries, and
 * messages that never carry a token.
 */
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { GreenApiEmulator } from "../../emulator";
import { CONFIG_KEYS } from "../../provider/lifecycle/config";
import {
  PARTNER_CLIENT_ENV,
  PartnerClient,
  isGreenApiError,
  type GreenApiError,
  type InstanceRef,
  type PartnerClientOptions,
} from "../../provider/client";

const REPO_ROOT = resolve(__dirname, "..", "..");
// Quick retries keep the retry tests short; the policy itself is the default one's shape.
const QUICK_RETRY = { maxAttempts: 6, baseDelayMs: 20, maxDelayMs: 100 };

let emulator: GreenApiEmulator;
let client: PartnerClient;
const extraClients: PartnerClient[] = [];

beforeAll(async () => {
  emulator = await GreenApiEmulator.start();
  client = clientWith();
});
afterAll(async () => {
  await Promise.all([client, ...extraClients].map((c) => c.close()));
  await emulator.close();
});
beforeEach(() => {
  emulator.clearFaults();
  emulator.resetCounts();
});

function clientWith(options: Partial<PartnerClientOptions> = {}): PartnerClient {
  const made = new PartnerClient({
    partnerToken: emulator.partnerToken,
    partnerApiUrl: emulator.url,
    apiUrl: emulator.url,
    deadlines: { requestMs: 2_000, operationMs: 8_000 },
    retry: QUICK_RETRY,
    ...options,
  });
  if (client) extraClients.push(made);
  return made;
}

/** A fresh instance per test: the client spaces calls to one instance a second apart, as Green API requires. */
async function newInstance(name: string): Promise<InstanceRef> {
  const { idInstance, apiTokenInstance } = await client.createInstance({ name });
  return { idInstance, apiTokenInstance };
}

async function failure(promise: Promise<unknown>): Promise<GreenApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isGreenApiError(error)) throw new Error(`expected a GreenApiError, got ${String(error)}`);
  return error;
}

function statusesOf(method: string): number[] {
  return emulator.requests.filter((r) => r.method === method).map((r) => r.status);
}

describe("partner methods", () => {
  it("creates, lists and deletes instances; a second delete says the instance was already gone", async () => {
    const created = await client.createInstance({ name: "client-crud", webhookUrl: "https://hooks.example.com/c", incomingWebhook: true });
    expect(created).toMatchObject({ idInstance: expect.any(Number), apiTokenInstance: expect.any(String), typeInstance: "whatsapp" });
    expect(emulator.get(created.idInstance)!.settings).toMatchObject({ webhookUrl: "https://hooks.example.com/c", incomingWebhook: "yes" });

    const listed = (await client.getInstances()).find((i) => i.idInstance === created.idInstance);
    expect(listed).toMatchObject({ name: "client-crud", deleted: false, apiTokenInstance: created.apiTokenInstance });

    expect(await client.deleteInstanceAccount(created.idInstance)).toBe("deleted");
    expect(await client.deleteInstanceAccount(created.idInstance)).toBe("alreadyGone");
    expect(await client.deleteInstanceAccount(1)).toBe("alreadyGone");
    const after = (await client.getInstances()).find((i) => i.idInstance === created.idInstance);
    expect(after?.deleted).toBe(true);
  });

  it("rejects a wrong partner token with code unauthorized and a message that holds no token", async () => {
    const wrong = "gacWrongPartnerToken0000000000000000";
    const error = await failure(clientWith({ partnerToken: wrong }).getInstances());
    expect(error.code).toBe("unauthorized");
    expect(error.method).toBe("getInstances");
    expect(error.message).toContain("Check the token");
    for (const token of [wrong, emulator.partnerToken]) {
      expect(error.message).not.toContain(token);
      expect(String(error.stack)).not.toContain(token);
    }
    expect(statusesOf("getInstances")).toHaveLength(1); // not retried: repeating cannot help
  });

  it("retries a 429 on a read, and succeeds", async () => {
    emulator.injectFault({ method: "getInstances", kind: "status", status: 429, times: 2 });
    await expect(client.getInstances()).resolves.toEqual(expect.any(Array));
    expect(statusesOf("getInstances")).toEqual([429, 429, 200]);
  });

  it("waits out a 429 on createInstance and sends it again: Green API's gateway refuses before performing, so nothing can bill twice", async () => {
    emulator.injectFault({ method: "createInstance", kind: "status", status: 429, name: "client-429" });
    const created = await client.createInstance({ name: "client-429" });
    expect(statusesOf("createInstance")).toEqual([429, 200]);
    expect(
      emulator
        .list()
        .filter((i) => i.name === "client-429")
        .map((i) => i.idInstance),
    ).toEqual([created.idInstance]);
    // No lookup was needed to know that.
    expect(emulator.count("getInstances")).toBe(0);
  });

  it("gives up with code timeout within the operation deadline when Green API hangs", async () => {
    emulator.injectFault({ method: "getInstances", kind: "hang", times: 50 });
    const quick = clientWith({ deadlines: { requestMs: 150, operationMs: 600 } });
    const started = Date.now();
    const error = await failure(quick.getInstances());
    const elapsed = Date.now() - started;
    expect(error.code).toBe("timeout");
    expect(error.outcomeUnknown).toBe(false); // a GET: nothing can have changed
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(600 + 400);
    expect(statusesOf("getInstances").length).toBeGreaterThan(1); // timeouts of a read are retried
  });

  it("sends no write whose settle window (3 request deadlines + 1 s) does not fit in the operation", async () => {
    const tight = clientWith({ deadlines: { requestMs: 1_000, operationMs: 3_000 } });
    const error = await failure(tight.createInstance({ name: "no-room" }));
    expect(error).toMatchObject({ code: "timeout", method: "createInstance", outcomeUnknown: false });
    expect(error.message).toMatch(/not sent: 3 s are left in the operation's deadline, and a write needs 4 s/);
    expect(statusesOf("createInstance")).toEqual([]);
  });

  it("ends an operation only once a setSettings that went unanswered can no longer land", async () => {
    const quick = clientWith({ deadlines: { requestMs: 300, operationMs: 2_500 } });
    const ref = await newInstance("late-settings");
    emulator.injectFault({ method: "setSettings", kind: "late", delayMs: 450, idInstance: ref.idInstance, times: 10 });
    const error = await failure(quick.operation(() => quick.setSettings(ref, { delaySendMessagesMilliseconds: 4000 })));
    const ended = Date.now();
    expect(error).toMatchObject({ code: "timeout", outcomeUnknown: true, settlesAt: expect.any(Number) });
    expect(ended).toBeGreaterThanOrEqual(error.settlesAt!);
    const attempts = emulator.requests.filter((r) => r.method === "setSettings");
    expect(attempts.length).toBeGreaterThanOrEqual(1);
    for (const attempt of attempts) expect(attempt.performedAt).toBeLessThan(ended);
    expect(emulator.get(ref.idInstance)!.settings.delaySendMessagesMilliseconds).toBe(4000);
  });

  it("gives the calls of one operation one deadline between them, not one each", async () => {
    const quick = clientWith({ deadlines: { requestMs: 300, operationMs: 700 } });
    const ref = await newInstance("one-deadline");
    emulator.injectFault({ method: "getInstances", kind: "hang", times: 50 });
    const started = Date.now();
    const error = await failure(
      quick.operation(async () => {
        await quick.getInstances().catch(() => undefined); // uses the whole budget
        await quick.getStateInstance(ref); // nothing left for it
      }),
    );
    expect(error).toMatchObject({ code: "timeout", method: "getStateInstance" });
    expect(Date.now() - started).toBeLessThan(700 + 400);
    // Usually nothing is left and the call is never sent. On a busy machine the list's last attempt
    // can end a few ms before the budget does: the call then goes out with what is left and is cut at
    // the operation's deadline — never given a request deadline of its own.
    if (/no time left in the operation's deadline/.test(error.message)) expect(statusesOf("getStateInstance")).toEqual([]);
    else expect(error.message).toMatch(/no answer within the operation deadline/);
  });
});

describe("the account's partner rate limit (Green API's gateway bucket)", () => {
  let gated: GreenApiEmulator;
  const clients: PartnerClient[] = [];
  const gatedClient = (token = gated.partnerToken) => {
    const made = new PartnerClient({ partnerToken: token, partnerApiUrl: gated.url, apiUrl: gated.url, retry: QUICK_RETRY });
    clients.push(made);
    return made;
  };
  const gatedClientWith = (options: Partial<PartnerClientOptions>) => {
    const made = new PartnerClient({ partnerToken: gated.partnerToken, partnerApiUrl: gated.url, apiUrl: gated.url, ...options });
    clients.push(made);
    return made;
  };
  const refusals = () => gated.requests.filter((r) => r.status === 429).length;

  beforeEach(async () => {
    gated = await GreenApiEmulator.start({ partnerRateLimit: { ratePerSecond: 10, burst: 20 } });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await gated.close();
  });

  it("says rate_limited, naming the deadline, when 429s last longer than the operation", async () => {
    gated.injectFault({ method: "deleteInstanceAccount", kind: "status", status: 429, retryAfterSeconds: 1, times: 50 });
    const quick = gatedClientWith({ deadlines: { requestMs: 300, operationMs: 1_500 } });
    const error = await failure(quick.deleteInstanceAccount(1));
    expect(error).toMatchObject({ code: "rate_limited", status: 429 });
    expect(error.message).toMatch(/gave up after \d attempts .*partner rate limit left it no turn before the operation's deadline/);
    expect(gated.requests.filter((r) => r.method === "deleteInstanceAccount").length).toBeLessThanOrEqual(3);
  });

  it("two clients of one account share one bucket: 30 creates and 10 lists at once go at the gateway's pace, none refused, each created once", async () => {
    const [a, b] = [gatedClient(), gatedClient()];
    const started = Date.now();
    const names = Array.from({ length: 30 }, (_, i) => `paced-${i}`);
    await Promise.all([
      ...names.map((name, i) => (i % 2 ? a : b).createInstance({ name })),
      ...Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).getInstances()),
    ]);
    // 40 calls: 20 at once, then 20 at 10 a second.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
    // Paced, not refused: at most a 429 or two where the gateway's bucket, full until the first call
    // reached it, started refilling a moment later than the client's mirror (20 without the mirror).
    expect(refusals()).toBeLessThanOrEqual(3);
    expect(
      gated
        .list()
        .map((i) => i.name)
        .sort(),
    ).toEqual([...names].sort());
  });

  it("takes the rate and burst from the gateway's X-RateLimit-* headers, and waits out the 429s of a bucket it could not know", async () => {
    // A stricter gateway than the default the client starts from (10 a second, bursts of 20).
    gated.setPartnerRateLimit({ ratePerSecond: 5, burst: 4 });
    const client = gatedClient();
    const names = Array.from({ length: 12 }, (_, i) => `strict-${i}`);
    await Promise.all(names.map((name) => client.createInstance({ name })));
    expect(gated.list().map((i) => i.name)).toEqual(expect.arrayContaining(names));
    expect(gated.list()).toHaveLength(12);
    const performed = gated.requests.filter((r) => r.method === "createInstance" && r.performedAt !== undefined);
    expect(performed).toHaveLength(12);
    // The first burst, sent before any answer came back, met the smaller bucket; after that the client knew it.
    const firstRefused = refusals();
    expect(firstRefused).toBeGreaterThan(0);
    gated.resetCounts();
    await new Promise((done) => setTimeout(done, 1_000)); // the bucket fills again
    const started = Date.now();
    await Promise.all(Array.from({ length: 10 }, (_, i) => client.createInstance({ name: `known-${i}` })));
    // Paced at the learned 5 a second after a burst of 4 (at the default, all 10 would go at once).
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_100);
    expect(refusals()).toBeLessThanOrEqual(3);
    expect(refusals()).toBeLessThan(firstRefused);
  });
});

describe("products and partner fields", () => {
  it("creates a MAX instance (typeInstance max, v3 on the wire) with its partner fields, and reaches it under /v3", async () => {
    const created = await client.createInstance({ name: "client-max", typeInstance: "max", countryInstance: "kz", partnerUserUiid: "c-9" });
    expect(created).toMatchObject({ typeInstance: "v3", apiUrlInstance: emulator.url });
    expect(emulator.requests.find((r) => r.method === "createInstance")!.body).toEqual({
      name: "client-max",
      typeInstance: "v3",
      countryInstance: "kz",
      partnerUserUiid: "c-9",
    });
    const listed = (await client.getInstances()).find((i) => i.idInstance === created.idInstance);
    expect(listed).toMatchObject({ typeInstance: "v3", partnerUserUiid: "c-9", apiUrlInstance: emulator.url });
    const ref = { ...created, typeInstance: created.typeInstance };
    expect(await client.getStateInstance(ref)).toBe("notAuthorized");
    expect((await client.getSettings(ref)).countryInstance).toBe("kz");
  });

  it("says code 100 created nothing (no_free_instances), and deleteInstanceAccount false that the instance was not deleted", async () => {
    emulator.injectFault({
      method: "createInstance",
      kind: "status",
      status: 200,
      body: '{"code": 100, "description": "no free instances"}',
    });
    const noFree = await failure(client.createInstance({ name: "client-100" }));
    expect(noFree).toMatchObject({ code: "no_free_instances", outcomeUnknown: false });
    const { idInstance } = await newInstance("client-not-deleted");
    emulator.injectFault({ method: "deleteInstanceAccount", kind: "status", status: 200, body: '{"deleteInstanceAccount": false}' });
    const notDeleted = await failure(client.deleteInstanceAccount(idInstance));
    expect(notDeleted.message).toMatch(/deleteInstanceAccount: false: instance \d+ was not deleted/);
    expect(emulator.get(idInstance)!.deleted).toBe(false);
  });
});

describe("instance methods", () => {
  it("round-trips settings with flags as booleans (yes/no on the wire)", async () => {
    const ref = await newInstance("client-settings");
    await client.setSettings(ref, {
      webhookUrl: "https://hooks.example.com/s",
      incomingWebhook: true,
      outgoingWebhook: false,
      delaySendMessagesMilliseconds: 2000,
    });
    expect(emulator.get(ref.idInstance)!.settings).toMatchObject({
      incomingWebhook: "yes",
      outgoingWebhook: "no",
      delaySendMessagesMilliseconds: 2000,
    });

    const { settings, wid } = await client.getSettings(ref);
    expect(settings).toMatchObject({
      webhookUrl: "https://hooks.example.com/s",
      incomingWebhook: true,
      outgoingWebhook: false,
      delaySendMessagesMilliseconds: 2000,
    });
    expect(wid).toBeUndefined(); // no phone linked yet
  });

  it("reads the state: null while Green API is still building the instance, then its state", async () => {
    const ref = await newInstance("client-state");
    emulator.changeOutOfBand(ref.idInstance, { startupPhase: "building" });
    expect(await client.getStateInstance(ref)).toBeNull();
    emulator.changeOutOfBand(ref.idInstance, { startupPhase: "starting" });
    expect(await client.getStateInstance(ref)).toBe("starting");
    emulator.changeOutOfBand(ref.idInstance, { startupPhase: null });
    expect(await client.getStateInstance(ref)).toBe("notAuthorized");
  });

  it("gets a QR code, logs the phone out and reboots", async () => {
    const ref = await newInstance("client-qr");
    const qr = await client.qr(ref);
    expect(qr.type).toBe("qrCode");
    expect(Buffer.from(qr.message, "base64").subarray(1, 4).toString()).toBe("PNG");

    emulator.changeOutOfBand(ref.idInstance, { stateInstance: "authorized", wid: "79990001122@c.us" });
    expect((await client.qr(ref)).type).toBe("alreadyLogged");
    expect(await client.logout(ref)).toBe(true);
    expect(emulator.get(ref.idInstance)!.stateInstance).toBe("notAuthorized");
    expect(await client.reboot(ref)).toBe(true);
  });

  it("keeps the instance token out of an error, even when Green API's answer echoes it", async () => {
    const ref = await newInstance("client-redaction");
    emulator.injectFault({
      method: "getSettings",
      kind: "status",
      status: 400,
      body: `validation failed for token ${ref.apiTokenInstance}`,
      idInstance: ref.idInstance,
    });
    const error = await failure(client.getSettings(ref));
    expect(error.code).toBe("invalid_request");
    expect(error.message).toContain(`/waInstance${ref.idInstance}/getSettings/***`);
    expect(error.message).toContain("validation failed for token ***");
    for (const text of [error.message, String(error.stack), JSON.stringify(error)]) {
      expect(text).not.toContain(ref.apiTokenInstance);
      expect(text).not.toContain(emulator.partnerToken);
    }

    const rejected = await failure(client.getSettings({ ...ref, apiTokenInstance: "wrongInstanceToken0000" }));
    expect(rejected.code).toBe("unauthorized");
    expect(rejected.message).not.toContain("wrongInstanceToken0000");
  });
});

describe("for scripts", () => {
  it("fromEnv reads the provider's own environment variables", async () => {
    for (const [name, variable] of Object.entries(PARTNER_CLIENT_ENV)) {
      expect(CONFIG_KEYS[name as keyof typeof CONFIG_KEYS].env).toBe(variable);
    }
    const fromEnv = PartnerClient.fromEnv({
      GREEN_API_PARTNER_TOKEN: emulator.partnerToken,
      GREEN_API_PARTNER_API_URL: emulator.url,
      GREEN_API_URL: emulator.url,
      GREEN_API_REQUEST_TIMEOUT_SECONDS: "2",
    });
    extraClients.push(fromEnv);
    const ref = await newInstance("client-from-env");
    expect((await fromEnv.getInstances()).map((i) => i.idInstance)).toContain(ref.idInstance);
    expect(await fromEnv.getStateInstance(ref)).toBe("notAuthorized"); // instance calls use GREEN_API_URL
  });

  it("fromEnv names the variable to set when one is missing or wrong", () => {
    expect(() => PartnerClient.fromEnv({})).toThrow(/GREEN_API_PARTNER_TOKEN is not set/);
    expect(() => PartnerClient.fromEnv({ GREEN_API_PARTNER_TOKEN: "t0ken", GREEN_API_URL: "api.green-api.com" })).toThrow(
      /GREEN_API_URL must be an https URL/,
    );
    expect(() => PartnerClient.fromEnv({ GREEN_API_PARTNER_TOKEN: "t0ken", GREEN_API_REQUEST_TIMEOUT_SECONDS: "soon" })).toThrow(
      /GREEN_API_REQUEST_TIMEOUT_SECONDS must be a positive number/,
    );
    // One operation must have room to wait out a write Green API performs late (3 request deadlines + 1 s), after a lookup.
    expect(() =>
      PartnerClient.fromEnv({
        GREEN_API_PARTNER_TOKEN: "t0ken",
        GREEN_API_REQUEST_TIMEOUT_SECONDS: "60",
        GREEN_API_OPERATION_TIMEOUT_SECONDS: "120",
      }),
    ).toThrow(/GREEN_API_OPERATION_TIMEOUT_SECONDS must be at least 3 × GREEN_API_REQUEST_TIMEOUT_SECONDS \+ 2 \(182 s/);
  });

  it("sends credentials only over TLS: plain http only to loopback hosts, refused before any request", async () => {
    const plain = "http://api.green-api.com";
    expect(() => PartnerClient.fromEnv({ GREEN_API_PARTNER_TOKEN: "t0ken", GREEN_API_PARTNER_API_URL: plain })).toThrow(
      /GREEN_API_PARTNER_API_URL must be an https URL: Green API tokens travel in the URL path/,
    );
    expect(() => new PartnerClient({ partnerToken: "t0ken", apiUrl: "http://10.0.0.7:8080" })).toThrow(
      /PartnerClient: apiUrl must be an https URL/,
    );
    const before = emulator.requests.length;
    const ref = { idInstance: 1, apiTokenInstance: "t0ken", apiUrl: "http://7103.api.greenapi.com" };
    await expect(client.getStateInstance(ref)).rejects.toThrow(/the instance's apiUrl must be an https URL/);
    expect(emulator.requests.length).toBe(before);
    for (const url of ["http://127.0.0.1:7700", "http://localhost:7700", "http://[::1]:7700", "https://7103.api.greenapi.com"]) {
      expect(() => new PartnerClient({ partnerToken: "t0ken", partnerApiUrl: url, apiUrl: url })).not.toThrow();
    }
  });

  it("pulumi-greenapi/client loads without @pulumi/pulumi (the package root does load it)", async () => {
    // A fresh process, resolving the package by name as a script would (the built package).
    const script = `
      const { sep } = require("path");
      const pulumiFiles = () => Object.keys(require.cache).filter((file) => file.includes(sep + "@pulumi" + sep)).length;
      const { PartnerClient } = require("pulumi-greenapi/client");
      const afterClient = pulumiFiles();
      require("pulumi-greenapi");
      console.log(JSON.stringify({ client: typeof PartnerClient, afterClient, afterRoot: pulumiFiles() }));`;
    const { stdout } = await promisify(execFile)(process.execPath, ["-e", script], { cwd: REPO_ROOT });
    const report = JSON.parse(stdout);
    expect(report.client).toBe("function");
    expect(report.afterClient).toBe(0);
    expect(report.afterRoot).toBeGreaterThan(0);
  });
});
