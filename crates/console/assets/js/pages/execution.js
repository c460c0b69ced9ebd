// One execution: a status banner, the graph coloured by what happened (live, from the event
// stream), a state's data flow, variables, error and retries, the event table, the timeline and
// the Map iterations; actions stop, redrive (AWS's RedriveExecution), restart from a chosen
// state with an edited input (Fluxo's extension), start again with the same input, download the
// history.

import { call, callAll, restart } from "../api.js";
import { h, replace, toast, dialog } from "../dom.js";
import { date, duration, prettyJson, arnName } from "../format.js";
import { GraphView } from "../graph/render.js";
import { History } from "../execution/history.js";
import { EventTable } from "../execution/table.js";
import { Timeline } from "../execution/timeline.js";
import { follow } from "../execution/stream.js";
import { stateDetails } from "../execution/state-panel.js";
import { iterationList } from "../execution/iterations.js";
import { machineLink, executionLink, go } from "../router.js";
import { badge } from "./machines.js";
import { graphZoom } from "./machine.js";

export async function mount(main, arn) {
  const [execution, machine] = await Promise.all([
    call("DescribeExecution", { executionArn: arn }),
    call("DescribeStateMachineForExecution", { executionArn: arn }),
  ]);
  const definition = JSON.parse(machine.definition);
  const history = new History();
  const banner = h("section", { class: "banner", "aria-live": "polite", "aria-label": "Execution status" });
  const graphBox = h("div", { class: "graph-box" });
  const panel = h("section", { class: "panel state-panel", "aria-label": "Selected state", id: "state-panel" },
    h("p", { class: "muted" }, "Select a state in the graph to see its input, output and retries."));
  const table = h("div", { class: "tab-panel", id: "tab-events", role: "tabpanel", "aria-labelledby": "tab-events-button" });
  const timeline = h("div", { class: "tab-panel", id: "tab-timeline", role: "tabpanel", "aria-labelledby": "tab-timeline-button", hidden: true });
  const iterations = h("div", { class: "tab-panel", id: "tab-iterations", role: "tabpanel", "aria-labelledby": "tab-iterations-button", hidden: true });
  const tabs = tabBar([["events", "Events", table], ["timeline", "Timeline", timeline], ["iterations", "Map iterations", iterations]], () => paintTabs());
  let selected = null;
  let state = execution;

  replace(main,
    h("nav", { class: "crumbs", "aria-label": "Breadcrumbs" }, h("a", { href: "#/" }, "State machines"), " / ",
      h("a", { href: machineLink(execution.stateMachineArn) }, arnName(execution.stateMachineArn)), " / ", execution.name),
    h("div", { class: "page-head" },
      h("h1", {}, execution.name),
      h("div", { class: "actions" },
        h("button", { class: "secondary", id: "stop", onclick: () => stop() }, "Stop"),
        h("button", { class: "secondary", id: "redrive", onclick: () => redrive() }, "Redrive"),
        h("button", { class: "secondary", id: "restart", onclick: () => restartFrom() }, "Restart from state…"),
        h("button", { class: "secondary", onclick: () => again() }, "Start again"),
        h("button", { class: "secondary", onclick: () => download() }, "Download history"))),
    banner,
    h("div", { class: "split" },
      h("section", { class: "panel", "aria-label": "Graph" }, h("h2", {}, "Graph"), graphZoom(graphBox), legend(), graphBox),
      panel),
    h("section", { class: "panel" }, tabs, table, timeline, iterations));

  const graph = new GraphView(graphBox, { onSelect: (node) => select(node.name) });
  graphBox.graph = graph;
  const events = new EventTable(table);
  const lanes = new Timeline(timeline);
  await graph.draw(definition);

  function select(name, run = null) {
    selected = name;
    graph.select(name, { scroll: run !== null });
    stateDetails(panel, definition, history, name, run);
  }

  function paint() {
    paintBanner(banner, state);
    main.querySelector("#stop").disabled = state.status !== "RUNNING";
    const closedUnsuccessfully = ["FAILED", "ABORTED", "TIMED_OUT"].includes(state.status);
    main.querySelector("#redrive").disabled = !(closedUnsuccessfully && state.redriveStatus === "REDRIVABLE");
    main.querySelector("#restart").disabled = !(closedUnsuccessfully && state.redriveStatus === "REDRIVABLE");
    graph.setStatuses(history.statuses());
    if (selected) stateDetails(panel, definition, history, selected);
    paintTabs();
  }

  function paintTabs() {
    if (!timeline.hidden) lanes.draw(history, Date.now());
    if (!iterations.hidden) iterationList(iterations, history, select);
  }

  const loaded = await callAll("GetExecutionHistory", { executionArn: arn }, "events", 100000);
  history.add(loaded);
  events.add(loaded);
  paint();

  let close = () => {};
  function live() {
    close();
    const all = history.events;
    const last = all.length ? Math.max(...all.map((event) => event.id)) : 0;
    close = follow(arn, last, {
      onEvents: (batch) => {
        history.add(batch);
        events.add(batch);
        paint();
      },
      onEnd: async () => {
        state = await call("DescribeExecution", { executionArn: arn });
        paint();
      },
      onError: (message) => toast(`Live updates stopped: ${message}`, "error"),
    });
  }
  if (execution.status === "RUNNING") live();

  // After a redrive or a restart the execution runs again under the same ARN: follow it.
  async function reopened() {
    state = await call("DescribeExecution", { executionArn: arn });
    paint();
    live();
  }

  async function redrive() {
    try {
      await call("RedriveExecution", { executionArn: arn });
      await reopened();
    } catch (error) {
      toast(error.message, "error");
    }
  }

  async function restartFrom() {
    const names = Object.keys(definition.States || {});
    // The top-level state entered last: where it failed, the likeliest place to restart.
    const entered = history.events
      .filter((event) => event.type.endsWith("StateEntered") && names.includes(event.stateEnteredEventDetails?.name))
      .pop();
    const failedState = entered ? entered.stateEnteredEventDetails.name : null;
    const select = h("select", { id: "restart-state", "aria-label": "State" },
      ...names.map((name) => h("option", { value: name, selected: name === failedState }, name)));
    const input = h("textarea", { id: "restart-input", rows: 8, "aria-label": "Input", spellcheck: "false" }, prettyJson(state.input));
    const body = h("div", {},
      h("p", {}, "Fluxo's extension: the execution runs again from this state with this input, under the same ARN; its history records the restart."),
      h("label", {}, "State ", select),
      h("label", {}, "Input", input));
    const done = await dialog("Restart from a state", body, {
      submitLabel: "Restart",
      onSubmit: async () => {
        JSON.parse(input.value);
        return restart(arn, select.value, input.value);
      },
    });
    if (done) await reopened();
  }

  async function stop() {
    if (!(await dialog("Stop this execution?", h("p", {}, "It ends as ABORTED; a state in progress is not finished."), { submitLabel: "Stop" }))) return;
    try {
      await call("StopExecution", { executionArn: arn });
    } catch (error) {
      toast(error.message, "error");
    }
  }

  async function again() {
    try {
      const started = await call("StartExecution", { stateMachineArn: execution.stateMachineArn, input: execution.input });
      go(executionLink(started.executionArn));
    } catch (error) {
      toast(error.message, "error");
    }
  }

  function download() {
    const { events: all } = history;
    const body = JSON.stringify({ events: all.map(({ thread, searchText, ...wire }) => wire) }, null, 2);
    const link = h("a", { href: URL.createObjectURL(new Blob([body], { type: "application/json" })), download: `${execution.name}-history.json` });
    document.body.appendChild(link);
    link.click();
    setTimeout(() => { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
  }

  return { unmount: () => close() };
}

function paintBanner(banner, execution) {
  const stopped = execution.stopDate ?? null;
  const elapsed = (stopped ?? Date.now() / 1000) - execution.startDate;
  const status = execution.status.toLowerCase().replace("_", "-");
  banner.className = `banner status-${status}`;
  replace(banner,
    h("div", { class: "banner-row" },
      badge(execution.status),
      h("dl", { class: "facts" },
        h("dt", {}, "Started"), h("dd", {}, date(execution.startDate)),
        h("dt", {}, "Stopped"), h("dd", {}, date(stopped)),
        h("dt", {}, "Duration"), h("dd", {}, duration(elapsed * 1000)))),
    execution.error ? h("p", { class: "banner-error" }, h("strong", {}, "Error: "), execution.error) : null,
    execution.cause ? h("details", { open: true }, h("summary", {}, "Cause"), h("pre", { class: "json" }, prettyJson(execution.cause))) : null,
    h("div", { class: "io" },
      h("details", {}, h("summary", {}, "Input"), h("pre", { class: "json" }, prettyJson(execution.input))),
      execution.output !== undefined ? h("details", {}, h("summary", {}, "Output"), h("pre", { class: "json" }, prettyJson(execution.output))) : null));
}

function legend() {
  return h("ul", { class: "legend", "aria-label": "Legend" },
    ["not-reached", "running", "succeeded", "failed", "caught", "retried", "aborted"].map((s) => h("li", { class: `status-${s}` }, s.replace("-", " "))));
}

/** An accessible tab bar: arrow keys move between tabs. */
function tabBar(tabs, onChange) {
  const buttons = tabs.map(([id, label, panel], i) => h("button", {
    role: "tab", id: `tab-${id}-button`, "aria-controls": `tab-${id}`, "aria-selected": i === 0 ? "true" : "false",
    tabindex: i === 0 ? "0" : "-1", class: "tab",
    onclick: () => show(i),
    onkeydown: (event) => {
      if (event.key === "ArrowRight") show((i + 1) % tabs.length, true);
      if (event.key === "ArrowLeft") show((i + tabs.length - 1) % tabs.length, true);
    },
  }, label));
  function show(index, focus = false) {
    tabs.forEach(([, , panel], i) => {
      panel.hidden = i !== index;
      buttons[i].setAttribute("aria-selected", i === index ? "true" : "false");
      buttons[i].tabIndex = i === index ? 0 : -1;
    });
    if (focus) buttons[index].focus();
    onChange();
  }
  return h("div", { role: "tablist", class: "tabs", "aria-label": "Execution details" }, buttons);
}
