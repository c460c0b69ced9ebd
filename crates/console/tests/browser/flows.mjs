// What a person does in the console: the first load, writing the document-validation machine in
// the editor, running it with a valid and an invalid document while watching the graph, reading
// a state's data flow, the event table and the timeline, and stopping a long execution.

import { assert, link } from "./harness.mjs";

/** Loads the first page in a fresh context and measures what it cost. */
export async function firstLoad(t) {
  const page = await t.page();
  const started = Date.now();
  const response = await page.goto(`${t.base}/`);
  await page.getByRole("heading", { name: "State machines" }).waitFor();
  await page.locator("table.list tbody tr").first().waitFor();
  const cost = await page.evaluate(() => {
    const navigation = performance.getEntriesByType("navigation")[0];
    const resources = performance.getEntriesByType("resource");
    const sum = (key) => resources.reduce((n, r) => n + (r[key] || 0), navigation[key] || 0);
    return {
      requests: resources.length + 1,
      transferredBytes: sum("transferSize"),
      decodedBytes: sum("decodedBodySize"),
      domContentLoadedMs: Math.round(navigation.domContentLoadedEventEnd),
      loadEventMs: Math.round(navigation.loadEventEnd),
      listShownMs: Math.round(performance.now()),
    };
  });
  cost.wallClockMs = Date.now() - started;
  const policy = response.headers()["content-security-policy"];
  assert(policy && policy.includes("script-src 'self'"), `no CSP on the page: ${policy}`);
  assert(!/unsafe-inline|unsafe-eval/.test(policy), `the CSP allows inline or eval: ${policy}`);
  await t.checkNames(page);
  await t.shot(page, "01-machines-empty", "The state machine list on the first load (empty store)");
  await t.checkViolations(page);
  await page.context().close();
  return cost;
}

/** Opens a state machine's page in a fresh context (empty cache): the heaviest first load, with
 *  the graph (elkjs) and the definition (CodeMirror). */
export async function firstLoadOfMachine(t, arn) {
  const page = await t.page();
  const started = Date.now();
  await page.goto(`${t.base}/${link("machine", arn)}`);
  await page.locator(".graph-box g.state").first().waitFor();
  await page.locator(".code-box .cm-line").first().waitFor();
  const cost = await page.evaluate(() => {
    const navigation = performance.getEntriesByType("navigation")[0];
    const resources = performance.getEntriesByType("resource");
    const sum = (key) => resources.reduce((n, r) => n + (r[key] || 0), navigation[key] || 0);
    return { requests: resources.length + 1, transferredBytes: sum("transferSize"), decodedBytes: sum("decodedBodySize"), graphShownMs: Math.round(performance.now()) };
  });
  cost.wallClockMs = Date.now() - started;
  await page.context().close();
  return cost;
}

/** Types a definition into the editor (select all, then the text as one input). */
async function typeDefinition(page, definition) {
  await page.locator(".cm-content").click();
  await page.keyboard.press("Control+A");
  await page.keyboard.insertText(JSON.stringify(definition, null, 2));
}

/** Clicks a line of the editor, scrolled to the top first so that the line stays put. */
async function clickLine(page, text) {
  await page.locator(".cm-scroller").evaluate((element) => { element.scrollTop = 0; });
  const line = page.locator(".cm-line", { hasText: text });
  await line.scrollIntoViewIfNeeded();
  await page.waitForTimeout(100);
  await line.click();
}

