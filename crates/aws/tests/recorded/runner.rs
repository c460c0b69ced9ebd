//! Runs the Task states of a recorded execution against moto: a small walker over Task, Pass,
//! Succeed and Fail states (Parameters by `fluxo-expr`, ResultPath, Catch), enough for the
//! service cases of the corpus; the engine proper is not needed to check what each call sends
//! and returns.

use fluxo_aws::{IntegrationPattern, Integrations, ServiceCall, ServiceFailure, ServiceResource};
use fluxo_expr::{PayloadTemplate, ReferencePath, Scope};
use serde_json::{json, Value};

/// One Task state's call as the walker made it.
pub struct TaskRecord {
    pub parameters: Value,
    pub outcome: Result<Value, ServiceFailure>,
    pub pattern: IntegrationPattern,
}

/// Whether the walker can run this definition.
pub fn supported(definition: &Value) -> bool {
    if definition.get("QueryLanguage").is_some() {
        return false;
    }
    let Some(states) = definition["States"].as_object() else {
        return false;
    };
    states.values().all(|state| match state["Type"].as_str() {
        Some("Task") => state["Resource"]
            .as_str()
            .is_some_and(|arn| matches!(ServiceResource::parse(arn), Ok(Some(_)))),
        Some("Pass" | "Succeed" | "Fail") => true,
        _ => false,
    })
}

fn write_result(state: &Value, field: &str, input: Value, result: Value) -> Value {
    match state.get(field) {
        None => result,
        Some(Value::Null) => input,
        Some(Value::String(path)) => {
            let path = ReferencePath::parse(path).expect("a valid ResultPath");
            let mut target = input;
            path.write(&mut target, result).expect("ResultPath applies");
            target
        }
        Some(other) => panic!("unexpected {field} {other}"),
    }
}

/// Runs the definition on `input`; the Task records in order.
pub async fn run(
    integrations: &Integrations,
    definition: &Value,
    input: &Value,
) -> Vec<TaskRecord> {
    let mut records = Vec::new();
    let mut name = definition["StartAt"].as_str().expect("StartAt").to_string();
    let mut data = input.clone();
    let context = json!({"Execution": {"Input": input}, "Task": {"Token": "token-of-the-test"}});
    for _ in 0..32 {
        let state = &definition["States"][&name];
        let next = match state["Type"].as_str() {
            Some("Task") => {
                let resource = ServiceResource::parse(state["Resource"].as_str().unwrap())
                    .unwrap()
                    .unwrap();
                let parameters = match state.get("Parameters") {
                    Some(template) => PayloadTemplate::compile(template)
                        .expect("valid Parameters")
                        .evaluate(
                            &Scope {
                                input: &data,
                                context: &context,
                                variables: None,
                            },
                            &mut rand::rng(),
                        )
                        .expect("Parameters evaluate"),
                    None => data.clone(),
                };
                let pattern = resource.pattern;
                let outcome = integrations
                    .call(ServiceCall {
                        resource,
                        parameters: parameters.clone(),
                        region: super::common::REGION.to_string(),
                        state_machine_arn: Some(
                            "arn:aws:states:us-east-1:111111111111:stateMachine:recorded".into(),
                        ),
                        execution_arn: Some(
                            "arn:aws:states:us-east-1:111111111111:execution:recorded:run".into(),
                        ),
                        raw_body: None,
                    })
                    .await;
                records.push(TaskRecord {
                    parameters,
                    outcome: outcome.clone(),
                    pattern,
                });
                if pattern == IntegrationPattern::WaitForTaskToken {
                    // The callback would come from a worker; the submitted call is what is checked.
                    return records;
                }
                match outcome {
                    Ok(result) => {
                        data = write_result(state, "ResultPath", data, result);
                        state
                            .get("Next")
                            .and_then(Value::as_str)
                            .map(str::to_string)
                    }
                    Err(failure) => {
                        let catcher =
                            state["Catch"]
                                .as_array()
                                .into_iter()
                                .flatten()
                                .find(|catcher| {
                                    catcher["ErrorEquals"].as_array().into_iter().flatten().any(
                                        |error| {
                                            let error = error.as_str().unwrap_or_default();
                                            error == failure.error
                                                || error == "States.ALL"
                                                || (error == "States.TaskFailed"
                                                    && !failure.error.starts_with("States."))
                                        },
                                    )
                                });
                        let Some(catcher) = catcher else {
                            return records;
                        };
                        let caught = json!({"Error": failure.error, "Cause": failure.cause});
                        data = write_result(catcher, "ResultPath", data, caught);
                        catcher["Next"].as_str().map(str::to_string)
                    }
                }
            }
            Some("Pass") => {
                let result = state.get("Result").cloned().unwrap_or_else(|| data.clone());
                data = write_result(state, "ResultPath", data, result);
                state
                    .get("Next")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            }
            _ => None,
        };
        match next {
            Some(next) => name = next,
            None => return records,
        }
    }
    records
}
