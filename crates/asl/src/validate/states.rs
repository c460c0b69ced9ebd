//! Per-state rules: which fields each state type takes, and what they must hold.

use super::fields::{
    self, exclusive, path, path_or_intrinsic, positive_integer, reference_path, string, template,
};
use super::{at, Language, Validator};
use crate::choice::compile_choices;
use serde_json::{Map, Value};

const COMMON: &[&str] = &["Type", "Comment", "QueryLanguage"];
const FLOW: &[&str] = &["Next", "End"];
const JSONPATH_IO: &[&str] = &["InputPath", "OutputPath"];
const JSONPATH_RESULT: &[&str] = &["Parameters", "ResultSelector", "ResultPath"];
const JSONATA_IO: &[&str] = &["Arguments", "Output"];
const ERRORS: &[&str] = &["Retry", "Catch"];

/// The fields a state type accepts besides the common ones, per query language.
fn allowed(kind: &str, language: Language) -> Option<Vec<&'static str>> {
    let jsonpath = language == Language::JsonPath;
    let mut fields: Vec<&'static str> = COMMON.to_vec();
    let io = |fields: &mut Vec<&'static str>, with_result: bool| {
        if jsonpath {
            fields.extend(JSONPATH_IO);
            if with_result {
                fields.extend(JSONPATH_RESULT);
            }
        } else {
            fields.extend(JSONATA_IO);
        }
    };
    match kind {
        "Pass" => {
            io(&mut fields, true);
            fields.retain(|f| *f != "ResultSelector");
            fields.extend(FLOW);
            fields.extend(["Result", "Assign"]);
        }
        "Task" => {
            io(&mut fields, true);
            fields.extend(FLOW);
            fields.extend(ERRORS);
            fields.extend([
                "Resource",
                "TimeoutSeconds",
                "TimeoutSecondsPath",
                "HeartbeatSeconds",
                "HeartbeatSecondsPath",
                "Credentials",
                "Assign",
            ]);
        }
        "Choice" => {
            io(&mut fields, false);
            fields.retain(|f| *f != "Arguments");
            fields.extend(["Choices", "Default", "Assign"]);
        }
        "Wait" => {
            io(&mut fields, false);
            fields.retain(|f| *f != "Arguments");
            fields.extend(FLOW);
            fields.extend([
                "Seconds",
                "SecondsPath",
                "Timestamp",
                "TimestampPath",
                "Assign",
            ]);
        }
        "Succeed" => {
            io(&mut fields, false);
            fields.retain(|f| *f != "Arguments");
        }
        "Fail" => fields.extend(["Error", "ErrorPath", "Cause", "CausePath"]),
        "Parallel" => {
            io(&mut fields, true);
            fields.extend(FLOW);
            fields.extend(ERRORS);
            fields.extend(["Branches", "Assign"]);
        }
        "Map" => {
            io(&mut fields, true);
            fields.extend(FLOW);
            fields.extend(ERRORS);
            fields.extend([
                "ItemProcessor",
                "Iterator",
                "ItemSelector",
                "ItemReader",
                "ItemBatcher",
                "ResultWriter",
                "MaxConcurrency",
                "MaxConcurrencyPath",
                "ToleratedFailureCount",
                "ToleratedFailureCountPath",
                "ToleratedFailurePercentage",
                "ToleratedFailurePercentagePath",
                "Label",
                "Assign",
            ]);
            if jsonpath {
                fields.push("ItemsPath");
            } else {
                fields.push("Items");
            }
        }
        _ => return None,
    }
    Some(fields)
}

