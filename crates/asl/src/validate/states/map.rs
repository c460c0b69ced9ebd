//! Map: the items, the processor run for each, and the limits of a run.

use super::super::fields::{as_object, Node};
use super::super::language::{is_expression, Language};
use super::super::machine::{self, Nested};
use super::super::messages::{self, Kind};
use super::super::{code, syntax, warnings, StateMachineType, Validator};

/// AWS's limit on a Map `Label`.
const MAX_LABEL: usize = 40;

pub fn check(validator: &mut Validator, node: Node, language: Language) {
    validator.exactly_one(node, &["ItemProcessor", "Iterator"]);
    validator.only_one(node, &["ItemSelector", "Parameters"]);
    validator.only_one(node, &["MaxConcurrency", "MaxConcurrencyPath"]);
    validator.only_one(
        node,
        &["ToleratedFailureCount", "ToleratedFailureCountPath"],
    );
    validator.only_one(
        node,
        &[
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
        ],
    );
    validator.integer_or_expression(node, "MaxConcurrency", language, 0, None);
    validator.integer_or_expression(node, "ToleratedFailureCount", language, 0, None);
    validator.number_or_expression(
        node,
        "ToleratedFailurePercentage",
        language,
        0.0,
        Some(100.0),
    );
    match language {
        Language::JsonPath => {
            syntax::path(validator, node, "ItemsPath", false);
            syntax::template(validator, node, "ItemSelector", true);
            warnings::no_dollar(validator, node, "ItemSelector");
            // Unlike ItemsPath, these may not read the context object.
            for key in [
                "MaxConcurrencyPath",
                "ToleratedFailureCountPath",
                "ToleratedFailurePercentagePath",
            ] {
                syntax::definite_path(validator, node, key, false);
            }
        }
        Language::Jsonata => {
            if let Some(items) = node.get("Items") {
                if !items.is_array() && !is_expression(items) {
                    validator.schema(node.field("Items"), messages::expected(Kind::Array));
                }
            }
            validator.object_or_expression(node, "ItemSelector", language);
        }
    }
    for key in ["ItemProcessor", "Iterator"] {
        if let Some(processor) = node.get(key) {
            let pointer = node.field(key);
            // A distributed Map's EXPRESS children are Express executions: their states are
            // held to what an Express state machine may call.
            let express = processor.pointer("/ProcessorConfig/ExecutionType")
                == Some(&serde_json::Value::String("EXPRESS".into()));
            let outer = validator.machine_type;
            if express {
                validator.machine_type = StateMachineType::Express;
            }
            machine::nested(validator, processor, &pointer, Nested::Processor);
            validator.machine_type = outer;
            if let Some(map) = processor.as_object() {
                processor_config(validator, Node::new(map, &pointer));
            }
        }
    }
    distributed(validator, node, language);
    inline_only(validator, node);
    label(validator, node);
}

/// `ItemReader`, `ItemBatcher` and `ResultWriter` belong to a distributed Map: an inline one
/// (the default mode) may not have them.
fn inline_only(validator: &mut Validator, node: Node) {
    let processor = node.get("ItemProcessor").or_else(|| node.get("Iterator"));
    let mode = processor.and_then(|p| p.pointer("/ProcessorConfig/Mode"));
    if mode.and_then(|mode| mode.as_str()) == Some("DISTRIBUTED") {
        return;
    }
    for field in ["ItemReader", "ItemBatcher", "ResultWriter"] {
        if node.has(field) {
            validator.schema(node.field(field), messages::not_supported(field));
        }
    }
}

/// `ProcessorConfig`: the mode, and for a distributed map the type of its child executions.
fn processor_config(validator: &mut Validator, processor: Node) {
    let Some(config) = validator.object(processor, "ProcessorConfig") else {
        return;
    };
    let pointer = processor.field("ProcessorConfig");
    let node = Node::new(config, &pointer);
    validator.unsupported(node, &["Mode", "ExecutionType"]);
    validator.one_of(node, "Mode", &["INLINE", "DISTRIBUTED"]);
    validator.one_of(node, "ExecutionType", &["STANDARD", "EXPRESS"]);
    // INLINE is the default mode; a bad mode has been reported and says nothing more.
    let mode = node.get("Mode").map(|mode| mode.as_str());
    match mode {
        Some(Some("DISTRIBUTED")) => validator.required(node, &["ExecutionType"]),
        Some(Some("INLINE")) | None if node.has("ExecutionType") => validator.schema(
            node.field("ExecutionType"),
            messages::not_supported("ExecutionType"),
        ),
        _ => {}
    }
}

