// Positions a graph model (model.js) with ELK's layered algorithm: top to bottom, orthogonal
// edges, Parallel branches and Map item processors as nested groups. Pure (no DOM), so the layout
// test runs it in Node over every definition of the conformance corpus.

import ELK from "../../vendor/elk.js";

const elk = new ELK();

/** Space above a group's or branch's children, for its title. */
const GROUP_TITLE = 30;
const BRANCH_TITLE = 22;
const LABEL_HEIGHT = 16;

const ROOT_OPTIONS = {
  "elk.algorithm": "layered",
  "elk.direction": "DOWN",
  "elk.hierarchyHandling": "INCLUDE_CHILDREN",
  "elk.edgeRouting": "ORTHOGONAL",
  "elk.layered.spacing.nodeNodeBetweenLayers": "44",
  "elk.spacing.nodeNode": "36",
  "elk.spacing.edgeNode": "18",
  "elk.spacing.edgeEdge": "12",
  "elk.spacing.edgeLabel": "4",
  "elk.layered.spacing.edgeNodeBetweenLayers": "18",
  "elk.edgeLabels.placement": "CENTER",
  "elk.layered.nodePlacement.strategy": "NETWORK_SIMPLEX",
  "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
  "elk.json.edgeCoords": "ROOT",
  "elk.json.shapeCoords": "ROOT",
  "elk.padding": "[top=16,left=16,bottom=16,right=16]",
};

/** The ELK input for a model: nodes nested under their parents, each edge in the lowest group
 *  that holds both its ends. */
export function toElk(graph) {
  const elkNodes = new Map();
  const root = { id: "root", layoutOptions: ROOT_OPTIONS, children: [], edges: [] };
  for (const node of graph.nodes) {
    const elkNode = { id: node.id, children: [], edges: [] };
    if (node.kind === "branch" || (node.group && !node.collapsed)) {
      const title = node.kind === "branch" ? BRANCH_TITLE : GROUP_TITLE;
      elkNode.layoutOptions = {
        "elk.padding": `[top=${title},left=14,bottom=14,right=14]`,
        "elk.nodeSize.constraints": "MINIMUM_SIZE",
        "elk.nodeSize.minimum": `(${node.kind === "branch" ? 100 : 160},${title + 30})`,
      };
      if (node.kind === "state") elkNode.layoutOptions["elk.direction"] = "RIGHT";
    } else {
      elkNode.width = node.group ? node.width + 60 : node.width;
      elkNode.height = node.height;
    }
    elkNodes.set(node.id, elkNode);
  }
  for (const node of graph.nodes) {
    const parent = node.parent ? elkNodes.get(node.parent) : root;
    (parent || root).children.push(elkNodes.get(node.id));
  }
  const parents = new Map(graph.nodes.map((n) => [n.id, n.parent]));
  for (const edge of graph.edges) {
    const container = lowestCommonGroup(parents, edge.source, edge.target);
    const elkEdge = { id: edge.id, sources: [edge.source], targets: [edge.target] };
    if (edge.label !== undefined) {
      elkEdge.labels = [{ id: `${edge.id}.label`, text: edge.label, width: edge.labelWidth, height: LABEL_HEIGHT }];
    }
    (container ? elkNodes.get(container) : root).edges.push(elkEdge);
  }
  return root;
}

/** The innermost group containing both nodes (neither of them), or null for the top level. */
function lowestCommonGroup(parents, a, b) {
  const chain = (id) => {
    const result = [];
    for (let p = parents.get(id); p; p = parents.get(p)) result.push(p);
    return result;
  };
  const above = new Set(chain(a));
  return chain(b).find((p) => above.has(p) && p !== a && p !== b) || null;
}

/**
 * Lays out a model. Resolves with `{ width, height, nodes, edges }`: every model node with its
 * absolute `x, y, width, height`; every edge with its `points` (absolute polyline) and, when
 * labelled, `labelBox {x, y, width, height}`.
 */
