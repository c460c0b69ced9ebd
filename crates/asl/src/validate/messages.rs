//! Diagnostic message texts, worded as AWS words them where that is known, so that callers
//! who match on AWS's messages see the same text here.

use super::language::Language;

pub const EMPTY_DEFINITION: &str = "Received a null or empty workflow input";
pub const EMPTY_VALUE: &str = "Value cannot be empty";
pub const NO_TERMINAL_STATE: &str = "Workflow has no terminal state";
pub const STATES_ALL_LAST: &str = "States.ALL must appear alone and at end of list";
pub const INVALID_RESOURCE_ARN: &str = "Value is not a valid resource ARN";
pub const NOT_A_TIMESTAMP: &str = "String does not match RFC3339 timestamp";
pub const JSONPATH_UNDER_JSONATA: &str =
    "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine";

/// The JSON type a field was expected to hold.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    String,
    Integer,
    Number,
    Boolean,
    Object,
    Array,
}

pub fn expected(kind: Kind) -> String {
    format!("Expected value of type {kind:?}")
}

pub fn not_supported(field: &str) -> String {
    format!("Field '{field}' is not supported")
}

pub fn required(fields: &[&str]) -> String {
    format!("These fields are required: [{}]", fields.join(", "))
}

/// Several fields of a group that allows at most one.
pub fn only_one(fields: &[&str]) -> String {
    format!(
        "There should only be one of the following fields: [{}]",
        fields.join(", ")
    )
}

/// None of the fields of a group that needs exactly one.
pub fn exactly_one(fields: &[&str]) -> String {
    format!(
        "This object should have only one of the following fields: [{}]",
        fields.join(", ")
    )
}

pub fn one_of(values: &[&str]) -> String {
    format!(
        "Value should be one of the following: [{}]",
        values.join(", ")
    )
}

pub fn minimum(value: impl std::fmt::Debug) -> String {
    format!("Minimum value is {value:?}")
}

pub fn maximum(value: impl std::fmt::Debug) -> String {
    format!("Maximum value is {value:?}")
}

pub fn missing_target(target: &str) -> String {
    format!("Missing 'Next' target: {target}")
}

pub fn unreachable(state: &str) -> String {
    format!("State \"{state}\" is not reachable.")
}

pub fn duplicate_state(state: &str) -> String {
    format!("Duplicate State name: {state}")
}

pub fn state_name_too_long(max: usize) -> String {
    format!("State names must be 1 to {max} characters long")
}

pub fn duplicate_label(label: &str) -> String {
    format!("Duplicate Label name: {label}")
}

pub fn invalid_label(max: usize) -> String {
    format!(
        "A Label must be 1 to {max} characters long, without whitespace, brackets, wildcards, \
         special characters or control characters"
    )
}

/// A `.$` field of a payload template (`Parameters`, `ResultSelector`, ...), or `ErrorPath` /
/// `CausePath`, whose value is neither a path nor an intrinsic function call. AWS's words,
/// reported at the object that holds a `.$` field (recorded: base_scenarios
/// ESCAPE_SEQUENCES_ILLEGAL_INTRINSIC_FUNCTION, "… at /States/IntrinsicEscape/Parameters").
pub fn invalid_dynamic_field(field: &str) -> String {
    format!("The value for the field '{field}' must be a valid JSONPath or a valid intrinsic function call")
}

/// A field that takes a path (`InputPath`, `OutputPath`, `ItemsPath`, a Choice `Variable`),
/// worded after AWS's message for `.$` fields.
pub fn invalid_path_field(field: &str) -> String {
    format!("The value for the field '{field}' must be a valid JSONPath")
}

/// A field that takes a reference path, a path to one node (`ResultPath`, `SecondsPath`,
/// `TimeoutSecondsPath`, ...), worded after AWS's message for `.$` fields.
pub fn invalid_reference_path_field(field: &str) -> String {
    format!("The value for the field '{field}' must be a valid ReferencePath")
}

/// What an Express machine's Task may not call, in AWS's words (api_validation
/// ILLEGAL_WFTT, api_express illegal_callbacks and illegal_activity_task; the trailing space
/// after `.waitForTaskToken`'s message is AWS's).
pub fn not_for_express(resource: &str) -> Option<&'static str> {
    let parts: Vec<&str> = resource.splitn(7, ':').collect();
    if parts.len() >= 7 && parts[2] == "states" && parts[5] == "activity" {
        return Some("Express state machine does not support Activity ARN");
    }
    if resource.ends_with(".waitForTaskToken") {
        return Some(
            "Express state machine does not support '.waitForTaskToken' service integration ",
        );
    }
    if resource.ends_with(".sync") || resource.contains(".sync:") {
        return Some("Express state machine does not support '.sync' service integration");
    }
    None
}

pub fn too_deep() -> String {
    "The definition is too deeply nested".to_string()
}

/// A field that exists only in the other query language.
pub fn wrong_language(field: &str, language: Language) -> String {
    let (set, only) = match language {
        Language::JsonPath => ("JSONPath", "JSONata"),
        Language::Jsonata => ("JSONata", "JSONPath"),
    };
    format!(
        "The QueryLanguage is set to '{set}', but field '{field}' is only supported for the \
         '{only}' QueryLanguage"
    )
}

pub fn heartbeat_not_below_timeout() -> String {
    "The value of 'HeartbeatSeconds' must be smaller than the value of 'TimeoutSeconds'".to_string()
}

pub fn role_arn_missing() -> String {
    "The field 'RoleArn' is required but was missing".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_their_json_flavour() {
        assert_eq!(minimum(0), "Minimum value is 0");
        assert_eq!(minimum(1.0), "Minimum value is 1.0");
        assert_eq!(maximum(100.0), "Maximum value is 100.0");
    }

    #[test]
    fn messages_read_like_aws() {
        assert_eq!(
            only_one(&["Next", "End"]),
            "There should only be one of the following fields: [Next, End]"
        );
        assert_eq!(expected(Kind::Integer), "Expected value of type Integer");
        assert_eq!(unreachable("C"), "State \"C\" is not reachable.");
        assert_eq!(
            wrong_language("Output", Language::JsonPath),
            "The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported for \
             the 'JSONata' QueryLanguage"
        );
    }
}
