// The emulator over real HTTP: partner API, instance API, state control and observation.

import { GreenApiEmulator } from "../../emulator";
import { NO_TIME, WIRE_TIME, call, fixture, shapeOf } from "./helpers";

let emulator: GreenApiEmulator;
let partner: (method: string) => string;

beforeEach(async () => {
  emulator = await GreenApiEmulator.start();
  partner = (method) => `/partner/${method}/${emulator.partnerToken}`;
});

afterEach(async () => {
  await emulator.close();
});

async function createInstance(body: unknown = { name: "test" }): Promise<{ idInstance: number; apiTokenInstance: string }> {
  const answer = await call(emulator.url, "POST", partner("createInstance"), body);
  expect(answer.status).toBe(200);
  return answer.json as { idInstance: number; apiTokenInstance: string };
}

function instancePath(method: string, id: { idInstance: number; apiTokenInstance: string }): string {
  return `/waInstance${id.idInstance}/${method}/${id.apiTokenInstance}`;
}

describe("partner API", () => {
  test("createInstance answers in the documented shape and applies the sent settings", async () => {
    const request = fixture("createInstance.request.json") as Record<string, unknown>;
    const answer = await call(emulator.url, "POST", partner("createInstance"), { ...request, name: "billing-bot" });

    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^application\/json/);
    // The Postman collection documents apiUrlInstance too; the example bodies omit it (docs/greenapi.md §1.2).
    expect(shapeOf(answer.json)).toEqual(shapeOf({ ...(fixture("createInstance.response.json") as object), apiUrlInstance: "" }));
    const created = answer.json as { idInstance: number; apiTokenInstance: string; typeInstance: string; apiUrlInstance: string };
    expect(created.apiUrlInstance).toBe(emulator.url);
    expect(created.idInstance).toBe(1101728000);
    expect(created.apiTokenInstance).toMatch(/^[0-9a-f]{50}$/);
    expect(created.typeInstance).toBe("whatsapp");

    const instance = emulator.get(created.idInstance)!;
    expect(instance).toMatchObject({
      name: "billing-bot",
      apiTokenInstance: created.apiTokenInstance,
      deleted: false,
      timeDeleted: NO_TIME,
      tariff: "PARTNER_23",
      isPartner: true,
      isFree: false,
      isExpired: false,
      stateInstance: "notAuthorized",
      startupPhase: null,
    });
    expect(instance.timeCreated).toMatch(WIRE_TIME);
    expect(Date.parse(`${instance.expirationDate}Z`)).toBeGreaterThan(Date.parse(`${instance.timeCreated}Z`));
    expect(instance.settings).toMatchObject({
      webhookUrl: request.webhookUrl,
      webhookUrlToken: request.webhookUrlToken,
      delaySendMessagesMilliseconds: 1000,
      outgoingWebhook: "yes",
      incomingWebhook: "yes",
      // not sent: off
      pollMessageWebhook: "no",
      incomingCallWebhook: "no",
      wid: "",
    });
  });

  test('createInstance with an empty object starts everything off, named "Instance <idInstance>", and ids go up', async () => {
    const first = await createInstance({});
    const second = await createInstance({ surprise: "ignored" });
    expect(second.idInstance).toBe(first.idInstance + 1);
    const instance = emulator.get(first.idInstance)!;
    expect(instance.name).toBe(`Instance ${first.idInstance}`);
    expect(instance.settings).toMatchObject({
      webhookUrl: "",
      webhookUrlToken: "",
      delaySendMessagesMilliseconds: 5000,
      incomingWebhook: "no",
    });
  });

  test.each([
    ["not JSON", "{name:", "body"],
    ["an array", "[]", "body"],
    ["a flag that is not yes/no", { incomingWebhook: true }, "incomingWebhook"],
    ["a flag spelled differently", { stateWebhook: "YES" }, "stateWebhook"],
    ["a delay below 500", { delaySendMessagesMilliseconds: 100 }, "delaySendMessagesMilliseconds"],
    ["a delay above 600000", { delaySendMessagesMilliseconds: 600001 }, "delaySendMessagesMilliseconds"],
    ["a fractional delay", { delaySendMessagesMilliseconds: 1000.5 }, "delaySendMessagesMilliseconds"],
    ["a delay as a string", { delaySendMessagesMilliseconds: "1000" }, "delaySendMessagesMilliseconds"],
    ["a non-string webhookUrl", { webhookUrl: 5 }, "webhookUrl"],
    ["a non-string name", { name: null }, "name"],
  ])("createInstance rejects %s with HTTP 400 text naming the field", async (_, body, field) => {
    const answer = await call(emulator.url, "POST", partner("createInstance"), body);
    expect(answer.status).toBe(400);
    expect(answer.contentType).toMatch(/^text\/plain/);
    expect(answer.text).toContain(field);
    expect(emulator.list()).toHaveLength(0);
  });

  test("getInstances lists every instance with exactly the documented keys and never the settings", async () => {
    const alive = await createInstance({ name: "alive", webhookUrlToken: "secret" });
    const gone = await createInstance({ name: "gone" });
    emulator.deleteOutOfBand(gone.idInstance);

    const answer = await call(emulator.url, "GET", partner("getInstances"));

    expect(answer.status).toBe(200);
    const items = answer.json as Array<Record<string, unknown>>;
    expect(items.map((item) => [item.idInstance, item.name, item.deleted])).toEqual([
      [alive.idInstance, "alive", false],
      [gone.idInstance, "gone", true],
    ]);
    const documented = (fixture("getInstances.response.json") as unknown[])[0] as Record<string, unknown>;
    const expectedShape = shapeOf({ ...documented, isFree: false, isPartner: true, apiUrlInstance: "" });
    for (const item of items) expect(shapeOf(item)).toEqual(expectedShape);
    expect(answer.text).not.toContain("secret");
    expect(items[1].timeDeleted).toMatch(WIRE_TIME);
    expect(items[1].timeDeleted).not.toBe(NO_TIME);
  });

  test("deleteInstanceAccount deletes once, then answers 404-in-200 and keeps the instance listed", async () => {
    const { idInstance } = await createInstance();
    const request = { ...(fixture("deleteInstanceAccount.request.json") as object), idInstance };

    const first = await call(emulator.url, "POST", partner("deleteInstanceAccount"), request);
    expect(first.status).toBe(200);
    expect(first.json).toEqual(fixture("deleteInstanceAccount.response.json"));

    const second = await call(emulator.url, "POST", partner("deleteInstanceAccount"), request);
    expect(second.status).toBe(200);
    expect(second.json).toEqual(fixture("error.notFound.json"));

    const missing = await call(emulator.url, "POST", partner("deleteInstanceAccount"), { idInstance: 42 });
    expect(missing.json).toEqual(fixture("error.notFound.json"));

    const listed = (await call(emulator.url, "GET", partner("getInstances"))).json as Array<Record<string, unknown>>;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ idInstance, deleted: true });
  });

  test.each([["{"], [{}], [{ idInstance: "1101728000" }]])("deleteInstanceAccount rejects body %j with 400 text", async (body) => {
    const answer = await call(emulator.url, "POST", partner("deleteInstanceAccount"), body);
    expect(answer.status).toBe(400);
    expect(answer.contentType).toMatch(/^text\/plain/);
  });

  test.each([
    ["POST", "createInstance", { name: "x" }],
    ["GET", "getInstances", undefined],
    ["POST", "deleteInstanceAccount", { idInstance: 1101728000 }],
  ] as const)("a wrong partner token on %s %s is HTTP 200 with code 401, nothing done", async (verb, method, body) => {
    emulator.seed([{ idInstance: 1101728000 }]);
    const answer = await call(emulator.url, verb, `/partner/${method}/wrong-token`, body);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual(fixture("error.unauthorized.json"));
    expect(emulator.list().map((instance) => instance.deleted)).toEqual([false]);
  });

  test("getInstances answers POST as well as GET, as Green API's partner collection sends it", async () => {
    await createInstance({ name: "posted" });
    const [get, post] = await Promise.all([
      call(emulator.url, "GET", partner("getInstances")),
      call(emulator.url, "POST", partner("getInstances")),
    ]);
    expect(post.status).toBe(200);
    expect(post.json).toEqual(get.json);
    expect((post.json as Array<{ name: string }>).map((item) => item.name)).toEqual(["posted"]);
  });

  test('an instance created without a name (or with "") is listed as "Instance <idInstance>"', async () => {
    const unnamed = await createInstance({ incomingWebhook: "yes" });
    const empty = await createInstance({ name: "" });
    const listed = (await call(emulator.url, "GET", partner("getInstances"))).json as Array<{ idInstance: number; name: string }>;
    expect(listed.map(({ idInstance, name }) => [idInstance, name])).toEqual([
      [unnamed.idInstance, `Instance ${unnamed.idInstance}`],
      [empty.idInstance, `Instance ${empty.idInstance}`],
    ]);
  });

  test("the partner gateway: one bucket for all partner methods, 429 before performing, X-RateLimit-* headers, no Retry-After", async () => {
    const seeded = emulator.seed([{ name: "seeded" }])[0];
    // A slow refill, so that no token comes back while the test runs: the burst alone decides.
    emulator.setPartnerRateLimit({ ratePerSecond: 0.01, burst: 3 });
    const created = await call(emulator.url, "POST", partner("createInstance"), { name: "first" });
    expect(created.status).toBe(200);
    expect(Object.fromEntries([...created.headers].filter(([key]) => key.startsWith("x-ratelimit-")))).toEqual({
      "x-ratelimit-replenish-rate": "0.01",
      "x-ratelimit-burst-capacity": "3",
      "x-ratelimit-requested-tokens": "1",
      "x-ratelimit-remaining": "2",
    });
    expect((await call(emulator.url, "GET", partner("getInstances"))).headers.get("x-ratelimit-remaining")).toBe("1");
    const deleted = await call(emulator.url, "POST", partner("deleteInstanceAccount"), { idInstance: seeded.idInstance });
    expect(deleted.json).toEqual({ deleteInstanceAccount: true });
    expect(deleted.headers.get("x-ratelimit-remaining")).toBe("0");

    // The bucket is empty: each partner method is refused, and nothing is performed.
    const refused = await Promise.all([
      call(emulator.url, "POST", partner("createInstance"), { name: "refused" }),
      call(emulator.url, "GET", partner("getInstances")),
      call(emulator.url, "POST", partner("deleteInstanceAccount"), { idInstance: (created.json as { idInstance: number }).idInstance }),
    ]);
    for (const answer of refused) {
      expect(answer.status).toBe(429);
      expect(answer.headers.get("retry-after")).toBeNull();
      expect(answer.headers.get("x-ratelimit-remaining")).toBe("0");
      expect(answer.headers.get("x-ratelimit-replenish-rate")).toBe("0.01");
    }
    expect(emulator.list().map(({ name, deleted }) => [name, deleted])).toEqual([
      ["seeded", true],
      ["first", false],
    ]);
    expect(emulator.requests.filter((r) => r.status === 429 && r.performedAt === undefined)).toHaveLength(3);
    // The instance API is not behind the partner gateway.
    const id = created.json as { idInstance: number; apiTokenInstance: string };
    expect((await call(emulator.url, "GET", instancePath("getStateInstance", id))).status).toBe(200);

    // The bucket refills at its rate: one token back after 1 / rate seconds.
    emulator.setPartnerRateLimit({ ratePerSecond: 20, burst: 1 });
    expect((await call(emulator.url, "GET", partner("getInstances"))).status).toBe(200);
    expect((await call(emulator.url, "GET", partner("getInstances"))).status).toBe(429);
    await new Promise((done) => setTimeout(done, 60));
    expect((await call(emulator.url, "GET", partner("getInstances"))).status).toBe(200);

    emulator.setPartnerRateLimit(false);
    const free = await Promise.all([1, 2, 3, 4].map(() => call(emulator.url, "GET", partner("getInstances"))));
    expect(free.map((answer) => [answer.status, answer.headers.get("x-ratelimit-remaining")])).toEqual(Array(4).fill([200, null]));
  });

  test("unknown routes are 404 text and wrong verbs are 405 text", async () => {
    const unknown = await call(emulator.url, "GET", `/partner/renameInstance/${emulator.partnerToken}`);
    expect(unknown.status).toBe(404);
    expect(unknown.contentType).toMatch(/^text\/plain/);
    const wrongVerb = await call(emulator.url, "GET", partner("createInstance"));
    expect(wrongVerb.status).toBe(405);
    expect(wrongVerb.contentType).toMatch(/^text\/plain/);
    expect(emulator.list()).toHaveLength(0);
    expect(emulator.count("createInstance")).toBe(1);
  });
});

