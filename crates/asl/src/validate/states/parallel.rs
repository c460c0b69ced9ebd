//! Parallel: a non-empty list of branches, each a state machine of its own.

use super::super::fields::Node;
use super::super::language::Language;
use super::super::machine::{self, Nested};
use super::super::messages::{self, Kind};
use super::super::{item, Validator};
use serde_json::Value;

pub fn check(validator: &mut Validator, node: Node, _language: Language) {
    validator.required(node, &["Branches"]);
    let Some(branches) = node.get("Branches") else {
        return;
    };
    let pointer = node.field("Branches");
    match branches {
        Value::Array(list) if list.is_empty() => validator.schema(pointer, messages::EMPTY_VALUE),
        Value::Array(list) => {
            for (index, branch) in list.iter().enumerate() {
                machine::nested(validator, branch, &item(&pointer, index), Nested::Branch);
            }
        }
        _ => validator.schema(pointer, messages::expected(Kind::Array)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::tests::{has, single};
    use serde_json::json;

    #[test]
    fn branches_are_a_non_empty_list_of_machines() {
        has(
            single(json!({"Type": "Parallel", "End": true})),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A",
        );
        for branches in [json!([]), json!({}), json!("B")] {
            has(
                single(json!({"Type": "Parallel", "End": true, "Branches": branches})),
                "SCHEMA_VALIDATION_FAILED",
                "/States/A/Branches",
            );
        }
        has(
            single(json!({"Type": "Parallel", "End": true, "Branches": [3]})),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/Branches/0",
        );
        has(
            single(
                json!({"Type": "Parallel", "End": true, "Branches": [{"States": {"B": {"Type": "Succeed"}}}]}),
            ),
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/Branches/0",
        );
    }
}
