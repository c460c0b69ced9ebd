//! One small invalid definition per rule, each with the exact errors it must produce: code and
//! JSON-pointer location. A fixture is otherwise valid, so an error that appears or goes
//! missing is a change in behaviour. A larger definition with many problems is snapshot.

use fluxo_asl::validate::{validate, validate_text};
use fluxo_asl::Severity;
use serde_json::{json, Value};

const SCHEMA: &str = "SCHEMA_VALIDATION_FAILED";
const TARGET: &str = "MISSING_TRANSITION_TARGET";

/// A machine that starts at `A` and may go on to the Succeed state `Z`.
fn machine(a: Value) -> Value {
    json!({"StartAt": "A", "States": {"A": a, "Z": {"Type": "Succeed"}}})
}

/// As [`machine`], in JSONata.
fn jsonata(a: Value) -> Value {
    let mut definition = machine(a);
    definition["QueryLanguage"] = json!("JSONata");
    definition
}

/// A state of `kind` that goes on to `Z`, with `extra` fields (a `null` removes one).
fn state(kind: &str, extra: Value) -> Value {
    let mut state = json!({"Type": kind, "Next": "Z"});
    match kind {
        "Task" => state["Resource"] = json!("arn:aws:states:::lambda:invoke"),
        "Wait" => state["Seconds"] = json!(1),
        "Parallel" => state["Branches"] = json!([branch("B")]),
        "Map" => state["ItemProcessor"] = branch("M"),
        _ => {}
    }
    if let (Some(state), Some(extra)) = (state.as_object_mut(), extra.as_object()) {
        for (key, value) in extra {
            if value.is_null() {
                state.remove(key);
            } else {
                state.insert(key.clone(), value.clone());
            }
        }
    }
    state
}

/// A one-state nested machine.
fn branch(name: &str) -> Value {
    json!({"StartAt": name, "States": {name: {"Type": "Succeed"}}})
}

fn choice(rules: Value) -> Value {
    json!({"Type": "Choice", "Choices": rules, "Default": "Z"})
}

