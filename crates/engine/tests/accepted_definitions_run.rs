//! Any definition the validator accepts runs to an end: generated definitions (every state
//! type, JSONPath data flow with the path forms AWS accepts, Choice rules, Parallel and Map,
//! Retry and Catch, payload templates) are validated; each accepted one is executed by
//! `fluxo_engine::execute` on generated inputs, with no functions (`NoFunctions`) and tokio's
//! paused clock, on a thread with a 2 MiB stack (tokio's worker default). The execution must
//! end (any status) without a panic, an abort or a hang.
//!
//! Definitions are built from a seed by a small deterministic builder, so a failing case is
//! reproduced from the seed proptest prints. Transitions only go forward, so no execution
//! loops: a loop runs until AWS's history limit, which is not what this checks.

use fluxo_engine::{execute, ExecutionRequest, NoFunctions, SystemEnvironment};
use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Map, Value};
use std::sync::{mpsc, Arc};
use std::time::Duration;

/// Paths as users write them (and some that select nothing).
const PATHS: &[&str] = &[
    "$",
    "$.a",
    "$.a.b",
    "$.items",
    "$.items[0]",
    "$.items[*]",
    "$.items[*].v",
    "$.items[1:]",
    "$.items[(@.length-1)]",
    "$..v",
    "$.items[?(@.v > 1)]",
    "$.items[?(@.v == 'x' || @.w)]",
    "$['a', 'b']",
    "$.[0]",
    "$.items.[0]",
    "$.missing",
    "$.a.missing.deeper",
    "$$.Execution.Input",
    "$$.State.Name",
    "$$.Map.Item.Value",
];

const INTRINSICS: &[&str] = &[
    "States.Format('{} and {}', $.a, $.b)",
    "States.Array($.a, $.items, 1)",
    "States.ArrayLength($.items)",
    "States.JsonToString($)",
    "States.StringToJson('{\"x\": [1, 2]}')",
    "States.MathAdd(1, 2)",
    "States.UUID()",
    "States.ArrayRange(1, 100, 7)",
    "States.Hash($.a, 'SHA-256')",
];

struct Builder {
    rng: StdRng,
    /// State names are unique across the whole definition, branches included.
    states: usize,
}