describe("instance API", () => {
  test("getSettings has the current documented shape; wid appears once authorized", async () => {
    const id = await createInstance({ webhookUrl: "https://example.test/hook" });
    const answer = await call(emulator.url, "GET", instancePath("getSettings", id));
    expect(answer.status).toBe(200);
    expect(shapeOf(answer.json)).toEqual(shapeOf(fixture("getSettings.response.current.json")));
    expect(answer.json).toMatchObject({ wid: "", webhookUrl: "https://example.test/hook", delaySendMessagesMilliseconds: 5000 });

    emulator.changeOutOfBand(id.idInstance, { stateInstance: "authorized" });
    const authorized = await call(emulator.url, "GET", instancePath("getSettings", id));
    expect((authorized.json as { wid: string }).wid).toMatch(/^\d{11}@c\.us$/);
  });

  test("setSettings applies a partial body and records exactly what was sent", async () => {
    const id = await createInstance({ keepOnlineStatus: "yes" });
    const request = fixture("setSettings.request.json");

    const answer = await call(emulator.url, "POST", instancePath("setSettings", id), request);

    expect(answer.status).toBe(200);
    expect(answer.json).toEqual(fixture("setSettings.response.json"));
    expect(emulator.get(id.idInstance)!.settings).toMatchObject({ ...(request as object), keepOnlineStatus: "yes" });
    const sent = emulator.requests.filter((r) => r.method === "setSettings");
    expect(sent).toEqual([
      {
        method: "setSettings",
        host: emulator.url,
        prefix: "",
        idInstance: id.idInstance,
        body: request,
        status: 200,
        at: expect.any(Number),
        performedAt: expect.any(Number),
      },
    ]);
  });

  test("setSettings rejects a bad field with 400 text and changes nothing", async () => {
    const id = await createInstance();
    const body = { webhookUrl: "https://x.test", outgoingWebhook: 1 };
    const answer = await call(emulator.url, "POST", instancePath("setSettings", id), body);
    expect(answer.status).toBe(400);
    expect(answer.text).toContain("outgoingWebhook");
    expect(emulator.get(id.idInstance)!.settings.webhookUrl).toBe("");
  });

  test("getStateInstance, qr, logout and reboot answer in the documented shapes", async () => {
    const id = await createInstance();
    const get = (method: string) => call(emulator.url, "GET", instancePath(method, id));

    expect((await get("getStateInstance")).json).toEqual(fixture("getStateInstance.notAuthorized.json"));
    const qrCode = (await get("qr")).json as { type: string; message: string };
    expect(shapeOf(qrCode)).toEqual(shapeOf(fixture("qr.qrCode.json")));
    expect(qrCode.type).toBe("qrCode");
    expect(Buffer.from(qrCode.message, "base64").subarray(1, 4).toString()).toBe("PNG");

    emulator.changeOutOfBand(id.idInstance, { stateInstance: "authorized" });
    expect((await get("getStateInstance")).json).toEqual(fixture("getStateInstance.authorized.json"));
    expect((await get("qr")).json).toEqual(fixture("qr.alreadyLogged.json"));
    expect((await get("reboot")).json).toEqual(fixture("reboot.response.json"));

    expect((await get("logout")).json).toEqual(fixture("logout.response.json"));
    expect(emulator.get(id.idInstance)).toMatchObject({ stateInstance: "notAuthorized", settings: { wid: "" } });

    emulator.changeOutOfBand(id.idInstance, { stateInstance: "blocked" });
    const error = (await get("qr")).json as { type: string };
    expect(shapeOf(error)).toEqual(shapeOf(fixture("qr.error.json")));
    expect(error.type).toBe("error");
  });

  test("unknown id is 403, wrong token 401, deleted instance 400 'Instance is deleted'; /v3 only for MAX instances", async () => {
    const id = await createInstance();
    expect((await call(emulator.url, "GET", instancePath("getStateInstance", { ...id, idInstance: 7 }))).status).toBe(403);
    const wrongId = { ...id, apiTokenInstance: "0".repeat(50) };
    const wrongToken = await call(emulator.url, "GET", instancePath("getStateInstance", wrongId));
    expect(wrongToken.status).toBe(401);
    expect((await call(emulator.url, "GET", `/v3${instancePath("getStateInstance", id)}`)).status).toBe(404);
    const max = await createInstance({ name: "max", typeInstance: "v3" });
    expect((await call(emulator.url, "GET", `/v3${instancePath("getStateInstance", max)}`)).status).toBe(200);
    expect((await call(emulator.url, "GET", instancePath("getStateInstance", max))).status).toBe(404);

    await call(emulator.url, "POST", partner("deleteInstanceAccount"), { idInstance: id.idInstance });
    const deleted = await call(emulator.url, "GET", instancePath("getSettings", id));
    expect(deleted.status).toBe(400);
    expect(deleted.text).toBe("Instance is deleted");
  });

  test("rate limits are per instance and method when on: 1/s for most methods, 3/s for qr, 429 with Retry-After", async () => {
    const a = await createInstance();
    const b = await createInstance();
    emulator.setRateLimit(true);

    const setSettings = () => call(emulator.url, "POST", instancePath("setSettings", a), { incomingWebhook: "yes" });
    expect((await call(emulator.url, "GET", instancePath("getStateInstance", a))).status).toBe(200);
    expect((await setSettings()).status).toBe(200); // another method: its own budget
    expect(emulator.get(a.idInstance)!.settings.incomingWebhook).toBe("yes");
    expect((await call(emulator.url, "GET", instancePath("getStateInstance", a))).status).toBe(429);
    const limited = await call(emulator.url, "POST", instancePath("setSettings", a), { incomingWebhook: "no" });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("1");
    expect(emulator.get(a.idInstance)!.settings.incomingWebhook).toBe("yes");
    expect((await call(emulator.url, "GET", instancePath("getStateInstance", b))).status).toBe(200); // another instance

    const qrStatuses = [];
    for (let i = 0; i < 4; i++) qrStatuses.push((await call(emulator.url, "GET", instancePath("qr", a))).status);
    expect(qrStatuses).toEqual([200, 200, 200, 429]);
    expect(emulator.count("qr")).toBe(4);

    emulator.setRateLimit(false);
    const statuses = await Promise.all([1, 2, 3].map(() => call(emulator.url, "GET", instancePath("getSettings", a))));
    expect(statuses.map((s) => s.status)).toEqual([200, 200, 200]);
  });

  test("pinned startup phases: building answers null or 401, starting shows creation settings and refuses changes", async () => {
    const id = await createInstance({ webhookUrl: "https://created.test" });
    const get = (method: string) => call(emulator.url, "GET", instancePath(method, id));

    emulator.changeOutOfBand(id.idInstance, { startupPhase: "building" });
    const building = await get("getStateInstance");
    expect(building.status).toBe(200);
    expect(building.json).toEqual(fixture("getStateInstance.creating.json"));
    expect((await get("getSettings")).status).toBe(401);
    expect((await get("qr")).status).toBe(401);

    emulator.changeOutOfBand(id.idInstance, { startupPhase: "starting", settings: { webhookUrl: "https://later.test" } });
    expect((await get("getStateInstance")).json).toEqual(fixture("getStateInstance.starting.json"));
    expect((await get("getSettings")).json).toMatchObject({ webhookUrl: "https://created.test" });
    for (const method of ["logout", "reboot", "qr"]) {
      const refused = await get(method);
      expect([method, refused.status, refused.text]).toEqual([method, 400, "instance in starting process try later"]);
    }
    const setSettings = await call(emulator.url, "POST", instancePath("setSettings", id), { incomingWebhook: "yes" });
    expect(setSettings.status).toBe(400);

    emulator.changeOutOfBand(id.idInstance, { startupPhase: null });
    expect((await get("getStateInstance")).json).toEqual({ stateInstance: "notAuthorized" });
    expect((await get("getSettings")).json).toMatchObject({ webhookUrl: "https://later.test", incomingWebhook: "no" });
  });

  test("with startupMs, a new instance goes building → starting → ready by age", async () => {
    const timed = await GreenApiEmulator.start({ startupMs: 600 });
    try {
      const created = (await call(timed.url, "POST", `/partner/createInstance/${timed.partnerToken}`, {})).json as {
        idInstance: number;
        apiTokenInstance: string;
      };
      const state = async () => (await call(timed.url, "GET", instancePath("getStateInstance", created))).json;
      expect(await state()).toBeNull();
      expect(timed.get(created.idInstance)!.startupPhase).toBe("building");
      // building for the first 300 ms, starting until 600 ms: check well inside each window.
      await new Promise((r) => setTimeout(r, 350));
      expect(await state()).toEqual({ stateInstance: "starting" });
      await new Promise((r) => setTimeout(r, 300));
      expect(await state()).toEqual({ stateInstance: "notAuthorized" });
      expect(timed.get(created.idInstance)!.startupPhase).toBeNull();
    } finally {
      await timed.close();
    }
  });
});

