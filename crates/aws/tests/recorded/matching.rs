//! Comparing a result with a recording of `../shared/conformance-api`: the recording's
//! substitutions are applied to the actual value (literal → placeholder), then `<...>` tokens and
//! the words `date`/`datetime` match anything. `SdkHttpMetadata` is compared by its keys and
//! status code only: its headers are the server's own (the corpus lists it as lenient).

use regex::Regex;
use serde_json::Value;

/// One substitution of a case: a literal (or a regular expression) and its placeholder.
pub struct Substitution {
    pub pattern: String,
    pub placeholder: String,
    pub regex: bool,
}

impl Substitution {
    pub fn apply(&self, text: &str) -> String {
        if self.regex {
            match Regex::new(&self.pattern) {
                Ok(regex) => regex
                    .replace_all(text, self.placeholder.as_str())
                    .into_owned(),
                Err(_) => text.to_string(),
            }
        } else if self.pattern.is_empty() {
            text.to_string()
        } else {
            text.replace(&self.pattern, &self.placeholder)
        }
    }
}

/// The differences between an expected (recorded) and an actual value, as `path: why` lines.
pub fn differences(
    expected: &Value,
    actual: &Value,
    substitutions: &[Substitution],
    path: &str,
) -> Vec<String> {
    let mut out = Vec::new();
    compare(expected, actual, substitutions, path, &mut out);
    out
}

fn compare(
    expected: &Value,
    actual: &Value,
    substitutions: &[Substitution],
    path: &str,
    out: &mut Vec<String>,
) {
    match (expected, actual) {
        (Value::Object(expected), Value::Object(actual)) => {
            for (key, expected_value) in expected {
                let child = format!("{path}.{key}");
                match actual.get(key) {
                    None => out.push(format!("{child}: missing (expected {expected_value})")),
                    Some(_) if key == "SdkHttpMetadata" || key == "SdkResponseMetadata" => {
                        let keys = |value: &Value| {
                            value
                                .as_object()
                                .map(|o| o.keys().cloned().collect::<Vec<_>>())
                                .unwrap_or_default()
                        };
                        let mut wanted = keys(expected_value);
                        let mut got = keys(&actual[key]);
                        wanted.sort();
                        got.sort();
                        if wanted != got {
                            out.push(format!("{child}: keys {got:?}, expected {wanted:?}"));
                        }
                        if key == "SdkHttpMetadata"
                            && expected_value["HttpStatusCode"] != actual[key]["HttpStatusCode"]
                        {
                            out.push(format!(
                                "{child}.HttpStatusCode: {}",
                                actual[key]["HttpStatusCode"]
                            ));
                        }
                    }
                    Some(actual_value) => {
                        compare(expected_value, actual_value, substitutions, &child, out)
                    }
                }
            }
            for key in actual.keys().filter(|key| !expected.contains_key(*key)) {
                out.push(format!("{path}.{key}: not expected (got {})", actual[key]));
            }
        }
        (Value::Array(expected), Value::Array(actual)) => {
            if expected.len() != actual.len() {
                out.push(format!(
                    "{path}: {} items, expected {}",
                    actual.len(),
                    expected.len()
                ));
                return;
            }
            for (index, (expected, actual)) in expected.iter().zip(actual).enumerate() {
                compare(
                    expected,
                    actual,
                    substitutions,
                    &format!("{path}[{index}]"),
                    out,
                );
            }
        }
        // The recordings show a JSON text that starts with `{` decoded (the corpus's README).
        (Value::Object(_), Value::String(text)) if text.starts_with('{') => {
            match serde_json::from_str::<Value>(text) {
                Ok(decoded) => compare(expected, &decoded, substitutions, path, out),
                Err(_) => out.push(format!("{path}: {text:?}, expected {expected}")),
            }
        }
        (Value::String(expected), actual) => {
            let text = match actual {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            let text = substitutions
                .iter()
                .fold(text, |text, substitution| substitution.apply(&text));
            if !text_matches(expected, &text) {
                out.push(format!("{path}: {text:?}, expected {expected:?}"));
            }
        }
        (expected, actual) if expected != actual => {
            out.push(format!("{path}: {actual}, expected {expected}"))
        }
        _ => {}
    }
}

/// Whether a text matches a recorded text with `<...>` wildcards.
pub fn text_matches(expected: &str, actual: &str) -> bool {
    if matches!(expected, "date" | "datetime" | "timestamp") || expected == actual {
        return true;
    }
    // Placeholders, and the recordings' account id, which stands for any account.
    let Ok(placeholder) = Regex::new(r"<[^<>]+>|111111111111") else {
        return false;
    };
    if !placeholder.is_match(expected) {
        return false;
    }
    let mut pattern = String::from("^");
    let mut last = 0;
    for found in placeholder.find_iter(expected) {
        pattern.push_str(&regex::escape(&expected[last..found.start()]));
        pattern.push_str(if found.as_str() == "111111111111" {
            "[0-9]{12}"
        } else {
            ".*?"
        });
        last = found.end();
    }
    pattern.push_str(&regex::escape(&expected[last..]));
    pattern.push('$');
    Regex::new(&pattern).is_ok_and(|regex| regex.is_match(actual))
}