impl Builder {
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.rng.random_range(0..from.len())]
    }

    fn chance(&mut self, percent: u32) -> bool {
        self.rng.random_range(0..100) < percent
    }

    /// A payload template: literals, `.$` fields with paths and intrinsics, nested objects.
    fn template(&mut self, depth: usize) -> Value {
        let mut map = Map::new();
        for index in 0..self.rng.random_range(1..4) {
            match self.rng.random_range(0..4) {
                0 => map.insert(format!("p{index}.$"), json!(self.pick(PATHS))),
                1 => map.insert(format!("i{index}.$"), json!(self.pick(INTRINSICS))),
                2 if depth < 4 => map.insert(format!("n{index}"), self.template(depth + 1)),
                _ => map.insert(format!("l{index}"), json!([1, "two", {"three": 3}])),
            };
        }
        Value::Object(map)
    }

    fn data_flow(&mut self, state: &mut Map<String, Value>, result: bool) {
        if self.chance(30) {
            state.insert("InputPath".into(), json!(self.pick(PATHS)));
        }
        if self.chance(30) {
            state.insert("Parameters".into(), self.template(0));
        }
        if result && self.chance(30) {
            let path = self.pick(&["$.result", "$.a.result", "$", "$.items[0].r", "$['x']"]);
            state.insert("ResultPath".into(), json!(path));
        } else if result && self.chance(10) {
            // The longest ResultPath there is: the result is written 127 levels down.
            let path = format!("${}", ".r".repeat(fluxo_expr::MAX_PATH_STEPS));
            state.insert("ResultPath".into(), json!(path));
        }
        if self.chance(5) {
            // A template as deep as a definition may hold, around the whole input.
            let mut template = json!({"all.$": "$"});
            for _ in 0..100 {
                template = json!({ "t": template });
            }
            state.insert("Parameters".into(), template);
        }
        if self.chance(20) {
            state.insert("OutputPath".into(), json!(self.pick(PATHS)));
        }
    }

    fn choice_rule(&mut self, depth: usize) -> Value {
        match self.rng.random_range(0..6) {
            0 if depth < 3 => json!({"Not": self.choice_rule(depth + 1)}),
            1 if depth < 3 => {
                json!({"And": [self.choice_rule(depth + 1), self.choice_rule(depth + 1)]})
            }
            2 => json!({"Variable": self.pick(PATHS), "IsPresent": true}),
            3 => json!({"Variable": self.pick(PATHS), "NumericGreaterThan": 1}),
            4 => json!({"Variable": self.pick(PATHS), "StringEqualsPath": self.pick(PATHS)}),
            _ => json!({"Variable": self.pick(PATHS), "IsString": true}),
        }
    }

    /// A machine of a few states, each leading to the next (a Choice may skip ahead); the
    /// last one ends it.
    fn machine(&mut self, depth: usize) -> Value {
        let count = self.rng.random_range(1..5);
        let first = self.states;
        self.states += count;
        let names: Vec<String> = (first..first + count).map(|i| format!("S{i}")).collect();
        let mut states = Map::new();
        for (index, name) in names.iter().enumerate() {
            let later = &names[index + 1..];
            let next = later.first().cloned();
            states.insert(name.clone(), self.state(depth, next, later));
        }
        json!({"StartAt": names[0], "States": states})
    }

    fn state(&mut self, depth: usize, next: Option<String>, later: &[String]) -> Value {
        let mut state = Map::new();
        let kind = self.rng.random_range(0..8);
        let flow = |state: &mut Map<String, Value>| match &next {
            Some(next) => state.insert("Next".into(), json!(next)),
            None => state.insert("End".into(), json!(true)),
        };
        match kind {
            0 | 1 => {
                state.insert("Type".into(), json!("Pass"));
                if self.chance(30) {
                    state.insert("Result".into(), json!({"r": [1, 2]}));
                }
                self.data_flow(&mut state, true);
                flow(&mut state);
            }
            2 if !later.is_empty() => {
                state.insert("Type".into(), json!("Choice"));
                let target = later[self.rng.random_range(0..later.len())].clone();
                let mut rule = self.choice_rule(0);
                rule["Next"] = json!(target);
                state.insert("Choices".into(), json!([rule]));
                state.insert("Default".into(), json!(later[0]));
                return Value::Object(state);
            }
            3 => {
                state.insert("Type".into(), json!("Wait"));
                state.insert("Seconds".into(), json!(self.rng.random_range(0..100)));
                flow(&mut state);
            }
            4 if depth < 2 => {
                state.insert("Type".into(), json!("Parallel"));
                let branches: Vec<Value> = (0..self.rng.random_range(1..3))
                    .map(|_| self.machine(depth + 1))
                    .collect();
                state.insert("Branches".into(), json!(branches));
                self.data_flow(&mut state, true);
                flow(&mut state);
            }
            5 if depth < 2 => {
                state.insert("Type".into(), json!("Map"));
                let items = self.pick(&["$.items", "$", "$.items[*].v", "$.missing"]);
                state.insert("ItemsPath".into(), json!(items));
                state.insert("ItemProcessor".into(), self.machine(depth + 1));
                state.insert("MaxConcurrency".into(), json!(self.rng.random_range(0..3)));
                self.data_flow(&mut state, true);
                if self.chance(40) && !state.contains_key("Parameters") {
                    state.insert("ItemSelector".into(), self.template(0));
                }
                flow(&mut state);
            }
            6 => {
                state.insert("Type".into(), json!("Task"));
                state.insert(
                    "Resource".into(),
                    json!("arn:aws:lambda:us-east-1:123456789012:function:nothing"),
                );
                state.insert(
                    "Retry".into(),
                    json!([{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2, "IntervalSeconds": 1}]),
                );
                if let Some(next) = &next {
                    state.insert(
                        "Catch".into(),
                        json!([{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": next}]),
                    );
                }
                self.data_flow(&mut state, true);
                flow(&mut state);
            }
            _ if next.is_none() && self.chance(50) => {
                state.insert("Type".into(), json!("Fail"));
                state.insert(
                    "ErrorPath".into(),
                    json!(self.pick(&["$.a", "$$.State.Name"])),
                );
            }
            _ => {
                state.insert("Type".into(), json!("Succeed"));
                if self.chance(30) {
                    state.insert("OutputPath".into(), json!(self.pick(PATHS)));
                }
            }
        }
        Value::Object(state)
    }
}

/// Inputs with the fields the paths above read, of varied types.
fn input() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(json!(null)),
        any::<bool>().prop_map(Value::from),
        (-5i64..5).prop_map(Value::from),
        "[a-z]{0,3}".prop_map(Value::from),
    ];
    let value = leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-z]", inner, 0..3)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    });
    (
        value.clone(),
        prop::collection::vec(value.clone(), 0..4),
        value,
    )
        .prop_map(|(a, items, b)| {
            let items: Vec<Value> = items.into_iter().map(|v| json!({"v": v, "w": 1})).collect();
            json!({"a": a, "b": b, "items": items})
        })
}

