// A definition as a graph: nodes (states, start and end markers, Parallel/Map groups and their
// branches) and edges (Next, Choice rules, Default, Catch, start, end). Pure data, no DOM: the
// layout (layout.js) and the layout test in Node read the same model.

import { ruleWords, shorten } from "./choice-words.js";

/** The eight state types, with the shape each is drawn as. */
export const STATE_TYPES = ["Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"];

/** Definitions nested deeper than this are drawn collapsed below it (bounds the work). */
const MAX_DEPTH = 12;

/** Characters of a state name shown in its box; the full name is in its tooltip. */
export const NAME_CHARS = 28;

/** Width of one character of the graph's monospace font (12px), for sizing boxes. */
export const CHAR_WIDTH = 7.3;
const LABEL_CHAR_WIDTH = 6.7; // 11px monospace, edge labels

/**
 * Builds the graph of `definition` (a parsed ASL object).
 * `collapsed` is a Set of group node ids drawn as a single box.
 * Returns `{ nodes, edges }`; nodes have `{id, kind, type, name, parent, width, height, ...}`,
 * edges `{id, source, target, kind, label, fullLabel}`. Never throws on a malformed definition:
 * what cannot be drawn is left out.
 */
export function buildGraph(definition, { collapsed = new Set() } = {}) {
  const graph = { nodes: [], edges: [], byName: new Map() };
  if (!definition || typeof definition !== "object") return graph;
  const start = addNode(graph, { id: "start", kind: "start", parent: null, width: 28, height: 28 });
  const end = addNode(graph, { id: "end", kind: "end", parent: null, width: 28, height: 28 });
  const top = addScope(graph, definition, null, "", 0, collapsed, end.id);
  if (top.start) addEdge(graph, start.id, top.start, "start");
  if (!graph.edges.some((edge) => edge.target === end.id)) graph.nodes.splice(graph.nodes.indexOf(end), 1);
  return graph;
}

function addNode(graph, node) {
  graph.nodes.push(node);
  if (node.name !== undefined) {
    if (!graph.byName.has(node.name)) graph.byName.set(node.name, []);
    graph.byName.get(node.name).push(node.id);
  }
  return node;
}

function addEdge(graph, source, target, kind, label) {
  const fullLabel = label;
  const shown = label === undefined ? undefined : shorten(label, 36);
  graph.edges.push({
    id: `e${graph.edges.length}`,
    source, target, kind,
    label: shown,
    fullLabel,
    labelWidth: shown === undefined ? 0 : Math.ceil(Array.from(shown).length * LABEL_CHAR_WIDTH) + 8,
  });
}

/**
 * Adds the states of one scope (`{StartAt, States}`) under `parent`. `exit` is the node that
 * terminal states lead to (the end marker at the top level, none inside branches).
 */
function addScope(graph, scope, parent, prefix, depth, collapsed, exit) {
  const states = scope && typeof scope.States === "object" && scope.States ? scope.States : {};
  const ids = new Map();
  for (const [name, state] of Object.entries(states)) {
    const id = `${prefix}/${encodeURIComponent(name)}`;
    ids.set(name, id);
    addState(graph, name, state, id, parent, depth, collapsed);
  }
  const startAt = ids.get(scope && scope.StartAt);
  if (startAt) graph.nodes.find((n) => n.id === startAt).isStart = true;
  for (const [name, state] of Object.entries(states)) {
    if (!state || typeof state !== "object") continue;
    addTransitions(graph, ids.get(name), state, ids, exit);
  }
  return { start: startAt };
}

