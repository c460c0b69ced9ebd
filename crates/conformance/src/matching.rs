//! Comparison of actual values with recorded ones, where the recording holds placeholders.
//!
//! The recording replaced volatile values (ARNs, UUIDs, times) with placeholders such as
//! `<uuid:1>`, `<region>` or a bare `"date"`. Only the placeholder forms the corpus uses are
//! wildcards, so that a literal `<b>` in some payload is still compared as text. A text holding
//! placeholders becomes a regex; a numbered placeholder (`<uuid:1>`, `<ArnPart_0idx>`, ...) must
//! stand for the same text everywhere in a case, and two different `<uuid:N>` for different
//! texts, because the snapshot tool numbered each distinct value it replaced. A bare placeholder
//! word standing for a whole value (`"RandomNumberGenerated"`, `"date"`) matches any value.

use regex::Regex;
use serde_json::{Number, Value};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
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

/// Every `<…>` placeholder form that occurs in the corpus.
fn placeholder_pattern() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(concat!(
            r"<(?:uuid:\d+|ArnPart_\d+idx|ExecArnPart_\d+idx|MapRunArnPart\d+_\d+idx",
            r"|SyncExecArn_Part\d+_\d+idx|LogResult:\d+|json-input:\d+",
            r"|region|partition|timestamp|start-time|entered-time|request_id|request-id|omitted",
            r"|lambda_function_name|lambda_function_\d+_name|lambda-function-name)>"
        ))
        .expect("valid regex")
    })
}

/// Whether a placeholder stands for one value throughout a case: the numbered forms.
fn is_numbered(placeholder: &str) -> bool {
    placeholder.bytes().any(|b| b.is_ascii_digit())
}

/// What a placeholder may stand for: the shape where it is known, else any text.
fn wildcard(placeholder: &str) -> &'static str {
    if placeholder.starts_with("<uuid:") {
        "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    } else if placeholder == "<region>" {
        "[a-z]{2}(?:-[a-z]+)+-[0-9]+"
    } else if placeholder == "<partition>" {
        "aws(?:-[a-z]+)*"
    } else if placeholder == "<omitted>" {
        ".*?"
    } else {
        ".+?"
    }
}

/// A text with placeholders, split into literal pieces and placeholder names.
#[derive(Debug)]
enum Piece {
    Literal(String),
    Placeholder(String),
}

thread_local! {
    /// Parsed templates and compiled regexes; cases run one per thread, so no locking.
    static TEMPLATES: RefCell<HashMap<String, Rc<Vec<Piece>>>> = RefCell::new(HashMap::new());
    static REGEXES: RefCell<HashMap<String, Option<Rc<Regex>>>> = RefCell::new(HashMap::new());
}

fn template(expected: &str) -> Rc<Vec<Piece>> {
    TEMPLATES.with(|cache| {
        cache
            .borrow_mut()
            .entry(expected.to_string())
            .or_insert_with(|| {
                let mut pieces = Vec::new();
                let mut last = 0;
                for found in placeholder_pattern().find_iter(expected) {
                    if found.start() > last {
                        pieces.push(Piece::Literal(expected[last..found.start()].to_string()));
                    }
                    pieces.push(Piece::Placeholder(found.as_str().to_string()));
                    last = found.end();
                }
                if last < expected.len() {
                    pieces.push(Piece::Literal(expected[last..].to_string()));
                }
                Rc::new(pieces)
            })
            .clone()
    })
}

fn regex(pattern: &str) -> Option<Rc<Regex>> {
    REGEXES.with(|cache| {
        cache
            .borrow_mut()
            .entry(pattern.to_string())
            .or_insert_with(|| Regex::new(pattern).ok().map(Rc::new))
            .clone()
    })
}

