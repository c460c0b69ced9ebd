//! Typed checks of single fields and of field groups, each reporting in AWS's words.

use super::language::{is_expression, Language};
use super::messages::{self, Kind};
use super::{at, Validator};
use serde_json::{Map, Value};

/// An object of the definition and the JSON pointer where it sits.
#[derive(Clone, Copy)]
pub struct Node<'a> {
    pub map: &'a Map<String, Value>,
    pub pointer: &'a str,
}

impl<'a> Node<'a> {
    pub fn new(map: &'a Map<String, Value>, pointer: &'a str) -> Self {
        Node { map, pointer }
    }

    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key)
    }

    pub fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    /// The pointer of one of this object's fields.
    pub fn field(&self, key: &str) -> String {
        at(self.pointer, key)
    }
}

/// The value of a field must be an object; `None` (reported) when it is not.
pub fn as_object<'a>(
    validator: &mut Validator,
    value: &'a Value,
    pointer: &str,
) -> Option<&'a Map<String, Value>> {
    let object = value.as_object();
    if object.is_none() {
        validator.schema(pointer, messages::expected(Kind::Object));
    }
    object
}

impl Validator {
    /// Every field not in `allowed` is reported where it stands.
    pub fn unsupported(&mut self, node: Node, allowed: &[&str]) {
        for key in node.map.keys() {
            if !allowed.contains(&key.as_str()) {
                self.schema(node.field(key), messages::not_supported(key));
            }
        }
    }

    /// The fields of `keys` that are missing, reported together at the object.
    pub fn required(&mut self, node: Node, keys: &[&str]) {
        let missing: Vec<&str> = keys.iter().copied().filter(|k| !node.has(k)).collect();
        if !missing.is_empty() {
            self.schema(node.pointer, messages::required(&missing));
        }
    }

    /// At most one field of the group.
    pub fn only_one(&mut self, node: Node, keys: &[&str]) {
        if keys.iter().filter(|k| node.has(k)).count() > 1 {
            self.schema(node.pointer, messages::only_one(keys));
        }
    }

    /// Exactly one field of the group.
    pub fn exactly_one(&mut self, node: Node, keys: &[&str]) {
        match keys.iter().filter(|k| node.has(k)).count() {
            0 => self.schema(node.pointer, messages::exactly_one(keys)),
            1 => {}
            _ => self.schema(node.pointer, messages::only_one(keys)),
        }
    }