function addState(graph, name, state, id, parent, depth, collapsed) {
  const type = state && typeof state === "object" && STATE_TYPES.includes(state.Type) ? state.Type : "Unknown";
  const label = shorten(name, NAME_CHARS);
  const node = addNode(graph, {
    id, kind: "state", type, name, label, parent,
    width: Math.max(120, Math.ceil(Array.from(label).length * CHAR_WIDTH) + 28),
    height: 46,
    retries: Array.isArray(state && state.Retry) ? state.Retry.length : 0,
    isEnd: Boolean(state && (state.End === true || type === "Succeed" || type === "Fail")),
  });
  if (type === "Choice") {
    node.width += 36;
    node.height = 58;
  }
  if (type !== "Parallel" && type !== "Map") return;
  const scopes = type === "Parallel"
    ? (Array.isArray(state.Branches) ? state.Branches : [])
    : [state.ItemProcessor || state.Iterator].filter(Boolean);
  node.group = true;
  node.childCount = scopes.reduce((n, scope) => n + Object.keys((scope && scope.States) || {}).length, 0);
  if (collapsed.has(id) || depth >= MAX_DEPTH) {
    node.collapsed = true;
    return;
  }
  scopes.forEach((scope, index) => {
    const branchId = `${id}#${index}`;
    addNode(graph, {
      id: branchId, kind: "branch", parent: id,
      label: type === "Parallel" ? `Branch ${index + 1}` : "Item processor",
    });
    addScope(graph, scope, branchId, branchId, depth + 1, collapsed, null);
  });
}

function addTransitions(graph, id, state, ids, exit) {
  const link = (target, kind, label) => {
    const targetId = ids.get(target);
    if (targetId) addEdge(graph, id, targetId, kind, label);
  };
  if (typeof state.Next === "string") link(state.Next, "next");
  if (state.Type === "Choice") {
    (Array.isArray(state.Choices) ? state.Choices : []).forEach((rule) => {
      if (rule && typeof rule.Next === "string") link(rule.Next, "choice", ruleWords(rule));
    });
    if (typeof state.Default === "string") link(state.Default, "default", "Default");
  }
  (Array.isArray(state.Catch) ? state.Catch : []).forEach((catcher) => {
    if (!catcher || typeof catcher.Next !== "string") return;
    const errors = Array.isArray(catcher.ErrorEquals) ? catcher.ErrorEquals.join(", ") : "?";
    link(catcher.Next, "catch", `Catch: ${errors}`);
  });
  const terminal = state.End === true || state.Type === "Succeed" || state.Type === "Fail";
  if (terminal && exit) addEdge(graph, id, exit, "end");
}

/** Node ids whose group is an ancestor of (or is) `id`, innermost first. */
export function ancestors(graph, id) {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const chain = [];
  let node = byId.get(id);
  while (node && node.parent) {
    chain.push(node.parent);
    node = byId.get(node.parent);
  }
  return chain;
}

/** Ids of group states nested `depth` levels or deeper: collapsed by default in big graphs. */
export function deepGroups(definition, depth) {
  const ids = [];
  const walk = (scope, prefix, level) => {
    for (const [name, state] of Object.entries((scope && scope.States) || {})) {
      if (!state || typeof state !== "object") continue;
      const id = `${prefix}/${encodeURIComponent(name)}`;
      const scopes = state.Type === "Parallel" ? state.Branches || [] : [state.ItemProcessor || state.Iterator].filter(Boolean);
      if (state.Type !== "Parallel" && state.Type !== "Map") continue;
      if (level >= depth) ids.push(id);
      if (level < MAX_DEPTH) scopes.forEach((s, i) => walk(s, `${id}#${i}`, level + 1));
    }
  };
  walk(definition, "", 0);
  return ids;
}

/** How many states a definition has, nested ones included. */
export function countStates(definition, level = 0) {
  if (level > MAX_DEPTH) return 0;
  let count = 0;
  for (const state of Object.values((definition && definition.States) || {})) {
    count += 1;
    if (!state || typeof state !== "object") continue;
    const scopes = state.Type === "Parallel" ? state.Branches || [] : [state.ItemProcessor || state.Iterator].filter(Boolean);
    for (const scope of Array.isArray(scopes) ? scopes : []) count += countStates(scope, level + 1);
  }
  return count;
}
