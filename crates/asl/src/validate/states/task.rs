//! Task: the resource it calls, its timeouts and the credentials it calls with.

use super::super::fields::{as_object, Node};
use super::super::language::{is_expression, Language};
use super::super::messages;
use super::super::{syntax, StateMachineType, Validator};

/// Bounds AWS gives a Task's `TimeoutSeconds` and `HeartbeatSeconds`.
const MAX_SECONDS: i64 = 99_999_999;

pub fn check(validator: &mut Validator, node: Node, language: Language) {
    validator.required(node, &["Resource"]);
    if let Some(resource) = validator.string(node, "Resource") {
        if !is_arn(resource) {
            validator.schema(node.field("Resource"), messages::INVALID_RESOURCE_ARN);
        } else if validator.machine_type == StateMachineType::Express {
            if let Some(message) = messages::not_for_express(resource) {
                validator.schema(node.field("Resource"), message);
            }
        }
    }
    validator.only_one(node, &["TimeoutSeconds", "TimeoutSecondsPath"]);
    validator.only_one(node, &["HeartbeatSeconds", "HeartbeatSecondsPath"]);
    let timeout =
        validator.integer_or_expression(node, "TimeoutSeconds", language, 1, Some(MAX_SECONDS));
    let heartbeat =
        validator.integer_or_expression(node, "HeartbeatSeconds", language, 1, Some(MAX_SECONDS));
    if let (Some(timeout), Some(heartbeat)) = (timeout, heartbeat) {
        if heartbeat >= timeout {
            validator.schema(
                node.field("HeartbeatSeconds"),
                messages::heartbeat_not_below_timeout(),
            );
        }
    }
    if language == Language::JsonPath {
        syntax::definite_path(validator, node, "TimeoutSecondsPath", true);
        syntax::definite_path(validator, node, "HeartbeatSecondsPath", true);
    }
    credentials(validator, node, language);
}

/// `arn:partition:service:region:account:resource`, where region and account may be empty
/// (`arn:aws:states:::lambda:invoke`).
fn is_arn(resource: &str) -> bool {
    let parts: Vec<&str> = resource.splitn(6, ':').collect();
    parts.len() == 6
        && parts[0] == "arn"
        && !parts[1].is_empty()
        && !parts[2].is_empty()
        && !parts[5].is_empty()
}

/// `Credentials` names the role to call with: `RoleArn`, or `RoleArn.$` in JSONPath.
fn credentials(validator: &mut Validator, node: Node, language: Language) {
    let Some(value) = node.get("Credentials") else {
        return;
    };
    let pointer = node.field("Credentials");
    let Some(map) = as_object(validator, value, &pointer) else {
        return;
    };
    let credentials = Node::new(map, &pointer);
    match language {
        Language::JsonPath => {
            validator.unsupported(credentials, &["RoleArn", "RoleArn.$"]);
            validator.only_one(credentials, &["RoleArn", "RoleArn.$"]);
            if !credentials.has("RoleArn") && !credentials.has("RoleArn.$") {
                validator.schema(&pointer, messages::role_arn_missing());
            }
            validator.string(credentials, "RoleArn");
            syntax::template(validator, node, "Credentials", true);
        }
        Language::Jsonata => {
            // AWS reports only the missing `RoleArn` of `{"InvalidField": …}` (credentials
            // INVALID_CREDENTIALS_FIELD), so other fields are not refused here.
            if !credentials.has("RoleArn") {
                validator.schema(&pointer, messages::role_arn_missing());
            }
            if !credentials.get("RoleArn").is_some_and(is_expression) {
                validator.string(credentials, "RoleArn");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::tests::{has, problems, single};
    use super::is_arn;
    use serde_json::json;

    fn task(extra: serde_json::Value) -> serde_json::Value {
        let mut state =
            json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true});
        if let (Some(state), Some(extra)) = (state.as_object_mut(), extra.as_object()) {
            state.extend(extra.clone());
        }
        single(state)
    }

    #[test]
    fn resources_are_arns() {
        assert!(is_arn("arn:aws:states:::lambda:invoke"));
        assert!(is_arn("arn:aws:lambda:us-east-1:111111111111:function:f"));
        assert!(is_arn("arn:aws:states:us-east-1:1:activity:a:b"));
        assert!(!is_arn("lambda"));
        assert!(!is_arn("arn:aws"));
        assert!(!is_arn("arn::states:::lambda:invoke"));
        has(
            task(json!({"Resource": "lambda"})),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/Resource",
        );
        has(
            task(json!({"Resource": 3})),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/Resource",
        );
        has(
            single(json!({"Type": "Task", "End": true})),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A",
        );
    }

    #[test]
    fn timeouts() {
        has(
            task(json!({"TimeoutSeconds": 10, "HeartbeatSeconds": 10})),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/HeartbeatSeconds",
        );
        has(
            task(json!({"TimeoutSeconds": 0})),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/TimeoutSeconds",
        );
        has(
            task(json!({"TimeoutSeconds": 100_000_000})),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/TimeoutSeconds",
        );
        has(
            task(json!({"TimeoutSeconds": 1, "TimeoutSecondsPath": "$.t"})),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A",
        );
        has(
            task(json!({"HeartbeatSeconds": 1, "HeartbeatSecondsPath": "$.t"})),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A",
        );
        assert_eq!(
            problems(task(
                json!({"QueryLanguage": "JSONata", "TimeoutSeconds": "{% $t %}", "HeartbeatSeconds": 5})
            )),
            vec![]
        );
    }

    #[test]
    fn credentials_name_a_role() {
        assert_eq!(
            problems(task(
                json!({"Credentials": {"RoleArn": "arn:aws:iam::1:role/r"}})
            )),
            vec![]
        );
        assert_eq!(
            problems(task(json!({"Credentials": {"RoleArn.$": "$.role"}}))),
            vec![]
        );
        has(
            task(json!({"Credentials": {}})),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/Credentials",
        );
        has(
            task(json!({"Credentials": "r"})),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/Credentials",
        );
        has(
            task(json!({"Credentials": {"RoleArn": "r", "Other": 1}})),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/Credentials/Other",
        );
    }
}