/// Compares values, remembering what each numbered placeholder stood for. Cloning it is how a
/// search tries a match without committing to the bindings it makes.
#[derive(Debug, Default, Clone)]
pub struct Matcher {
    /// Numbered placeholder → the text it stood for.
    bindings: HashMap<String, String>,
    /// Text → the `<uuid:N>` it is bound to, so that two numbers cannot share a value.
    uuids: HashMap<String, String>,
    /// Words that stand for a whole replaced value in this case only, beyond
    /// [`WORD_PLACEHOLDERS`] (see [`crate::case::Case::replaced_words`]).
    words: Vec<String>,
}

impl Matcher {
    /// A matcher that also takes each of `words` as a placeholder for a whole value.
    pub fn with_words(words: Vec<String>) -> Matcher {
        Matcher {
            words,
            ..Matcher::default()
        }
    }

    fn is_word_placeholder(&self, word: &str) -> bool {
        WORD_PLACEHOLDERS.contains(&word) || self.words.iter().any(|w| w == word)
    }

    /// JSON text of a replaced value, such as `"\"date\""`.
    fn is_quoted_word_placeholder(&self, text: &str) -> bool {
        serde_json::from_str::<Value>(text).is_ok_and(|decoded| {
            decoded
                .as_str()
                .is_some_and(|w| self.is_word_placeholder(w))
        })
    }