/// The fields that configure a distributed map run, checked for shape only.
fn distributed(validator: &mut Validator, node: Node, language: Language) {
    let arguments = match language {
        Language::JsonPath => "Parameters",
        Language::Jsonata => "Arguments",
    };
    if let Some(reader) = sub_object(validator, node, "ItemReader") {
        let reader = Node::new(reader.0, &reader.1);
        validator.unsupported(reader, &["Resource", "ReaderConfig", arguments]);
        validator.required(reader, &["Resource"]);
        validator.string(reader, "Resource");
        validator.object(reader, "ReaderConfig");
    }
    if let Some(writer) = sub_object(validator, node, "ResultWriter") {
        let writer = Node::new(writer.0, &writer.1);
        validator.unsupported(writer, &["Resource", "WriterConfig", arguments]);
        validator.string(writer, "Resource");
        validator.object(writer, "WriterConfig");
    }
    if let Some(batcher) = sub_object(validator, node, "ItemBatcher") {
        let batcher = Node::new(batcher.0, &batcher.1);
        let mut allowed = vec!["MaxItemsPerBatch", "MaxInputBytesPerBatch", "BatchInput"];
        if language == Language::JsonPath {
            allowed.extend(["MaxItemsPerBatchPath", "MaxInputBytesPerBatchPath"]);
            syntax::definite_path(validator, batcher, "MaxItemsPerBatchPath", false);
            syntax::definite_path(validator, batcher, "MaxInputBytesPerBatchPath", false);
        }
        validator.unsupported(batcher, &allowed);
        validator.only_one(batcher, &["MaxItemsPerBatch", "MaxItemsPerBatchPath"]);
        validator.only_one(
            batcher,
            &["MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath"],
        );
        validator.integer_or_expression(batcher, "MaxItemsPerBatch", language, 0, None);
        validator.integer_or_expression(batcher, "MaxInputBytesPerBatch", language, 0, None);
    }
}

/// An optional field that must be an object, with its pointer.
fn sub_object<'a>(
    validator: &mut Validator,
    node: Node<'a>,
    key: &str,
) -> Option<(&'a serde_json::Map<String, serde_json::Value>, String)> {
    let value = node.get(key)?;
    let pointer = node.field(key);
    as_object(validator, value, &pointer).map(|map| (map, pointer))
}

