//! Definitions are compiled once, before anything is stored: validated, built into the model
//! the engine runs, and checked for what this Fluxo can run. A definition AWS would accept but
//! that uses something Fluxo does not run yet is refused with a clear message rather than
//! accepted and then left stuck or ignored.

use fluxo_asl::model::{Integration, IntegrationPattern, StateMachine};
use fluxo_asl::{walk, Diagnostic, Severity};
use fluxo_aws::{Integrations, ServiceResource};
use fluxo_types::StateMachineType;
use serde_json::Value;
use std::sync::Arc;

mod distributed;
mod fields;

pub use fields::integration_diagnostics;

/// Why a definition cannot be run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DefinitionError {
    /// The validator's errors (`ValidateStateMachineDefinition` would report them).
    #[error("{}", render(.0))]
    Invalid(Vec<Diagnostic>),
    /// Valid ASL that uses a feature Fluxo does not run yet.
    #[error("{message} at {location}")]
    Unsupported { location: String, message: String },
}

fn render(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| format!("{}: {} at {}", d.code, d.message, d.location))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Validates, compiles and checks a definition's text for a state machine of type `kind`:
/// a stored definition compiled again, or one a client sends (see [`prepare_new`]).
pub fn prepare(text: &str, kind: StateMachineType) -> Result<Arc<StateMachine>, DefinitionError> {
    compile(text, kind, false)
}

/// [`prepare`] for a definition a client sends (`CreateStateMachine`, `UpdateStateMachine`):
/// its Tasks' service integrations are also checked as AWS checks them (`fields.rs`). A
/// stored definition compiled again is not, so that a newer API model never strands a
/// running execution.
pub fn prepare_new(
    text: &str,
    kind: StateMachineType,
) -> Result<Arc<StateMachine>, DefinitionError> {
    compile(text, kind, true)
}

fn compile(
    text: &str,
    kind: StateMachineType,
    check_fields: bool,
) -> Result<Arc<StateMachine>, DefinitionError> {
    let errors = |diagnostics: Vec<Diagnostic>| {
        diagnostics
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .collect::<Vec<_>>()
    };
    let diagnostics = fluxo_asl::validate::validate_text_for(text, kind);
    let invalid = errors(diagnostics);
    if !invalid.is_empty() {
        return Err(DefinitionError::Invalid(invalid));
    }
    let definition: Value = serde_json::from_str(text).map_err(|error| {
        DefinitionError::Invalid(vec![Diagnostic::error(
            "INVALID_JSON_DESCRIPTION",
            "",
            error.to_string(),
        )])
    })?;
    let unrecognized = walk::states(&definition)
        .into_iter()
        .find_map(|(at, state)| fields::unrecognized(state, &at));
    if let Some(diagnostic) = unrecognized {
        return Err(DefinitionError::Invalid(vec![diagnostic]));
    }
    if let Some((location, message)) = unsupported(&definition, kind) {
        return Err(DefinitionError::Unsupported { location, message });
    }
    // The validator above has checked the rules for this type and the builder's diagnostics;
    // building again only keeps the model it made.
    let machine =
        fluxo_asl::model::build(&definition).map_err(|d| DefinitionError::Invalid(errors(d)))?;
    if check_fields {
        let problems = fields::diagnostics(&definition);
        if !problems.is_empty() {
            return Err(DefinitionError::Invalid(problems));
        }
    }
    Ok(Arc::new(machine))
}

/// The first feature of `definition` that Fluxo cannot run, with its JSON pointer.
fn unsupported(definition: &Value, kind: StateMachineType) -> Option<(String, String)> {
    walk::states(definition)
        .into_iter()
        .find_map(|(at, state)| {
            let in_map = match state.get("Type").and_then(Value::as_str) {
                Some("Map") => distributed::unsupported_in_map(state, &at),
                _ => None,
            };
            in_map.or_else(|| unsupported_in_state(state, &at, kind))
        })
}

