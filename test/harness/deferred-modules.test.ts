/**
 * The harness defers modules @pulumi/pulumi loads at start but hosts and tests never use
 * (harness/deferred-modules.js): they must stay unloaded until used, and whoever uses one must get
 * the module as an import of it would.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "../../harness/repo";

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain script the hosts preload, without type declarations
const { deferred, DEFERRED_MODULES } = require("../../harness/deferred-modules") as {
  deferred<T extends object>(load: () => T): T & { default: T };
  DEFERRED_MODULES: string[];
};

describe("a deferred module", () => {
  it("is loaded when first looked into, once", () => {
    let loads = 0;
    const module = deferred(() => {
      loads += 1;
      return { answer: 42 };
    });
    expect(loads).toBe(0);
    expect(module.answer).toBe(42);
    expect(module.answer).toBe(42);
    expect(loads).toBe(1);
  });

  it("shows a CommonJS module as an import would: its fields, and itself as default", () => {
    const commonJs = { parse: () => "parsed" };
    const module = deferred(() => commonJs);
    expect(module.default).toBe(commonJs);
    expect(Object.keys(module).sort()).toEqual(["__esModule", "default", "parse"]);
    expect(module.parse()).toBe("parsed");
    expect("parse" in module).toBe(true);
  });

  it("leaves an ES module's own default alone", () => {
    const esModule = { __esModule: true, default: "its own" };
    expect(deferred(() => esModule).default).toBe("its own");
  });
});

describe("a process that defers them", () => {
  it("loads @pulumi/pulumi and its dynamic provider host without them, and TypeScript's compiler when it serializes a function", async () => {
    const script = `
      require(${JSON.stringify(join(REPO_ROOT, "harness", "deferred-modules.js"))}).deferInThisProcess();
      const loaded = (names) => names.filter((name) => Object.keys(require.cache).some((file) => file.includes(require("node:path").join("node_modules", name, ""))));
      const pulumi = require("@pulumi/pulumi");
      require("@pulumi/pulumi/provider");
      const atStart = loaded(${JSON.stringify(DEFERRED_MODULES)});
      pulumi.runtime.serializeFunction(() => 40 + 2).then((serialized) =>
        console.log(JSON.stringify({ atStart, afterUse: loaded(["typescript"]), text: serialized.text.includes("40 + 2") })));`;
    const { stdout } = await promisify(execFile)(process.execPath, ["-e", script], { cwd: REPO_ROOT });
    expect(JSON.parse(stdout)).toEqual({ atStart: [], afterUse: ["typescript"], text: true });
  });
});
