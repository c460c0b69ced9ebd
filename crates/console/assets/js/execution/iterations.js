// The Map iterations of an execution, each with its status; choosing one shows the states it
// ran. Iterations are listed in pages of 100 so 10,000 of them stay light.

import { h, replace } from "../dom.js";
import { duration } from "../format.js";
import { History } from "./history.js";

const PAGE = 100;

export function iterationList(container, history, onSelectState, page = 0) {
  const all = history.iterations;
  if (!all.length) {
    replace(container, h("p", { class: "muted" }, "This execution ran no Map iterations."));
    return;
  }
  const shown = all.slice(page * PAGE, (page + 1) * PAGE);
  replace(container,
    h("p", { class: "muted" }, `${all.length} iterations; ${all.filter((it) => it.status === "failed").length} failed`),
    h("ul", { class: "iterations" }, shown.map((iteration) => {
      const runs = history.runs.filter((run) => run.thread === iteration.thread);
      const took = iteration.end ? duration(History.time(iteration.end) - History.time(iteration.start)) : "running";
      return h("li", {}, h("details", {},
        h("summary", {}, `${iteration.map} #${iteration.index} `, h("span", { class: `badge status-${iteration.status}` }, iteration.status), ` ${took}`),
        h("ul", {}, runs.map((run) => h("li", {}, h("button", { class: "link", onclick: () => onSelectState(run.name, history.runsOf(run.name).indexOf(run)) }, run.name), ` ${history.runStatus(run)}`)))));
    })),
    all.length > PAGE ? h("div", { class: "pager" },
      h("button", { class: "secondary small", disabled: page === 0, onclick: () => iterationList(container, history, onSelectState, page - 1) }, "Previous"),
      h("span", { class: "muted" }, `${page * PAGE + 1}–${Math.min(all.length, (page + 1) * PAGE)}`),
      h("button", { class: "secondary small", disabled: (page + 1) * PAGE >= all.length, onclick: () => iterationList(container, history, onSelectState, page + 1) }, "Next")) : null);
}
