// Templates for inserting a state of each of the eight types: valid on their own, with the
// fields a person fills in next.

export const TEMPLATES = {
  Task: {
    Type: "Task",
    Resource: "arn:aws:lambda:us-east-1:123456789012:function:my-function",
    Retry: [{ ErrorEquals: ["States.TaskFailed"], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2 }],
    End: true,
  },
  Pass: { Type: "Pass", Result: { hello: "world" }, ResultPath: "$.pass", End: true },
  Choice: {
    Type: "Choice",
    Choices: [{ Variable: "$.value", NumericGreaterThan: 0, Next: "REPLACE_ME" }],
    Default: "REPLACE_ME",
  },
  Wait: { Type: "Wait", Seconds: 5, End: true },
  Succeed: { Type: "Succeed" },
  Fail: { Type: "Fail", Error: "MyError", Cause: "Something went wrong" },
  Parallel: {
    Type: "Parallel",
    Branches: [
      { StartAt: "BranchA", States: { BranchA: { Type: "Pass", End: true } } },
      { StartAt: "BranchB", States: { BranchB: { Type: "Pass", End: true } } },
    ],
    End: true,
  },
  Map: {
    Type: "Map",
    ItemsPath: "$.items",
    MaxConcurrency: 4,
    ItemProcessor: { ProcessorConfig: { Mode: "INLINE" }, StartAt: "Item", States: { Item: { Type: "Pass", End: true } } },
    End: true,
  },
};

/** Every state name used in a definition, nested ones included. */
function names(scope, into = new Set(), depth = 0) {
  if (depth > 16) return into;
  for (const [name, state] of Object.entries((scope && scope.States) || {})) {
    into.add(name);
    for (const inner of (state && state.Branches) || []) names(inner, into, depth + 1);
    if (state && (state.ItemProcessor || state.Iterator)) names(state.ItemProcessor || state.Iterator, into, depth + 1);
  }
  return into;
}

/**
 * Adds a state of `type` to `definition` (a parsed object, changed in place) under a fresh name.
 * Choice targets point at the first existing state. Returns the new state's name.
 */
export function insertState(definition, type) {
  const used = names(definition);
  const fresh = (base) => {
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base}${n}`;
    used.add(name);
    return name;
  };
  const state = structuredClone(TEMPLATES[type]);
  for (const branch of state.Branches || []) {
    const inner = Object.keys(branch.States)[0];
    const renamed = fresh(inner);
    branch.States = { [renamed]: branch.States[inner] };
    branch.StartAt = renamed;
  }
  if (state.ItemProcessor) {
    const renamed = fresh("Item");
    state.ItemProcessor.States = { [renamed]: state.ItemProcessor.States.Item };
    state.ItemProcessor.StartAt = renamed;
  }
  definition.States = definition.States || {};
  const name = fresh(`New${type}`);
  if (type === "Choice") {
    const target = Object.keys(definition.States)[0] || name;
    state.Choices[0].Next = target;
    state.Default = target;
  }
  definition.States[name] = state;
  if (!definition.StartAt) definition.StartAt = name;
  return name;
}