/// A fixture: its name, the definition, and every `(code, location)` error it must give.
type Fixture = (&'static str, Value, Vec<(&'static str, &'static str)>);

fn fixtures() -> Vec<Fixture> {
    vec![
        // The top level.
        ("not an object", json!([1]), vec![(SCHEMA, "/")]),
        (
            // As AWS: no state is unreachable without a StartAt (api_validation NO_STARTAT).
            "StartAt missing",
            json!({"States": {"A": {"Type": "Succeed"}}}),
            vec![(SCHEMA, "/")],
        ),
        (
            "StartAt names no state",
            json!({"StartAt": "X", "States": {"A": {"Type": "Succeed"}}}),
            vec![(TARGET, "/StartAt"), (TARGET, "/States/A")],
        ),
        (
            "StartAt not a string",
            json!({"StartAt": 1, "States": {"A": {"Type": "Succeed"}}}),
            vec![(SCHEMA, "/StartAt")],
        ),
        ("States missing", json!({"StartAt": "A"}), vec![(SCHEMA, "/")]),
        (
            "States empty",
            json!({"StartAt": "A", "States": {}}),
            vec![(SCHEMA, "/States")],
        ),
        (
            "States not an object",
            json!({"StartAt": "A", "States": [{"Type": "Succeed"}]}),
            vec![(SCHEMA, "/States")],
        ),
        (
            "Comment not a string",
            json!({"Comment": 1, "StartAt": "A", "States": {"A": {"Type": "Succeed"}}}),
            vec![(SCHEMA, "/Comment")],
        ),
        (
            "Version not 1.0",
            json!({"Version": "2.0", "StartAt": "A", "States": {"A": {"Type": "Succeed"}}}),
            vec![(SCHEMA, "/Version")],
        ),
        (
            "TimeoutSeconds negative",
            json!({"TimeoutSeconds": -1, "StartAt": "A", "States": {"A": {"Type": "Succeed"}}}),
            vec![(SCHEMA, "/TimeoutSeconds")],
        ),
        (
            "TimeoutSeconds not an integer",
            json!({"TimeoutSeconds": "60", "StartAt": "A", "States": {"A": {"Type": "Succeed"}}}),
            vec![(SCHEMA, "/TimeoutSeconds")],
        ),
        (
            "QueryLanguage unknown",
            json!({"QueryLanguage": "SQL", "StartAt": "A", "States": {"A": {"Type": "Succeed"}}}),
            vec![(SCHEMA, "/QueryLanguage")],
        ),
        (
            "unknown top-level field",
            json!({"Foo": 1, "StartAt": "A", "States": {"A": {"Type": "Succeed"}}}),
            vec![(SCHEMA, "/Foo")],
        ),
        // Every state.
        (
            "state not an object",
            machine(json!("Pass")),
            vec![(SCHEMA, "/States/A"), (TARGET, "/States/Z")],
        ),
        (
            "Type missing",
            machine(json!({"Next": "Z"})),
            vec![(SCHEMA, "/States/A"), (TARGET, "/States/Z")],
        ),
        (
            "Type unknown",
            machine(json!({"Type": "Teleport", "Next": "Z"})),
            vec![(SCHEMA, "/States/A/Type"), (TARGET, "/States/Z")],
        ),
        (
            "state Comment not a string",
            machine(state("Pass", json!({"Comment": 1}))),
            vec![(SCHEMA, "/States/A/Comment")],
        ),
        (
            "state name too long",
            json!({"StartAt": "a".repeat(81), "States": {"a".repeat(81): {"Type": "Succeed"}}}),
            vec![("INVALID_STATE_NAME", "/States/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")],
        ),
        (
            "state name repeated in a branch",
            machine(state("Parallel", json!({"Branches": [branch("Z")]}))),
            // Reported at the later of the two in document order.
            vec![("DUPLICATE_STATE_NAME", "/States/Z")],
        ),
        (
            "unknown state field",
            machine(state("Pass", json!({"Foo": 1}))),
            vec![(SCHEMA, "/States/A/Foo")],
        ),
        (
            "Fail with InputPath",
            json!({"StartAt": "A", "States": {"A": {"Type": "Fail", "InputPath": "$"}}}),
            vec![(SCHEMA, "/States/A/InputPath")],
        ),
        (
            "Fail with Next",
            json!({"StartAt": "A", "States": {"A": {"Type": "Fail", "Next": "A"}}}),
            vec![(SCHEMA, "/States/A/Next")],
        ),
        (
            "Succeed with Next",
            json!({"StartAt": "A", "States": {"A": {"Type": "Succeed", "Next": "A"}}}),
            vec![(SCHEMA, "/States/A/Next")],
        ),
        (
            "Choice with End",
            machine(json!({"Type": "Choice", "End": true, "Choices": [{"Variable": "$.a", "IsNull": true, "Next": "Z"}]})),
            vec![(SCHEMA, "/States/A/End")],
        ),
        (
            "Pass with Retry",
            machine(state("Pass", json!({"Retry": []}))),
            vec![(SCHEMA, "/States/A/Retry")],
        ),
        (
            "Map with TimeoutSeconds",
            machine(state("Map", json!({"TimeoutSeconds": 5}))),
            vec![(SCHEMA, "/States/A/TimeoutSeconds")],
        ),
        (
            "neither Next nor End",
            machine(state("Pass", json!({"Next": null, "Comment": "x"}))),
            vec![(SCHEMA, "/States/A"), (TARGET, "/States/Z")],
        ),
        (
            "both Next and End",
            machine(state("Pass", json!({"End": true}))),
            vec![(SCHEMA, "/States/A")],
        ),
        (
            "End false",
            json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": false}, "Z": {"Type": "Succeed"}}}),
            vec![(SCHEMA, "/States/A"), (TARGET, "/States/Z")],
        ),
        (
            "End not a boolean",
            json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": "true"}, "Z": {"Type": "Succeed"}}}),
            vec![(SCHEMA, "/States/A/End"), (TARGET, "/States/Z")],
        ),
        (
            "Next names no state",
            machine(state("Pass", json!({"Next": "Y"}))),
            vec![(TARGET, "/States/A/Next"), (TARGET, "/States/Z")],
        ),
        (
            "Next out of the branch",
            machine(state("Parallel", json!({"Branches": [
                {"StartAt": "B", "States": {"B": {"Type": "Pass", "Next": "Z"}, "C": {"Type": "Succeed"}}}
            ]}))),
            vec![
                (TARGET, "/States/A/Branches/0/States/B/Next"),
                (TARGET, "/States/A/Branches/0/States/C"),
            ],
        ),
        (
            "unreachable state",
            json!({"StartAt": "A", "States": {"A": {"Type": "Succeed"}, "B": {"Type": "Succeed"}}}),
            vec![(TARGET, "/States/B")],
        ),
        (
            "no terminal state",
            json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}}}),
            vec![("MISSING_END_STATE", "/")],
        ),
        // Query languages.
        (
            "JSONata field in a JSONPath state",
            machine(state("Pass", json!({"Output": {}}))),
            vec![(SCHEMA, "/States/A/Output")],
        ),
        (
            "JSONPath field in a JSONata state",
            jsonata(state("Pass", json!({"Parameters": {}}))),
            vec![(SCHEMA, "/States/A/Parameters")],
        ),
        (
            "JSONPath state in a JSONata machine",
            jsonata(state("Pass", json!({"QueryLanguage": "JSONPath"}))),
            vec![(SCHEMA, "/States/A")],
        ),
        (
            "state QueryLanguage unknown",
            machine(state("Pass", json!({"QueryLanguage": "XPath"}))),
            vec![(SCHEMA, "/States/A/QueryLanguage")],
        ),
        (
            "QueryLanguage in a Map processor",
            machine(state("Map", json!({"ItemProcessor": {"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {"Type": "Succeed"}}}}))),
            vec![(SCHEMA, "/States/A/ItemProcessor/QueryLanguage")],
        ),
        (
            "JSONata Assign not an object",
            jsonata(state("Pass", json!({"Assign": "{% 1 %}"}))),
            vec![(SCHEMA, "/States/A/Assign")],
        ),
        (
            "JSONata Arguments not an object",
            jsonata(state("Task", json!({"Arguments": [1]}))),
            vec![(SCHEMA, "/States/A/Arguments")],
        ),
        // Paths and templates.
        (
            "InputPath not a path",
            machine(state("Pass", json!({"InputPath": "input"}))),
            vec![(SCHEMA, "/States/A/InputPath")],
        ),
        (
            "OutputPath not a string",
            machine(state("Pass", json!({"OutputPath": 1}))),
            vec![(SCHEMA, "/States/A/OutputPath")],
        ),
        (
            "ResultPath not definite",
            machine(state("Pass", json!({"ResultPath": "$.a[*]"}))),
            vec![(SCHEMA, "/States/A/ResultPath")],
        ),
        (
            "Parameters with a bad path",
            machine(state("Pass", json!({"Parameters": {"a": {"b.$": "nope"}}}))),
            vec![(SCHEMA, "/States/A/Parameters/a")],
        ),
        (
            "Parameters with a bad intrinsic",
            machine(state("Task", json!({"Parameters": {"a.$": "States.Format('{}'"}}))),
            vec![(SCHEMA, "/States/A/Parameters")],
        ),
        (
            "ResultSelector not an object",
            machine(state("Task", json!({"ResultSelector": "$.a"}))),
            vec![(SCHEMA, "/States/A/ResultSelector")],
        ),
        (
            "Assign with a bad path",
            machine(state("Pass", json!({"Assign": {"x.$": "$$$"}}))),
            vec![(SCHEMA, "/States/A/Assign")],
        ),
        // Task.
        (
            "Task without Resource",
            machine(state("Task", json!({"Resource": null}))),
            vec![(SCHEMA, "/States/A")],
        ),
        (
            "Task Resource not an ARN",
            machine(state("Task", json!({"Resource": "my-function"}))),
            vec![(SCHEMA, "/States/A/Resource")],
        ),
        (
            "TimeoutSeconds and TimeoutSecondsPath",
            machine(state("Task", json!({"TimeoutSeconds": 5, "TimeoutSecondsPath": "$.t"}))),
            vec![(SCHEMA, "/States/A")],
        ),
        (
            "Task TimeoutSeconds zero",
            machine(state("Task", json!({"TimeoutSeconds": 0}))),
            vec![(SCHEMA, "/States/A/TimeoutSeconds")],
        ),
        (
            "HeartbeatSeconds not below TimeoutSeconds",
            machine(state("Task", json!({"TimeoutSeconds": 5, "HeartbeatSeconds": 5}))),
            vec![(SCHEMA, "/States/A/HeartbeatSeconds")],
        ),
        (
            "HeartbeatSecondsPath not a single value",
            machine(state("Task", json!({"HeartbeatSecondsPath": "$..beat"}))),
            vec![(SCHEMA, "/States/A/HeartbeatSecondsPath")],
        ),
        (
            "Credentials without RoleArn",
            machine(state("Task", json!({"Credentials": {}}))),
            vec![(SCHEMA, "/States/A/Credentials")],
        ),
        // Retry and Catch.
        (
            "Retry not an array",
            machine(state("Task", json!({"Retry": {"ErrorEquals": ["X"]}}))),
            vec![(SCHEMA, "/States/A/Retry")],
        ),
        (
            "retrier without ErrorEquals",
            machine(state("Task", json!({"Retry": [{"MaxAttempts": 1}]}))),
            vec![(SCHEMA, "/States/A/Retry/0")],
        ),
        (
            "ErrorEquals empty",
            machine(state("Task", json!({"Retry": [{"ErrorEquals": []}]}))),
            vec![(SCHEMA, "/States/A/Retry/0/ErrorEquals")],
        ),
        (
            "States.ALL with other errors",
            machine(state("Task", json!({"Retry": [{"ErrorEquals": ["States.ALL", "X"]}]}))),
            vec![(SCHEMA, "/States/A/Retry/0/ErrorEquals")],
        ),
        (
            "States.ALL not in the last retrier",
            machine(state("Task", json!({"Retry": [{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["X"]}]}))),
            vec![(SCHEMA, "/States/A/Retry/0/ErrorEquals")],
        ),
        (
            "MaxAttempts negative",
            machine(state("Task", json!({"Retry": [{"ErrorEquals": ["X"], "MaxAttempts": -1}]}))),
            vec![(SCHEMA, "/States/A/Retry/0/MaxAttempts")],
        ),
        (
            "IntervalSeconds negative",
            machine(state("Task", json!({"Retry": [{"ErrorEquals": ["X"], "IntervalSeconds": -1}]}))),
            vec![(SCHEMA, "/States/A/Retry/0/IntervalSeconds")],
        ),
        (
            "BackoffRate below 1",
            machine(state("Task", json!({"Retry": [{"ErrorEquals": ["X"], "BackoffRate": 0.9}]}))),
            vec![(SCHEMA, "/States/A/Retry/0/BackoffRate")],
        ),
        (
            "MaxDelaySeconds zero",
            machine(state("Task", json!({"Retry": [{"ErrorEquals": ["X"], "MaxDelaySeconds": 0}]}))),
            vec![(SCHEMA, "/States/A/Retry/0/MaxDelaySeconds")],
        ),
        (
            "JitterStrategy unknown",
            machine(state("Task", json!({"Retry": [{"ErrorEquals": ["X"], "JitterStrategy": "HALF"}]}))),
            vec![(SCHEMA, "/States/A/Retry/0/JitterStrategy")],
        ),
        (
            "unknown retrier field",
            machine(state("Task", json!({"Retry": [{"ErrorEquals": ["X"], "Next": "Z"}]}))),
            vec![(SCHEMA, "/States/A/Retry/0/Next")],
        ),
        (
            "catcher without Next",
            machine(state("Task", json!({"Catch": [{"ErrorEquals": ["X"]}]}))),
            vec![(SCHEMA, "/States/A/Catch/0")],
        ),
        (
            "catcher Next names no state",
            machine(state("Task", json!({"Catch": [{"ErrorEquals": ["X"], "Next": "Y"}]}))),
            vec![(TARGET, "/States/A/Catch/0/Next")],
        ),
        (
            "catcher ResultPath not a reference path",
            machine(state("Task", json!({"Catch": [{"ErrorEquals": ["X"], "Next": "Z", "ResultPath": "$$.x"}]}))),
            vec![(SCHEMA, "/States/A/Catch/0/ResultPath")],
        ),
        // Wait.
        (
            "Wait without a duration",
            machine(state("Wait", json!({"Seconds": null}))),
            vec![(SCHEMA, "/States/A")],
        ),
        (
            "Wait with two durations",
            machine(state("Wait", json!({"Timestamp": "2030-01-01T00:00:00Z"}))),
            vec![(SCHEMA, "/States/A")],
        ),
        (
            "Wait Seconds negative",
            machine(state("Wait", json!({"Seconds": -1}))),
            vec![(SCHEMA, "/States/A/Seconds")],
        ),
        (
            "Wait Seconds too large",
            machine(state("Wait", json!({"Seconds": 100_000_000}))),
            vec![(SCHEMA, "/States/A/Seconds")],
        ),
        (
            "Wait Timestamp not RFC 3339",
            machine(state("Wait", json!({"Seconds": null, "Timestamp": "2030-01-01 00:00:00"}))),
            vec![(SCHEMA, "/States/A/Timestamp")],
        ),
        (
            "Wait SecondsPath not a path",
            machine(state("Wait", json!({"Seconds": null, "SecondsPath": "seconds"}))),
            vec![(SCHEMA, "/States/A/SecondsPath")],
        ),
        // Fail.
        (
            "Fail Error and ErrorPath",
            json!({"StartAt": "A", "States": {"A": {"Type": "Fail", "Error": "E", "ErrorPath": "$.e"}}}),
            vec![(SCHEMA, "/States/A")],
        ),
        (
            "Fail Cause and CausePath",
            json!({"StartAt": "A", "States": {"A": {"Type": "Fail", "Cause": "C", "CausePath": "$.c"}}}),
            vec![(SCHEMA, "/States/A")],
        ),
        (
            "Fail CausePath bad intrinsic",
            json!({"StartAt": "A", "States": {"A": {"Type": "Fail", "CausePath": "States.Nope("}}}),
            vec![(SCHEMA, "/States/A/CausePath")],
        ),
        // Choice.
        (
            "Choice without Choices",
            machine(json!({"Type": "Choice", "Default": "Z"})),
            vec![(SCHEMA, "/States/A")],
        ),
        (
            "Choices empty",
            machine(choice(json!([]))),
            vec![(SCHEMA, "/States/A/Choices")],
        ),
        (
            "Default names no state",
            machine(json!({"Type": "Choice", "Choices": [{"Variable": "$.a", "IsNull": true, "Next": "Z"}], "Default": "Y"})),
            vec![(TARGET, "/States/A/Default")],
        ),
        (
            "choice Next names no state",
            machine(choice(json!([{"Variable": "$.a", "IsNull": true, "Next": "Y"}]))),
            vec![(TARGET, "/States/A/Choices/0/Next")],
        ),
        (
            "JSONata choice without Condition",
            jsonata(choice(json!([{"Next": "Z"}]))),
            vec![(SCHEMA, "/States/A/Choices/0")],
        ),
        (
            "JSONata choice with Variable",
            jsonata(choice(json!([{"Condition": "{% true %}", "Variable": "$.a", "Next": "Z"}]))),
            vec![(SCHEMA, "/States/A/Choices/0/Variable")],
        ),
        // Parallel.
        (
            "Parallel without Branches",
            machine(state("Parallel", json!({"Branches": null}))),
            vec![(SCHEMA, "/States/A")],
        ),
        (
            "Branches empty",
            machine(state("Parallel", json!({"Branches": []}))),
            vec![(SCHEMA, "/States/A/Branches")],
        ),
        (
            "branch without StartAt",
            machine(state("Parallel", json!({"Branches": [{"States": {"B": {"Type": "Succeed"}}}]}))),
            vec![(SCHEMA, "/States/A/Branches/0")],
        ),
        (
            "branch field unknown",
            machine(state("Parallel", json!({"Branches": [{"StartAt": "B", "Version": "1.0", "States": {"B": {"Type": "Succeed"}}}]}))),
            vec![(SCHEMA, "/States/A/Branches/0/Version")],
        ),
        // Map.
        (
            "Map without ItemProcessor",
            machine(state("Map", json!({"ItemProcessor": null}))),
            vec![(SCHEMA, "/States/A")],
        ),
        (
            "Map with ItemProcessor and Iterator",
            machine(state("Map", json!({"Iterator": branch("I")}))),
            vec![(SCHEMA, "/States/A")],
        ),
        (
            "Map ItemSelector and Parameters",
            machine(state("Map", json!({"ItemSelector": {}, "Parameters": {}}))),
            vec![(SCHEMA, "/States/A")],
        ),
        (
            "Map ProcessorConfig Mode unknown",
            machine(state("Map", json!({"ItemProcessor": {"ProcessorConfig": {"Mode": "LOCAL"}, "StartAt": "M", "States": {"M": {"Type": "Succeed"}}}}))),
            vec![(SCHEMA, "/States/A/ItemProcessor/ProcessorConfig/Mode")],
        ),
        (
            "Map DISTRIBUTED without ExecutionType",
            machine(state("Map", json!({"ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "M", "States": {"M": {"Type": "Succeed"}}}}))),
            vec![(SCHEMA, "/States/A/ItemProcessor/ProcessorConfig")],
        ),
        (
            "Map ItemsPath not a path",
            machine(state("Map", json!({"ItemsPath": "items"}))),
            vec![(SCHEMA, "/States/A/ItemsPath")],
        ),
        (
            "MaxConcurrency negative",
            machine(state("Map", json!({"MaxConcurrency": -1}))),
            vec![(SCHEMA, "/States/A/MaxConcurrency")],
        ),
        (
            "MaxConcurrency and MaxConcurrencyPath",
            machine(state("Map", json!({"MaxConcurrency": 1, "MaxConcurrencyPath": "$.m"}))),
            vec![(SCHEMA, "/States/A")],
        ),
        (
            "MaxConcurrencyPath from the context object",
            machine(state("Map", json!({"MaxConcurrencyPath": "$$.Execution.Input.m"}))),
            vec![(SCHEMA, "/States/A/MaxConcurrencyPath")],
        ),
        (
            "ToleratedFailurePercentage above 100",
            machine(state("Map", json!({"ToleratedFailurePercentage": 101}))),
            vec![(SCHEMA, "/States/A/ToleratedFailurePercentage")],
        ),
        (
            "ToleratedFailureCount and its path",
            machine(state("Map", json!({"ToleratedFailureCount": 1, "ToleratedFailureCountPath": "$.n"}))),
            vec![(SCHEMA, "/States/A")],
        ),
        (
            "JSONata Items not an array",
            jsonata(state("Map", json!({"Items": {"a": 1}}))),
            vec![(SCHEMA, "/States/A/Items")],
        ),
        (
            "Map Label invalid",
            machine(state("Map", json!({"Label": "a b"}))),
            vec![("INVALID_LABEL_NAME", "/States/A/Label")],
        ),
        (
            "Map processor without a terminal state",
            machine(state("Map", json!({"ItemProcessor": {"StartAt": "M", "States": {"M": {"Type": "Pass", "Next": "M"}}}}))),
            vec![("MISSING_END_STATE", "/States/A/ItemProcessor")],
        ),
    ]
}

#[test]
fn each_rule_reports_its_code_at_its_location() {
    let mut failures = Vec::new();
    let all = fixtures();
    for (name, definition, expected) in &all {
        let mut found: Vec<(String, String)> = validate(definition)
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| (d.code, d.location))
            .collect();
        let mut expected: Vec<(String, String)> = expected
            .iter()
            .map(|(c, l)| (c.to_string(), l.to_string()))
            .collect();
        found.sort();
        expected.sort();
        if found != expected {
            failures.push(format!(
                "{name}:\n  expected {expected:?}\n  found    {found:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

#[test]
fn definition_text_problems() {
    let cases = [
        ("", "MISSING_DESCRIPTION"),
        ("null", "MISSING_DESCRIPTION"),
        ("{\"StartAt\": ", "INVALID_JSON_DESCRIPTION"),
        ("{\"StartAt\": \"A\",}", "INVALID_JSON_DESCRIPTION"),
    ];
    for (text, code) in cases {
        let found = validate_text(text);
        assert_eq!(found.len(), 1, "{text:?}: {found:?}");
        assert_eq!(found[0].code, code, "{text:?}");
        assert_eq!(found[0].location, "/", "{text:?}");
    }
    let repeated =
        r#"{"StartAt": "A", "States": {"A": {"Type": "Succeed"}, "A": {"Type": "Succeed"}}}"#;
    let found = validate_text(repeated);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].code.as_str(), found[0].location.as_str()),
        ("DUPLICATE_STATE_NAME", "/States/A")
    );
}

#[test]
fn deeply_nested_text_never_overflows_the_stack() {
    // Parallel states nested as deep as the JSON parser allows, then deeper.
    for levels in [30, 40, 1000] {
        let mut text =
            String::from(r#"{"StartAt": "L", "States": {"L": {"Type": "Pass", "End": true}}}"#);
        for level in 0..levels {
            text = format!(
                r#"{{"StartAt": "P{level}", "States": {{"P{level}": {{"Type": "Parallel", "End": true, "Branches": [{text}]}}}}}}"#
            );
        }
        let found = validate_text(&text);
        let valid = fluxo_asl::validate::is_valid(&found);
        assert_eq!(valid, levels == 30, "{levels} levels: {:?}", found.first());
    }
}

#[test]
fn a_definition_with_many_problems() {
    let definition = json!({
        "Comment": "Every problem of this definition is reported, each where it is.",
        "StartAt": "Start",
        "Flavour": "extra",
        "States": {
            "Start": {"Type": "Pass", "Next": "Work", "Result": {"a.$": "$.b"}, "Seconds": 3},
            "Work": {
                "Type": "Task", "Resource": "lambda", "TimeoutSeconds": 10, "HeartbeatSeconds": 20,
                "Parameters": {"id.$": "id", "name": "$.name"},
                "Retry": [{"ErrorEquals": ["States.ALL"], "BackoffRate": 0.5}, {"ErrorEquals": []}],
                "Catch": [{"ErrorEquals": ["X"], "Next": "Recover", "Output": {}}],
                "Next": "Decide"
            },
            "Decide": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.n", "NumericEquals": "one", "Next": "Later"}],
                "Default": "Fan"
            },
            "Later": {"Type": "Wait", "Timestamp": "soon", "SecondsPath": "$.s", "Next": "Fan"},
            "Fan": {"Type": "Parallel", "End": true, "Branches": [
                {"StartAt": "Inner", "States": {"Inner": {"Type": "Pass", "Next": "Start"}}}
            ]},
            "Orphan": {"Type": "Fail", "Error": "E", "ErrorPath": "$.e"}
        }
    });
    insta::assert_json_snapshot!(validate(&definition));
}
