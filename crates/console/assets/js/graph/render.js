// Draws a laid-out graph (layout.js) as SVG: one shape per state type, groups with a collapse
// toggle, edge kinds told apart (Next solid, Choice labelled, Default dashed, Catch red with its
// error names), a Retry badge, start and end markers. State colours come from CSS classes
// (`status-succeeded`, …) that the execution page sets with `setStatuses`.

import { s } from "../dom.js";
import { buildGraph, deepGroups, countStates } from "./model.js";
import { layout } from "./layout.js";

/** Graphs with more states than this open with nested groups collapsed (readability). */
const COLLAPSE_ABOVE = 60;

/** The outline of a state's shape, in its own box. */
function shape(node) {
  const { width: w, height: ht } = node;
  switch (node.type) {
    case "Choice":
      return s("polygon", { class: "shape", points: `${w / 2},0 ${w},${ht / 2} ${w / 2},${ht} 0,${ht / 2}` });
    case "Fail": {
      const c = 10;
      return s("polygon", {
        class: "shape",
        points: `${c},0 ${w - c},0 ${w},${c} ${w},${ht - c} ${w - c},${ht} ${c},${ht} 0,${ht - c} 0,${c}`,
      });
    }
    case "Succeed":
    case "Wait":
      return s("rect", { class: "shape", width: w, height: ht, rx: ht / 2 });
    case "Pass":
      return s("rect", { class: "shape", width: w, height: ht, rx: 2 });
    default:
      return s("rect", { class: "shape", width: w, height: ht, rx: 8 });
  }
}

function stateNode(node, handlers) {
  const collapsedGroup = node.group && node.collapsed;
  const width = collapsedGroup ? node.width : node.width;
  const title = `${node.type} state ${node.name}`;
  const g = s(
    "g",
    {
      class: `node state type-${node.type.toLowerCase()}${node.isStart ? " is-start" : ""}${node.isEnd ? " is-end" : ""}${node.group ? " group" : ""}`,
      transform: `translate(${node.x},${node.y})`,
      tabindex: "0",
      role: "button",
      "aria-label": title,
      dataset: { id: node.id, name: node.name },
      onclick: (event) => {
        event.stopPropagation();
        handlers.select(node);
      },
      onkeydown: (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          handlers.select(node);
        }
      },
    },
    s("title", {}, title),
  );
  if (node.group && !node.collapsed) {
    g.append(
      s("rect", { class: "shape group-box", width: node.width, height: node.height, rx: 10 }),
      s("text", { class: "type", x: 12, y: 19 }, `${node.type} · `, s("tspan", { class: "name" }, node.label)),
      toggle(node, handlers, false),
    );
  } else {
    g.append(shape({ ...node, width }));
    const cx = width / 2;
    const label = collapsedGroup ? `${node.type} (${node.childCount} states)` : node.type;
    g.append(
      s("text", { class: "type", x: cx, y: node.height / 2 - 6, "text-anchor": "middle" }, label),
      s("text", { class: "name", x: cx, y: node.height / 2 + 11, "text-anchor": "middle" }, node.label),
    );
    if (collapsedGroup) g.append(toggle(node, handlers, true));
  }
  if (node.retries > 0) {
    g.append(
      s(
        "g",
        { class: "retry-badge", transform: `translate(${node.width - 8},-6)` },
        s("title", {}, `Retry: ${node.retries} rule(s)`),
        s("circle", { r: 9 }),
        s("text", { "text-anchor": "middle", y: 4 }, "↻"),
      ),
    );
  }
  g.append(s("rect", { class: "focus-ring", x: -4, y: -4, width: node.width + 8, height: node.height + 8, rx: 10 }));
  return g;
}

/** The expand/collapse button of a group. */
function toggle(node, handlers, collapsed) {
  const label = `${collapsed ? "Expand" : "Collapse"} ${node.name}`;
  return s(
    "g",
    {
      class: "toggle",
      transform: `translate(${node.width - 24},4)`,
      tabindex: "0",
      role: "button",
      "aria-label": label,
      "aria-expanded": collapsed ? "false" : "true",
      onclick: (event) => {
        event.stopPropagation();
        handlers.toggle(node);
      },
      onkeydown: (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          event.stopPropagation();
          handlers.toggle(node);
        }
      },
    },
    s("title", {}, label),
    s("rect", { width: 20, height: 20, rx: 4 }),
    s("text", { x: 10, y: 15, "text-anchor": "middle" }, collapsed ? "+" : "−"),
  );
}

function branchNode(node) {
  return s(
    "g",
    { class: "node branch", transform: `translate(${node.x},${node.y})`, dataset: { id: node.id } },
    s("rect", { class: "branch-box", width: node.width, height: node.height, rx: 6 }),
    s("text", { class: "branch-title", x: 8, y: 15 }, node.label),
  );
}

function marker(node) {
  const r = node.width / 2;
  return s(
    "g",
    { class: `node marker marker-${node.kind}`, transform: `translate(${node.x + r},${node.y + r})` },
    s("title", {}, node.kind === "start" ? "Start" : "End"),
    s("circle", { r }),
    s("text", { "text-anchor": "middle", y: 4 }, node.kind === "start" ? "▶" : "■"),
  );
}

