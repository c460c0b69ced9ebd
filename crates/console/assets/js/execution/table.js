// The event history as a table that stays responsive at 10,000+ events: only the rows in view
// are in the DOM (fixed row height, a spacer for the rest). Filter by kind, search in the type,
// state name and details; a row expands into its full details below the table.

import { h, replace } from "../dom.js";
import { details } from "./history.js";
import { duration } from "../format.js";

const ROW_HEIGHT = 30;
const OVERSCAN = 10;

const FILTERS = {
  all: () => true,
  states: (e) => /State(Entered|Exited)$/.test(e.type),
  tasks: (e) => /^(LambdaFunction|Task|Activity)/.test(e.type),
  failures: (e) => /(Failed|TimedOut|Aborted)$/.test(e.type),
  map: (e) => e.type.startsWith("Map"),
  parallel: (e) => e.type.startsWith("Parallel"),
  execution: (e) => e.type.startsWith("Execution"),
};

export class EventTable {
  constructor(container) {
    this.container = container;
    this.events = [];
    this.shown = [];
    this.filter = "all";
    this.query = "";
    this.expanded = null;
    this.startMs = null;
    const filter = h("select", { "aria-label": "Filter events", onchange: (e) => { this.filter = e.target.value; this.refilter(); } },
      Object.keys(FILTERS).map((key) => h("option", { value: key }, key === "all" ? "All events" : key[0].toUpperCase() + key.slice(1))));
    const search = h("input", { type: "search", placeholder: "Search events", "aria-label": "Search events", oninput: (e) => { this.query = e.target.value.toLowerCase(); this.refilter(); } });
    this.count = h("span", { class: "muted", "aria-live": "polite" });
    this.spacer = h("div", { class: "vt-spacer" });
    this.rows = h("div", { class: "vt-rows", role: "rowgroup" });
    this.viewport = h("div", { class: "vt-viewport", tabindex: "0", role: "table", "aria-label": "Event history", onscroll: () => this.paint() },
      h("div", { class: "vt-head", role: "row" }, ["ID", "Type", "Step", "Elapsed", "Timestamp"].map((t) => h("span", { role: "columnheader" }, t))),
      this.spacer, this.rows);
    this.detail = h("div", { class: "event-detail", "aria-live": "polite" });
    replace(container, h("div", { class: "toolbar" }, filter, search, this.count), this.viewport, this.detail);
  }

  /** Appends events (streamed or loaded). */
  add(events) {
    if (!events.length) return;
    if (this.startMs === null) this.startMs = events[0].timestamp * 1000;
    for (const event of events) {
      event.searchText = `${event.id} ${event.type} ${JSON.stringify(details(event))}`.toLowerCase();
      this.events.push(event);
      if (this.matches(event)) this.shown.push(event);
    }
    this.layout();
  }

  matches(event) {
    return FILTERS[this.filter](event) && (!this.query || event.searchText.includes(this.query));
  }

  refilter() {
    this.shown = this.events.filter((event) => this.matches(event));
    this.viewport.scrollTop = 0;
    this.layout();
  }

  layout() {
    this.spacer.style.height = `${this.shown.length * ROW_HEIGHT}px`;
    replace(this.count, `${this.shown.length} of ${this.events.length} events`);
    this.paint();
  }

  paint() {
    const first = Math.max(0, Math.floor(this.viewport.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const visible = Math.ceil((this.viewport.clientHeight || 400) / ROW_HEIGHT) + 2 * OVERSCAN;
    const rows = this.shown.slice(first, first + visible).map((event, i) => this.row(event, first + i));
    this.rows.style.transform = `translateY(${first * ROW_HEIGHT}px)`;
    this.rows.replaceChildren(...rows);
  }

  row(event) {
    const info = details(event);
    const expanded = this.expanded === event.id;
    return h("div", {
      class: `vt-row${/(Failed|TimedOut|Aborted)$/.test(event.type) ? " failure" : ""}${expanded ? " expanded" : ""}`,
      role: "row", tabindex: "0", "aria-expanded": expanded ? "true" : "false",
      onclick: () => this.expand(event),
      onkeydown: (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); this.expand(event); } },
    },
    h("span", { role: "cell" }, String(event.id)),
    h("span", { role: "cell", class: "event-type" }, event.type),
    h("span", { role: "cell" }, info.name ?? (info.index !== undefined ? `#${info.index}` : "")),
    h("span", { role: "cell" }, duration(event.timestamp * 1000 - this.startMs)),
    h("span", { role: "cell" }, new Date(event.timestamp * 1000).toISOString().replace("T", " ").replace("Z", "")));
  }

  expand(event) {
    this.expanded = this.expanded === event.id ? null : event.id;
    if (this.expanded === null) replace(this.detail);
    else {
      const { thread, searchText, ...wire } = event;
      replace(this.detail, h("h3", {}, `Event ${event.id}: ${event.type}`), h("pre", { class: "json" }, JSON.stringify(wire, null, 2)));
    }
    this.paint();
  }
}
