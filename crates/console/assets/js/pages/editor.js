// The editor: CodeMirror beside a graph that redraws as you type. The validator's diagnostics
// sit on their line and on their state (editor/diagnostics.js); clicking a state selects its JSON
// and moving in the JSON selects its state; a palette inserts any of the eight types. Save
// creates or updates the state machine. Unsaved text is kept as a draft in localStorage and
// leaving the page with unsaved changes asks first: nothing is lost silently.

import { call, CONSOLE_ROLE } from "../api.js";
import { h, replace, toast, dialog } from "../dom.js";
import { GraphView } from "../graph/render.js";
import { STATE_TYPES } from "../graph/model.js";
import { createEditor, setText, selectRange } from "../editor/code.js";
import { locate, pointerAt, pointerOfNode, stateOfPointer } from "../editor/json-locate.js";
import { insertState } from "../editor/palette.js";
import { showSyntaxError, validate } from "../editor/diagnostics.js";
import { machineLink, go } from "../router.js";
import { graphZoom } from "./machine.js";

const STARTER = {
  Comment: "A new state machine",
  StartAt: "Hello",
  States: { Hello: { Type: "Pass", Result: { hello: "world" }, End: true } },
};

const draftKey = (arn) => `fluxo.draft.${arn || "new"}`;

/** Milliseconds of quiet typing before the graph redraws and the validator is asked. */
const SETTLE_MS = 250;

export async function mount(main, arn) {
  const machine = arn ? await call("DescribeStateMachine", { stateMachineArn: arn }) : null;
  const page = new EditorPage(main, arn, machine);
  return {
    dirty: () => page.dirty(),
    canLeave: async () => !page.dirty() || Boolean(await dialog("Leave with unsaved changes?",
      h("p", {}, "Your draft is kept in this browser and comes back when you open the editor again."), { submitLabel: "Leave" })),
    unmount: () => page.view.destroy(),
  };
}

class EditorPage {
  constructor(main, arn, machine) {
    this.arn = arn;
    this.machine = machine;
    this.clean = machine ? JSON.stringify(JSON.parse(machine.definition), null, 2) : JSON.stringify(STARTER, null, 2);
    this.lastGood = null;
    this.round = 0;
    this.layout(main);
    this.graph = new GraphView(this.graphBox, { onSelect: (node) => this.selectNode(node) });
    this.graphBox.graph = this.graph;
    const draft = localStorage.getItem(draftKey(arn));
    this.view = createEditor(this.codeBox, draft ?? this.clean, {
      onChange: (text) => this.changed(text),
      onCursor: (offset) => {
        const state = stateOfPointer(pointerAt(this.view.state.doc.toString(), offset));
        if (state) this.graph.select(state, { scroll: true });
      },
    });
    if (draft !== null && draft !== this.clean) toast("Restored your unsaved draft");
    this.refresh(this.view.state.doc.toString());
  }

  layout(main) {
    const { machine } = this;
    this.name = h("input", { type: "text", id: "machine-name", value: machine ? machine.name : "", required: true, disabled: Boolean(machine) });
    this.type = h("select", { id: "machine-type", disabled: Boolean(machine) },
      ["STANDARD", "EXPRESS"].map((t) => h("option", { value: t, selected: machine && machine.type === t }, t)));
    this.status = h("span", { class: "editor-status", role: "status", "aria-live": "polite" });
    this.problems = h("ul", { class: "problems", "aria-label": "Problems" });
    this.codeBox = h("div", { class: "code-box editor-code" });
    this.graphBox = h("div", { class: "graph-box" });
    const palette = h("div", { class: "palette", role: "toolbar", "aria-label": "Insert a state" },
      h("span", { class: "muted" }, "Insert:"),
      STATE_TYPES.map((t) => h("button", { class: "secondary small", onclick: () => this.insert(t), "aria-label": `Insert a ${t} state` }, t)));
    replace(main,
      h("nav", { class: "crumbs", "aria-label": "Breadcrumbs" }, h("a", { href: "#/" }, "State machines"), " / ",
        machine ? h("a", { href: machineLink(this.arn) }, machine.name) : "New", " / Edit"),
      h("div", { class: "page-head" },
        h("h1", {}, machine ? `Edit ${machine.name}` : "New state machine"),
        h("div", { class: "actions" },
          h("label", { for: "machine-name" }, "Name"), this.name, h("label", { for: "machine-type" }, "Type"), this.type,
          h("button", { class: "secondary", onclick: () => this.format() }, "Format"),
          h("button", { class: "primary", onclick: () => this.save() }, "Save"))),
      palette,
      h("div", { class: "split editor-split" },
        h("section", { class: "panel", "aria-label": "Definition editor" }, this.codeBox, this.status, this.problems),
        h("section", { class: "panel", "aria-label": "Graph preview" }, graphZoom(this.graphBox), this.graphBox)));
  }

  dirty() {
    return this.view.state.doc.toString() !== this.clean;
  }

  /** Keeps the draft, and redraws and validates once typing settles. */
  changed(text) {
    if (text === this.clean) localStorage.removeItem(draftKey(this.arn));
    else localStorage.setItem(draftKey(this.arn), text);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(text), SETTLE_MS);
  }

  async refresh(text) {
    const round = ++this.round;
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      showSyntaxError(this, text, error);
      return;
    }
    this.lastGood = parsed;
    await this.graph.draw(parsed, { keepCollapsed: this.graph.definition !== undefined });
    await validate(this, text, () => round === this.round);
  }

  selectNode(node) {
    if (!this.lastGood) return;
    const range = locate(this.view.state.doc.toString(), pointerOfNode(this.lastGood, node.id));
    if (range) selectRange(this.view, range.keyFrom, range.to);
  }

  format() {
    try {
      setText(this.view, JSON.stringify(JSON.parse(this.view.state.doc.toString()), null, 2));
    } catch (error) {
      toast(`Cannot format: ${error.message}`, "error");
    }
  }

  insert(stateType) {
    let parsed;
    try {
      parsed = JSON.parse(this.view.state.doc.toString());
    } catch {
      toast("Fix the JSON before inserting a state", "error");
      return;
    }
    const inserted = insertState(parsed, stateType);
    const text = JSON.stringify(parsed, null, 2);
    setText(this.view, text);
    const range = locate(text, `/States/${inserted.replace(/~/g, "~0").replace(/\//g, "~1")}`);
    if (range) selectRange(this.view, range.keyFrom, range.to);
    this.view.focus();
  }

  async save() {
    const definition = this.view.state.doc.toString();
    try {
      if (this.machine) {
        await call("UpdateStateMachine", { stateMachineArn: this.arn, definition });
        toast(`Saved ${this.machine.name}`);
      } else {
        const name = this.name.value.trim();
        if (!name) throw new Error("Give the state machine a name");
        const created = await call("CreateStateMachine", { name, definition, roleArn: CONSOLE_ROLE, type: this.type.value });
        this.markSaved(definition);
        toast(`Created ${name}`);
        go(machineLink(created.stateMachineArn));
        return;
      }
      this.markSaved(definition);
    } catch (error) {
      toast(`Not saved: ${error.message}`, "error");
    }
  }

  markSaved(definition) {
    this.clean = definition;
    localStorage.removeItem(draftKey(this.arn));
  }
}