/// Validates one state; returns the states it can transition to, with the pointer of the field
/// that names each.
pub fn state(
    validator: &mut Validator,
    value: &Value,
    pointer: &str,
    inherited: Language,
    depth: usize,
) -> Vec<(String, String)> {
    let mut targets = Vec::new();
    let Some(object) = value.as_object() else {
        validator.schema(pointer, "A state must be a JSON object");
        return targets;
    };
    let language = validator.language(object, pointer, inherited, false);
    let kind = match object.get("Type") {
        Some(Value::String(kind)) => kind.as_str(),
        Some(_) => {
            validator.schema(at(pointer, "Type"), "The field 'Type' must be a string");
            return targets;
        }
        None => {
            validator.schema(pointer, "These fields are required: [Type]");
            return targets;
        }
    };
    let Some(allowed) = allowed(kind, language) else {
        validator.schema(
            at(pointer, "Type"),
            format!("Unknown state type '{kind}': expected one of Task, Pass, Choice, Wait, Succeed, Fail, Parallel, Map"),
        );
        return targets;
    };
    for key in object.keys() {
        if !allowed.contains(&key.as_str()) {
            validator.schema(
                at(pointer, key),
                format!("The field '{key}' is not supported by Step Functions for a {kind} state"),
            );
        }
    }
    validator.optional_string(object, pointer, "Comment");
    if allowed.contains(&"Next") {
        flow(validator, object, pointer, &mut targets);
    }
    if language == Language::JsonPath {
        path(validator, object, pointer, "InputPath", true);
        path(validator, object, pointer, "OutputPath", true);
        reference_path(validator, object, pointer, "ResultPath");
        template(validator, object, pointer, "Parameters", false);
        template(validator, object, pointer, "ResultSelector", true);
        template(validator, object, pointer, "Assign", true);
    } else if let Some(assign) = object.get("Assign") {
        if !assign.is_object() {
            validator.schema(
                at(pointer, "Assign"),
                "The field 'Assign' must be an object",
            );
        }
    }
    if allowed.contains(&"Retry") {
        retry(validator, object, pointer, language);
        catch(validator, object, pointer, language, &mut targets);
    }
    match kind {
        "Task" => task(validator, object, pointer, language),
        "Choice" => choice(validator, object, pointer, language, &mut targets),
        "Wait" => wait(validator, object, pointer, language),
        "Fail" => {
            exclusive(validator, object, pointer, &["Error", "ErrorPath"], false);
            exclusive(validator, object, pointer, &["Cause", "CausePath"], false);
            string(validator, object, pointer, "Error");
            string(validator, object, pointer, "Cause");
            if language == Language::JsonPath {
                path_or_intrinsic(validator, object, pointer, "ErrorPath");
                path_or_intrinsic(validator, object, pointer, "CausePath");
            }
        }
        "Parallel" => match object.get("Branches") {
            Some(Value::Array(branches)) if !branches.is_empty() => {
                let branches_pointer = at(pointer, "Branches");
                for (index, branch) in branches.iter().enumerate() {
                    let branch_pointer = format!("{branches_pointer}/{index}");
                    validator.machine(branch, &branch_pointer, language, depth + 1, false);
                }
            }
            Some(_) => validator.schema(
                at(pointer, "Branches"),
                "The field 'Branches' must be a non-empty array of state machines",
            ),
            None => validator.schema(pointer, "These fields are required: [Branches]"),
        },
        "Map" => map(validator, object, pointer, language, depth),
        _ => {}
    }
    targets
}

/// Exactly one of `Next` and `End: true`.
fn flow(
    validator: &mut Validator,
    object: &Map<String, Value>,
    pointer: &str,
    targets: &mut Vec<(String, String)>,
) {
    match (object.get("Next"), object.get("End")) {
        (Some(_), Some(_)) => {
            validator.schema(pointer, "These fields are mutually exclusive: [Next, End]")
        }
        (None, None) => validator.schema(
            pointer,
            "Exactly one of these fields is required: [Next, End]",
        ),
        (Some(Value::String(next)), None) => targets.push((next.clone(), at(pointer, "Next"))),
        (Some(_), None) => {
            validator.schema(at(pointer, "Next"), "The field 'Next' must be a string")
        }
        (None, Some(Value::Bool(true))) => {}
        (None, Some(_)) => validator.schema(at(pointer, "End"), "The field 'End' must be true"),
    }
}

fn error_equals(
    validator: &mut Validator,
    item: &Map<String, Value>,
    pointer: &str,
) -> Vec<String> {
    let names: Vec<String> = match item.get("ErrorEquals") {
        Some(Value::Array(names)) if !names.is_empty() && names.iter().all(Value::is_string) => {
            names
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        }
        Some(_) => {
            validator.schema(
                at(pointer, "ErrorEquals"),
                "The field 'ErrorEquals' must be a non-empty array of error names",
            );
            return Vec::new();
        }
        None => {
            validator.schema(pointer, "These fields are required: [ErrorEquals]");
            return Vec::new();
        }
    };
    if names.len() > 1 && names.iter().any(|name| name == "States.ALL") {
        validator.schema(
            at(pointer, "ErrorEquals"),
            "States.ALL must appear alone in ErrorEquals",
        );
    }
    names
}

