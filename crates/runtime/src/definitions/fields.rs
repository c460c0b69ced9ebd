//! What AWS checks of a Task's service integration when a state machine is created or
//! updated, beyond the resource's form: that an AWS SDK integration's action exists and that
//! the literal keys of its `Parameters` (JSONPath) or `Arguments` (JSONata) name members of
//! the action's request, answered as `SCHEMA_VALIDATION_FAILED: The field "X" is not
//! supported by Step Functions at /States/S/Parameters` (aws/aws-cdk issue 29968). Checked
//! against the embedded API models and `[aws] models_dir`
//! ([`fluxo_aws::check_definition_task`]); a service without a model passes, and its call says what is wrong at run time.
//!
//! Only new definitions are checked (`super::prepare_new`; not a stored one compiled again
//! after an upgrade), so that a newer model never strands a running execution.
//! `ValidateStateMachineDefinition` reports the same problems ([`integration_diagnostics`]).

use fluxo_asl::{walk, Diagnostic};
use fluxo_aws::{check_definition_task, DefinitionProblem, ServiceResource};
use serde_json::Value;

/// Every Task's problem, in the order of the states, for `ValidateStateMachineDefinition`
/// (AWS: FAIL for "errors that would prevent you from creating or updating"): a resource no
/// integration has, and what [`diagnostics`] finds.
pub fn integration_diagnostics(text: &str) -> Vec<Diagnostic> {
    let Ok(definition) = serde_json::from_str::<Value>(text) else {
        return Vec::new();
    };
    walk::states(&definition)
        .into_iter()
        .filter_map(|(at, state)| unrecognized(state, &at).or_else(|| problem(state, &at)))
        .collect()
}

/// The problems of every Task's AWS SDK action and literal fields, in the order of the states
/// (`super::prepare_new`).
pub(super) fn diagnostics(definition: &Value) -> Vec<Diagnostic> {
    walk::states(definition)
        .into_iter()
        .filter_map(|(at, state)| problem(state, &at))
        .collect()
}

/// A Task resource that names a service integration AWS does not have (an action that is
/// not an optimized integration, a pattern the integration does not support), as the
/// diagnostic AWS gives when the definition is created (recorded case
/// `services/dynamodb_task_service__test_invalid_integration`).
pub(super) fn unrecognized(state: &Value, at: &str) -> Option<Diagnostic> {
    let error = ServiceResource::parse(task_resource(state)?).err()?;
    Some(schema_failure(format!("{at}/Resource"), error.to_string()))
}

fn task_resource(state: &Value) -> Option<&str> {
    if state.get("Type").and_then(Value::as_str) != Some("Task") {
        return None;
    }
    state.get("Resource").and_then(Value::as_str)
}

fn schema_failure(location: String, message: String) -> Diagnostic {
    Diagnostic::error("SCHEMA_VALIDATION_FAILED", location, message)
}

/// The problem of a Task whose resource parses ([`unrecognized`] reports the others).
fn problem(state: &Value, at: &str) -> Option<Diagnostic> {
    let Ok(Some(resource)) = ServiceResource::parse(task_resource(state)?) else {
        return None;
    };
    let field = ["Parameters", "Arguments"]
        .into_iter()
        .find(|field| state.get(*field).is_some_and(Value::is_object));
    let parameters = field.and_then(|field| state.get(field));
    let location = match check_definition_task(&resource, parameters).err()? {
        DefinitionProblem::Resource(problem) => (format!("{at}/Resource"), problem.to_string()),
        problem @ DefinitionProblem::Field { .. } => (
            format!("{at}/{}", field.unwrap_or("Parameters")),
            problem.to_string(),
        ),
    };
    Some(schema_failure(location.0, location.1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn checked(task: Value) -> Result<(), String> {
        let definition = json!({"StartAt": "S", "States": {"S": task}});
        crate::prepare_new(
            &definition.to_string(),
            fluxo_types::StateMachineType::Standard,
        )
        .map(drop)
        .map_err(|error| error.to_string())
    }

    fn task(resource: &str, fields: Value) -> Value {
        let mut task = json!({"Type": "Task", "Resource": resource, "End": true});
        for (key, value) in fields.as_object().unwrap() {
            task[key] = value.clone();
        }
        task
    }

    #[test]
    fn unknown_fields_are_refused_where_aws_refuses_them() {
        let s3 = "arn:aws:states:::aws-sdk:s3:getObject";
        assert_eq!(
            checked(task(
                s3,
                json!({"Parameters": {"Bucket": "b", "Key.$": "$.k"}})
            )),
            Ok(())
        );
        assert_eq!(
            checked(task(s3, json!({"Parameters": {"Bucket": "b", "Static": 1}}))),
            Err("SCHEMA_VALIDATION_FAILED: The field \"Static\" is not supported by Step Functions at /States/S/Parameters".into())
        );
        let jsonata =
            json!({"QueryLanguage": "JSONata", "Arguments": {"Bucket": "b", "Nope": "{% 1 %}"}});
        let refused = checked(task(s3, jsonata)).unwrap_err();
        assert!(
            refused.ends_with("\"Nope\" is not supported by Step Functions at /States/S/Arguments"),
            "{refused}"
        );
        // An action the service does not have.
        let refused =
            checked(task("arn:aws:states:::aws-sdk:s3:fetchObject", json!({}))).unwrap_err();
        assert!(refused.ends_with("at /States/S/Resource"), "{refused}");
        // Optimized integrations: their documented parameters.
        let invoke = "arn:aws:states:::lambda:invoke";
        assert_eq!(
            checked(task(
                invoke,
                json!({"Parameters": {"FunctionName": "f", "Payload.$": "$"}})
            )),
            Ok(())
        );
        assert!(checked(task(invoke, json!({"Parameters": {"Function": "f"}}))).is_err());
        // A JSONata expression as the whole Arguments, and Lambda ARNs, are not checked here.
        let whole = json!({"QueryLanguage": "JSONata", "Arguments": "{% $states.input %}"});
        assert_eq!(checked(task(s3, whole)), Ok(()));
        let function = "arn:aws:lambda:us-east-1:123456789012:function:f";
        assert_eq!(
            checked(task(function, json!({"Parameters": {"Any": 1}}))),
            Ok(())
        );
    }
}
