//! Which workflow variables each state reads: `variableReferences` of `DescribeStateMachine`
//! (API reference: "A map of state name to a list of variables referenced by that state";
//! recorded in `../shared/conformance-api`, group `api_variable_references`).
//!
//! A state reads a variable through a JSONPath path or intrinsic argument (`$name`,
//! `$name.field`) in a path field, a `.$` template key or a Choice rule, and through `$name`
//! in a JSONata expression. Literal strings (`"bucket": "$bucket"` without `.$`) read nothing;
//! `$states` is reserved, not a variable. States of Parallel branches and Map processors are
//! listed by their own names.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// State name → the variables it reads, sorted; states that read none are left out.
pub fn variable_references(definition: &Value) -> BTreeMap<String, Vec<String>> {
    let mut references = BTreeMap::new();
    let mut machines = vec![definition];
    while let Some(machine) = machines.pop() {
        let Some(states) = machine.get("States").and_then(Value::as_object) else {
            continue;
        };
        for (name, state) in states {
            let Some(fields) = state.as_object() else {
                continue;
            };
            let mut names = BTreeSet::new();
            for (key, value) in fields {
                match key.as_str() {
                    "Branches" => machines.extend(value.as_array().into_iter().flatten()),
                    "ItemProcessor" | "Iterator" => machines.push(value),
                    _ => collect(key, value, &mut names),
                }
            }
            if !names.is_empty() {
                references.insert(name.clone(), names.into_iter().collect());
            }
        }
    }
    references
}

/// The variables read by `value`, found under `key`. The definition's depth is bounded by the
/// validator before this runs, so the recursion is too.
fn collect(key: &str, value: &Value, names: &mut BTreeSet<String>) {
    match value {
        Value::String(text) => {
            if let Some(expression) = fluxo_jsonata::expression_text(text) {
                scan(expression, true, names);
            } else if key.ends_with(".$") || key.ends_with("Path") || key == "Variable" {
                scan(text, false, names);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect(key, item, names)),
        Value::Object(map) => map
            .iter()
            .for_each(|(key, value)| collect(key, value, names)),
        _ => {}
    }
}

/// Adds every `$name` of `text` outside quoted strings. In JSONata (`jsonata`), names that are
/// called (`$count(...)`), bound in the expression (`$x := ...`) and `$states` are not
/// workflow variables.
fn scan(text: &str, jsonata: bool, names: &mut BTreeSet<String>) {
    let bytes = text.as_bytes();
    let mut found = BTreeSet::new();
    let mut bound = BTreeSet::new();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if let Some(q) = quote {
            match b {
                b'\\' => i += 1,
                _ if b == q => quote = None,
                _ => {}
            }
            i += 1;
            continue;
        }
        match b {
            b'\'' => quote = Some(b),
            b'"' if jsonata => quote = Some(b),
            b'$' => {
                let start = i + 1;
                let mut end = start;
                while end < bytes.len()
                    && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_')
                {
                    end += 1;
                }
                let starts_well = bytes
                    .get(start)
                    .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_');
                if end > start && starts_well {
                    let name = &text[start..end];
                    let rest = text[end..].trim_start();
                    if !jsonata {
                        found.insert(name.to_string());
                    } else if rest.starts_with(":=") {
                        bound.insert(name.to_string());
                    } else if !rest.starts_with('(') && name != "states" {
                        found.insert(name.to_string());
                    }
                }
                i = end.max(i + 1);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    names.extend(found.difference(&bound).cloned());
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn references_are_found_where_aws_finds_them() {
        let definition = json!({"StartAt": "A", "States": {
            "A": {"Type": "Pass", "InputPath": "$answer", "Assign": {"answer": "<omitted>", "x.$": "$.a"}, "Next": "C"},
            "C": {"Type": "Choice", "Choices": [{"Variable": "$guess", "StringEqualsPath": "$answer", "Next": "M"}]},
            "M": {"Type": "Map", "ItemSelector": {"a.$": "States.Format($tpl, $$.Map.Item.Value, '$no')", "b": "$literal"},
                  "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"q.$": "$Question"}, "End": true}}}, "End": true},
            "J": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": {"v": "{% $x := 1; $count($list) + $x + $states.input.a + $other.f %}"}, "End": true}
        }});
        let references = variable_references(&definition);
        let expected: BTreeMap<String, Vec<String>> = [
            ("A", vec!["answer"]),
            ("C", vec!["answer", "guess"]),
            ("M", vec!["tpl"]),
            ("P", vec!["Question"]),
            ("J", vec!["list", "other"]),
        ]
        .into_iter()
        .map(|(state, names)| {
            (
                state.to_string(),
                names.into_iter().map(String::from).collect(),
            )
        })
        .collect();
        assert_eq!(references, expected);
    }
}
