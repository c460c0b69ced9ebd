// Definitions and inputs the browser test uses. The document-validation machine is the
// example's, with a 10-second Wait in front so that the test can watch it run.

import { readFileSync } from "node:fs";
import { join } from "node:path";

export function fixtures(root) {
  const example = join(root, "examples/document-validation");
  const documentValidation = JSON.parse(readFileSync(join(example, "state-machine.asl.json"), "utf8"));
  const watched = {
    Comment: documentValidation.Comment,
    StartAt: "Pause",
    States: { Pause: { Type: "Wait", Seconds: 10, Next: documentValidation.StartAt }, ...documentValidation.States },
  };
  const broken = structuredClone(watched);
  broken.States.ValidateDocument.Next = "IsValidd";
  return {
    watched,
    broken,
    valid: readFileSync(join(example, "documents/valid.json"), "utf8"),
    invalid: readFileSync(join(example, "documents/invalid.json"), "utf8"),
    longWait: { StartAt: "Hold", States: { Hold: { Type: "Wait", Seconds: 600, Next: "Done" }, Done: { Type: "Succeed" } } },
    parallelMap: {
      StartAt: "Fan",
      States: {
        Fan: {
          Type: "Parallel",
          Branches: [
            { StartAt: "Left", States: { Left: { Type: "Pass", Result: 1, End: true } } },
            { StartAt: "Right", States: { Right: { Type: "Fail", Error: "Boom", Cause: "right failed" } } },
          ],
          Retry: [{ ErrorEquals: ["Boom"], IntervalSeconds: 1, MaxAttempts: 1 }],
          Catch: [{ ErrorEquals: ["States.ALL"], Next: "Each", ResultPath: "$.error" }],
          End: true,
        },
        Each: {
          Type: "Map",
          ItemsPath: "$.items",
          ItemProcessor: {
            StartAt: "Check",
            States: {
              Check: { Type: "Choice", Choices: [{ Variable: "$", NumericGreaterThan: 1, Next: "Big" }], Default: "Small" },
              Big: { Type: "Pass", End: true },
              Small: { Type: "Pass", End: true },
            },
          },
          End: true,
        },
      },
    },
    xss: {
      StartAt: "<img src=x onerror=alert(1)>",
      States: { "<img src=x onerror=alert(1)>": { Type: "Pass", Comment: "<script>alert(2)</script>", End: true } },
    },
    large: largeDefinition(),
    manyEvents: {
      StartAt: "Each",
      States: { Each: { Type: "Map", ItemsPath: "$.items", ItemProcessor: { StartAt: "Touch", States: { Touch: { Type: "Pass", End: true } } }, End: true } },
    },
  };
}

/** About 100 states: a chain, Parallel states whose branches hold a Map, Maps holding a Parallel. */
export function largeDefinition() {
  const states = {};
  const chain = (prefix, n, last) => {
    const out = {};
    for (let i = 0; i < n; i++) {
      out[`${prefix}${i}`] = i + 1 < n ? { Type: "Pass", Next: `${prefix}${i + 1}` } : { Type: "Pass", ...(last ? { Next: last } : { End: true }) };
    }
    return out;
  };
  const sections = 4;
  for (let s = 0; s < sections; s++) {
    const next = s + 1 < sections ? `Step${s + 1}_0` : "Finish";
    Object.assign(states, chain(`Step${s}_`, 5, `Fork${s}`));
    states[`Fork${s}`] = {
      Type: "Parallel",
      Next: next,
      Branches: [0, 1].map((b) => ({
        StartAt: `F${s}B${b}_0`,
        States: {
          ...chain(`F${s}B${b}_`, 4, `F${s}B${b}Map`),
          [`F${s}B${b}Map`]: {
            Type: "Map",
            End: true,
            ItemProcessor: { StartAt: `F${s}B${b}M_0`, States: chain(`F${s}B${b}M_`, 5) },
          },
        },
      })),
    };
  }
  states.Finish = { Type: "Succeed" };
  return { StartAt: "Step0_0", States: states };
}
