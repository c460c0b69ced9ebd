// Where things are in JSON text: the range of the value at a JSON pointer (`/States/Check`),
// and the pointer of the innermost value at an offset. A small scanner over valid JSON that
// keeps offsets (JSON.parse keeps none). Pure; used to put diagnostics on their line and to
// link graph states and the text both ways.

/** Scans `text` (valid JSON) and calls `visit(pointer, from, to, keyFrom)` for every value. */
export function scan(text, visit) {
  let i = 0;
  const ws = () => { while (i < text.length && " \t\n\r".includes(text[i])) i++; };
  const string = () => {
    const from = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i++;
    return JSON.parse(text.slice(from, i));
  };
  const value = (pointer, keyFrom, depth) => {
    if (depth > 512) throw new Error("too deep");
    ws();
    const from = i;
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      while (text[i] !== "}") {
        ws();
        const kFrom = i;
        const key = string();
        ws();
        i++; // colon
        value(`${pointer}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`, kFrom, depth + 1);
        ws();
        if (text[i] === ",") i++;
        ws();
      }
      i++;
    } else if (c === "[") {
      i++;
      ws();
      let index = 0;
      while (text[i] !== "]") {
        value(`${pointer}/${index++}`, null, depth + 1);
        ws();
        if (text[i] === ",") i++;
        ws();
      }
      i++;
    } else if (c === '"') {
      string();
    } else {
      while (i < text.length && !",}] \t\n\r".includes(text[i])) i++;
    }
    visit(pointer, from, i, keyFrom);
  };
  value("", null, 0);
}

/** The range `{from, to, keyFrom}` of the value at `pointer`, or the nearest enclosing value. */
export function locate(text, pointer) {
  const found = new Map();
  try {
    scan(text, (p, from, to, keyFrom) => found.set(p, { from, to, keyFrom: keyFrom ?? from }));
  } catch {
    return null;
  }
  let p = pointer || "";
  while (!found.has(p) && p) p = p.slice(0, p.lastIndexOf("/"));
  return found.get(p) || null;
}

/** The pointer of the innermost value containing `offset`. */
export function pointerAt(text, offset) {
  let best = null;
  try {
    scan(text, (p, from, to, keyFrom) => {
      const start = keyFrom ?? from;
      if (start <= offset && offset <= to && (!best || to - start < best.size)) best = { p, size: to - start };
    });
  } catch {
    return null;
  }
  return best ? best.p : null;
}

/** The JSON pointer of a graph node id (`/P#0/A` → `/States/P/Branches/0/States/A`; names in
 *  ids are URI-encoded, so a `/` or `#` in a state name stays part of it). */
export function pointerOfNode(definition, nodeId) {
  const parts = nodeId.split("/").slice(1);
  let pointer = "";
  let scope = definition;
  for (const part of parts) {
    const [encoded, branch] = part.split("#");
    const name = decodeURIComponent(encoded);
    const state = scope && scope.States && scope.States[name];
    pointer += `/States/${name.replace(/~/g, "~0").replace(/\//g, "~1")}`;
    if (branch === undefined || !state) continue;
    if (state.Type === "Parallel") {
      pointer += `/Branches/${branch}`;
      scope = state.Branches[Number(branch)];
    } else {
      const key = state.ItemProcessor ? "ItemProcessor" : "Iterator";
      pointer += `/${key}`;
      scope = state[key];
    }
  }
  return pointer;
}

/** The name of the innermost state a pointer is in (`/States/A/Next` → `A`), or null. */
export function stateOfPointer(pointer) {
  const match = String(pointer || "").match(/\/States\/([^/]+)(?!.*\/States\/)/);
  return match ? match[1].replace(/~1/g, "/").replace(/~0/g, "~") : null;
}
