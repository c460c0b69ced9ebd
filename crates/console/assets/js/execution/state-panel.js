// The panel of one state in an execution: each run of it (one per Map iteration or loop), and
// for the chosen run its data flow step by step, its variables, its error and every attempt.

import { h, replace } from "../dom.js";
import { duration, prettyJson } from "../format.js";
import { History } from "./history.js";
import { dataFlow } from "./dataflow.js";

/** The definition of state `name`, searched through branches and item processors. */
export function findState(scope, name, depth = 0) {
  if (!scope || depth > 16) return null;
  const states = scope.States || {};
  if (states[name]) return states[name];
  for (const state of Object.values(states)) {
    for (const inner of (state && state.Branches) || []) {
      const found = findState(inner, name, depth + 1);
      if (found) return found;
    }
    const processor = state && (state.ItemProcessor || state.Iterator);
    const found = processor && findState(processor, name, depth + 1);
    if (found) return found;
  }
  return null;
}

export function stateDetails(panel, definition, history, name, chosen = null) {
  const runs = history.runsOf(name);
  const state = findState(definition, name) || {};
  if (!runs.length) {
    replace(panel, h("h2", {}, name), h("p", { class: "muted" }, "Not reached."));
    return;
  }
  const index = chosen ?? panel.runIndex?.[name] ?? runs.length - 1;
  panel.runIndex = { ...(panel.runIndex || {}), [name]: index };
  const run = runs[Math.min(index, runs.length - 1)];
  const status = history.runStatus(run);
  const picker = runs.length > 1
    ? h("label", {}, "Run ", h("select", {
      "aria-label": "Run of this state",
      onchange: (e) => stateDetails(panel, definition, history, name, Number(e.target.value)),
    }, runs.map((r, i) => h("option", { value: i, selected: i === index }, `${i + 1} of ${runs.length} · ${history.threads.get(r.thread)?.label || ""}`))))
    : null;
  const from = History.time(run.entered);
  const to = run.exited ? History.time(run.exited) : null;
  replace(panel,
    h("h2", {}, name, " ", h("span", { class: `badge status-${status}` }, status)),
    h("p", { class: "muted" }, `${run.type} · ${history.threads.get(run.thread)?.label || ""} · ${to ? duration(to - from) : "in progress"}`),
    picker,
    h("h3", {}, "Data flow"),
    h("ol", { class: "dataflow" }, dataFlow(state, run).map((step) => h("li", {},
      h("div", { class: "step-head" }, h("strong", {}, step.step), " ", h("span", { class: `source source-${step.source}` },
        step.source === "engine" ? "computed by the engine only" : step.source)),
      step.value === undefined ? null : h("pre", { class: "json" }, prettyJson(step.value))))),
    run.variables ? [h("h3", {}, "Variables assigned"), h("pre", { class: "json" },
      prettyJson(Object.fromEntries(Object.entries(run.variables).map(([k, v]) => [k, JSON.parse(v)]))))] : null,
    attempts(run));
}

function attempts(run) {
  if (!run.attempts.length) return null;
  return [h("h3", {}, run.attempts.length > 1 ? `Attempts (${run.attempts.length - 1} retries)` : "Attempt"),
    h("table", { class: "list attempts" },
      h("thead", {}, h("tr", {}, ["#", "Started", "Took", "Back-off before", "Result"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, run.attempts.map((attempt, i) => {
        const start = History.time(attempt.start);
        const end = attempt.end ? History.time(attempt.end) : null;
        const previous = run.attempts[i - 1];
        const backoff = previous && previous.end ? start - History.time(previous.end) : null;
        return h("tr", {},
          h("td", {}, String(i + 1)),
          h("td", {}, new Date(start).toISOString().slice(11, 23)),
          h("td", {}, end ? duration(end - start) : "running"),
          h("td", {}, backoff === null ? "—" : duration(backoff)),
          h("td", {}, attempt.failed ? [h("strong", {}, attempt.error || "failed"), attempt.cause ? h("pre", { class: "json small" }, prettyJson(attempt.cause)) : null] : end ? "succeeded" : "—"));
      })))];
}
