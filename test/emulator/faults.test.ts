// Injected faults: each kind answers (or fails to) as documented, and performs the operation only for
// performThenDrop.

import { GreenApiEmulator } from "../../emulator";
import { call, rawRequest } from "./helpers";

let emulator: GreenApiEmulator;
let createPath: string;

beforeEach(async () => {
  emulator = await GreenApiEmulator.start();
  createPath = `/partner/createInstance/${emulator.partnerToken}`;
});

afterEach(async () => {
  await emulator.close();
});

test("status: answers that status without performing, then the next request is normal", async () => {
  emulator.injectFault({ method: "createInstance", kind: "status", status: 503 });

  const faulted = await call(emulator.url, "POST", createPath, { name: "a" });
  expect(faulted.status).toBe(503);
  expect(faulted.text).toBe("Service Unavailable");
  expect(emulator.list()).toHaveLength(0);

  expect((await call(emulator.url, "POST", createPath, { name: "a" })).status).toBe(200);
  expect(emulator.list()).toHaveLength(1);
  expect(emulator.count("createInstance")).toBe(2);
});

test("status 429 carries Retry-After and the given body; times counts matching requests", async () => {
  emulator.injectFault({
    method: "getInstances",
    kind: "status",
    status: 429,
    retryAfterSeconds: 7,
    body: "slow down",
    times: 2,
  });
  const path = `/partner/getInstances/${emulator.partnerToken}`;

  const answers = [];
  for (let i = 0; i < 3; i++) answers.push(await call(emulator.url, "GET", path));

  expect(answers.map((a) => [a.status, a.headers.get("retry-after")])).toEqual([
    [429, "7"],
    [429, "7"],
    [200, null],
  ]);
  expect(answers[0].text).toBe("slow down");
});

test("a fault scoped to an idInstance leaves other instances alone, including a deleteInstanceAccount body", async () => {
  const [a, b] = emulator.seed([{}, {}]);
  emulator.injectFault({ method: "getStateInstance", kind: "status", status: 500, idInstance: b.idInstance });
  emulator.injectFault({ method: "deleteInstanceAccount", kind: "status", status: 502, idInstance: b.idInstance });
  const state = (id: typeof a) => call(emulator.url, "GET", `/waInstance${id.idInstance}/getStateInstance/${id.apiTokenInstance}`);
  const remove = (id: typeof a) =>
    call(emulator.url, "POST", `/partner/deleteInstanceAccount/${emulator.partnerToken}`, { idInstance: id.idInstance });

  expect((await state(a)).status).toBe(200);
  expect((await state(b)).status).toBe(500);
  expect((await remove(a)).status).toBe(200);
  expect((await remove(b)).status).toBe(502);
  expect(emulator.get(b.idInstance)!.deleted).toBe(false);
  expect((await remove(b)).json).toEqual({ deleteInstanceAccount: true });
});

test("a fault aimed at a name hits only createInstance for that name; clearFaults(target) drops only those aimed there", async () => {
  emulator.injectFault({ method: "createInstance", kind: "status", status: 503, name: "b", times: 5 });
  emulator.injectFault({ method: "createInstance", kind: "status", status: 502, name: "c" });
  expect((await call(emulator.url, "POST", createPath, { name: "a" })).status).toBe(200);
  expect((await call(emulator.url, "POST", createPath, { name: "b" })).status).toBe(503);
  emulator.clearFaults({ name: "b" });
  expect((await call(emulator.url, "POST", createPath, { name: "b" })).status).toBe(200);
  expect((await call(emulator.url, "POST", createPath, { name: "c" })).status).toBe(502);
  expect(emulator.list().map((i) => i.name)).toEqual(["a", "b"]);
});

test("drop: the socket closes without an answer and nothing is created", async () => {
  emulator.injectFault({ method: "createInstance", kind: "drop" });
  const result = await rawRequest(emulator.url, "POST", createPath, { name: "dropped" });
  expect(result).toEqual({ kind: "error", code: "ECONNRESET" });
  expect(emulator.list()).toHaveLength(0);
  expect(emulator.requests).toEqual([expect.objectContaining({ method: "createInstance", status: 0 })]);
});

test("hang: no answer until the client gives up; nothing created; close() ends it", async () => {
  emulator.injectFault({ method: "createInstance", kind: "hang" });
  const result = await rawRequest(emulator.url, "POST", createPath, { name: "hung" }, 300);
  expect(result).toEqual({ kind: "timeout" });
  expect(emulator.list()).toHaveLength(0);

  emulator.injectFault({ method: "getInstances", kind: "hang" });
  const pending = rawRequest(emulator.url, "GET", `/partner/getInstances/${emulator.partnerToken}`, undefined, 5000);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const closing = Date.now();
  await emulator.close();
  expect(Date.now() - closing).toBeLessThan(1000);
  expect(await pending).toEqual({ kind: "error", code: "ECONNRESET" });
});

