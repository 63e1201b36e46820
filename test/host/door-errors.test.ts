/**
 * Errors that fit the door: advice names what the user can change for that resource — the explicit
 * provider's own property, or the stack config for the default provider and the dynamic resource —
 * and the plugin's gRPC status says whose fault it was (the input's, or Green API's).
 */
import { GreenApiEmulator } from "../../emulator";
import { HostError, makeUrn, startConfiguredHost, type ProviderHost } from "../../harness";
import { grpc } from "../../harness/wire";
import { autoName, declareInstances, declarePluginInstances, INSTANCE_TYPE, makeProgramDir, type Door } from "./stack";

let emulator: GreenApiEmulator;
const programDir = makeProgramDir();
const hosts: ProviderHost[] = [];

beforeAll(async () => {
  emulator = await GreenApiEmulator.start();
});
afterAll(async () => {
  await Promise.all(hosts.map((host) => host.stop()));
  await emulator?.close();
});

async function start(door: Door, partnerToken: string, providerName?: string, extra: Record<string, string> = {}): Promise<ProviderHost> {
  const config = {
    "greenapi:partnerToken": partnerToken,
    "greenapi:partnerApiUrl": emulator.url,
    "greenapi:apiUrl": emulator.url,
    "greenapi:requestTimeoutSeconds": "5",
    ...extra,
  };
  const host = await startConfiguredHost(config, { programDir, door, providerName });
  hosts.push(host);
  return host;
}

/** A create through the plugin: its error. */
async function pluginCreateError(host: ProviderHost, resource: string, args: Record<string, unknown> = {}): Promise<HostError> {
  const [registration] = await declarePluginInstances({ [resource]: args });
  const urn = makeUrn(registration.type, resource);
  const { inputs } = await host.check(urn, {}, registration.inputs);
  const error = await host.create(urn, inputs).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(HostError);
  return error as HostError;
}

describe("a rejected partner token", () => {
  it("on an explicit provider names that provider's partnerToken property, not the stack config", async () => {
    const host = await start("plugin", "gacWrongTokenOfAccountB", "acctB");
    const error = await pluginCreateError(host, "pb");
    expect(error.message).toContain(
      "the partner token was rejected. Set `partnerToken` of provider `acctB` to the token from the partner console.",
    );
    expect(error.message).not.toContain("pulumi config set");
    expect(error.message).not.toContain("gacWrongTokenOfAccountB");
    expect(error.code).toBe(grpc.status.UNAUTHENTICATED);
  });

  it("on the plugin's default provider names the stack config", async () => {
    const host = await start("plugin", "gacWrongDefaultToken");
    const error = await pluginCreateError(host, "pd");
    expect(error.message).toContain(
      "the partner token was rejected. Set the token from the partner console with `pulumi config set --secret greenapi:partnerToken <token>`",
    );
  });

  it("for the dynamic resource names the stack config, as ever", async () => {
    const host = await start("dynamic", "gacWrongDynamicToken");
    const urn = makeUrn(INSTANCE_TYPE, "dyn");
    const [registration] = await declareInstances({ dyn: {} });
    const { inputs } = await host.check(urn, {}, registration.inputs);
    const error = (await host.create(urn, inputs).catch((e: unknown) => e)) as HostError;
    expect(error.message).toContain("`pulumi config set --secret greenapi:partnerToken <token>`");
  });
});

describe("the plugin's gRPC status says whose fault a failure is", () => {
  it("the program's input (a name taken in the account): INVALID_ARGUMENT; Green API failing: UNAVAILABLE", async () => {
    const host = await start("plugin", emulator.partnerToken);
    emulator.seed([{ name: "taken-name" }]);
    const taken = await pluginCreateError(host, "named", { name: "taken-name" });
    expect(taken.message).toContain('An instance named "taken-name" already exists');
    expect(taken.code).toBe(grpc.status.INVALID_ARGUMENT);

    // A process of its own, so no list of the first one's serves the lookup before createInstance.
    // Its default operation deadline outlasts all six attempts' backoff: the 503s end the create,
    // not the clock (a short deadline let a slow machine's last attempt end as a timeout instead).
    const fresh = await start("plugin", emulator.partnerToken);
    emulator.injectFault({ method: "getInstances", kind: "status", status: 503, times: 100 });
    const failing = await pluginCreateError(fresh, "later");
    emulator.clearFaults();
    expect(failing.message).toMatch(/Green API getInstances: HTTP 503/);
    expect(failing.code).toBe(grpc.status.UNAVAILABLE);
    // Nothing was created for either.
    expect(emulator.list().filter((i) => i.name === autoName("later") || i.name === "taken-name")).toHaveLength(1);
  });
});
