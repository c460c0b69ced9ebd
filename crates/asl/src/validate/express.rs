//! What an Express state machine may not use (recorded cases
//! `api_validation/sfn_api_validation__test_validate_state_machine_definition_type_express_*`
//! and the Express `CreateStateMachine` refusals): `.waitForTaskToken` and `.sync` integrations
//! and activities, which all wait on something longer than an Express execution lives.

use crate::model::{Integration, IntegrationPattern};
use crate::Diagnostic;
use serde_json::Value;

/// The diagnostics an Express definition gets on top of the validator's. The walk keeps its own
/// stack (definitions are bounded in depth by the validator, but this needs no recursion).
pub fn express_diagnostics(definition: &Value) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    let mut machines = vec![(definition, String::new())];
    while let Some((machine, pointer)) = machines.pop() {
        let Some(states) = machine.get("States").and_then(Value::as_object) else {
            continue;
        };
        for (name, state) in states {
            let at = format!(
                "{pointer}/States/{}",
                name.replace('~', "~0").replace('/', "~1")
            );
            if let Some(message) = state
                .get("Resource")
                .and_then(Value::as_str)
                .and_then(refusal)
            {
                found.push(Diagnostic::error(
                    "SCHEMA_VALIDATION_FAILED",
                    format!("{at}/Resource"),
                    message,
                ));
            }
            if let Some(branches) = state.get("Branches").and_then(Value::as_array) {
                for (index, branch) in branches.iter().enumerate() {
                    machines.push((branch, format!("{at}/Branches/{index}")));
                }
            }
            for key in ["ItemProcessor", "Iterator"] {
                if let Some(processor) = state.get(key) {
                    machines.push((processor, format!("{at}/{key}")));
                }
            }
        }
    }
    found.sort_by(|a, b| a.location.cmp(&b.location));
    found
}

fn refusal(resource: &str) -> Option<&'static str> {
    let pattern = match Integration::parse(resource) {
        Integration::Activity { .. } => {
            return Some("Express state machine does not support Activity ARN")
        }
        Integration::Service { pattern, .. } | Integration::AwsSdk { pattern, .. } => pattern,
        _ => return None,
    };
    match pattern {
        // AWS's message has a trailing space for this one.
        IntegrationPattern::WaitForTaskToken => {
            Some("Express state machine does not support '.waitForTaskToken' service integration ")
        }
        IntegrationPattern::Sync | IntegrationPattern::Sync2 => {
            Some("Express state machine does not support '.sync' service integration")
        }
        IntegrationPattern::RequestResponse => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn waiting_integrations_and_activities_are_refused_where_they_are() {
        let definition = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
            {"StartAt": "A", "States": {
                "A": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:1:activity:x", "Next": "B"},
                "B": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "Next": "C"},
                "C": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2", "Next": "D"},
                "D": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}}]}}});
        let found: Vec<(String, String)> = express_diagnostics(&definition)
            .into_iter()
            .map(|d| (d.location, d.message))
            .collect();
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].0, "/States/P/Branches/0/States/A/Resource");
        assert!(found[1].1.ends_with("integration "));
        assert!(found[2].1.contains("'.sync'"));
    }
}