/// The `Retry` or `Catch` list, each element an object; `States.ALL` only in the last one.
fn handlers<'a>(
    validator: &mut Validator,
    object: &'a Map<String, Value>,
    pointer: &str,
    key: &str,
) -> Vec<(String, &'a Map<String, Value>, Vec<String>)> {
    let mut found = Vec::new();
    let Some(value) = object.get(key) else {
        return found;
    };
    let Some(items) = value.as_array() else {
        validator.schema(
            at(pointer, key),
            format!("The field '{key}' must be an array"),
        );
        return found;
    };
    let list_pointer = at(pointer, key);
    for (index, item) in items.iter().enumerate() {
        let item_pointer = format!("{list_pointer}/{index}");
        let Some(item) = item.as_object() else {
            validator.schema(
                &item_pointer,
                format!("Each element of '{key}' must be an object"),
            );
            continue;
        };
        let names = error_equals(validator, item, &item_pointer);
        if names.iter().any(|name| name == "States.ALL") && index + 1 != items.len() {
            validator.schema(
                at(&item_pointer, "ErrorEquals"),
                format!("States.ALL must appear only in the last element of '{key}'"),
            );
        }
        found.push((item_pointer, item, names));
    }
    found
}

fn retry(
    validator: &mut Validator,
    object: &Map<String, Value>,
    pointer: &str,
    _language: Language,
) {
    for (item_pointer, item, _) in handlers(validator, object, pointer, "Retry") {
        const FIELDS: &[&str] = &[
            "ErrorEquals",
            "IntervalSeconds",
            "MaxAttempts",
            "BackoffRate",
            "MaxDelaySeconds",
            "JitterStrategy",
            "Comment",
        ];
        unknown_fields(validator, item, &item_pointer, FIELDS, "a retrier");
        positive_integer(validator, item, &item_pointer, "IntervalSeconds", 1);
        positive_integer(validator, item, &item_pointer, "MaxAttempts", 0);
        positive_integer(validator, item, &item_pointer, "MaxDelaySeconds", 1);
        fields::number_at_least(validator, item, &item_pointer, "BackoffRate", 1.0);
        if let Some(jitter) = item.get("JitterStrategy") {
            if !matches!(jitter.as_str(), Some("FULL" | "NONE")) {
                validator.schema(
                    at(&item_pointer, "JitterStrategy"),
                    "The field 'JitterStrategy' must be \"FULL\" or \"NONE\"",
                );
            }
        }
    }
}

fn catch(
    validator: &mut Validator,
    object: &Map<String, Value>,
    pointer: &str,
    language: Language,
    targets: &mut Vec<(String, String)>,
) {
    for (item_pointer, item, _) in handlers(validator, object, pointer, "Catch") {
        let fields: &[&str] = if language == Language::JsonPath {
            &["ErrorEquals", "Next", "ResultPath", "Comment", "Assign"]
        } else {
            &["ErrorEquals", "Next", "Output", "Comment", "Assign"]
        };
        unknown_fields(validator, item, &item_pointer, fields, "a catcher");
        match item.get("Next") {
            Some(Value::String(next)) => targets.push((next.clone(), at(&item_pointer, "Next"))),
            Some(_) => validator.schema(
                at(&item_pointer, "Next"),
                "The field 'Next' must be a string",
            ),
            None => validator.schema(&item_pointer, "These fields are required: [Next]"),
        }
        if language == Language::JsonPath {
            reference_path(validator, item, &item_pointer, "ResultPath");
            template(validator, item, &item_pointer, "Assign", true);
        }
    }
}

fn unknown_fields(
    validator: &mut Validator,
    object: &Map<String, Value>,
    pointer: &str,
    allowed: &[&str],
    what: &str,
) {
    for key in object.keys() {
        if !allowed.contains(&key.as_str()) {
            validator.schema(
                at(pointer, key),
                format!("The field '{key}' is not supported in {what}"),
            );
        }
    }
}

