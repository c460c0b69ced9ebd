//! JSONata states and workflow variables end to end, on the in-memory environment with
//! tokio's paused clock: what AWS documents for `$states`, `Assign` and `Output`, variable
//! scopes of Parallel branches, `States.QueryEvaluationError` with its `EvaluationFailed`
//! event, the variable quotas, and a hostile expression stopped by the evaluation limits.

use fluxo_engine::{execute, ExecutionRequest, ExecutionStatus, NoFunctions, SystemEnvironment};
use fluxo_types::EventType;
use serde_json::{json, Value};
use std::sync::Arc;

async fn run(definition: Value, input: Value) -> fluxo_engine::ExecutionOutcome {
    let machine = fluxo_asl::compile(&definition).expect("valid definition");
    let env = Arc::new(SystemEnvironment::new(Arc::new(NoFunctions)).with_seed(7));
    let request = ExecutionRequest::new("us-east-1", "123456789012", "test", "exec", input);
    execute(Arc::new(machine), request, env).await
}

fn output(outcome: &fluxo_engine::ExecutionOutcome) -> Value {
    assert_eq!(outcome.status, ExecutionStatus::Succeeded, "{outcome:?}");
    serde_json::from_str(outcome.output.as_deref().expect("an output")).expect("JSON")
}

#[tokio::test(start_paused = true)]
async fn assign_and_output_read_variables_as_they_were_when_the_state_was_entered() {
    let definition = json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"x": 1}, "Next": "B"},
        "B": {"Type": "Pass",
              "Assign": {"x": "{% $x + 1 %}", "seen": "{% $x %}"},
              "Output": {"x": "{% $x %}", "in": "{% $states.input.v %}"}, "Next": "C"},
        "C": {"Type": "Pass", "QueryLanguage": "JSONata",
              "Output": {"x": "{% $x %}", "seen": "{% $seen %}", "prev": "{% $states.input %}"}, "End": true}
    }});
    let outcome = run(definition, json!({"v": "input"})).await;
    assert_eq!(
        output(&outcome),
        json!({"x": 2, "seen": 1, "prev": {"x": 1, "in": "input"}})
    );
}

#[tokio::test(start_paused = true)]
async fn parallel_branches_read_outer_variables_and_keep_their_own() {
    let definition = json!({"QueryLanguage": "JSONata", "StartAt": "Set", "States": {
        "Set": {"Type": "Pass", "Assign": {"outer": "o"}, "Next": "P"},
        "P": {"Type": "Parallel", "Next": "After", "Branches": [
            {"StartAt": "B", "States": {"B": {"Type": "Pass", "Assign": {"outer": "changed", "inner": 1},
                "Output": "{% $outer %}", "End": true}}}
        ]},
        "After": {"Type": "Pass", "Output": {"outer": "{% $outer %}", "branches": "{% $states.input %}"}, "Next": "Inner"},
        "Inner": {"Type": "Pass", "Output": "{% $inner %}", "End": true}
    }});
    let outcome = run(definition, json!({})).await;
    // The branch saw the outer value; its assignments stayed inside it.
    let after = outcome
        .history
        .iter()
        .find(|e| {
            e.kind == EventType::PassStateExited
                && e.detail_text("name").as_deref() == Some("After")
        })
        .and_then(|e| e.detail_text("output"))
        .expect("After exited");
    assert_eq!(
        serde_json::from_str::<Value>(&after).unwrap(),
        json!({"outer": "o", "branches": ["o"]})
    );
    assert_eq!(outcome.status, ExecutionStatus::Failed);
    assert_eq!(
        outcome.error.as_deref(),
        Some("States.QueryEvaluationError")
    );
    assert!(outcome.cause.as_deref().unwrap().ends_with(
        "The JSONata expression '$inner' specified for the field 'Output' returned nothing (undefined)."
    ));
    let evaluation = outcome
        .history
        .iter()
        .find(|e| e.kind == EventType::EvaluationFailed)
        .expect("an EvaluationFailed event");
    assert_eq!(
        evaluation.detail_text("location").as_deref(),
        Some("Output")
    );
    assert_eq!(evaluation.detail_text("state").as_deref(), Some("Inner"));
}