/// A distributed map's `Label`: short, plain and unique in the definition.
fn label(validator: &mut Validator, node: Node) {
    let Some(label) = validator.string(node, "Label") else {
        return;
    };
    let forbidden =
        |c: char| c.is_whitespace() || c.is_control() || "<>{}[]?*\"#%\\^|~`$&,;:/".contains(c);
    if label.is_empty() || label.chars().count() > MAX_LABEL || label.chars().any(forbidden) {
        validator.error(
            code::INVALID_LABEL_NAME,
            node.field("Label"),
            messages::invalid_label(MAX_LABEL),
        );
    }
    if !validator.labels.insert(label.to_string()) {
        validator.error(
            code::DUPLICATE_LABEL_NAME,
            node.field("Label"),
            messages::duplicate_label(label),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::tests::{has, problems, single};
    use serde_json::{json, Value};

    const PROCESSOR: &str = r#"{"StartAt": "M", "States": {"M": {"Type": "Pass", "End": true}}}"#;

    fn map(extra: Value) -> Value {
        let processor: Value = serde_json::from_str(PROCESSOR).unwrap_or_default();
        let mut state = json!({"Type": "Map", "End": true, "ItemProcessor": processor});
        if let (Some(state), Some(extra)) = (state.as_object_mut(), extra.as_object()) {
            for (key, value) in extra {
                if value.is_null() {
                    state.remove(key);
                } else {
                    state.insert(key.clone(), value.clone());
                }
            }
        }
        single(state)
    }

    #[test]
    fn processor_or_iterator() {
        assert_eq!(problems(map(json!({}))), vec![]);
        has(
            map(json!({"ItemProcessor": null})),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A",
        );
        let processor: Value = serde_json::from_str(PROCESSOR).unwrap_or_default();
        let both = map(json!({"Iterator": processor}));
        has(both, "SCHEMA_VALIDATION_FAILED", "/States/A");
    }

    #[test]
    fn processor_config() {
        let with_config = |config: Value| {
            let mut processor: Value = serde_json::from_str(PROCESSOR).unwrap_or_default();
            processor["ProcessorConfig"] = config;
            map(json!({"ItemProcessor": processor}))
        };
        assert_eq!(
            problems(with_config(
                json!({"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"})
            )),
            vec![]
        );
        let base = "/States/A/ItemProcessor/ProcessorConfig";
        has(
            with_config(json!({"Mode": "SIDEWAYS"})),
            "SCHEMA_VALIDATION_FAILED",
            &format!("{base}/Mode"),
        );
        has(
            with_config(json!({"Mode": "DISTRIBUTED"})),
            "SCHEMA_VALIDATION_FAILED",
            base,
        );
        has(
            with_config(json!({"Mode": "INLINE", "ExecutionType": "STANDARD"})),
            "SCHEMA_VALIDATION_FAILED",
            &format!("{base}/ExecutionType"),
        );
        has(
            with_config(json!({"Mode": "DISTRIBUTED", "ExecutionType": "FAST"})),
            "SCHEMA_VALIDATION_FAILED",
            &format!("{base}/ExecutionType"),
        );
        has(with_config(json!([])), "SCHEMA_VALIDATION_FAILED", base);
    }

    #[test]
    fn express_children_call_only_what_express_machines_may() {
        let with_task = |execution_type: &str, resource: &str| {
            map(json!({"ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": execution_type},
                "StartAt": "T",
                "States": {"T": {"Type": "Task", "Resource": resource, "End": true}}}}))
        };
        let callback = "arn:aws:states:::sqs:sendMessage.waitForTaskToken";
        let activity = "arn:aws:states:us-east-1:123456789012:activity:work";
        let at = "/States/A/ItemProcessor/States/T/Resource";
        has(
            with_task("EXPRESS", callback),
            "SCHEMA_VALIDATION_FAILED",
            at,
        );
        has(
            with_task("EXPRESS", activity),
            "SCHEMA_VALIDATION_FAILED",
            at,
        );
        assert_eq!(problems(with_task("STANDARD", callback)), vec![]);
        assert_eq!(problems(with_task("STANDARD", activity)), vec![]);
        // The Map's own state machine stays Standard after its EXPRESS processor.
        let mut definition = with_task("EXPRESS", "arn:aws:states:::lambda:invoke");
        definition["States"]["A"]["End"] = json!(null);
        definition["States"]["A"]
            .as_object_mut()
            .unwrap()
            .remove("End");
        definition["States"]["A"]["Next"] = json!("B");
        definition["States"]["B"] = json!({"Type": "Task", "Resource": callback, "End": true});
        assert_eq!(problems(definition), vec![]);
    }

    #[test]
    fn limits() {
        for (extra, location) in [
            (json!({"MaxConcurrency": -1}), "/States/A/MaxConcurrency"),
            (
                json!({"MaxConcurrency": 1, "MaxConcurrencyPath": "$.m"}),
                "/States/A",
            ),
            (
                json!({"ToleratedFailureCount": -1}),
                "/States/A/ToleratedFailureCount",
            ),
            (
                json!({"ToleratedFailurePercentage": 100.5}),
                "/States/A/ToleratedFailurePercentage",
            ),
            (
                json!({"ToleratedFailurePercentage": 5, "ToleratedFailurePercentagePath": "$.p"}),
                "/States/A",
            ),
            (json!({"ItemSelector": {}, "Parameters": {}}), "/States/A"),
            (
                json!({"ItemReader": {"ReaderConfig": {}}}),
                "/States/A/ItemReader",
            ),
            (
                json!({"ItemBatcher": {"MaxItemsPerBatch": -1}}),
                "/States/A/ItemBatcher/MaxItemsPerBatch",
            ),
            (json!({"ResultWriter": 1}), "/States/A/ResultWriter"),
        ] {
            has(map(extra), "SCHEMA_VALIDATION_FAILED", location);
        }
    }

    #[test]
    fn jsonata_items() {
        let jsonata = |extra: Value| {
            let mut definition = map(extra);
            definition["QueryLanguage"] = json!("JSONata");
            definition
        };
        assert_eq!(problems(jsonata(json!({"Items": [1, 2]}))), vec![]);
        assert_eq!(
            problems(jsonata(
                json!({"Items": "{% $states.input %}", "MaxConcurrency": "{% 2 %}"})
            )),
            vec![]
        );
        has(
            jsonata(json!({"Items": "abc"})),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/Items",
        );
        has(
            jsonata(json!({"ItemsPath": "$.a"})),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/ItemsPath",
        );
    }

    #[test]
    fn labels() {
        has(
            map(json!({"Label": "has space"})),
            "INVALID_LABEL_NAME",
            "/States/A/Label",
        );
        has(
            map(json!({"Label": "x".repeat(41)})),
            "INVALID_LABEL_NAME",
            "/States/A/Label",
        );
        assert_eq!(problems(map(json!({"Label": "Batch-1_ok"}))), vec![]);
        let processor: Value = serde_json::from_str(PROCESSOR).unwrap_or_default();
        let twice = json!({"StartAt": "A", "States": {
            "A": {"Type": "Map", "Label": "L", "Next": "B", "ItemProcessor": processor},
            "B": {"Type": "Map", "Label": "L", "End": true, "ItemProcessor": {"StartAt": "N", "States": {"N": {"Type": "Succeed"}}}}
        }});
        has(twice, "DUPLICATE_LABEL_NAME", "/States/B/Label");
    }
}