describe("state control and observation", () => {
  test("seed fills missing fields realistically and hands back copies", async () => {
    const [seeded, authorized] = emulator.seed([
      { name: "seeded" },
      { idInstance: 1101729999, stateInstance: "authorized", settings: { webhookUrl: "https://s.test" } },
    ]);
    expect(seeded).toMatchObject({
      idInstance: 1101728000,
      name: "seeded",
      deleted: false,
      timeDeleted: NO_TIME,
      typeInstance: "whatsapp",
    });
    expect(seeded.apiTokenInstance).toMatch(/^[0-9a-f]{50}$/);
    expect(authorized.settings).toMatchObject({ webhookUrl: "https://s.test", incomingWebhook: "no" });
    expect(authorized.settings.wid).toMatch(/@c\.us$/);

    seeded.name = "mutated";
    seeded.settings.webhookUrl = "mutated";
    expect(emulator.get(seeded.idInstance)).toMatchObject({ name: "seeded", settings: { webhookUrl: "" } });
    expect(emulator.get(1)).toBeUndefined();
    // The next created id follows the highest seeded one.
    expect((await createInstance()).idInstance).toBe(1101730000);
  });

  test("seedAccount builds 10,000 instances and getInstances returns them all", async () => {
    emulator.seedAccount({ alive: 9000, deleted: 1000, namePrefix: "acct-" });
    const answer = await call(emulator.url, "GET", partner("getInstances"));

    const items = answer.json as Array<{ name: string; deleted: boolean; apiTokenInstance: string }>;
    expect(items).toHaveLength(10000);
    expect(items.filter((item) => item.deleted)).toHaveLength(1000);
    expect(items[0].name).toMatch(/^acct-\d+$/);
    expect(new Set(items.map((item) => item.apiTokenInstance)).size).toBe(10000);
    expect(answer.text.length).toBeGreaterThan(10000 * 300);
  });

  test("deleteOutOfBand and changeOutOfBand are seen by both APIs", async () => {
    const a = await createInstance({ name: "a" });
    const b = await createInstance({ name: "b" });
    emulator.deleteOutOfBand(a.idInstance);
    emulator.changeOutOfBand(b.idInstance, {
      name: "renamed",
      apiTokenInstance: "f".repeat(50),
      settings: { incomingWebhook: "yes" },
      wid: "15550001111@c.us",
    });

    const listed = (await call(emulator.url, "GET", partner("getInstances"))).json as Array<Record<string, unknown>>;
    expect(listed).toEqual([
      expect.objectContaining({ idInstance: a.idInstance, deleted: true }),
      expect.objectContaining({ idInstance: b.idInstance, name: "renamed", apiTokenInstance: "f".repeat(50) }),
    ]);
    expect((await call(emulator.url, "POST", partner("deleteInstanceAccount"), { idInstance: a.idInstance })).json).toEqual(
      fixture("error.notFound.json"),
    );
    expect((await call(emulator.url, "GET", instancePath("getSettings", b))).status).toBe(401);
    const settings = await call(emulator.url, "GET", instancePath("getSettings", { ...b, apiTokenInstance: "f".repeat(50) }));
    expect(settings.json).toMatchObject({ incomingWebhook: "yes", wid: "15550001111@c.us" });
    expect(() => emulator.deleteOutOfBand(5)).toThrow(/no instance 5/);
  });

  test("counts every request under its method, rejected ones included; resetCounts starts over", async () => {
    const id = await createInstance();
    await call(emulator.url, "GET", "/partner/getInstances/wrong");
    await call(emulator.url, "GET", instancePath("getSettings", { ...id, apiTokenInstance: "bad" }));
    await call(emulator.url, "GET", instancePath("getSettings", id));
    await call(emulator.url, "GET", "/nowhere");

    expect(emulator.counts()).toEqual({
      createInstance: 1,
      getInstances: 1,
      deleteInstanceAccount: 0,
      getSettings: 2,
      setSettings: 0,
      getStateInstance: 0,
      qr: 0,
      logout: 0,
      reboot: 0,
    });
    expect(emulator.requests.map((r) => [r.method, r.status])).toEqual([
      ["createInstance", 200],
      ["getInstances", 200],
      ["getSettings", 401],
      ["getSettings", 200],
      ["unknown", 404],
    ]);
    emulator.resetCounts();
    expect(emulator.count("getSettings")).toBe(0);
    expect(emulator.requests).toHaveLength(0);
  });

  test("latency delays every answer", async () => {
    emulator.setLatency(150);
    const started = Date.now();
    const answer = await call(emulator.url, "GET", "/partner/getInstances/wrong");
    expect(answer.json).toEqual(fixture("error.unauthorized.json"));
    expect(Date.now() - started).toBeGreaterThanOrEqual(145);
  });

  test("the log gets one line per request with every token redacted", async () => {
    const lines: string[] = [];
    const logged = await GreenApiEmulator.start({ partnerToken: "partner-secret-123", log: (line) => lines.push(line) });
    try {
      const created = (await call(logged.url, "POST", "/partner/createInstance/partner-secret-123", {})).json as {
        idInstance: number;
        apiTokenInstance: string;
      };
      await call(logged.url, "GET", `${instancePath("getStateInstance", created)}?token=partner-secret-123`);
      await call(logged.url, "GET", `/elsewhere/${created.apiTokenInstance}`);
      expect(lines).toHaveLength(3);
      expect(lines[0]).toMatch(/^POST \/partner\/createInstance\/\*\*\* -> 200 /);
      expect(lines[1]).toMatch(new RegExp(`^GET /waInstance${created.idInstance}/getStateInstance/\\*\\*\\*\\?\\*\\*\\* -> 200 `));
      for (const line of lines) {
        expect(line).not.toContain("partner-secret-123");
        expect(line).not.toContain(created.apiTokenInstance);
      }
    } finally {
      await logged.close();
    }
  });
});

