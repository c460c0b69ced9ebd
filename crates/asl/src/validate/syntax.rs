//! Syntax of JSONPath fields: paths, reference paths, payload templates, intrinsic functions
//! and timestamps, compiled by the same code the engine runs them with.

use super::fields::Node;
use super::messages::{self, Kind};
use super::Validator;
use fluxo_expr::{Intrinsic, Path, PayloadTemplate, ReferencePath};
use serde_json::Value;

/// A path that reads (`InputPath`, `ItemsPath`, ...); `null` allowed where it has a meaning.
pub fn path(validator: &mut Validator, node: Node, key: &str, nullable: bool) {
    match node.get(key) {
        None => {}
        Some(Value::Null) if nullable => {}
        Some(Value::String(text)) if Path::parse(text).is_err() => {
            validator.schema(node.field(key), messages::invalid_path_field(key));
        }
        Some(Value::String(_)) => {}
        Some(_) => validator.schema(node.field(key), messages::expected(Kind::String)),
    }
}

/// `ResultPath`: where a result is written, or `null` to discard it.
pub fn reference_path(validator: &mut Validator, node: Node, key: &str) {
    match node.get(key) {
        None | Some(Value::Null) => {}
        Some(Value::String(text)) if ReferencePath::parse(text).is_err() => {
            validator.schema(node.field(key), messages::invalid_reference_path_field(key));
        }
        Some(Value::String(_)) => {}
        Some(_) => validator.schema(node.field(key), messages::expected(Kind::String)),
    }
}

/// A `…Path` field that reads one value (`SecondsPath`, `MaxConcurrencyPath`, ...): a path
/// that selects a single node, from the input or a variable, and from the context object only
/// where `context_allowed`.
pub fn definite_path(validator: &mut Validator, node: Node, key: &str, context_allowed: bool) {
    let Some(value) = node.get(key) else {
        return;
    };
    let Some(text) = value.as_str() else {
        validator.schema(node.field(key), messages::expected(Kind::String));
        return;
    };
    let acceptable = Path::parse(text)
        .is_ok_and(|path| path.is_definite() && (context_allowed || !path.reads_context()));
    if !acceptable {
        validator.schema(node.field(key), messages::invalid_reference_path_field(key));
    }
}

/// `ErrorPath` / `CausePath`: a path, or an intrinsic function such as `States.Format(...)`.
pub fn path_or_intrinsic(validator: &mut Validator, node: Node, key: &str) {
    match node.get(key) {
        None => {}
        Some(Value::String(text)) => {
            let valid = if text.starts_with("States.") {
                Intrinsic::parse(text).is_ok()
            } else {
                Path::parse(text).is_ok()
            };
            if !valid {
                validator.schema(node.field(key), messages::invalid_dynamic_field(key));
            }
        }
        Some(_) => validator.schema(node.field(key), messages::expected(Kind::String)),
    }
}

/// A payload template (`Parameters`, `ResultSelector`, `ItemSelector`, `Assign`,
/// `Credentials`); each bad field inside is reported at its own pointer.
pub fn template(validator: &mut Validator, node: Node, key: &str, object_required: bool) {
    let Some(value) = node.get(key) else {
        return;
    };
    let pointer = node.field(key);
    if object_required && !value.is_object() {
        validator.schema(pointer, messages::expected(Kind::Object));
        return;
    }
    if let Err(errors) = PayloadTemplate::compile(value) {
        for error in errors {
            // AWS names the `.$` field and points at the object that holds it.
            match error.pointer.rsplit_once('/') {
                Some((object, field)) => validator.schema(
                    format!("{pointer}{object}"),
                    messages::invalid_dynamic_field(&unescape(field)),
                ),
                None => validator.schema(&pointer, error.message),
            }
        }
    }
}