fn task(validator: &mut Validator, object: &Map<String, Value>, pointer: &str, language: Language) {
    match object.get("Resource") {
        Some(Value::String(resource)) if resource.starts_with("arn:") => {}
        Some(Value::String(resource)) => validator.error(
            "INVALID_RESOURCE",
            at(pointer, "Resource"),
            format!("The resource '{resource}' is not a valid ARN"),
        ),
        Some(_) => validator.schema(
            at(pointer, "Resource"),
            "The field 'Resource' must be a string",
        ),
        None => validator.schema(pointer, "These fields are required: [Resource]"),
    }
    exclusive(
        validator,
        object,
        pointer,
        &["TimeoutSeconds", "TimeoutSecondsPath"],
        false,
    );
    exclusive(
        validator,
        object,
        pointer,
        &["HeartbeatSeconds", "HeartbeatSecondsPath"],
        false,
    );
    let seconds = |validator: &mut Validator, key: &str| match object.get(key) {
        // In JSONata a duration may be an expression string.
        Some(Value::String(_)) if language == Language::Jsonata => None,
        _ => positive_integer(validator, object, pointer, key, 1),
    };
    let timeout = seconds(validator, "TimeoutSeconds");
    let heartbeat = seconds(validator, "HeartbeatSeconds");
    if let (Some(timeout), Some(heartbeat)) = (timeout, heartbeat) {
        if heartbeat >= timeout {
            validator.schema(
                at(pointer, "HeartbeatSeconds"),
                "The field 'HeartbeatSeconds' must be smaller than 'TimeoutSeconds'",
            );
        }
    }
    if language == Language::JsonPath {
        path(validator, object, pointer, "TimeoutSecondsPath", false);
        path(validator, object, pointer, "HeartbeatSecondsPath", false);
    }
    if let Some(credentials) = object.get("Credentials") {
        if !credentials.is_object() {
            validator.schema(
                at(pointer, "Credentials"),
                "The field 'Credentials' must be an object",
            );
        }
    }
}

fn choice(
    validator: &mut Validator,
    object: &Map<String, Value>,
    pointer: &str,
    language: Language,
    targets: &mut Vec<(String, String)>,
) {
    match object.get("Default") {
        Some(Value::String(default)) => targets.push((default.clone(), at(pointer, "Default"))),
        Some(_) => validator.schema(
            at(pointer, "Default"),
            "The field 'Default' must be a string",
        ),
        None => {}
    }
    let Some(choices) = object.get("Choices") else {
        validator.schema(pointer, "These fields are required: [Choices]");
        return;
    };
    let choices_pointer = at(pointer, "Choices");
    if let Some(items) = choices.as_array() {
        for (index, item) in items.iter().enumerate() {
            if let Some(Value::String(next)) = item.get("Next") {
                targets.push((next.clone(), format!("{choices_pointer}/{index}/Next")));
            }
            if language == Language::Jsonata {
                jsonata_choice(validator, item, &format!("{choices_pointer}/{index}"));
            } else if let Some(item) = item.as_object() {
                template(
                    validator,
                    item,
                    &format!("{choices_pointer}/{index}"),
                    "Assign",
                    true,
                );
            }
        }
    }
    if language == Language::JsonPath {
        if let Err(diagnostics) = compile_choices(choices, &choices_pointer) {
            validator.diagnostics.extend(diagnostics);
        }
    } else if choices.as_array().is_none_or(|items| items.is_empty()) {
        validator.schema(
            &choices_pointer,
            "The field 'Choices' must be a non-empty array",
        );
    }
}

fn jsonata_choice(validator: &mut Validator, item: &Value, pointer: &str) {
    let Some(item) = item.as_object() else {
        validator.schema(pointer, "A choice rule must be an object");
        return;
    };
    unknown_fields(
        validator,
        item,
        pointer,
        &["Condition", "Next", "Comment", "Assign", "Output"],
        "a JSONata choice rule",
    );
    if !item.contains_key("Condition") {
        validator.schema(pointer, "These fields are required: [Condition]");
    }
    if !item.contains_key("Next") {
        validator.schema(pointer, "These fields are required: [Next]");
    }
}