test("malformed: HTTP 200 whose JSON does not parse; nothing created", async () => {
  emulator.injectFault({ method: "createInstance", kind: "malformed" });
  const answer = await call(emulator.url, "POST", createPath, { name: "m" });
  expect(answer.status).toBe(200);
  expect(answer.contentType).toMatch(/^application\/json/);
  expect(() => JSON.parse(answer.text)).toThrow(SyntaxError);
  expect(emulator.list()).toHaveLength(0);
});

test("html: HTTP 502 with an HTML page, as from a proxy; operation not performed", async () => {
  const [instance] = emulator.seed([{}]);
  emulator.injectFault({ method: "logout", kind: "html" });
  emulator.changeOutOfBand(instance.idInstance, { stateInstance: "authorized" });

  const answer = await call(emulator.url, "GET", `/waInstance${instance.idInstance}/logout/${instance.apiTokenInstance}`);

  expect(answer.status).toBe(502);
  expect(answer.contentType).toMatch(/^text\/html/);
  expect(answer.text).toMatch(/^<html>/);
  expect(emulator.get(instance.idInstance)!.stateInstance).toBe("authorized");
});

test("performThenDrop: the instance is really created but the client never hears of it", async () => {
  emulator.injectFault({ method: "createInstance", kind: "performThenDrop" });
  const result = await rawRequest(emulator.url, "POST", createPath, { name: "lost-response" });

  expect(result).toEqual({ kind: "error", code: "ECONNRESET" });
  const listed = await call(emulator.url, "GET", `/partner/getInstances/${emulator.partnerToken}`);
  expect((listed.json as Array<{ name: string }>).map((item) => item.name)).toEqual(["lost-response"]);
});

test("late: held, then performed although the client gave up; nobody is answered", async () => {
  emulator.injectFault({ method: "createInstance", kind: "late", delayMs: 1000 });
  const result = await rawRequest(emulator.url, "POST", createPath, { name: "slow" }, 100);

  expect(result).toEqual({ kind: "timeout" });
  expect(emulator.list()).toHaveLength(0); // the client gave up first
  await emulator.lateRequestsPerformed();
  expect(emulator.list().map((i) => i.name)).toEqual(["slow"]);
  const [entry] = emulator.requests;
  expect(entry).toMatchObject({ method: "createInstance", status: 0 });
  expect(entry.performedAt! - entry.at).toBeGreaterThanOrEqual(1000);
});

test("late: a client that waits long enough gets the answer, for instance methods too", async () => {
  const [instance] = emulator.seed([{}]);
  emulator.injectFault({ method: "setSettings", kind: "late", delayMs: 200, idInstance: instance.idInstance });
  const started = Date.now();
  const answer = await call(emulator.url, "POST", `/waInstance${instance.idInstance}/setSettings/${instance.apiTokenInstance}`, {
    delaySendMessagesMilliseconds: 7000,
  });
  expect(Date.now() - started).toBeGreaterThanOrEqual(200);
  expect(answer.json).toEqual({ saveSettings: true });
  expect(emulator.get(instance.idInstance)!.settings.delaySendMessagesMilliseconds).toBe(7000);
  expect(() => emulator.injectFault({ method: "qr", kind: "late", delayMs: -1 })).toThrow(/delayMs/);
});

test("close() drops the requests a late fault holds, unperformed", async () => {
  emulator.injectFault({ method: "createInstance", kind: "late", delayMs: 60_000 });
  const pending = rawRequest(emulator.url, "POST", createPath, { name: "never" }, 5000);
  await new Promise((resolve) => setTimeout(resolve, 50));
  await emulator.close();
  await emulator.lateRequestsPerformed();
  expect(emulator.list()).toHaveLength(0);
  expect(await pending).toEqual({ kind: "error", code: "ECONNRESET" });
});

test("faults count as requests, are consumed in order, and clearFaults drops the rest", async () => {
  emulator.injectFault({ method: "createInstance", kind: "status", status: 500 });
  emulator.injectFault({ method: "createInstance", kind: "status", status: 502 });
  emulator.injectFault({ method: "createInstance", kind: "status", status: 503 });

  expect((await call(emulator.url, "POST", createPath, {})).status).toBe(500);
  expect((await call(emulator.url, "POST", createPath, {})).status).toBe(502);
  emulator.clearFaults();
  expect((await call(emulator.url, "POST", createPath, {})).status).toBe(200);
  expect(emulator.count("createInstance")).toBe(3);
  expect(() => emulator.injectFault({ method: "qr", kind: "drop", times: 0 })).toThrow(/times/);
});