#[tokio::test(start_paused = true)]
async fn a_catcher_sees_the_error_output_and_jsonpath_states_read_jsonata_variables() {
    let definition = json!({"StartAt": "Fails", "States": {
        "Fails": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $nope() %}",
            "Next": "End"},
        "End": {"Type": "Succeed"}
    }});
    // A Pass state has no Catch: the evaluation failure fails the execution with T1006.
    let outcome = run(definition, json!({})).await;
    assert!(outcome
        .cause
        .unwrap()
        .ends_with("T1006: Attempted to invoke a non-function"));

    // A nested machine takes the top-level language, so `F` says JSONata itself.
    let definition = json!({"StartAt": "M", "States": {
        "M": {"Type": "Map", "QueryLanguage": "JSONata", "Items": "{% $states.input.list %}",
            "ItemProcessor": {"StartAt": "F", "States": {"F": {"Type": "Fail", "QueryLanguage": "JSONata", "Error": "Boom", "Cause": "{% 'bad ' & $states.input %}"}}},
            "Catch": [{"ErrorEquals": ["States.ALL"], "Assign": {"err": "{% $states.errorOutput %}"},
                       "Output": {"in": "{% $states.input.list %}"}, "Next": "Read"}], "Next": "Read"},
        "Read": {"Type": "Pass", "Parameters": {"error.$": "$err.Error", "cause.$": "$err.Cause", "in.$": "$.in"}, "End": true}
    }});
    let outcome = run(definition, json!({"list": ["x"]})).await;
    assert_eq!(
        output(&outcome),
        json!({"error": "Boom", "cause": "bad x", "in": ["x"]})
    );
}

#[tokio::test(start_paused = true)]
async fn choice_conditions_and_wait_seconds_are_expressions() {
    let definition = json!({"QueryLanguage": "JSONata", "StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [
            {"Condition": "{% $states.input.n > 1 %}", "Next": "W", "Output": {"big": "{% $states.input.n %}"}}
        ], "Default": "Small"},
        "W": {"Type": "Wait", "Seconds": "{% $states.input.big * 10 %}", "Next": "Done"},
        "Done": {"Type": "Pass", "Output": "{% $states.context.State.EnteredTime %}", "End": true},
        "Small": {"Type": "Fail", "Error": "{% 'Small' & $string($states.input.n) %}"}
    }});
    let outcome = run(definition.clone(), json!({"n": 3})).await;
    let entered = output(&outcome);
    let started = outcome.history[0].timestamp;
    let done: jiff::Timestamp = entered.as_str().unwrap().parse().unwrap();
    // The context's times have millisecond precision.
    assert_eq!(done.duration_since(started).as_secs_f64().round(), 30.0);
    let small = run(definition, json!({"n": 1})).await;
    assert_eq!(small.error.as_deref(), Some("Small1"));
}

#[tokio::test(start_paused = true)]
async fn hostile_expressions_and_oversized_variables_fail_the_state_not_the_server() {
    let definition = json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
        "A": {"Type": "Pass", "Output": "{% $count([1..10000000]) + $count([1..10000000]) %}", "End": true}
    }});
    let outcome = run(definition, json!({})).await;
    assert_eq!(
        outcome.error.as_deref(),
        Some("States.QueryEvaluationError")
    );

    let definition = json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"big": "{% $pad('', 300000, 'x') %}"}, "End": true}
    }});
    let outcome = run(definition, json!({})).await;
    assert_eq!(outcome.error.as_deref(), Some("States.DataLimitExceeded"));
    let definition = json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"fits": "{% $pad('', 200000, 'x') %}"}, "End": true}
    }});
    assert_eq!(
        run(definition, json!({})).await.status,
        ExecutionStatus::Succeeded
    );
}