function edgePath(edge) {
  const d = edge.points.map((p, i) => `${i ? "L" : "M"}${p.x},${p.y}`).join(" ");
  const group = s("g", { class: `edge edge-${edge.kind}`, dataset: { source: edge.source, target: edge.target } });
  group.append(s("path", { d, "marker-end": `url(#arrow-${edge.kind === "catch" ? "catch" : "plain"})` }));
  if (edge.labelBox && edge.label) {
    const box = edge.labelBox;
    group.append(
      s(
        "g",
        { class: "edge-label", transform: `translate(${box.x},${box.y})` },
        s("title", {}, edge.fullLabel),
        s("rect", { width: box.width, height: box.height, rx: 3 }),
        s("text", { x: box.width / 2, y: box.height - 4, "text-anchor": "middle" }, edge.label),
      ),
    );
  }
  return group;
}

function defs() {
  const arrow = (id) =>
    s(
      "marker",
      { id: `arrow-${id}`, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
      s("path", { d: "M0,0 L10,5 L0,10 z", class: `arrow arrow-${id}` }),
    );
  return s("defs", {}, arrow("plain"), arrow("catch"));
}

/**
 * A graph view in `container`. `draw(definition)` lays it out and draws it; `onSelect(node)` is
 * called when a state is clicked or chosen with the keyboard. Groups collapse and expand in place.
 */
export class GraphView {
  constructor(container, { onSelect = () => {} } = {}) {
    this.container = container;
    this.onSelect = onSelect;
    this.collapsed = new Set();
    this.statuses = new Map();
    this.problems = new Set();
    this.selected = null;
    this.scale = 1;
    this.generation = 0;
    this.svg = null;
  }

  /** Draws `definition` (parsed). Later calls win over earlier ones still laying out. */
  async draw(definition, { keepCollapsed = false } = {}) {
    const generation = ++this.generation;
    if (!keepCollapsed) {
      this.collapsed = new Set(countStates(definition) > COLLAPSE_ABOVE ? deepGroups(definition, 1) : []);
    }
    this.definition = definition;
    const graph = buildGraph(definition, { collapsed: this.collapsed });
    const laidOut = await layout(graph);
    if (generation !== this.generation) return;
    this.laidOut = laidOut;
    this.render();
  }

  render() {
    const { width, height, nodes, edges } = this.laidOut;
    if (!this.userZoomed) {
      // Until the zoom buttons are used, a graph wider than its box (a phone, a wide Choice)
      // is fitted to the box's width, down to a scale that stays legible.
      const room = this.container.clientWidth - 8;
      this.scale = room > 0 && width > room ? Math.max(0.5, room / width) : 1;
    }
    const handlers = {
      select: (node) => {
        this.select(node.name);
        this.onSelect(node);
      },
      toggle: (node) => {
        if (this.collapsed.has(node.id)) this.collapsed.delete(node.id);
        else this.collapsed.add(node.id);
        this.draw(this.definition, { keepCollapsed: true });
      },
    };
    const svg = s("svg", {
      class: "graph",
      viewBox: `0 0 ${width} ${height}`,
      width: width * this.scale,
      height: height * this.scale,
      role: "group",
      "aria-label": "State machine graph",
    });
    svg.append(defs());
    const layers = { groups: s("g"), edges: s("g"), nodes: s("g") };
    for (const node of nodes) {
      if (node.kind === "branch") layers.groups.append(branchNode(node));
      else if (node.kind === "start" || node.kind === "end") layers.nodes.append(marker(node));
      else if (node.group && !node.collapsed) layers.groups.append(stateNode(node, handlers));
      else layers.nodes.append(stateNode(node, handlers));
    }
    for (const edge of edges) layers.edges.append(edgePath(edge));
    svg.append(layers.groups, layers.edges, layers.nodes);
    this.svg = svg;
    this.container.replaceChildren(svg);
    this.applyStatuses();
    this.applyProblems();
    if (this.selected) this.select(this.selected);
  }

  /** Marks the boxes of state `name` as selected (and scrolls to it). */
  select(name, { scroll = false } = {}) {
    this.selected = name;
    if (!this.svg) return;
    for (const element of this.svg.querySelectorAll(".state.selected")) element.classList.remove("selected");
    for (const element of this.svg.querySelectorAll(".state")) {
      if (element.dataset.name === name) {
        element.classList.add("selected");
        if (scroll) element.scrollIntoView?.({ block: "nearest", inline: "nearest" });
      }
    }
  }

  /** Colours states: `statuses` maps a state name to `not-reached`, `running`, `succeeded`,
   *  `failed`, `caught`, `retried` or `aborted`. */
  setStatuses(statuses) {
    this.statuses = statuses;
    this.applyStatuses();
  }

  applyStatuses() {
    if (!this.svg) return;
    const any = this.statuses.size > 0;
    for (const element of this.svg.querySelectorAll(".state")) {
      const status = this.statuses.get(element.dataset.name) || (any ? "not-reached" : null);
      element.classList.forEach((c) => c.startsWith("status-") && element.classList.remove(c));
      if (status) element.classList.add(`status-${status}`);
      const base = element.getAttribute("aria-label").split(",")[0];
      element.setAttribute("aria-label", status ? `${base}, ${status.replace("-", " ")}` : base);
    }
  }

  /** Marks states with validation problems (`names` is a Set); kept across redraws. */
  setProblems(names) {
    this.problems = names;
    this.applyProblems();
  }

  applyProblems() {
    if (!this.svg) return;
    for (const element of this.svg.querySelectorAll(".state")) {
      element.classList.toggle("has-problem", this.problems.has(element.dataset.name));
    }
  }

  zoom(factor) {
    this.userZoomed = true;
    this.scale = Math.min(3, Math.max(0.2, this.scale * factor));
    if (this.svg && this.laidOut) {
      this.svg.setAttribute("width", this.laidOut.width * this.scale);
      this.svg.setAttribute("height", this.laidOut.height * this.scale);
    }
  }
}