    /// `None` when `actual` matches `expected`; otherwise where and how they differ.
    pub fn compare(&mut self, expected: &Value, actual: &Value, at: &str) -> Option<String> {
        match (expected, actual) {
            (Value::String(word), _) if self.is_word_placeholder(word) => None,
            // The snapshot tool decoded JSON text that held an object.
            (Value::Object(_), Value::String(text)) => match serde_json::from_str::<Value>(text) {
                Ok(decoded @ Value::Object(_)) => self.compare(expected, &decoded, at),
                _ => Some(format!("{at}: expected {}, got {text:?}", short(expected))),
            },
            // JSON text of a replaced value, such as "\"date\"".
            (Value::String(text), Value::String(_)) if self.is_quoted_word_placeholder(text) => {
                None
            }
            (Value::String(expected_text), Value::String(actual_text)) => {
                if self.text_matches(expected_text, actual_text) {
                    None
                } else {
                    Some(format!(
                        "{at}: {}",
                        text_difference(expected_text, actual_text)
                    ))
                }
            }
            (Value::Number(a), Value::Number(b)) => {
                (!same_number(a, b)).then(|| format!("{at}: expected {a}, got {b}"))
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
                b.iter()
                    .find(|(key, _)| !a.contains_key(*key))
                    .map(|(key, value)| format!("{at}.{key}: unexpected field {}", short(value)))
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

    /// Text equality where placeholders in `expected` match any text, numbered ones
    /// consistently with what they matched before.
    pub fn text_matches(&mut self, expected: &str, actual: &str) -> bool {
        if expected == actual {
            return true;
        }
        let pieces = template(expected);
        if !pieces.iter().any(|p| matches!(p, Piece::Placeholder(_))) {
            return false;
        }
        // Placeholders already bound become literals, so the regex can only find splits that
        // agree with earlier matches.
        let mut pattern = String::from("^");
        let mut free = Vec::new();
        for piece in pieces.iter() {
            match piece {
                Piece::Literal(text) => pattern.push_str(&regex::escape(text)),
                Piece::Placeholder(name) => match self.bindings.get(name) {
                    Some(bound) => pattern.push_str(&regex::escape(bound)),
                    None => {
                        pattern.push('(');
                        pattern.push_str(wildcard(name));
                        pattern.push(')');
                        free.push(name.as_str());
                    }
                },
            }
        }
        pattern.push('$');
        let Some(regex) = regex(&pattern) else {
            return false;
        };
        let Some(captures) = regex.captures(actual) else {
            return false;
        };
        let mut bindings = self.bindings.clone();
        let mut uuids = self.uuids.clone();
        for (index, name) in free.into_iter().enumerate() {
            let Some(value) = captures.get(index + 1).map(|m| m.as_str()) else {
                continue;
            };
            if !is_numbered(name) {
                continue;
            }
            // The same placeholder twice in one text must match the same value.
            if let Some(bound) = bindings.get(name) {
                if bound != value {
                    return false;
                }
                continue;
            }
            if name.starts_with("<uuid:") {
                if uuids.get(value).is_some_and(|other| other != name) {
                    return false;
                }
                uuids.insert(value.to_string(), name.to_string());
            }
            bindings.insert(name.to_string(), value.to_string());
        }
        self.bindings = bindings;
        self.uuids = uuids;
        true
    }
}

/// Numbers compare by value (`1 == 1.0`); integers exactly, even past `f64` precision.
fn same_number(a: &Number, b: &Number) -> bool {
    let integer = |n: &Number| {
        n.as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
    };
    match (integer(a), integer(b)) {
        (Some(a), Some(b)) => a == b,
        _ => a.as_f64() == b.as_f64(),
    }
}

/// A value for a message, cut to a readable length.
pub fn short(value: &Value) -> String {
    cut(value.to_string())
}

/// "expected X, got Y"; for long texts, the parts around where they start to differ.
fn text_difference(expected: &str, actual: &str) -> String {
    const WHOLE: usize = 160;
    if expected.chars().count() <= WHOLE && actual.chars().count() <= WHOLE {
        return format!("expected {expected:?}, got {actual:?}");
    }
    let (in_expected, in_actual) = divergence(expected, actual);
    format!(
        "expected {}, got {} (from character {})",
        window(expected, in_expected),
        window(actual, in_actual),
        actual[..in_actual].chars().count()
    )
}

/// Where two texts start to differ (byte offsets into each), placeholders in `expected`
/// skipped up to the next literal piece found in `actual`. Only for messages: approximate.
fn divergence(expected: &str, actual: &str) -> (usize, usize) {
    let pieces = template(expected);
    let (mut in_expected, mut in_actual) = (0, 0);
    for (index, piece) in pieces.iter().enumerate() {
        match piece {
            Piece::Literal(text) => {
                let common = common_prefix(text, &actual[in_actual..]);
                if common < text.len() {
                    return (in_expected + common, in_actual + common);
                }
                in_expected += text.len();
                in_actual += text.len();
            }
            Piece::Placeholder(name) => {
                let rest = &actual[in_actual..];
                let next = match pieces.get(index + 1) {
                    Some(Piece::Literal(next)) => longest_prefix_found(next, rest),
                    _ => None,
                };
                // A placeholder of a known shape can be skipped even when what follows differs.
                let shaped = || {
                    let shape = wildcard(name);
                    if shape.starts_with('.') {
                        return None;
                    }
                    regex(&format!("^(?:{shape})")).and_then(|r| r.find(rest).map(|m| m.end()))
                };
                match next.or_else(shaped) {
                    Some(offset) => in_actual += offset,
                    None => return (in_expected, in_actual),
                }
                in_expected += name.len();
            }
        }
    }
    (in_expected, in_actual)
}

/// Where the longest prefix of `literal` that occurs in `text` first occurs: the literal
/// itself if it is there, else the place it most likely starts and then differs.
fn longest_prefix_found(literal: &str, text: &str) -> Option<usize> {
    let ends: Vec<usize> = literal
        .char_indices()
        .map(|(i, c)| i + c.len_utf8())
        .collect();
    // Occurring is monotonic in the prefix length, so bisect on it.
    let (mut low, mut high) = (0, ends.len());
    while low < high {
        let middle = (low + high).div_ceil(2);
        if text.contains(&literal[..ends[middle - 1]]) {
            low = middle;
        } else {
            high = middle - 1;
        }
    }
    (low > 0).then(|| text.find(&literal[..ends[low - 1]]))?
}

fn common_prefix(a: &str, b: &str) -> usize {
    a.char_indices()
        .zip(b.chars())
        .find(|((_, x), y)| x != y)
        .map_or_else(|| a.len().min(b.len()), |((at, _), _)| at)
}

/// Some text before and after byte `at`, quoted, with ellipses where it was cut.
fn window(text: &str, at: usize) -> String {
    const BEFORE: usize = 30;
    const AFTER: usize = 70;
    let start = text[..at]
        .char_indices()
        .rev()
        .nth(BEFORE - 1)
        .map_or(0, |(i, _)| i);
    let end = text[at..]
        .char_indices()
        .nth(AFTER)
        .map_or(text.len(), |(i, _)| at + i);
    format!(
        "{}{:?}{}",
        if start > 0 { "…" } else { "" },
        &text[start..end],
        if end < text.len() { "…" } else { "" }
    )
}

fn cut(text: String) -> String {
    const LIMIT: usize = 200;
    if text.chars().count() > LIMIT {
        let cut: String = text.chars().take(LIMIT).collect();
        format!("{cut}…")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const A: &str = "0a1b2c3d-0000-4000-8000-000000000001";
    const B: &str = "0a1b2c3d-0000-4000-8000-000000000002";

    #[test]
    fn a_case_word_stands_for_a_whole_value_in_that_case_only() {
        let expected = json!({"output": "stateExitedEventDetails.output"});
        let actual = json!({"output": [1, {"a": 2}]});
        assert!(Matcher::default()
            .compare(&expected, &actual, "e")
            .is_some());
        let mut matcher = Matcher::with_words(vec!["stateExitedEventDetails.output".into()]);
        assert_eq!(matcher.compare(&expected, &actual, "e"), None);
        assert_eq!(
            matcher.compare(
                &json!("\"stateExitedEventDetails.output\""),
                &json!("x"),
                "e"
            ),
            None
        );
    }

    #[test]
    fn placeholders_inside_text_match_any_text() {
        let mut matcher = Matcher::default();
        assert!(matcher.text_matches(
            "arn:<partition>:states:<region>:111111111111:execution:<ArnPart_0idx>:<ExecArnPart_0idx>",
            "arn:aws:states:us-east-1:111111111111:execution:sm:ex"
        ));
        assert!(matcher.text_matches(
            "The value $.start_at == <timestamp> is wrong",
            "The value $.start_at == 2024-01-01T00:00:00Z is wrong"
        ));
        assert!(!matcher.text_matches("plain", "other"));
    }

    #[test]
    fn numbered_placeholders_keep_their_value() {
        let mut matcher = Matcher::default();
        assert!(matcher.text_matches("id <uuid:1>", &format!("id {A}")));
        assert!(!matcher.text_matches("again <uuid:1>", &format!("again {B}")));
        assert!(matcher.text_matches("again <uuid:1>", &format!("again {A}")));
        // A second number cannot stand for the first one's value.
        assert!(!matcher.text_matches("<uuid:2>", A));
        assert!(matcher.text_matches("<uuid:2>", B));
        // Within one text too.
        assert!(!matcher.text_matches("<ArnPart_0idx>/<ArnPart_0idx>", "a/b"));
        assert!(matcher.text_matches("<ArnPart_0idx>/<ArnPart_0idx>", "a/a"));
    }

    #[test]
    fn a_bound_placeholder_guides_how_the_text_is_split() {
        let mut matcher = Matcher::default();
        assert!(matcher.text_matches("<ArnPart_0idx>", "a:b"));
        // Lazily `<ArnPart_0idx>` would take "a"; bound, it must take "a:b".
        assert!(matcher.text_matches("<ArnPart_0idx>:<ExecArnPart_0idx>", "a:b:c"));
        assert!(!matcher.text_matches("<ExecArnPart_0idx>", "b:c"));
        assert!(matcher.text_matches("<ExecArnPart_0idx>", "c"));
    }

    #[test]
    fn failed_matches_bind_nothing() {
        let mut matcher = Matcher::default();
        assert!(!matcher.text_matches("<uuid:1> and <uuid:2>", &format!("{A} and {A}")));
        assert!(matcher.text_matches("<uuid:2>", A));
    }

    #[test]
    fn known_shapes_are_checked() {
        let mut matcher = Matcher::default();
        assert!(!matcher.text_matches("<uuid:1>", "not-a-uuid"));
        assert!(matcher.text_matches("<region>/<partition>", "eu-west-3/aws-cn"));
        assert!(!matcher.text_matches("<region>", "anywhere"));
        assert!(!matcher.text_matches("a<timestamp>b", "ab"));
        assert!(matcher.text_matches("a<omitted>b", "ab"));
    }

    #[test]
    fn long_texts_show_where_they_differ() {
        let expected = format!("{} line 2 <uuid:1> tail", "x".repeat(200));
        let actual = format!("{} line 3 {A} tail", "x".repeat(200));
        assert_eq!(
            text_difference(&expected, &actual),
            format!(
                "expected …\"{x} line 2 <uuid:1> tail\", got …\"{x} line 3 {A} tail\" \
                 (from character 206)",
                x = "x".repeat(24)
            )
        );
        let expected = format!("{} <uuid:1> line 2", "x".repeat(200));
        let actual = format!("{} {A} line 3", "x".repeat(200));
        assert!(text_difference(&expected, &actual).ends_with("(from character 243)"));
        // A placeholder of any shape, followed by a differing text.
        let expected = format!("{} \"<request-id>\" then line 2", "x".repeat(200));
        let actual = format!("{} \"{A}\" then line 3", "x".repeat(200));
        assert!(text_difference(&expected, &actual).ends_with("(from character 250)"));
    }

    #[test]
    fn unknown_angle_brackets_are_literal_text() {
        let mut matcher = Matcher::default();
        assert!(!matcher.text_matches("<b>bold</b>", "<i>bold</b>"));
        assert!(matcher.text_matches("<b>bold</b>", "<b>bold</b>"));
    }

    #[test]
    fn word_placeholders_stand_for_whole_values() {
        let mut matcher = Matcher::default();
        assert_eq!(
            matcher.compare(&json!("RandomNumberGenerated"), &json!(42), "$"),
            None
        );
        assert_eq!(
            matcher.compare(&json!({"at": "date"}), &json!({"at": "2024-01-01"}), "$"),
            None
        );
        assert_eq!(
            matcher.compare(&json!("\"date\""), &json!("\"2024-01-01\""), "$"),
            None
        );
    }

    #[test]
    fn objects_must_have_exactly_the_recorded_fields() {
        let mut matcher = Matcher::default();
        assert_eq!(
            matcher.compare(&json!({"a": 1}), &json!({"a": 1, "b": 2}), "$"),
            Some("$.b: unexpected field 2".into())
        );
        assert_eq!(
            matcher.compare(&json!({"a": 1, "b": 2}), &json!({"a": 1}), "$"),
            Some("$.b: missing".into())
        );
        assert_eq!(
            matcher.compare(&json!({"b": 2, "a": 1}), &json!({"a": 1, "b": 2}), "$"),
            None
        );
    }

    #[test]
    fn numbers_compare_by_value() {
        let mut matcher = Matcher::default();
        assert_eq!(matcher.compare(&json!([1.0]), &json!([1]), "$"), None);
        assert!(matcher
            .compare(&json!(u64::MAX), &json!(u64::MAX - 1), "$")
            .is_some());
        assert!(matcher.compare(&json!(1), &json!("1"), "$").is_some());
    }

    #[test]
    fn an_object_matches_json_text_holding_it() {
        let mut matcher = Matcher::default();
        assert_eq!(
            matcher.compare(&json!({"a": 1}), &json!("{\"a\": 1}"), "$"),
            None
        );
        assert!(matcher
            .compare(&json!({"a": 1}), &json!("[1]"), "$")
            .is_some());
    }
}