/// Runs the execution on a 2 MiB thread with a paused clock: its status, or why there is none.
fn run(definition: Value, input: Value) -> Result<String, &'static str> {
    let (done, ended) = mpsc::channel();
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .start_paused(true)
                .build()
                .expect("a runtime");
            let machine = Arc::new(fluxo_asl::compile(&definition).expect("accepted"));
            let request = ExecutionRequest::new("us-east-1", "123456789012", "m", "e", input);
            let env = Arc::new(SystemEnvironment::new(NoFunctions).with_seed(7));
            let outcome = runtime.block_on(execute(machine, request, env));
            let _ = done.send(format!("{:?}", outcome.status));
        })
        .expect("thread starts");
    ended
        .recv_timeout(Duration::from_secs(30))
        .map_err(|error| match error {
            mpsc::RecvTimeoutError::Timeout => "no end within 30 s of wall-clock time",
            mpsc::RecvTimeoutError::Disconnected => "the execution panicked",
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn every_accepted_definition_runs_to_an_end(seed in any::<u64>(), inputs in prop::collection::vec(input(), 1..3)) {
        let definition = Builder { rng: StdRng::seed_from_u64(seed), states: 0 }.machine(0);
        let diagnostics = fluxo_asl::validate::validate(&definition);
        prop_assume!(fluxo_asl::validate::is_valid(&diagnostics));
        for input in inputs {
            let status = run(definition.clone(), input.clone());
            prop_assert!(status.is_ok(), "{status:?}: seed {seed}, input {input}, definition {definition}");
        }
    }
}

/// A loop whose template wraps the input one level deeper per iteration fails
/// (`States.Runtime`) when the value would pass `fluxo_expr::MAX_JSON_DEPTH`, instead of
/// building a value thousands of levels deep that serde_json copies and drops recursively.
#[test]
fn a_loop_that_nests_its_input_in_a_template_fails_instead_of_aborting() {
    let definition = json!({"StartAt": "Wrap", "States": {
        "Wrap": {"Type": "Pass", "Next": "Again",
                 "Parameters": {"n.$": "States.MathAdd($.n, 1)", "inner.$": "$"}},
        "Again": {"Type": "Choice", "Default": "Done",
                  "Choices": [{"Variable": "$.n", "NumericLessThan": 5000, "Next": "Wrap"}]},
        "Done": {"Type": "Succeed"}
    }});
    assert!(fluxo_asl::validate::is_valid(
        &fluxo_asl::validate::validate(&definition)
    ));
    assert_eq!(run(definition, json!({"n": 0})), Ok("Failed".to_string()));
}

/// The same with a `ResultPath` that writes the state's input inside itself at every turn
/// (this aborted the process before `ReferencePath::write` was bounded).
#[test]
fn a_loop_that_nests_its_input_by_result_path_fails_instead_of_aborting() {
    let definition = json!({"StartAt": "Wrap", "States": {
        "Wrap": {"Type": "Pass", "ResultPath": "$.inner", "Next": "Again"},
        "Again": {"Type": "Choice", "Default": "Done",
                  "Choices": [{"Variable": "$.inner", "IsPresent": true, "Next": "Wrap"}]},
        "Done": {"Type": "Succeed"}
    }});
    assert!(fluxo_asl::validate::is_valid(
        &fluxo_asl::validate::validate(&definition)
    ));
    assert_eq!(run(definition, json!({"n": 0})), Ok("Failed".to_string()));
}

/// FINDING for the engine (not fixed here, the engine is the lead's): a loop through a
/// Parallel state whose branch passes its input on nests the value one level deeper per turn
/// (the Parallel output is the array of the branches' outputs) with nothing in fluxo-expr
/// involved, and the process aborts on a 2 MiB stack once serde_json copies, serialises or
/// drops the value recursively. The engine should call `fluxo_expr::check_depth` on the
/// Parallel and Map outputs it assembles (and on any value it builds) and fail the execution
/// (`States.Runtime`). Run with `-- --ignored`.
#[test]
#[ignore = "engine finding: Parallel/Map outputs are not depth-checked (see doc comment)"]
fn a_loop_through_a_parallel_state_fails_instead_of_aborting() {
    let definition = json!({"StartAt": "Wrap", "States": {
        "Wrap": {"Type": "Parallel", "Next": "Again", "Branches": [
            {"StartAt": "Same", "States": {"Same": {"Type": "Pass", "End": true}}}]},
        "Again": {"Type": "Choice", "Default": "Done",
                  "Choices": [{"Variable": "$[0]", "IsPresent": true, "Next": "Wrap"}]},
        "Done": {"Type": "Succeed"}
    }});
    assert!(fluxo_asl::validate::is_valid(
        &fluxo_asl::validate::validate(&definition)
    ));
    assert_eq!(run(definition, json!({"n": 0})), Ok("Failed".to_string()));
}
