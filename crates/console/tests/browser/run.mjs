// The console's browser test. Usage: node run.mjs <base-url> <screenshot-dir> <repository-root>
// Prints one line per step and `console browser: N passed, M failed`; exits 1 on any failure,
// page error or Content-Security-Policy violation. Writes <screenshot-dir>/report.json.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Harness } from "./harness.mjs";
import { fixtures } from "./fixtures.mjs";
import * as flows from "./flows.mjs";
import * as extras from "./extras.mjs";
import * as redrive from "./redrive.mjs";

const [base, shots, root] = process.argv.slice(2);
const t = new Harness(base, shots);
const f = fixtures(root);
const report = {};
await t.launch();
try {
  await t.step("first load: the list, its cost, the CSP header", async () => { report.firstLoad = await flows.firstLoad(t); });
  let machine;
  await t.step("editor: write the document-validation machine, diagnostics, graph ↔ text, palette, draft, save", async () => { machine = await flows.editor(t, f); });
  await t.step("first load of a state machine page (graph and editor libraries)", async () => { report.firstLoadOfMachine = await flows.firstLoadOfMachine(t, machine); });
  await t.step("executions: a valid and an invalid document watched live, data flow, table, timeline, download", async () => flows.runs(t, f, machine));
  await t.step("stop a long-running execution, start it again", async () => flows.stopLong(t, f));
  await t.step("restart an aborted execution from a state with an edited input, then redrive it", async () => redrive.redriveAndRestart(t, f));
  let failed;
  await t.step("a failed execution for the looks", async () => {
    const list = await t.api("ListExecutions", { stateMachineArn: machine, statusFilter: "FAILED" });
    failed = list.executions[0].executionArn;
  });
  await t.step("another origin cannot drive the API or read the stream", async () => extras.crossOrigin(t, failed));
  await t.step("user content is escaped", async () => extras.xss(t, f));
  await t.step("Parallel with Retry and Catch, Map iterations", async () => extras.parallelMap(t, f));
  await t.step("a definition of 100 states stays readable", async () => { report.largeDefinitionMs = await extras.large(t, f); });
  await t.step("an execution of 10,000 events stays responsive", async () => { report.manyEvents = await extras.manyEvents(t, f); });
  await t.step("an Express machine runs synchronously from its page", async () => extras.express(t));
  await t.step("dark mode and a phone", async () => extras.looks(t, failed));
} finally {
  await t.browser.close();
}
for (const problem of t.problems) console.log(`problem: ${problem}`);
report.screenshots = t.shotList;
writeFileSync(join(shots, "report.json"), JSON.stringify(report, null, 2));
console.log(`first load (list): ${JSON.stringify(report.firstLoad)}`);
console.log(`first load (state machine page): ${JSON.stringify(report.firstLoadOfMachine)}`);
console.log(`100-state graph shown in ${report.largeDefinitionMs} ms; 10,000 events: ${JSON.stringify(report.manyEvents)}`);
const failed = t.failed.length + (t.problems.length ? 1 : 0);
console.log(`console browser: ${t.passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
