// Lays out definitions with the page's own modules (graph/model.js, graph/layout.js) and checks
// that no two nodes overlap and no edge passes through a node. Usage:
//   node check-layouts.mjs <corpus-dir-or-file>...
// Directories are searched for *.json: a file with a `definition` field (the conformance
// corpus; text or object) or an ASL document itself (`States`). The browser test's large
// definition and the palette's templates are always included. Prints
// `layout: N passed, M failed` and exits 1 on any problem.

import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { buildGraph, deepGroups } from "../../assets/js/graph/model.js";
import { layout, layoutProblems } from "../../assets/js/graph/layout.js";
import { TEMPLATES } from "../../assets/js/editor/palette.js";
import { largeDefinition, fixtures } from "../browser/fixtures.mjs";

function files(path) {
  if (statSync(path).isFile()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => (entry.isDirectory() ? files(join(path, entry.name)) : entry.name.endsWith(".json") ? [join(path, entry.name)] : []));
}

function definitionOf(file) {
  let document;
  try {
    document = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return null;
  }
  let definition = document && typeof document === "object" && "definition" in document ? document.definition : document;
  if (typeof definition === "string") {
    try {
      definition = JSON.parse(definition);
    } catch {
      return null; // not JSON: nothing to draw (the editor shows the parse error instead)
    }
  }
  return definition && typeof definition === "object" && definition.States ? definition : null;
}

/** The checker must be able to fail: a known overlap and a known crossing are reported. */
function selfCheck() {
  const box = (id, x, y, parent = null) => ({ id, x, y, width: 100, height: 40, parent });
  const overlap = layoutProblems({ nodes: [box("a", 0, 0), box("b", 50, 20)], edges: [] });
  const crossing = layoutProblems({
    nodes: [box("a", 0, 0), box("b", 0, 200), box("c", 0, 100)],
    edges: [{ id: "e", source: "a", target: "b", points: [{ x: 50, y: 40 }, { x: 50, y: 200 }] }],
  });
  const nested = layoutProblems({ nodes: [{ ...box("g", 0, 0), width: 300, height: 300 }, box("a", 10, 10, "g")], edges: [] });
  if (overlap.length !== 1 || crossing.length !== 1 || nested.length !== 0) {
    throw new Error(`the checker is wrong: ${JSON.stringify({ overlap, crossing, nested })}`);
  }
}

selfCheck();
const cases = [];
for (const path of process.argv.slice(2)) {
  for (const file of files(path)) {
    const definition = definitionOf(file);
    if (definition) cases.push([file, definition]);
  }
}
cases.push(["fixture: 105 states", largeDefinition()]);
for (const [name, definition] of Object.entries(fixtures(join(import.meta.dirname, "../../../..")))) {
  if (definition && typeof definition === "object" && definition.States) cases.push([`fixture: ${name}`, definition]);
}
for (const [type, state] of Object.entries(TEMPLATES)) {
  cases.push([`template: ${type}`, { StartAt: "S", States: { S: structuredClone(state), Other: { Type: "Succeed" } } }]);
}
let passed = 0;
const failures = [];
const started = Date.now();
for (const [name, definition] of cases) {
  // As the page draws it, and with the nested groups collapsed that a big graph opens with.
  const variants = [new Set(), new Set(deepGroups(definition, 1))].filter((set, i) => i === 0 || set.size);
  let clean = true;
  for (const collapsed of variants) {
    const problems = layoutProblems(await layout(buildGraph(definition, { collapsed })));
    if (problems.length) {
      clean = false;
      failures.push(`${name}${collapsed.size ? " (collapsed)" : ""}: ${problems.slice(0, 3).join("; ")}`);
    }
  }
  if (clean) passed += 1;
}
for (const failure of failures) console.log(`not ok - ${failure}`);
console.log(`layout: ${cases.length} definitions in ${Date.now() - started} ms`);
console.log(`layout: ${passed} passed, ${cases.length - passed} failed`);
process.exit(failures.length ? 1 : 0);
