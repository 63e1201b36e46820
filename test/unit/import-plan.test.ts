/** The import plan's names and filters: valid, unique, the same on every run. */
import { importPlan, orphans, PlanError, stackHoldings } from "../../provider/import-plan/plan";

const row = (idInstance: number, name: string, extra: object = {}) => ({ idInstance, name, ...extra });

describe("import plan names", () => {
  it("come from the instance names (Russian ones spelled in Latin letters); collisions get the idInstance; empty ones instance-<id>", () => {
    const plan = importPlan([
      row(3, "Support"),
      row(1, "support"),
      row(2, "Поддержка — Москва"),
      row(4, "42 bots"),
      row(5, ""),
      row(6, "Café ☕"),
    ]);
    expect(plan.resources.map((r) => [r.id, r.name])).toEqual([
      ["3", "support-3"],
      ["1", "support-1"],
      ["2", "podderzhka-moskva"],
      ["4", "instance-42-bots"],
      ["5", "instance-5"],
      ["6", "cafe"],
    ]);
  });

  it("stay unique when an instance is named like another's suffixed name", () => {
    const names = importPlan([row(1, "bot"), row(2, "bot"), row(3, "bot-1")]).resources.map((r) => r.name);
    expect(new Set(names).size).toBe(3);
  });

  it("are the same whatever order Green API lists the account in", () => {
    const rows = [row(9, "a"), row(7, "b"), row(8, "a")];
    const once = importPlan(orphans(rows, undefined));
    const again = importPlan(orphans([...rows].reverse(), undefined));
    expect(again).toEqual(once);
  });

  it("refuse a name the stack already has, saying how to avoid it", () => {
    const held = stackHoldings(
      JSON.stringify({ deployment: { resources: [{ urn: "urn:pulumi:dev::p::greenapi:index:Instance::bot", type: "x" }] } }),
      "state.json",
    );
    expect(() => importPlan([row(1, "bot")], held)).toThrow(PlanError);
    expect(() => importPlan([row(1, "bot")], held)).toThrow(/--name-prefix/);
    expect(importPlan([row(1, "bot")], held, { namePrefix: "imported-" }).resources[0].name).toBe("imported-bot");
  });
});

describe("orphans", () => {
  const state = JSON.stringify({
    deployment: {
      resources: [
        { urn: "urn:pulumi:dev::p::greenapi:index:Instance::a", type: "greenapi:index:Instance", id: "1" },
        { urn: "urn:pulumi:dev::p::pulumi-nodejs:dynamic/greenapi:Instance::b", type: "pulumi-nodejs:dynamic/greenapi:Instance", id: "2" },
      ],
    },
  });

  it("leave out what either front door manages, deleted instances, and what the filters exclude", () => {
    const rows = [
      row(1, "a"),
      row(2, "b"),
      row(3, "c", { typeInstance: "telegram" }),
      row(4, "d", { typeInstance: "v3" }),
      row(5, "e", { deleted: true }),
      row(6, "f"),
    ];
    const held = stackHoldings(state, "state.json");
    expect(orphans(rows, held).map((r) => r.idInstance)).toEqual([3, 4, 6]);
    expect(orphans(rows, held, { types: ["max"] }).map((r) => r.idInstance)).toEqual([4]);
    expect(orphans(rows, held, { types: ["whatsapp"] }).map((r) => r.idInstance)).toEqual([6]);
    expect(orphans(rows, held, { namePattern: /^[cd]$/ }).map((r) => r.idInstance)).toEqual([3, 4]);
  });

  it("a state file that is not a stack export is refused, naming it", () => {
    expect(() => stackHoldings("not json", "--exclude-stack-state s.json")).toThrow(/--exclude-stack-state s.json is not JSON/);
    expect(() => stackHoldings("{}", "--exclude-stack-state s.json")).toThrow(/has no deployment.resources/);
  });
});