/// A JSON pointer segment as written: `~1` is `/`, `~0` is `~`.
fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// A literal timestamp: RFC 3339 with an uppercase `T`, and `Z` or a numeric offset.
pub fn timestamp(validator: &mut Validator, node: Node, key: &str) {
    match node.get(key) {
        Some(Value::String(text)) if crate::choice::parse_timestamp(text).is_none() => {
            validator.schema(node.field(key), messages::NOT_A_TIMESTAMP)
        }
        None | Some(Value::String(_)) => {}
        Some(_) => validator.schema(node.field(key), messages::expected(Kind::String)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::validator;
    use super::*;
    use serde_json::json;

    fn run(value: Value, check: impl FnOnce(&mut Validator, Node)) -> Vec<String> {
        let mut v = validator();
        let map = value.as_object().cloned().unwrap_or_default();
        check(&mut v, Node::new(&map, "/S"));
        v.diagnostics.into_iter().map(|d| d.location).collect()
    }

    #[test]
    fn paths() {
        let check = |value: Value, nullable: bool| {
            run(json!({ "P": value }), |v, n| path(v, n, "P", nullable))
        };
        assert!(check(json!("$.a.b[0]"), false).is_empty());
        assert!(check(json!("$$.Execution.Input"), false).is_empty());
        assert!(check(json!("$var.x"), false).is_empty());
        assert!(check(json!(null), true).is_empty());
        assert_eq!(check(json!(null), false), vec!["/S/P"]);
        assert_eq!(check(json!("nope"), false), vec!["/S/P"]);
        assert_eq!(check(json!(3), true), vec!["/S/P"]);
    }

    #[test]
    fn reference_paths() {
        let check = |value: Value| run(json!({ "R": value }), |v, n| reference_path(v, n, "R"));
        assert!(check(json!("$.a['b'][2]")).is_empty());
        assert!(check(json!(null)).is_empty());
        assert_eq!(check(json!("$.a[*]")), vec!["/S/R"]);
        assert_eq!(check(json!("$$.Execution")), vec!["/S/R"]);
        assert_eq!(check(json!(true)), vec!["/S/R"]);
    }

    #[test]
    fn single_value_paths() {
        let check = |value: Value, context: bool| {
            run(json!({ "P": value }), |v, n| {
                definite_path(v, n, "P", context)
            })
        };
        assert!(check(json!("$.seconds"), false).is_empty());
        assert!(check(json!("$limit"), false).is_empty());
        assert!(check(json!("$$.Execution.Input.n"), true).is_empty());
        assert_eq!(check(json!("$$.Execution.Input.n"), false), vec!["/S/P"]);
        assert_eq!(check(json!("$.items[*].n"), true), vec!["/S/P"]);
        assert_eq!(check(json!("seconds"), true), vec!["/S/P"]);
        assert_eq!(check(json!(5), true), vec!["/S/P"]);
    }

    #[test]
    fn paths_or_intrinsics() {
        let check = |value: Value| run(json!({ "E": value }), |v, n| path_or_intrinsic(v, n, "E"));
        assert!(check(json!("$.error")).is_empty());
        assert!(check(json!("States.Format('{}', $.a)")).is_empty());
        assert_eq!(check(json!("States.Format('{}', $.a")), vec!["/S/E"]);
        assert_eq!(check(json!("error")), vec!["/S/E"]);
    }

    #[test]
    fn templates_report_inner_pointers() {
        let check = |value: Value, object: bool| {
            run(json!({ "T": value }), |v, n| template(v, n, "T", object))
        };
        assert!(check(
            json!({"a": 1, "b.$": "$.b", "c": [{"d.$": "States.UUID()"}]}),
            true
        )
        .is_empty());
        assert_eq!(
            check(
                json!({"x": {"y.$": "States.Format('{}'"}, "z.$": "no"}),
                true
            ),
            vec!["/S/T/x", "/S/T"]
        );
        assert_eq!(check(json!([1]), true), vec!["/S/T"]);
        assert!(check(json!("literal"), false).is_empty());
    }

    #[test]
    fn timestamps() {
        let check = |value: Value| run(json!({ "T": value }), |v, n| timestamp(v, n, "T"));
        assert!(check(json!("2016-03-14T01:59:00Z")).is_empty());
        assert!(check(json!("2016-03-14T01:59:00.123+02:00")).is_empty());
        assert_eq!(check(json!("2016-03-14 01:59:00Z")), vec!["/S/T"]);
        assert_eq!(check(json!("tomorrow")), vec!["/S/T"]);
        assert_eq!(check(json!(1)), vec!["/S/T"]);
    }
}
