//! What AWS checks of a Task's service integration when a state machine is created or
//! updated, beyond the resource's form: that an AWS SDK integration's action exists and that
//! the literal keys of its `Parameters` (JSONPath) or `Arguments` (JSONata) name members of
//! the action's request, answered as `SCHEMA_VALIDATION_FAILED: The field "X" is not
//! supported by Step Functions at /States/S/Parameters` (aws/aws-cdk issue 29968). Checked
//! against the embedded API models and `[aws] models_dir`
//! ([`fluxo_aws::check_definition_task`]); a service without a model passes, and its call says what is wrong at run time.
//!
//! Only new definitions are checked (not a stored one compiled again after an upgrade), so
//! that a newer model never strands a running execution. `ValidateStateMachineDefinition`
//! reports the same problems ([`integration_diagnostics`]).

use super::DefinitionError;
use fluxo_asl::{walk, Diagnostic};
use fluxo_aws::{check_definition_task, DefinitionProblem, ServiceResource};
use serde_json::Value;

/// Checks every Task of the definition `text` (which [`super::prepare`] has accepted, or
/// the validator found no error in): every problem, in the order of the states.
pub fn check_integrations(text: &str) -> Result<(), DefinitionError> {
    let diagnostics = integration_diagnostics(text);
    match diagnostics.is_empty() {
        true => Ok(()),
        false => Err(DefinitionError::Invalid(diagnostics)),
    }
}

/// [`check_integrations`]' problems as diagnostics, for `ValidateStateMachineDefinition`
/// (AWS: FAIL for "errors that would prevent you from creating or updating").
pub fn integration_diagnostics(text: &str) -> Vec<Diagnostic> {
    let Ok(definition) = serde_json::from_str::<Value>(text) else {
        return Vec::new();
    };
    walk::states(&definition)
        .into_iter()
        .filter_map(|(at, state)| problem(state, &at))
        .collect()
}

fn problem(state: &Value, at: &str) -> Option<Diagnostic> {
    if state.get("Type").and_then(Value::as_str) != Some("Task") {
        return None;
    }
    let resource = state.get("Resource").and_then(Value::as_str)?;
    let diagnostic = |location: String, message: String| {
        Some(Diagnostic::error(
            "SCHEMA_VALIDATION_FAILED",
            location,
            message,
        ))
    };
    let resource = match ServiceResource::parse(resource) {
        Ok(Some(resource)) => resource,
        Ok(None) => return None,
        Err(error) => return diagnostic(format!("{at}/Resource"), error.to_string()),
    };
    let field = ["Parameters", "Arguments"]
        .into_iter()
        .find(|field| state.get(*field).is_some_and(Value::is_object));
    let parameters = field.and_then(|field| state.get(field));
    match check_definition_task(&resource, parameters).err()? {
        problem @ DefinitionProblem::Resource(_) => {
            diagnostic(format!("{at}/Resource"), problem.to_string())
        }
        problem @ DefinitionProblem::Field { .. } => diagnostic(
            format!("{at}/{}", field.unwrap_or("Parameters")),
            problem.to_string(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn checked(task: Value) -> Result<(), String> {
        let definition = json!({"StartAt": "S", "States": {"S": task}});
        check_integrations(&definition.to_string()).map_err(|error| error.to_string())
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
