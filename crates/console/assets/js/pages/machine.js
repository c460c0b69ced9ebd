// One state machine: its graph, its definition (formatted, highlighted), its executions
// (filter by status, search by name, paging) and the actions: start, edit, delete.

import { call } from "../api.js";
import { h, replace, toast, dialog } from "../dom.js";
import { date, prettyJson } from "../format.js";
import { GraphView } from "../graph/render.js";
import { createViewer } from "../editor/code.js";
import { executionLink, editLink, go } from "../router.js";
import { badge } from "./machines.js";
import { startExecution } from "./start.js";

const PAGE = 25;

export async function mount(main, arn) {
  const machine = await call("DescribeStateMachine", { stateMachineArn: arn });
  const definition = JSON.parse(machine.definition);
  const graphBox = h("div", { class: "graph-box", "aria-label": "Graph" });
  const codeBox = h("div", { class: "code-box" });
  const executions = h("section", { class: "executions", "aria-labelledby": "executions-title" });
  const remove = async () => {
    if (!(await dialog(`Delete ${machine.name}?`, h("p", {}, "This cannot be undone."), { submitLabel: "Delete" }))) return;
    await call("DeleteStateMachine", { stateMachineArn: arn });
    toast(`Deleted ${machine.name}`);
    go("#/");
  };
  replace(main,
    h("nav", { class: "crumbs", "aria-label": "Breadcrumbs" }, h("a", { href: "#/" }, "State machines"), " / ", machine.name),
    h("div", { class: "page-head" },
      h("div", {}, h("h1", {}, machine.name), h("p", { class: "muted arn" }, `${machine.type} · created ${date(machine.creationDate)} · `, h("code", {}, arn))),
      h("div", { class: "actions" },
        h("button", { class: "primary", onclick: () => startExecution(machine) }, "Start execution"),
        h("a", { class: "button secondary", href: editLink(arn) }, "Edit"),
        h("button", { class: "secondary", onclick: remove }, "Delete"))),
    h("div", { class: "split" },
      h("section", { "aria-label": "Graph", class: "panel" }, h("h2", {}, "Graph"), graphZoom(graphBox), graphBox),
      h("section", { "aria-label": "Definition", class: "panel" }, h("h2", {}, "Definition"), codeBox)),
    executions);
  const graph = new GraphView(graphBox, { onSelect: () => {} });
  graphBox.graph = graph;
  graph.draw(definition);
  createViewer(codeBox, prettyJson(machine.definition));
  if (machine.type === "EXPRESS") {
    replace(executions, h("h2", { id: "executions-title" }, "Executions"),
      h("p", { class: "muted" }, "Express executions run in memory and are not recorded: start one to see its result."));
  } else {
    executionList(executions, arn);
  }
}

/** Zoom buttons for a graph box (its GraphView is set on it as `graph`). */
export function graphZoom(box) {
  return h("div", { class: "zoom", role: "group", "aria-label": "Zoom" },
    h("button", { class: "secondary small", "aria-label": "Zoom in", onclick: () => box.graph.zoom(1.25) }, "+"),
    h("button", { class: "secondary small", "aria-label": "Zoom out", onclick: () => box.graph.zoom(0.8) }, "−"));
}

function executionList(section, arn) {
  const status = h("select", { "aria-label": "Filter by status" },
    ["", "RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"].map((s) => h("option", { value: s }, s || "All statuses")));
  const search = h("input", { type: "search", placeholder: "Search by name", "aria-label": "Search executions" });
  const body = h("tbody");
  const pager = h("div", { class: "pager" });
  let tokens = [undefined];
  let page = 0;
  let items = [];
  const paint = () => {
    const query = search.value.trim().toLowerCase();
    const shown = items.filter((e) => e.name.toLowerCase().includes(query));
    replace(body, shown.length ? shown.map((e) => h("tr", {},
      h("th", { scope: "row" }, h("a", { href: executionLink(e.executionArn) }, e.name)),
      h("td", {}, badge(e.status)), h("td", {}, date(e.startDate)), h("td", {}, date(e.stopDate))))
      : h("tr", {}, h("td", { colspan: 4, class: "muted" }, "No executions.")));
  };
  const load = async () => {
    const request = { stateMachineArn: arn, maxResults: PAGE, nextToken: tokens[page] };
    if (status.value) request.statusFilter = status.value;
    try {
      const answer = await call("ListExecutions", request);
      items = answer.executions;
      tokens[page + 1] = answer.nextToken;
      paint();
      replace(pager,
        h("button", { class: "secondary small", disabled: page === 0, onclick: () => { page--; load(); } }, "Previous"),
        h("span", { class: "muted" }, `Page ${page + 1}`),
        h("button", { class: "secondary small", disabled: !answer.nextToken, onclick: () => { page++; load(); } }, "Next"));
    } catch (error) {
      toast(error.message, "error");
    }
  };
  status.addEventListener("change", () => { tokens = [undefined]; page = 0; load(); });
  search.addEventListener("input", paint);
  replace(section,
    h("div", { class: "page-head" }, h("h2", { id: "executions-title" }, "Executions"),
      h("div", { class: "actions" }, status, search)),
    h("div", { class: "table-wrap" }, h("table", { class: "list" },
      h("thead", {}, h("tr", {}, ["Name", "Status", "Started", "Stopped"].map((t) => h("th", { scope: "col" }, t)))), body)),
    pager);
  load();
}