export async function layout(graph) {
  const result = await elk.layout(toElk(graph));
  const boxes = new Map();
  const walk = (elkNode) => {
    for (const child of elkNode.children || []) {
      boxes.set(child.id, { x: child.x, y: child.y, width: child.width, height: child.height });
      walk(child);
    }
  };
  walk(result);
  const routes = new Map();
  const walkEdges = (elkNode) => {
    for (const edge of elkNode.edges || []) routes.set(edge.id, edge);
    for (const child of elkNode.children || []) walkEdges(child);
  };
  walkEdges(result);
  const nodes = graph.nodes.map((node) => ({ ...node, ...boxes.get(node.id) }));
  const edges = graph.edges.map((edge) => {
    const route = routes.get(edge.id) || {};
    const points = [];
    for (const section of route.sections || []) {
      points.push(section.startPoint, ...(section.bendPoints || []), section.endPoint);
    }
    const label = (route.labels || [])[0];
    return {
      ...edge,
      points,
      labelBox: label ? { x: label.x, y: label.y, width: label.width, height: label.height } : null,
    };
  });
  return { width: result.width, height: result.height, nodes, edges };
}

/**
 * The ways a layout is unreadable: pairs of nodes that overlap (a group and what it contains
 * excepted) and edges that cross a node other than their ends and the groups holding them.
 * Returns a list of messages, empty when the layout is clean. Used by the layout test.
 */
export function layoutProblems(laidOut) {
  const problems = [];
  const byId = new Map(laidOut.nodes.map((n) => [n.id, n]));
  const lineage = (id) => {
    const result = new Set([id]);
    for (let n = byId.get(id); n && n.parent; n = byId.get(n.parent)) result.add(n.parent);
    return result;
  };
  const lineages = new Map(laidOut.nodes.map((n) => [n.id, lineage(n.id)]));
  const nodes = laidOut.nodes;
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) {
      const a = nodes[i];
      const b = nodes[j];
      if (lineages.get(a.id).has(b.id) || lineages.get(b.id).has(a.id)) continue;
      if (overlaps(a, b)) problems.push(`nodes ${a.id} and ${b.id} overlap`);
    }
  }
  for (const edge of laidOut.edges) {
    if (edge.points.length < 2) {
      problems.push(`edge ${edge.id} (${edge.source} -> ${edge.target}) has no route`);
      continue;
    }
    const allowed = new Set([...lineages.get(edge.source), ...lineages.get(edge.target)]);
    for (const node of nodes) {
      if (allowed.has(node.id)) continue;
      for (let k = 0; k + 1 < edge.points.length; k++) {
        if (segmentCrosses(edge.points[k], edge.points[k + 1], node)) {
          problems.push(`edge ${edge.id} (${edge.source} -> ${edge.target}) crosses node ${node.id}`);
          break;
        }
      }
    }
  }
  return problems;
}

/** Positive-area intersection (touching edges do not count). */
function overlaps(a, b) {
  const e = 0.5;
  return a.x + e < b.x + b.width && b.x + e < a.x + a.width && a.y + e < b.y + b.height && b.y + e < a.y + a.height;
}

/** Whether a segment enters a node's interior (shrunk by one pixel; its border may be touched). */
function segmentCrosses(p, q, box) {
  const inset = 1;
  const x0 = box.x + inset;
  const y0 = box.y + inset;
  const x1 = box.x + box.width - inset;
  const y1 = box.y + box.height - inset;
  // Liang–Barsky clipping of the segment against the rectangle.
  let t0 = 0;
  let t1 = 1;
  const dx = q.x - p.x;
  const dy = q.y - p.y;
  const clip = (pp, qq) => {
    if (pp === 0) return qq > 0;
    const r = qq / pp;
    if (pp < 0) {
      if (r > t1) return false;
      if (r > t0) t0 = r;
    } else {
      if (r < t0) return false;
      if (r < t1) t1 = r;
    }
    return true;
  };
  if (!clip(-dx, p.x - x0) || !clip(dx, x1 - p.x) || !clip(-dy, p.y - y0) || !clip(dy, y1 - p.y)) return false;
  return t1 - t0 > 1e-9;
}