export async function editor(t, f) {
  const page = await t.page();
  await page.goto(`${t.base}/#/new`);
  await page.locator(".cm-content").waitFor();
  await page.locator("#machine-name").fill("document-validation");
  await typeDefinition(page, f.broken);
  await page.locator(".problems li", { hasText: "Missing 'Next' target" }).waitFor();
  await page.locator('.graph-box g.state.has-problem[data-name="ValidateDocument"]').waitFor();
  await page.locator(".cm-lint-marker-error").first().waitFor();
  await t.shot(page, "02-editor-diagnostics", "The editor with a wrong Next: the diagnostic on its line, in the list and on its state in the graph");
  await typeDefinition(page, f.watched);
  await page.locator(".editor-status.ok").waitFor();
  await page.locator('.graph-box g.state[data-name="IsValid"]').waitFor();
  assert(await page.locator(".graph-box g.state.has-problem").count() === 0, "a problem mark stayed after the fix");
  // Graph → text: clicking a state selects its JSON.
  await page.locator('.graph-box g.state[data-name="DocumentRejected"]').click();
  const active = await page.locator(".cm-activeLine").innerText();
  assert(active.includes('"DocumentRejected"'), `clicking the state did not select its JSON (active line: ${active})`);
  // Text → graph: moving into a state's JSON selects it in the graph.
  await clickLine(page, '"Seconds": 10');
  await page.locator('.graph-box g.state.selected[data-name="Pause"]').waitFor();
  // The palette inserts a state; undo takes it out again.
  await page.getByRole("button", { name: "Insert a Map state" }).click();
  await page.locator('.graph-box g.state[data-name="NewMap"]').waitFor();
  await t.checkNames(page);
  await t.shot(page, "03-editor-palette", "The editor after inserting a Map state from the palette: the new state selected in the text, drawn in the graph");
  await page.locator(".cm-content").press("Control+z");
  await page.locator('.graph-box g.state[data-name="NewMap"]').waitFor({ state: "detached" });
  // Unsaved changes are not lost silently: leaving asks, and the draft survives a reload.
  await clickLine(page, '"Seconds": 10');
  await page.keyboard.press("End");
  await page.keyboard.type(" ");
  await page.locator("nav.crumbs a", { hasText: "State machines" }).click();
  await page.getByRole("dialog", { name: "Leave with unsaved changes?" }).getByRole("button", { name: "Cancel" }).click();
  assert(page.url().endsWith("#/new"), `left the editor without asking: ${page.url()}`);
  t.allowBeforeUnload = true;
  await page.reload();
  t.allowBeforeUnload = false;
  assert(t.beforeUnloadSeen, "reloading with unsaved changes did not ask");
  await page.locator(".toast", { hasText: "Restored your unsaved draft" }).waitFor();
  await page.locator("#machine-name").fill("document-validation");
  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForURL(/#\/machine\//);
  await page.locator(".graph-box g.state").first().waitFor();
  await page.locator(".cm-content").waitFor();
  await t.shot(page, "04-machine", "The state machine page: graph, highlighted definition, executions");
  await t.checkViolations(page);
  const arn = decodeURIComponent(page.url().split("#/machine/")[1]);
  await page.context().close();
  return arn;
}

/** Starts an execution from the machine page with `input`; returns on its execution page. */
async function startFromPage(page, input, expectedRemembered) {
  await page.getByRole("button", { name: "Start execution" }).click();
  const box = page.locator("#execution-input");
  if (expectedRemembered !== undefined) {
    assert((await box.inputValue()) === expectedRemembered, "the last input was not remembered");
  }
  await box.fill(input);
  await page.getByRole("dialog").getByRole("button", { name: "Start" }).click();
  await page.waitForURL(/#\/execution\//);
}

export async function runs(t, f, machineArn) {
  const page = await t.page();
  const targets = [];
  page.on("request", (request) => {
    const target = request.headers()["x-amz-target"];
    if (target) targets.push(target.split(".")[1]);
  });
  await page.goto(`${t.base}/${link("machine", machineArn)}`);
  await startFromPage(page, f.valid);
  await page.locator('.graph-box g.state.status-running[data-name="Pause"]').waitFor({ timeout: 10000 });
  await page.locator('.graph-box g.state.status-not-reached[data-name="IsValid"]').waitFor();
  await t.shot(page, "05-execution-running", "A running execution: the Wait state marked running, the rest not reached (live)");
  const whileRunning = targets.length;
  await page.locator(".banner.status-succeeded").waitFor({ timeout: 30000 });
  await page.locator('.graph-box g.state.status-succeeded[data-name="DocumentAccepted"]').waitFor();
  await page.locator('.graph-box g.state.status-not-reached[data-name="DocumentRejected"]').waitFor();
  const polled = targets.slice(whileRunning).filter((action) => action !== "DescribeExecution");
  assert(polled.length === 0, `the page called the API while waiting: ${polled.join(", ")}`);
  assert(targets.filter((a) => a === "GetExecutionHistory").length === 1, `history read more than once: ${targets.join(", ")}`);
  await t.shot(page, "06-execution-succeeded", "The valid document's execution, succeeded: the path through DocumentAccepted");
  await page.locator("nav.crumbs a").nth(1).click();
  await startFromPage(page, f.invalid, f.valid);
  await page.locator('.graph-box g.state.status-running[data-name="Pause"]').waitFor({ timeout: 10000 });
  await page.locator(".banner.status-failed").waitFor({ timeout: 30000 });
  await page.locator(".banner", { hasText: "Documento Inválido" }).waitFor();
  await page.locator('.graph-box g.state.status-failed[data-name="DocumentRejected"]').waitFor();
  await t.shot(page, "07-execution-failed", "The invalid document's execution, failed with Documento Inválido and its cause in the banner");
  // A state's input and output after each data-flow step.
  await page.locator('.graph-box g.state[data-name="ValidateDocument"]').click();
  const panel = page.locator("#state-panel");
  for (const step of ["State input", "Effective input", "Task result", "After ResultPath", "State output"]) {
    await panel.getByText(step).first().waitFor();
  }
  await panel.getByText("la letra del DNI no corresponde").first().waitFor();
  await t.shot(page, "08-state-data-flow", "ValidateDocument selected: its input and output after each data-flow step, recorded or computed");
  // Keyboard: a state is reachable and opens with Enter.
  await page.locator('.graph-box g.state[data-name="IsValid"]').focus();
  await page.keyboard.press("Enter");
  await panel.getByRole("heading", { name: /IsValid/ }).waitFor();
  // The event table: search, expand.
  await page.getByRole("searchbox", { name: "Search events" }).fill("lambdafunction");
  await page.locator(".vt-row", { hasText: "LambdaFunctionSucceeded" }).click();
  await page.locator(".event-detail", { hasText: "lambdaFunctionSucceededEventDetails" }).waitFor();
  await t.checkNames(page);
  await t.shot(page, "09-event-table", "The event table searched for Lambda events, one expanded");
  await page.getByRole("tab", { name: "Timeline" }).click();
  assert(await page.locator("svg.timeline .bar").count() === 4, "the timeline has not one bar per state run");
  await t.shot(page, "10-timeline", "The timeline: one bar per state run on the execution's lane");
  // Download the history as JSON.
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download history" }).click()]);
  const saved = JSON.parse(await streamText(await download.createReadStream()));
  assert(saved.events.length > 5 && saved.events[0].type === "ExecutionStarted", "the downloaded history is wrong");
  await t.checkViolations(page);
  await page.context().close();
}

async function streamText(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

export async function stopLong(t, f) {
  const machine = await t.createMachine("long-wait", f.longWait);
  const page = await t.page();
  await page.goto(`${t.base}/${link("machine", machine)}`);
  await startFromPage(page, "{}");
  await page.locator('.graph-box g.state.status-running[data-name="Hold"]').waitFor({ timeout: 5000 });
  await page.getByRole("button", { name: "Stop", exact: true }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Stop" }).click();
  await page.locator(".banner.status-aborted").waitFor({ timeout: 10000 });
  await t.shot(page, "11-execution-stopped", "A long Wait stopped from the console: ABORTED, seen through the event stream");
  // Start again with the same input: a new execution of the same machine.
  const before = page.url();
  await page.getByRole("button", { name: "Start again" }).click();
  await page.waitForURL((url) => url.toString() !== before && url.toString().includes("#/execution/"));
  await page.locator(".banner.status-running").waitFor();
  // Stopped once it waits (its events stored), as a person would after seeing it run.
  await page.locator('.graph-box g.state.status-running[data-name="Hold"]').waitFor({ timeout: 10000 });
  const again = decodeURIComponent(page.url().split("#/execution/")[1]);
  await t.api("StopExecution", { executionArn: again });
  await page.locator(".banner.status-aborted").waitFor({ timeout: 10000 });
  await t.checkViolations(page);
  await page.context().close();
}