describe("products and their hosts (instanceHosts)", () => {
  let hosts: GreenApiEmulator;
  beforeEach(async () => {
    hosts = await GreenApiEmulator.start({ instanceHosts: true });
  });
  afterEach(async () => {
    await hosts.close();
  });

  const create = async (body: Record<string, unknown>) => {
    const answer = await call(hosts.url, "POST", `/partner/createInstance/${hosts.partnerToken}`, body);
    expect(answer.status).toBe(200);
    return answer.json as { idInstance: number; apiTokenInstance: string; typeInstance: string; apiUrlInstance: string };
  };

  test("createInstance honours typeInstance, countryInstance and partnerUserUiid; getInstances rows show them", async () => {
    const telegram = await create({ name: "tg", typeInstance: "telegram", countryInstance: "kz", partnerUserUiid: "customer-7" });
    expect(telegram).toMatchObject({ typeInstance: "telegram", apiUrlInstance: hosts.instanceUrl("telegram") });
    const plain = await create({ name: "wa" });
    expect(plain).toMatchObject({ typeInstance: "whatsapp", apiUrlInstance: hosts.instanceUrl("whatsapp") });
    const rows = (await call(hosts.url, "GET", `/partner/getInstances/${hosts.partnerToken}`)).json as Array<Record<string, unknown>>;
    expect(rows.map(({ typeInstance, partnerUserUiid, apiUrlInstance }) => ({ typeInstance, partnerUserUiid, apiUrlInstance }))).toEqual([
      { typeInstance: "telegram", partnerUserUiid: "customer-7", apiUrlInstance: hosts.instanceUrl("telegram") },
      { typeInstance: "whatsapp", partnerUserUiid: "", apiUrlInstance: hosts.instanceUrl("whatsapp") },
    ]);
    expect(hosts.get(telegram.idInstance)!.settings.countryInstance).toBe("kz");
    // Green API's wire names only.
    const max = await call(hosts.url, "POST", `/partner/createInstance/${hosts.partnerToken}`, { typeInstance: "max" });
    expect(max.status).toBe(400);
    expect(max.text).toMatch(/typeInstance/);
  });

  test("serves an instance's API only on its own host with its product's prefix, and the partner API only on url", async () => {
    const max = await create({ name: "max", typeInstance: "v3" });
    const telegram = await create({ name: "tg", typeInstance: "telegram" });
    const state = (base: string, prefix: string, id: typeof max) =>
      call(base, "GET", `${prefix}/waInstance${id.idInstance}/getStateInstance/${id.apiTokenInstance}`).then((a) => a.status);
    expect(await state(max.apiUrlInstance, "/v3", max)).toBe(200);
    expect(await state(max.apiUrlInstance, "", max)).toBe(404);
    expect(await state(hosts.url, "/v3", max)).toBe(404);
    expect(await state(telegram.apiUrlInstance, "", telegram)).toBe(200);
    expect(await state(telegram.apiUrlInstance, "/v3", telegram)).toBe(404);
    expect(await state(max.apiUrlInstance, "", telegram)).toBe(404);
    expect((await call(telegram.apiUrlInstance, "GET", `/partner/getInstances/${hosts.partnerToken}`)).status).toBe(404);
    const instanceCalls = hosts.requests.filter((r) => r.method === "getStateInstance");
    expect(instanceCalls.map(({ host, prefix }) => [host, prefix])).toEqual([
      [max.apiUrlInstance, "/v3"],
      [telegram.apiUrlInstance, ""],
    ]);
    expect(new Set([hosts.url, ...["whatsapp", "telegram", "v3", "instagram"].map((p) => hosts.instanceUrl(p))]).size).toBe(5);
  });
});
