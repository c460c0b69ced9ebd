// The list of state machines: name, type, created, last execution and its status, counts by
// status; search by name, create, delete.

import { call, callAll } from "../api.js";
import { h, replace, toast, dialog } from "../dom.js";
import { date } from "../format.js";
import { machineLink, executionLink, go } from "../router.js";

const STATUSES = ["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"];
/** Executions read per state machine for its counts (the counts say "+" past this). */
const COUNTED = 1000;

export async function mount(main) {
  const search = h("input", { type: "search", placeholder: "Search by name", "aria-label": "Search state machines" });
  const body = h("tbody");
  const table = h("table", { class: "list" },
    h("caption", { class: "visually-hidden" }, "State machines"),
    h("thead", {}, h("tr", {}, ["Name", "Type", "Created", "Last execution", "Executions", ""].map((t) => h("th", { scope: "col" }, t)))),
    body);
  replace(main,
    h("div", { class: "page-head" },
      h("h1", {}, "State machines"),
      h("div", { class: "actions" }, search, h("a", { class: "button primary", href: "#/new" }, "Create state machine"))),
    h("div", { class: "table-wrap" }, table));
  const machines = await callAll("ListStateMachines", {}, "stateMachines");
  const rows = machines.map((machine) => row(machine, () => refresh()));
  const refresh = () => go("#/", true);
  const filter = () => {
    const query = search.value.trim().toLowerCase();
    replace(body, rows.filter((r) => r.name.toLowerCase().includes(query)).map((r) => r.element));
    if (!body.children.length) body.append(h("tr", {}, h("td", { colspan: 6, class: "muted" }, machines.length ? "No state machine matches." : "No state machines yet: create one.")));
  };
  search.addEventListener("input", filter);
  filter();
  await Promise.all(rows.map((r) => r.load()));
}

function row(machine, refresh) {
  const last = h("td", { class: "muted" }, "…");
  const counts = h("td", { class: "counts" }, "…");
  const remove = async () => {
    const confirmed = await dialog(`Delete ${machine.name}?`, h("p", {}, "Its executions stay readable until they are purged; the definition is gone."), { submitLabel: "Delete" });
    if (!confirmed) return;
    try {
      await call("DeleteStateMachine", { stateMachineArn: machine.stateMachineArn });
      toast(`Deleted ${machine.name}`);
      refresh();
    } catch (error) {
      toast(error.message, "error");
    }
  };
  const element = h("tr", {},
    h("th", { scope: "row" }, h("a", { href: machineLink(machine.stateMachineArn) }, machine.name)),
    h("td", {}, machine.type),
    h("td", {}, date(machine.creationDate)),
    last, counts,
    h("td", {}, h("button", { class: "secondary small", onclick: remove, "aria-label": `Delete ${machine.name}` }, "Delete")));
  const load = async () => {
    if (machine.type === "EXPRESS") {
      replace(last, "Express: not recorded");
      replace(counts, "—");
      return;
    }
    try {
      const executions = await callAll("ListExecutions", { stateMachineArn: machine.stateMachineArn }, "executions", COUNTED);
      const newest = executions[0];
      replace(last, newest
        ? [h("a", { href: executionLink(newest.executionArn) }, date(newest.startDate)), " ", badge(newest.status)]
        : "never");
      const tally = STATUSES.map((status) => [status, executions.filter((e) => e.status === status).length]).filter(([, n]) => n);
      const more = executions.length >= COUNTED ? "+" : "";
      replace(counts, tally.length ? tally.map(([status, n]) => h("span", { class: `count status-${status.toLowerCase()}`, title: status }, `${status.toLowerCase().replace("_", " ")} ${n}${more}`)) : "0");
    } catch (error) {
      replace(last, error.message);
    }
  };
  return { name: machine.name, element, load };
}

/** A status as a coloured badge. */
export function badge(status) {
  return h("span", { class: `badge status-${String(status).toLowerCase().replace("_", "-")}` }, status);
}
