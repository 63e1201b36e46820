/**
 * Stored state is parsed, not cast: every entry a released version wrote reads (test/fixtures), keys
 * this version does not know pass through, and a broken entry fails naming the property and the type
 * expected — never a value, so never a token.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { storedOutputs, StoredStateError } from "../../provider/lifecycle";
import { revealAll, type Properties } from "../../provider/plugin/wire";

const FIXTURES = join(__dirname, "..", "fixtures");
const recorded = ["state", "plugin-state"].flatMap((dir) =>
  readdirSync(join(FIXTURES, dir))
    .filter((file) => file.endsWith(".json"))
    .map((file) => [`${dir}/${file}`, JSON.parse(readFileSync(join(FIXTURES, dir, file), "utf8")).entry.outputs as Properties] as const),
);

const TOKEN = "5bc80f984abd86578649e14251718468e5a347200d45ea8710";
const valid = {
  idInstance: 1101728000,
  apiTokenInstance: TOKEN,
  qrUrl: `https://qr.green-api.com/waInstance1101728000/${TOKEN}`,
  apiUrl: "https://api.green-api.com",
};

function failure(state: Record<string, unknown>): string {
  try {
    storedOutputs(state);
  } catch (error) {
    expect(error).toBeInstanceOf(StoredStateError);
    return (error as Error).message;
  }
  throw new Error("the state parsed");
}

describe("stored outputs", () => {
  it.each(recorded)("as %s recorded them parse, unchanged", (_file, outputs) => {
    const { __provider: _provider, ...plain } = revealAll(outputs);
    expect(storedOutputs(plain)).toEqual(plain);
  });

  it("keep keys this version does not know, and read absent optional properties and nulls as absent", () => {
    expect(storedOutputs({ ...valid, __provider: "exports.handler = …", fromANewerVersion: { a: 1 }, wid: null })).toEqual({
      ...valid,
      __provider: "exports.handler = …",
      fromANewerVersion: { a: 1 },
    });
  });

  it('read a flag stored as Green API\'s "yes"/"no" as a boolean', () => {
    expect(storedOutputs({ ...valid, incomingWebhook: "yes", stateWebhook: "no" })).toMatchObject({
      incomingWebhook: true,
      stateWebhook: false,
    });
  });

  it("fail naming the property and the type expected, never the value", () => {
    const message = failure({ ...valid, idInstance: "1101728000", apiTokenInstance: 42, delaySendMessagesMilliseconds: 1.5 });
    expect(message).toContain("idInstance must be a positive whole number, not a string");
    expect(message).toContain("apiTokenInstance must be a string, not a number");
    expect(message).toContain("delaySendMessagesMilliseconds must be a whole number, not a fractional number");
    expect(message).not.toContain("1101728000");
    expect(failure({ ...valid, idInstance: 0 })).toContain("idInstance must be a positive whole number, not zero or negative");
    const { apiTokenInstance: _token, ...tokenless } = valid;
    expect(failure(tokenless)).toContain("apiTokenInstance is missing");
    const broken = failure({ ...valid, idInstance: -1, name: 7, qrUrl: 7 });
    expect(broken).toMatch(/^The stored state of this resource cannot be read: .*name must be a string, not a number/);
    expect(broken).not.toContain(TOKEN);
  });
});
