// The reference side of fluxo-jsonata's differential test: reads one case per line on stdin
// ({"id", "expr", "data"?, "bindings", "timelimit"?, "depth"?}; no "data" means undefined),
// evaluates it with jsonata-js (the version in package.json, 2.0.6) and writes one line per case:
// {"id", "result"} | {"id", "undefined": true} | {"id", "code", "message"}.
// Cases with a time limit and a depth are time-boxed as jsonata-js's own test runner does.
"use strict";
const jsonata = require("jsonata");
const readline = require("readline");

function timebox(expr, timeout, maxDepth) {
  let depth = 0;
  const time = Date.now();
  const check = () => {
    if (maxDepth > 0 && depth > maxDepth) {
      throw { code: "U1001", message: "Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive." };
    }
    if (Date.now() - time > timeout) {
      throw { code: "U1001", message: "Expression evaluation timeout: Check for infinite loop" };
    }
  };
  expr.assign(Symbol.for("jsonata.__evaluate_entry"), (e, input, env) => { if (!env.isParallelCall) { depth++; check(); } });
  expr.assign(Symbol.for("jsonata.__evaluate_exit"), (e, input, env) => { if (!env.isParallelCall) { depth--; check(); } });
}

async function evaluate(c) {
  let expr;
  try {
    expr = jsonata(c.expr);
    if ("timelimit" in c && "depth" in c) timebox(expr, c.timelimit, c.depth);
    const result = await expr.evaluate(c.data, c.bindings);
    const text = JSON.stringify(result);
    return text === undefined ? { undefined: true } : { result: JSON.parse(text) };
  } catch (e) {
    return { code: e.code, message: e.message };
  }
}

async function main() {
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const c = JSON.parse(line);
    const out = await evaluate(c);
    process.stdout.write(JSON.stringify({ id: c.id, ...out }) + "\n");
  }
}

main();