fn unsupported_in_state(
    state: &Value,
    at: &str,
    kind: StateMachineType,
) -> Option<(String, String)> {
    let resource = state.get("Resource").and_then(Value::as_str)?;
    if state.get("Type").and_then(Value::as_str) != Some("Task") {
        return None;
    }
    let integration = Integration::parse(resource);
    let own = match &integration {
        Integration::Service {
            service, action, ..
        } => service == "states" && action == "startExecution",
        Integration::AwsSdk { service, .. } => service == "sfn",
        _ => false,
    };
    // Express executions run in memory, beside the API rather than through the runtime that
    // answers these.
    if own && kind == StateMachineType::Express {
        return Some((
            format!("{at}/Resource"),
            format!("UNSUPPORTED_FEATURE: Fluxo runs '{resource}' in Standard state machines only"),
        ));
    }
    let callable = match integration {
        Integration::LambdaFunction { .. } | Integration::Activity { .. } => true,
        // The HTTP Task (request-response or `.waitForTaskToken`), made by `http.rs`.
        Integration::Service {
            service,
            action,
            pattern: IntegrationPattern::RequestResponse | IntegrationPattern::WaitForTaskToken,
        } if service == "http" && action == "invoke" => true,
        // Nested executions, run by this Fluxo.
        Integration::Service {
            service, action, ..
        } if service == "states" && action == "startExecution" => true,
        // Step Functions' own actions that Fluxo answers itself.
        Integration::AwsSdk {
            service,
            action,
            pattern,
        } if service == "sfn" => {
            crate::OWN_ACTIONS.contains(&action.as_str())
                && pattern == IntegrationPattern::RequestResponse
        }
        // `lambda:invoke`: the operator's functions.
        Integration::Service {
            service,
            action,
            pattern: IntegrationPattern::RequestResponse | IntegrationPattern::WaitForTaskToken,
        } if service == "lambda" && action == "invoke" => true,
        // Every other service, through the AWS service integrations (`[aws]` of fluxo.toml
        // decides at run time whether the call may be made).
        Integration::Service { .. } | Integration::AwsSdk { .. } => {
            matches!(ServiceResource::parse(resource), Ok(Some(parsed)) if Integrations::callable(&parsed))
        }
        Integration::Unknown => false,
    };
    (!callable).then(|| {
        (
            format!("{at}/Resource"),
            format!("UNSUPPORTED_FEATURE: Fluxo cannot call the resource '{resource}' yet"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn refusal(definition: Value) -> Option<String> {
        match prepare(&definition.to_string(), StateMachineType::Standard) {
            Err(DefinitionError::Unsupported { location, .. }) => Some(location),
            Err(other) => panic!("{other}"),
            Ok(_) => None,
        }
    }

    #[test]
    fn what_fluxo_cannot_run_is_refused_where_it_is() {
        let task = |resource: &str| {
            json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
                {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": resource, "End": true}}}
            ]}}})
        };
        assert_eq!(refusal(task("arn:aws:lambda:us-east-1:1:function:f")), None);
        assert_eq!(refusal(task("arn:aws:states:::lambda:invoke")), None);
        assert_eq!(
            refusal(task("arn:aws:states:::lambda:invoke.waitForTaskToken")),
            None
        );
        assert_eq!(
            refusal(task("arn:aws:states:us-east-1:1:activity:review")),
            None
        );
        // Service integrations run through `[aws]` (enabled or not, decided at run time).
        assert_eq!(refusal(task("arn:aws:states:::sqs:sendMessage")), None);
        assert_eq!(
            refusal(task("arn:aws:states:::sqs:sendMessage.waitForTaskToken")),
            None
        );
        assert_eq!(refusal(task("arn:aws:states:::aws-sdk:s3:putObject")), None);
        assert_eq!(refusal(task("arn:aws:states:::dynamodb:putItem")), None);
        // Recognised by AWS, but not run by Fluxo: `.sync` of jobs it does not watch and
        // optimized integrations whose request shapes Fluxo does not know.
        assert_eq!(
            refusal(task("arn:aws:states:::mediaconvert:createJob.sync")).as_deref(),
            Some("/States/P/Branches/0/States/T/Resource")
        );
        // The jobs Fluxo watches run with `.sync`.
        assert_eq!(
            refusal(task("arn:aws:states:::glue:startJobRun.sync")),
            None
        );
        assert_eq!(
            refusal(task("arn:aws:states:::codebuild:startBuild")).as_deref(),
            Some("/States/P/Branches/0/States/T/Resource")
        );
        // The job services' request-response calls run.
        assert_eq!(refusal(task("arn:aws:states:::batch:submitJob")), None);
        let reader = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
            "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "Parameters": {"Bucket": "b", "Key": "k"},
                "ReaderConfig": {"InputType": "JSON"}},
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "X", "States": {"X": {"Type": "Pass", "End": true}}}}}});
        // A distributed Map's reader, batcher and writer run.
        assert_eq!(refusal(reader), None);
        // AWS rejects integrations it does not have when the definition is created.
        let query = task("arn:aws:states:::dynamodb:query").to_string();
        match prepare(&query, StateMachineType::Standard) {
            Err(DefinitionError::Invalid(diagnostics)) => {
                assert_eq!(diagnostics[0].code, "SCHEMA_VALIDATION_FAILED");
                assert_eq!(
                    diagnostics[0].location,
                    "/States/P/Branches/0/States/T/Resource"
                );
            }
            other => panic!("{other:?}"),
        }
        let jsonata = json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}});
        assert_eq!(refusal(jsonata), None);
    }
}
