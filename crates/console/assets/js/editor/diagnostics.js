// The validator's verdict on the editor's text: ValidateStateMachineDefinition's diagnostics on
// their line (CodeMirror lint), on their state (the graph) and in a list under the editor; a
// JSON syntax error on its position.

import { call } from "../api.js";
import { h, replace } from "../dom.js";
import { showDiagnostics, selectRange } from "./code.js";
import { locate, stateOfPointer } from "./json-locate.js";

/** Shows a JSON syntax error of `text` (from JSON.parse) at its position. */
export function showSyntaxError({ view, status, problems }, text, error) {
  const at = Number((error.message.match(/position (\d+)/) || [])[1] ?? text.length);
  const from = Math.min(at, text.length);
  showDiagnostics(view, [{ from, to: Math.min(at + 1, text.length), severity: "error", message: error.message }]);
  status.className = "editor-status bad";
  replace(status, "Not valid JSON: the graph shows the last valid version");
  replace(problems, h("li", { class: "error" }, error.message));
}

/**
 * Validates `text` through the API and shows the diagnostics. Resolves with false when a newer
 * validation started meanwhile (`isCurrent()` says so) and the answer was dropped.
 */
export async function validate({ view, graph, status, problems }, text, isCurrent) {
  let answer;
  try {
    answer = await call("ValidateStateMachineDefinition", { definition: text });
  } catch (error) {
    replace(status, `Not validated: ${error.message}`);
    return false;
  }
  if (!isCurrent()) return false;
  const diagnostics = answer.diagnostics || [];
  showDiagnostics(view, diagnostics.map((d) => {
    const range = locate(text, d.location) || { from: 0, to: Math.min(1, text.length) };
    return { from: range.keyFrom ?? range.from, to: range.to, severity: d.severity === "WARNING" ? "warning" : "error", message: `${d.code}: ${d.message}` };
  }));
  graph.setProblems(new Set(diagnostics.map((d) => stateOfPointer(d.location)).filter(Boolean)));
  status.className = `editor-status ${answer.result === "OK" ? "ok" : "bad"}`;
  replace(status, answer.result === "OK" ? "Valid" : `${diagnostics.length} problem(s)`);
  replace(problems, diagnostics.map((d) => h("li", { class: d.severity.toLowerCase() },
    h("button", {
      class: "link",
      onclick: () => {
        const range = locate(view.state.doc.toString(), d.location);
        if (range) selectRange(view, range.keyFrom, range.to);
      },
    }, d.location || "/"),
    ` ${d.code}: ${d.message}`)));
  return true;
}
