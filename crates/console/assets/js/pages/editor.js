// The editor: CodeMirror beside a graph that redraws as you type. The validator's diagnostics
// (ValidateStateMachineDefinition) sit on their line and on their state; clicking a state selects
// its JSON and moving in the JSON selects its state; a palette inserts any of the eight types.
// Save creates or updates the state machine. Unsaved text is kept as a draft in localStorage and
// leaving the page with unsaved changes asks first: nothing is lost silently.

import { call, CONSOLE_ROLE } from "../api.js";
import { h, replace, toast, dialog } from "../dom.js";
import { GraphView } from "../graph/render.js";
import { STATE_TYPES } from "../graph/model.js";
import { createEditor, setText, selectRange, showDiagnostics } from "../editor/code.js";
import { locate, pointerAt, pointerOfNode, stateOfPointer } from "../editor/json-locate.js";
import { insertState } from "../editor/palette.js";
import { machineLink, go } from "../router.js";
import { graphZoom } from "./machine.js";

const STARTER = {
  Comment: "A new state machine",
  StartAt: "Hello",
  States: { Hello: { Type: "Pass", Result: { hello: "world" }, End: true } },
};

const draftKey = (arn) => `fluxo.draft.${arn || "new"}`;

export async function mount(main, arn) {
  const machine = arn ? await call("DescribeStateMachine", { stateMachineArn: arn }) : null;
  const saved = machine ? JSON.stringify(JSON.parse(machine.definition), null, 2) : JSON.stringify(STARTER, null, 2);
  const draft = localStorage.getItem(draftKey(arn));
  let clean = saved;
  const name = h("input", { type: "text", id: "machine-name", value: machine ? machine.name : "", required: true, "aria-label": "State machine name", disabled: Boolean(machine) });
  const type = h("select", { id: "machine-type", "aria-label": "Type", disabled: Boolean(machine) },
    ["STANDARD", "EXPRESS"].map((t) => h("option", { value: t, selected: machine && machine.type === t }, t)));
  const status = h("span", { class: "editor-status", role: "status", "aria-live": "polite" });
  const problems = h("ul", { class: "problems", "aria-label": "Problems" });
  const codeBox = h("div", { class: "code-box editor-code" });
  const graphBox = h("div", { class: "graph-box" });
  const palette = h("div", { class: "palette", role: "toolbar", "aria-label": "Insert a state" },
    h("span", { class: "muted" }, "Insert:"),
    STATE_TYPES.map((t) => h("button", { class: "secondary small", onclick: () => insert(t), "aria-label": `Insert a ${t} state` }, t)));
  const saveButton = h("button", { class: "primary", onclick: () => save() }, "Save");
  replace(main,
    h("nav", { class: "crumbs", "aria-label": "Breadcrumbs" }, h("a", { href: "#/" }, "State machines"), " / ",
      machine ? h("a", { href: machineLink(arn) }, machine.name) : "New", " / Edit"),
    h("div", { class: "page-head" },
      h("h1", {}, machine ? `Edit ${machine.name}` : "New state machine"),
      h("div", { class: "actions" },
        h("label", { for: "machine-name" }, "Name"), name, h("label", { for: "machine-type" }, "Type"), type,
        h("button", { class: "secondary", onclick: () => format() }, "Format"), saveButton)),
    palette,
    h("div", { class: "split editor-split" },
      h("section", { class: "panel", "aria-label": "Definition editor" }, codeBox, status, problems),
      h("section", { class: "panel", "aria-label": "Graph preview" }, graphZoom(graphBox), graphBox)));

  const graph = new GraphView(graphBox, {
    onSelect: (node) => {
      const text = view.state.doc.toString();
      const range = locate(text, pointerOfNode(lastGood, node.id));
      if (range) selectRange(view, range.keyFrom, range.to);
    },
  });
  graphBox.graph = graph;
  let lastGood = null;
  let timer = null;
  let validation = 0;

  const view = createEditor(codeBox, draft ?? saved, {
    onChange: (text) => {
      if (text === clean) localStorage.removeItem(draftKey(arn));
      else localStorage.setItem(draftKey(arn), text);
      clearTimeout(timer);
      timer = setTimeout(() => refresh(text), 250);
    },
    onCursor: (offset) => {
      const state = stateOfPointer(pointerAt(view.state.doc.toString(), offset));
      if (state) graph.select(state, { scroll: true });
    },
  });
  if (draft !== null && draft !== saved) toast("Restored your unsaved draft");

  async function refresh(text) {
    const round = ++validation;
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      const at = Number((error.message.match(/position (\d+)/) || [])[1] ?? text.length);
      showDiagnostics(view, [{ from: Math.min(at, text.length), to: Math.min(at + 1, text.length), severity: "error", message: error.message }]);
      replace(status, "Not valid JSON: the graph shows the last valid version");
      replace(problems, h("li", { class: "error" }, error.message));
      return;
    }
    lastGood = parsed;
    graph.draw(parsed, { keepCollapsed: graph.definition !== undefined });
    let answer;
    try {
      answer = await call("ValidateStateMachineDefinition", { definition: text });
    } catch (error) {
      replace(status, `Not validated: ${error.message}`);
      return;
    }
    if (round !== validation) return;
    const diagnostics = answer.diagnostics || [];
    showDiagnostics(view, diagnostics.map((d) => {
      const range = locate(text, d.location) || { from: 0, to: Math.min(1, text.length) };
      return { from: range.keyFrom ?? range.from, to: range.to, severity: d.severity === "WARNING" ? "warning" : "error", message: `${d.code}: ${d.message}` };
    }));
    const names = new Set(diagnostics.map((d) => stateOfPointer(d.location)).filter(Boolean));
    setTimeout(() => graph.setProblems(names), 0);
    replace(status, answer.result === "OK" ? "Valid" : `${diagnostics.length} problem(s)`);
    status.className = `editor-status ${answer.result === "OK" ? "ok" : "bad"}`;
    replace(problems, diagnostics.map((d) => h("li", { class: d.severity.toLowerCase() },
      h("button", { class: "link", onclick: () => { const r = locate(view.state.doc.toString(), d.location); if (r) selectRange(view, r.keyFrom, r.to); } },
        `${d.location || "/"}`), ` ${d.code}: ${d.message}`)));
  }

  function format() {
    try {
      setText(view, JSON.stringify(JSON.parse(view.state.doc.toString()), null, 2));
    } catch (error) {
      toast(`Cannot format: ${error.message}`, "error");
    }
  }

  function insert(stateType) {
    let parsed;
    try {
      parsed = JSON.parse(view.state.doc.toString());
    } catch {
      toast("Fix the JSON before inserting a state", "error");
      return;
    }
    const inserted = insertState(parsed, stateType);
    const text = JSON.stringify(parsed, null, 2);
    setText(view, text);
    const range = locate(text, `/States/${inserted.replace(/~/g, "~0").replace(/\//g, "~1")}`);
    if (range) selectRange(view, range.keyFrom, range.to);
    view.focus();
  }

  async function save() {
    const definition = view.state.doc.toString();
    try {
      if (machine) {
        await call("UpdateStateMachine", { stateMachineArn: arn, definition });
        toast(`Saved ${machine.name}`);
      } else {
        if (!name.value.trim()) throw new Error("Give the state machine a name");
        const created = await call("CreateStateMachine", { name: name.value.trim(), definition, roleArn: CONSOLE_ROLE, type: type.value });
        clean = definition;
        localStorage.removeItem(draftKey(arn));
        toast(`Created ${name.value.trim()}`);
        go(machineLink(created.stateMachineArn));
        return;
      }
      clean = definition;
      localStorage.removeItem(draftKey(arn));
    } catch (error) {
      toast(`Not saved: ${error.message}`, "error");
    }
  }

  refresh(view.state.doc.toString());
  const dirty = () => view.state.doc.toString() !== clean;
  return {
    dirty,
    canLeave: async () => !dirty() || Boolean(await dialog("Leave with unsaved changes?",
      h("p", {}, "Your draft is kept in this browser and comes back when you open the editor again."), { submitLabel: "Leave" })),
    unmount: () => view.destroy(),
  };
}