    /// An optional string field; its text when it is one.
    pub fn string<'a>(&mut self, node: Node<'a>, key: &str) -> Option<&'a str> {
        let value = node.get(key)?;
        let text = value.as_str();
        if text.is_none() {
            self.schema(node.field(key), messages::expected(Kind::String));
        }
        text
    }

    pub fn boolean(&mut self, node: Node, key: &str) -> Option<bool> {
        let value = node.get(key)?;
        let flag = value.as_bool();
        if flag.is_none() {
            self.schema(node.field(key), messages::expected(Kind::Boolean));
        }
        flag
    }

    pub fn object<'a>(&mut self, node: Node<'a>, key: &str) -> Option<&'a Map<String, Value>> {
        let value = node.get(key)?;
        as_object(self, value, &node.field(key))
    }

    /// An optional string field that must hold one of `values`.
    pub fn one_of(&mut self, node: Node, key: &str, values: &[&str]) -> Option<String> {
        let text = self.string(node, key)?;
        if values.contains(&text) {
            Some(text.to_string())
        } else {
            self.schema(node.field(key), messages::one_of(values));
            None
        }
    }

    /// An optional integer field within `min..=max` (no upper bound when `max` is `None`).
    pub fn integer(&mut self, node: Node, key: &str, min: i64, max: Option<i64>) -> Option<i64> {
        let value = node.get(key)?;
        let location = node.field(key);
        let Some(number) = value.as_number() else {
            self.schema(location, messages::expected(Kind::Integer));
            return None;
        };
        if let Some(n) = number.as_i64() {
            if n < min {
                self.schema(location, messages::minimum(min));
                return None;
            }
            if let Some(max) = max.filter(|max| n > *max) {
                self.schema(location, messages::maximum(max));
                return None;
            }
            return Some(n);
        }
        if number.is_u64() {
            // Above i64::MAX: still an integer, so only an upper bound can refuse it.
            if let Some(max) = max {
                self.schema(location, messages::maximum(max));
            }
            return None;
        }
        // Written with a fraction or an exponent: a whole number beyond a bound gets the range
        // message, anything else is not an integer.
        match number.as_f64().filter(|f| f.fract() == 0.0) {
            Some(f) if f < min as f64 => self.schema(location, messages::minimum(min)),
            Some(f) if max.is_some_and(|max| f > max as f64) => {
                self.schema(location, messages::maximum(max.unwrap_or_default()))
            }
            _ => self.schema(location, messages::expected(Kind::Integer)),
        }
        None
    }

    /// An optional number field within `min..=max`.
    pub fn number(&mut self, node: Node, key: &str, min: f64, max: Option<f64>) {
        let Some(value) = node.get(key) else {
            return;
        };
        let location = node.field(key);
        match value.as_f64() {
            None => self.schema(location, messages::expected(Kind::Number)),
            Some(n) if n < min => self.schema(location, messages::minimum(min)),
            Some(n) if max.is_some_and(|max| n > max) => {
                self.schema(location, messages::maximum(max.unwrap_or_default()))
            }
            Some(_) => {}
        }
    }

    /// An integer field that a JSONata state may also give as a `{% %}` expression.
    pub fn integer_or_expression(
        &mut self,
        node: Node,
        key: &str,
        language: Language,
        min: i64,
        max: Option<i64>,
    ) -> Option<i64> {
        if language == Language::Jsonata && node.get(key).is_some_and(is_expression) {
            return None;
        }
        self.integer(node, key, min, max)
    }

    /// A number field that a JSONata state may also give as a `{% %}` expression.
    pub fn number_or_expression(
        &mut self,
        node: Node,
        key: &str,
        language: Language,
        min: f64,
        max: Option<f64>,
    ) {
        if language == Language::Jsonata && node.get(key).is_some_and(is_expression) {
            return;
        }
        self.number(node, key, min, max);
    }

    /// A field that must be a JSON object, or a `{% %}` expression in a JSONata state.
    pub fn object_or_expression(&mut self, node: Node, key: &str, language: Language) {
        if let Some(value) = node.get(key) {
            let expression = language == Language::Jsonata && is_expression(value);
            if !value.is_object() && !expression {
                self.schema(node.field(key), messages::expected(Kind::Object));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::validator;
    use super::*;
    use serde_json::json;

    fn run(value: Value, check: impl FnOnce(&mut Validator, Node)) -> Vec<(String, String)> {
        let mut v = validator();
        let map = value.as_object().cloned().unwrap_or_default();
        check(&mut v, Node::new(&map, "/S"));
        v.diagnostics
            .into_iter()
            .map(|d| (d.location, d.message))
            .collect()
    }

    fn one(location: &str, message: &str) -> Vec<(String, String)> {
        vec![(location.to_string(), message.to_string())]
    }

    #[test]
    fn integers_are_checked_for_type_and_range() {
        let check = |value: Value| {
            run(json!({ "N": value }), |v, n| {
                v.integer(n, "N", 1, Some(10));
            })
        };
        assert_eq!(check(json!(5)), vec![]);
        assert_eq!(check(json!(0)), one("/S/N", "Minimum value is 1"));
        assert_eq!(check(json!(-3)), one("/S/N", "Minimum value is 1"));
        assert_eq!(check(json!(11)), one("/S/N", "Maximum value is 10"));
        assert_eq!(
            check(json!(18446744073709551615u64)),
            one("/S/N", "Maximum value is 10")
        );
        assert_eq!(check(json!(1e30)), one("/S/N", "Maximum value is 10"));
        assert_eq!(check(json!(-1e30)), one("/S/N", "Minimum value is 1"));
        assert_eq!(
            check(json!(2.5)),
            one("/S/N", "Expected value of type Integer")
        );
        assert_eq!(
            check(json!("5")),
            one("/S/N", "Expected value of type Integer")
        );
    }

    #[test]
    fn integers_without_upper_bound() {
        let found = run(json!({"N": 1e30}), |v, n| {
            v.integer(n, "N", 0, None);
        });
        assert_eq!(found, one("/S/N", "Expected value of type Integer"));
        let found = run(json!({"N": 99999999999i64}), |v, n| {
            v.integer(n, "N", 0, None);
        });
        assert_eq!(found, vec![]);
    }

    #[test]
    fn jsonata_expressions_stand_in_for_numbers() {
        let found = run(json!({"N": "{% $n %}", "M": "{% $m %}"}), |v, n| {
            v.integer_or_expression(n, "N", Language::Jsonata, 0, None);
            v.number_or_expression(n, "M", Language::Jsonata, 0.0, None);
            v.integer_or_expression(n, "N", Language::JsonPath, 0, None);
        });
        assert_eq!(found, one("/S/N", "Expected value of type Integer"));
    }

    #[test]
    fn numbers_strings_booleans_and_enums() {
        let found = run(
            json!({"R": 0.5, "P": 101, "S": 1, "B": "yes", "E": "SOME", "O": []}),
            |v, n| {
                v.number(n, "R", 1.0, None);
                v.number(n, "P", 0.0, Some(100.0));
                v.string(n, "S");
                v.boolean(n, "B");
                v.one_of(n, "E", &["FULL", "NONE"]);
                v.object(n, "O");
            },
        );
        assert_eq!(
            found,
            vec![
                ("/S/R".into(), "Minimum value is 1.0".into()),
                ("/S/P".into(), "Maximum value is 100.0".into()),
                ("/S/S".into(), "Expected value of type String".into()),
                ("/S/B".into(), "Expected value of type Boolean".into()),
                (
                    "/S/E".into(),
                    "Value should be one of the following: [FULL, NONE]".into()
                ),
                ("/S/O".into(), "Expected value of type Object".into()),
            ]
        );
    }

    #[test]
    fn field_groups() {
        let found = run(json!({"A": 1, "B": 2, "X~/": 3}), |v, n| {
            v.only_one(n, &["A", "B"]);
            v.exactly_one(n, &["C", "D"]);
            v.exactly_one(n, &["A", "B", "C"]);
            v.required(n, &["A", "C", "D"]);
            v.unsupported(n, &["A", "B"]);
        });
        assert_eq!(
            found,
            vec![
                (
                    "/S".into(),
                    "There should only be one of the following fields: [A, B]".into()
                ),
                (
                    "/S".into(),
                    "This object should have only one of the following fields: [C, D]".into()
                ),
                (
                    "/S".into(),
                    "There should only be one of the following fields: [A, B, C]".into()
                ),
                ("/S".into(), "These fields are required: [C, D]".into()),
                ("/S/X~0~1".into(), "Field 'X~/' is not supported".into()),
            ]
        );
    }
}
