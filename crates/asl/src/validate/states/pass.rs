//! Pass: its `Result` is static, and AWS warns when it looks like it was meant not to be.

use super::super::fields::Node;
use super::super::language::Language;
use super::super::{warnings, Validator};

pub fn check(validator: &mut Validator, node: Node, language: Language) {
    if language == Language::JsonPath {
        warnings::pass_result_is_static(validator, node);
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::tests::{problems, single};
    use serde_json::json;

    #[test]
    fn result_is_any_json() {
        for result in [json!(1), json!("x"), json!(null), json!([1, {"a": 2}])] {
            assert_eq!(
                problems(single(
                    json!({"Type": "Pass", "Result": result, "End": true})
                )),
                vec![]
            );
        }
    }
}
