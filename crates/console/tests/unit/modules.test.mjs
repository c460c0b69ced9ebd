// Unit tests of the page's pure modules, run with `node --test` (crates/console/tests/modules.rs).

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { History } from "../../assets/js/execution/history.js";
import { dataFlow } from "../../assets/js/execution/dataflow.js";
import { locate, pointerAt, pointerOfNode, stateOfPointer } from "../../assets/js/editor/json-locate.js";
import { ruleWords } from "../../assets/js/graph/choice-words.js";
import { buildGraph } from "../../assets/js/graph/model.js";
import { insertState, TEMPLATES } from "../../assets/js/editor/palette.js";

const here = (name) => new URL(name, import.meta.url);
const recorded = JSON.parse(readFileSync(here("parallel-map.history.json"), "utf8")).events;
const definition = JSON.parse(readFileSync(here("parallel-map.asl.json"), "utf8"));

test("a recorded history gives each state its status, threads and attempts", () => {
  const history = new History();
  history.add(recorded.slice(0, 10));
  assert.equal(history.executionStatus, "RUNNING");
  assert.equal(history.statuses().get("P"), "running");
  history.add(recorded.slice(5)); // overlapping batches are ignored where already known
  assert.equal(history.events.length, recorded.length);
  const statuses = history.statuses();
  assert.equal(history.executionStatus, "SUCCEEDED");
  assert.equal(statuses.get("P"), "caught", "failed after its retry, then caught");
  assert.equal(statuses.get("B"), "failed");
  assert.equal(statuses.get("A"), "succeeded");
  assert.equal(statuses.get("X"), "succeeded");
  const parallel = history.runsOf("P")[0];
  assert.equal(parallel.attempts.length, 2);
  assert.ok(parallel.attempts[0].failed && parallel.attempts[0].end, "the replaced attempt is closed");
  const labels = [...history.threads.values()].map((t) => t.label);
  assert.deepEqual(labels, ["Execution", "Branch 1", "Branch 2", "Branch 1 (attempt 2)", "Branch 2 (attempt 2)", "M #0", "M #1"]);
  assert.deepEqual(history.iterations.map((it) => [it.index, it.status]), [[0, "succeeded"], [1, "succeeded"]]);
  assert.equal(history.runsOf("X").length, 2, "one run per iteration");
});

test("data flow: recorded steps and the computed ones between them", () => {
  const state = { Type: "Task", InputPath: "$.doc", ResultSelector: { "ok.$": "$.valid" }, ResultPath: "$.check", OutputPath: "$.check" };
  const run = {
    input: '{"doc": {"n": 1}, "keep": true}',
    attempts: [{ input: '{"n": 1}', output: '{"valid": true, "extra": 1}', failed: false }],
    exited: {},
    output: '{"ok": true}',
  };
  const steps = Object.fromEntries(dataFlow(state, run).map((s) => [s.step, s]));
  assert.deepEqual(steps["After InputPath"].value, { n: 1 });
  assert.equal(steps["Effective input (after Parameters)"].source, "recorded");
  assert.deepEqual(steps["After ResultSelector"].value, { ok: true });
  assert.deepEqual(steps["After ResultPath"].value, { doc: { n: 1 }, keep: true, check: { ok: true } });
  assert.deepEqual(steps["State output (after OutputPath)"].value, { ok: true });
  const intrinsic = dataFlow({ Type: "Pass", Parameters: { "v.$": "States.Format('{}', $.a)" } }, { input: '{"a":1}', attempts: [] });
  assert.equal(intrinsic.find((s) => s.step === "After Parameters").source, "engine");
});

test("JSON positions: pointers to ranges and back", () => {
  const text = JSON.stringify({ StartAt: "A", States: { A: { Type: "Pass", Next: "B/C" }, "B/C": { Type: "Succeed" } } }, null, 2);
  const range = locate(text, "/States/A/Next");
  assert.equal(text.slice(range.from, range.to), '"B/C"');
  assert.equal(text.slice(range.keyFrom, range.keyFrom + 6), '"Next"');
  assert.equal(pointerAt(text, text.indexOf('"Pass"') + 1), "/States/A/Type");
  assert.equal(stateOfPointer("/States/A/Next"), "A");
  assert.equal(stateOfPointer("/States/P/Branches/0/States/In/Type"), "In");
  assert.equal(stateOfPointer(pointerAt(text, text.indexOf('"Succeed"'))), "B/C");
  assert.equal(locate(text, "/States/Nope/Next").from, locate(text, "/States").from, "falls back to the nearest parent");
  assert.equal(pointerOfNode(definition, "/P#1/B"), "/States/P/Branches/1/States/B");
  assert.equal(pointerOfNode(definition, "/M#0/X"), "/States/M/ItemProcessor/States/X");
  const odd = { States: { "a/b#0": { Type: "Pass" } } };
  const node = buildGraph(odd).nodes.find((n) => n.name === "a/b#0");
  assert.equal(pointerOfNode(odd, node.id), "/States/a~1b#0");
  assert.equal(text.slice(locate(text, pointerOfNode({ States: { "B/C": {} } }, "/B%2FC")).from).slice(0, 1), "{");
});

test("Choice rules in words", () => {
  assert.equal(ruleWords({ Variable: "$.valido", BooleanEquals: true }), "$.valido == true");
  assert.equal(ruleWords({ Variable: "$.n", NumericLessThanEqualsPath: "$.max" }), "$.n <= $.max");
  assert.equal(ruleWords({ Not: { Variable: "$.s", StringEquals: "x" } }), 'not $.s == "x"');
  assert.equal(
    ruleWords({ And: [{ Variable: "$.a", IsPresent: true }, { Or: [{ Variable: "$.b", StringMatches: "x*" }, { Variable: "$.c", IsNull: false }] }] }),
    '$.a is present and ($.b matches "x*" or $.c is not null)');
  assert.equal(ruleWords({ Condition: "{% $states.input.n > 1 %}" }), "{% $states.input.n > 1 %}");
});

test("the graph model: edges of every kind, groups, markers", () => {
  const graph = buildGraph(definition);
  const kinds = graph.edges.map((e) => `${e.kind}:${e.source}->${e.target}`);
  assert.ok(kinds.includes("start:start->/P"));
  assert.ok(kinds.includes("catch:/P->/M"));
  assert.ok(kinds.includes("end:/M->end"));
  assert.equal(graph.edges.find((e) => e.kind === "catch").label, "Catch: States.ALL");
  assert.equal(graph.nodes.find((n) => n.id === "/P").retries, 1);
  assert.deepEqual(graph.nodes.filter((n) => n.kind === "branch").map((n) => n.parent), ["/P", "/P", "/M"]);
  const collapsed = buildGraph(definition, { collapsed: new Set(["/P"]) });
  assert.ok(!collapsed.nodes.some((n) => n.parent === "/P"));
  assert.equal(buildGraph("not a definition").nodes.length, 0);
  assert.doesNotThrow(() => buildGraph({ StartAt: "A", States: { A: null, B: { Type: "Parallel", Branches: "x" } } }));
});

test("the palette inserts every type under a fresh name", () => {
  const target = structuredClone(definition);
  for (const type of Object.keys(TEMPLATES)) insertState(target, type);
  insertState(target, "Parallel");
  assert.ok(target.States.NewParallel2, "a second Parallel gets a fresh name");
  assert.equal(target.States.NewChoice.Default, "P");
  assert.notEqual(target.States.NewParallel.Branches[0].StartAt, target.States.NewParallel2.Branches[0].StartAt);
});
