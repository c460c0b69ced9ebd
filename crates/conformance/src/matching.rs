//! Comparison of actual values with recorded ones, where the recording holds placeholders.
//!
//! The recording replaced volatile values (ARNs, UUIDs, times) with placeholders such as
//! `<uuid:1>`, `<region>` or a bare `"date"`. A placeholder matches any text; the same
//! `<uuid:N>` must match the same text everywhere in a case. A bare placeholder word standing for
//! a whole value (`"RandomNumberGenerated"`, `"date"`) matches any value.

use regex::Regex;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Whole values the recording replaced by a word.
const WORD_PLACEHOLDERS: &[&str] = &[
    "date",
    "timestamp",
    "datetime",
    "start-time",
    "entered-time",
    "RandomNumberGenerated",
    "snf_role_arn",
    "sfn_role_arn",
    "LogResult",
    "map_run_arn",
    "lambda_function_name",
    "X-Amzn-Trace-Id",
    "x-amzn-RequestId",
    "RequestId",
];

fn placeholder_pattern() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| Regex::new(r"<[A-Za-z][A-Za-z0-9_:\-]*>").expect("valid regex"))
}

/// Compares values, remembering what each numbered placeholder stood for.
#[derive(Default)]
pub struct Matcher {
    bindings: HashMap<String, String>,
    compiled: HashMap<String, Option<(Regex, Vec<String>)>>,
}

impl Matcher {
    /// `None` when `actual` matches `expected`; otherwise where and how they differ.
    pub fn compare(&mut self, expected: &Value, actual: &Value, at: &str) -> Option<String> {
        match (expected, actual) {
            (Value::String(word), _) if WORD_PLACEHOLDERS.contains(&word.as_str()) => None,
            // The recording decoded JSON text that held an object or an array.
            (Value::Object(_) | Value::Array(_), Value::String(text)) => {
                match serde_json::from_str::<Value>(text) {
                    Ok(decoded) => self.compare(expected, &decoded, at),
                    Err(_) => Some(format!("{at}: expected {}, got {text:?}", short(expected))),
                }
            }
            // JSON text of a replaced value, such as "\"date\"".
            (Value::String(text), Value::String(_))
                if serde_json::from_str::<Value>(text).is_ok_and(|decoded| {
                    decoded
                        .as_str()
                        .is_some_and(|word| WORD_PLACEHOLDERS.contains(&word))
                }) =>
            {
                None
            }
            (Value::String(expected_text), Value::String(actual_text)) => {
                if self.text_matches(expected_text, actual_text) {
                    None
                } else {
                    Some(format!(
                        "{at}: expected {expected_text:?}, got {actual_text:?}"
                    ))
                }
            }
            (Value::Number(a), Value::Number(b)) => {
                let same = match (a.as_i64(), b.as_i64()) {
                    (Some(a), Some(b)) => a == b,
                    _ => a.as_f64() == b.as_f64(),
                };
                (!same).then(|| format!("{at}: expected {a}, got {b}"))
            }
            (Value::Object(a), Value::Object(b)) => {
                for (key, expected_value) in a {
                    let path = format!("{at}.{key}");
                    match b.get(key) {
                        Some(actual_value) => {
                            if let Some(difference) =
                                self.compare(expected_value, actual_value, &path)
                            {
                                return Some(difference);
                            }
                        }
                        None => return Some(format!("{path}: missing")),
                    }
                }
                b.keys()
                    .find(|key| !a.contains_key(*key))
                    .map(|key| format!("{at}.{key}: unexpected field"))
            }
            (Value::Array(a), Value::Array(b)) => {
                if a.len() != b.len() {
                    return Some(format!(
                        "{at}: expected {} items, got {}: {}",
                        a.len(),
                        b.len(),
                        short(actual)
                    ));
                }
                a.iter()
                    .zip(b)
                    .enumerate()
                    .find_map(|(index, (x, y))| self.compare(x, y, &format!("{at}[{index}]")))
            }
            _ if expected == actual => None,
            _ => Some(format!(
                "{at}: expected {}, got {}",
                short(expected),
                short(actual)
            )),
        }
    }

    /// Text equality where `<...>` placeholders in `expected` match any text.
    pub fn text_matches(&mut self, expected: &str, actual: &str) -> bool {
        if expected == actual {
            return true;
        }
        let compiled = self
            .compiled
            .entry(expected.to_string())
            .or_insert_with(|| compile(expected))
            .clone();
        let Some((regex, names)) = compiled else {
            return false;
        };
        let Some(captures) = regex.captures(actual) else {
            return false;
        };
        for (index, name) in names.iter().enumerate() {
            let Some(value) = captures.get(index + 1) else {
                continue;
            };
            if name.starts_with("<uuid:") {
                let bound = self
                    .bindings
                    .entry(name.clone())
                    .or_insert_with(|| value.as_str().to_string());
                if bound != value.as_str() {
                    return false;
                }
            }
        }
        true
    }
}

/// A regex for a text with placeholders, and the placeholder behind each capture group.
fn compile(expected: &str) -> Option<(Regex, Vec<String>)> {
    let pattern = placeholder_pattern();
    if !pattern.is_match(expected) {
        return None;
    }
    let mut regex = String::from("^");
    let mut names = Vec::new();
    let mut last = 0;
    for found in pattern.find_iter(expected) {
        regex.push_str(&regex::escape(&expected[last..found.start()]));
        regex.push_str("(.*?)");
        names.push(found.as_str().to_string());
        last = found.end();
    }
    regex.push_str(&regex::escape(&expected[last..]));
    regex.push('$');
    Regex::new(&regex).ok().map(|regex| (regex, names))
}

pub fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 160 {
        let cut: String = text.chars().take(160).collect();
        format!("{cut}…")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn placeholders_match_any_text_and_numbered_ones_stay_consistent() {
        let mut matcher = Matcher::default();
        assert!(matcher.text_matches(
            "arn:<partition>:states:<region>:111111111111:execution:<ArnPart_0idx>:<ExecArnPart_0idx>",
            "arn:aws:states:us-east-1:111111111111:execution:sm:ex"
        ));
        assert!(matcher.text_matches("id <uuid:1>", "id abc"));
        assert!(!matcher.text_matches("again <uuid:1>", "again xyz"));
        assert!(!matcher.text_matches("plain", "other"));
        assert_eq!(
            matcher.compare(&json!("RandomNumberGenerated"), &json!(42), "$"),
            None
        );
        assert!(matcher
            .compare(&json!({"a": 1}), &json!({"a": 1, "b": 2}), "$")
            .is_some());
        assert_eq!(matcher.compare(&json!([1.0]), &json!([1]), "$"), None);
    }
}
