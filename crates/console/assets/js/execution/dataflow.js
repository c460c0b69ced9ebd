// A state's data flow step by step, as AWS's console shows it: input → InputPath → Parameters →
// (task result) → ResultSelector → ResultPath → OutputPath. Values the history records are
// shown as recorded: the state input (…StateEntered), the effective input of a task (the
// Scheduled event's input/parameters), the task result (…Succeeded output) and the state output
// (…StateExited). The steps in between are computed here from the definition with JSONPath
// (jsonpath-plus): they are approximate where a template uses intrinsic functions or the
// context object (`$$`), which only the engine evaluates; those steps say so.

import { JSONPath } from "../../vendor/jsonpath.js";
import { parseJson } from "../format.js";

const NOT_COMPUTED = Symbol("not computed");

/** Reads a JSONPath (`$.a.b`) from a value; `NOT_COMPUTED` for `$$` or variables. */
function read(path, value) {
  if (typeof path !== "string" || !path.startsWith("$") || path.startsWith("$$")) return NOT_COMPUTED;
  if (path === "$") return value;
  if (/^\$[A-Za-z_]/.test(path)) return NOT_COMPUTED; // a variable ($name): the engine's
  const found = JSONPath({ path, json: value, wrap: false, eval: false });
  return found === undefined ? NOT_COMPUTED : found;
}

/** Applies a payload template (Parameters, ResultSelector); `NOT_COMPUTED` where it cannot. */
function template(shape, value, depth = 0) {
  if (depth > 32) return NOT_COMPUTED;
  if (Array.isArray(shape)) {
    const items = shape.map((item) => template(item, value, depth + 1));
    return items.includes(NOT_COMPUTED) ? NOT_COMPUTED : items;
  }
  if (!shape || typeof shape !== "object") return shape;
  const result = {};
  for (const [key, inner] of Object.entries(shape)) {
    if (key.endsWith(".$")) {
      const found = read(inner, value);
      if (found === NOT_COMPUTED) return NOT_COMPUTED;
      result[key.slice(0, -2)] = found;
    } else {
      const built = template(inner, value, depth + 1);
      if (built === NOT_COMPUTED) return NOT_COMPUTED;
      result[key] = built;
    }
  }
  return result;
}

/** Writes `result` into `input` at a ResultPath (`$`, `$.a.b`); null discards the result. */
function write(path, input, result) {
  if (path === null) return input;
  if (path === undefined || path === "$") return result;
  const keys = String(path).replace(/^\$\.?/, "").split(".");
  if (keys.some((k) => !/^[^[\]]+$/.test(k))) return NOT_COMPUTED;
  const output = structuredClone(input && typeof input === "object" ? input : {});
  let target = output;
  keys.slice(0, -1).forEach((key) => {
    if (!target[key] || typeof target[key] !== "object") target[key] = {};
    target = target[key];
  });
  target[keys[keys.length - 1]] = result;
  return output;
}

/**
 * The steps of one run of `state` (its definition) given the run from History.
 * Returns `[{ step, value, source }]`: `source` is `recorded`, `computed`, or `engine` (the page
 * cannot compute it); `value` is undefined when there is nothing to show.
 */
export function dataFlow(state = {}, run) {
  const steps = [];
  const push = (step, value, source) => steps.push({ step, value: value === NOT_COMPUTED ? undefined : value, source: value === NOT_COMPUTED ? "engine" : source });
  const input = parseJson(run.input);
  push("State input", input, "recorded");
  const afterInputPath = state.InputPath === null ? {} : state.InputPath ? read(state.InputPath, input) : input;
  if ("InputPath" in state) push("After InputPath", afterInputPath, "computed");
  const recordedEffective = run.attempts[0] && parseJson(run.attempts[0].input);
  const parameters = state.Parameters ?? state.Arguments ?? state.ItemSelector;
  let effective = afterInputPath;
  if (recordedEffective !== undefined) {
    effective = recordedEffective;
    push("Effective input (after Parameters)", effective, "recorded");
  } else if (parameters !== undefined && state.Type !== "Map") {
    effective = afterInputPath === NOT_COMPUTED ? NOT_COMPUTED : template(parameters, afterInputPath);
    push("After Parameters", effective, "computed");
  }
  const lastAttempt = run.attempts[run.attempts.length - 1];
  let result;
  if (state.Type === "Task" && lastAttempt && !lastAttempt.failed && lastAttempt.output !== undefined) {
    result = parseJson(lastAttempt.output);
    push("Task result", result, "recorded");
  } else if (state.Type === "Pass") {
    result = "Result" in state ? state.Result : effective;
  }
  if (state.ResultSelector !== undefined && result !== undefined) {
    result = template(state.ResultSelector, result);
    push("After ResultSelector", result, "computed");
  }
  if ("ResultPath" in state && result !== undefined && afterInputPath !== NOT_COMPUTED) {
    const written = result === NOT_COMPUTED ? NOT_COMPUTED : write(state.ResultPath, input, result);
    push("After ResultPath", written, "computed");
  }
  if (run.exited) push(`State output${state.OutputPath !== undefined ? " (after OutputPath)" : ""}`, parseJson(run.output), "recorded");
  return steps;
}