fn wait(validator: &mut Validator, object: &Map<String, Value>, pointer: &str, language: Language) {
    exclusive(
        validator,
        object,
        pointer,
        &["Seconds", "SecondsPath", "Timestamp", "TimestampPath"],
        true,
    );
    match object.get("Seconds") {
        Some(Value::String(_)) if language == Language::Jsonata => {}
        _ => {
            positive_integer(validator, object, pointer, "Seconds", 0);
        }
    }
    if let Some(Value::String(text)) = object.get("Timestamp") {
        let expression = language == Language::Jsonata && text.starts_with("{%");
        if !expression && crate::choice::parse_timestamp(text).is_none() {
            validator.schema(
                at(pointer, "Timestamp"),
                format!("The field 'Timestamp' must be an RFC 3339 timestamp, not '{text}'"),
            );
        }
    } else if object.contains_key("Timestamp") {
        validator.schema(
            at(pointer, "Timestamp"),
            "The field 'Timestamp' must be a string",
        );
    }
    if language == Language::JsonPath {
        path(validator, object, pointer, "SecondsPath", false);
        path(validator, object, pointer, "TimestampPath", false);
    }
}

fn map(
    validator: &mut Validator,
    object: &Map<String, Value>,
    pointer: &str,
    language: Language,
    depth: usize,
) {
    exclusive(
        validator,
        object,
        pointer,
        &["ItemProcessor", "Iterator"],
        true,
    );
    exclusive(
        validator,
        object,
        pointer,
        &["ItemSelector", "Parameters"],
        false,
    );
    exclusive(
        validator,
        object,
        pointer,
        &["MaxConcurrency", "MaxConcurrencyPath"],
        false,
    );
    exclusive(
        validator,
        object,
        pointer,
        &["ToleratedFailureCount", "ToleratedFailureCountPath"],
        false,
    );
    exclusive(
        validator,
        object,
        pointer,
        &[
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
        ],
        false,
    );
    for key in ["ItemProcessor", "Iterator"] {
        if let Some(processor) = object.get(key) {
            let processor_pointer = at(pointer, key);
            validator.machine(processor, &processor_pointer, language, depth + 1, false);
            if let Some(config) = processor.get("ProcessorConfig") {
                processor_config(
                    validator,
                    config,
                    &at(&processor_pointer, "ProcessorConfig"),
                );
            }
        }
    }
    if language == Language::JsonPath {
        path(validator, object, pointer, "ItemsPath", false);
        template(validator, object, pointer, "ItemSelector", true);
        for key in [
            "MaxConcurrencyPath",
            "ToleratedFailureCountPath",
            "ToleratedFailurePercentagePath",
        ] {
            path(validator, object, pointer, key, false);
        }
        positive_integer(validator, object, pointer, "MaxConcurrency", 0);
        positive_integer(validator, object, pointer, "ToleratedFailureCount", 0);
        if let Some(value) = object.get("ToleratedFailurePercentage") {
            if !value.as_f64().is_some_and(|p| (0.0..=100.0).contains(&p)) {
                validator.schema(
                    at(pointer, "ToleratedFailurePercentage"),
                    "The field 'ToleratedFailurePercentage' must be a number from 0 to 100",
                );
            }
        }
    }
}

fn processor_config(validator: &mut Validator, config: &Value, pointer: &str) {
    let Some(config) = config.as_object() else {
        validator.schema(pointer, "The field 'ProcessorConfig' must be an object");
        return;
    };
    unknown_fields(
        validator,
        config,
        pointer,
        &["Mode", "ExecutionType"],
        "ProcessorConfig",
    );
    if let Some(mode) = config.get("Mode") {
        if !matches!(mode.as_str(), Some("INLINE" | "DISTRIBUTED")) {
            validator.schema(
                at(pointer, "Mode"),
                "The field 'Mode' must be \"INLINE\" or \"DISTRIBUTED\"",
            );
        }
    }
    if let Some(kind) = config.get("ExecutionType") {
        if !matches!(kind.as_str(), Some("STANDARD" | "EXPRESS")) {
            validator.schema(
                at(pointer, "ExecutionType"),
                "The field 'ExecutionType' must be \"STANDARD\" or \"EXPRESS\"",
            );
        }
    }
}
