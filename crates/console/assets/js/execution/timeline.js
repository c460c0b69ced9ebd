// The execution as a timeline: one lane per thread (the execution, each Parallel branch, each
// Map iteration), a bar per state run coloured by its status, each attempt of a retried state as
// its own segment with the back-off gap between them hatched. Lanes of Map iterations beyond
// the first few are collapsed behind a "show all" button so 10,000-event executions stay light.

import { h, s, replace } from "../dom.js";
import { History } from "./history.js";
import { duration } from "../format.js";

const LANE = 26;
const LABEL = 170;
const COLLAPSED_LANES = 40;

export class Timeline {
  constructor(container) {
    this.container = container;
    this.expanded = false;
  }

  /** Draws `history` (a History); `nowMs` ends the bars of what still runs. */
  draw(history, nowMs) {
    const start = History.time(history.events[0]);
    if (start === null) return replace(this.container, h("p", { class: "muted" }, "No events yet."));
    const last = History.time(history.events[history.events.length - 1]);
    const end = Math.max(history.executionStatus === "RUNNING" ? nowMs : last, start + 1);
    const threads = [...history.threads.values()];
    const lanes = this.expanded ? threads : threads.slice(0, COLLAPSED_LANES);
    const width = 900;
    const span = end - start;
    const x = (ms) => LABEL + ((ms - start) / span) * (width - LABEL - 10);
    const svg = s("svg", { class: "timeline", viewBox: `0 0 ${width} ${(lanes.length + 1) * LANE + 10}`, role: "img", "aria-label": `Timeline of ${threads.length} lanes` });
    for (let i = 0; i <= 4; i++) {
      const at = start + (span * i) / 4;
      svg.append(s("line", { class: "tick", x1: x(at), x2: x(at), y1: 0, y2: (lanes.length + 1) * LANE }),
        s("text", { class: "tick-label", x: x(at) + (i === 4 ? -2 : 2), y: 12, "text-anchor": i === 4 ? "end" : "start" }, duration(at - start)));
    }
    const laneIndex = new Map(lanes.map((thread, i) => [thread.id, i]));
    lanes.forEach((thread, i) => {
      const y = (i + 1) * LANE;
      const indent = Math.min(6, thread.id.split("/").length - 1) * 8;
      svg.append(s("text", { class: `lane-label lane-${thread.kind}`, x: 4 + indent, y: y + 16 }, thread.label));
    });
    for (const run of history.runs) {
      const lane = laneIndex.get(run.thread);
      if (lane === undefined) continue;
      const y = (lane + 1) * LANE + 4;
      const from = History.time(run.entered);
      const to = run.exited ? History.time(run.exited) : history.executionStatus === "RUNNING" ? nowMs : last;
      const status = history.runStatus(run);
      const bar = s("g", { class: `bar status-${status}` }, s("title", {}, `${run.name}: ${status}, ${duration(to - from)}`));
      bar.append(s("rect", { class: "bar-run", x: x(from), y, width: Math.max(2, x(to) - x(from)), height: LANE - 8, rx: 3 }));
      run.attempts.forEach((attempt, k) => {
        const next = run.attempts[k + 1];
        if (attempt.end && next) {
          const gapFrom = History.time(attempt.end);
          const gapTo = History.time(next.start);
          bar.append(s("rect", { class: "bar-backoff", x: x(gapFrom), y, width: Math.max(1, x(gapTo) - x(gapFrom)), height: LANE - 8 },
            s("title", {}, `back-off before attempt ${k + 2}: ${duration(gapTo - gapFrom)}`)));
        }
        if (attempt.failed) {
          bar.append(s("rect", { class: "bar-attempt-failed", x: x(History.time(attempt.end)) - 1, y, width: 3, height: LANE - 8 },
            s("title", {}, `attempt ${k + 1} failed: ${attempt.error}`)));
        }
      });
      if (x(to) - x(from) > 50) bar.append(s("text", { class: "bar-label", x: x(from) + 4, y: y + 13 }, run.name));
      svg.append(bar);
    }
    const more = threads.length - lanes.length;
    replace(this.container, svg,
      more > 0 || this.expanded
        ? h("button", { class: "secondary", onclick: () => { this.expanded = !this.expanded; this.draw(history, nowMs); } },
          this.expanded ? "Collapse lanes" : `Show all ${threads.length} lanes (${more} hidden)`)
        : null);
  }
}
