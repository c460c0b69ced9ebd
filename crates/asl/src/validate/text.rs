//! Definition text: JSON syntax errors, and the repeated keys that parsing would hide.

use super::{at, code, item, messages, validate_with, StateMachineType};
use crate::Diagnostic;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::collections::HashSet;
use std::fmt;

/// Parses definition text and validates it. Text that is not JSON gives one
/// `INVALID_JSON_DESCRIPTION` with the line and column of the problem.
///
/// serde_json's recursion limit (128) stays on, so no text can nest deep enough to exhaust the
/// stack: deeper text is reported as invalid JSON.
pub fn validate_text(text: &str) -> Vec<Diagnostic> {
    validate_text_for(text, StateMachineType::Standard)
}

/// [`validate_text`] for a machine of the given type.
pub fn validate_text_for(text: &str, machine_type: StateMachineType) -> Vec<Diagnostic> {
    if text.trim().is_empty() {
        return vec![Diagnostic::error(
            code::MISSING_DESCRIPTION,
            "",
            messages::EMPTY_DEFINITION,
        )];
    }
    match serde_json::from_str::<Value>(text) {
        Ok(definition) => validate_with(&definition, repeated_keys(text), machine_type),
        Err(error) => vec![match jackson::unrecognized_token(text, &error) {
            Some((message, location)) => {
                Diagnostic::error(code::INVALID_JSON_DESCRIPTION, location, message)
            }
            None => Diagnostic::error(
                code::INVALID_JSON_DESCRIPTION,
                "",
                format!(
                    "Invalid JSON: {} at line {}, column {}",
                    describe(&error),
                    error.line(),
                    error.column()
                ),
            ),
        }],
    }
}

/// The words of AWS's JSON parser (Jackson) where Fluxo knows them.
mod jackson {
    /// Jackson's snippet of the text in its messages: at most 500 characters.
    const SNIPPET: usize = 500;

    /// A word where a value should be (`not a definition`): Jackson's message and location
    /// (api_validation NOT_A_DEF): "Unrecognized token 'not': was expecting (JSON String,
    /// Number, Array, Object or token 'null', 'true' or 'false')\n at [Source: (String)\"not a
    /// definition\"; line: 1, column: 4]", the column being the one after the word.
    pub fn unrecognized_token(text: &str, error: &serde_json::Error) -> Option<(String, String)> {
        let line = text.lines().nth(error.line().checked_sub(1)?)?;
        let chars: Vec<char> = line.chars().collect();
        let at = error
            .column()
            .saturating_sub(1)
            .min(chars.len().saturating_sub(1));
        let word = |c: &char| c.is_alphanumeric() || *c == '_' || *c == '$';
        let start = chars[..=at.min(chars.len().checked_sub(1)?)]
            .iter()
            .rposition(|c| !word(c))
            .map_or(0, |before| before + 1);
        let token: String = chars[start..].iter().take_while(|c| word(c)).collect();
        if !token.chars().next()?.is_alphabetic() {
            return None;
        }
        let column = start + token.chars().count() + 1;
        let count = text.chars().count();
        let snippet: String = text.chars().take(SNIPPET).collect();
        let truncated = if count > SNIPPET {
            format!("[truncated {} chars]", count - SNIPPET)
        } else {
            String::new()
        };
        let source = format!(
            "[Source: (String)\"{snippet}\"{truncated}; line: {}, column: {column}]",
            error.line()
        );
        let message = format!(
            "Unrecognized token '{token}': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n at {source}"
        );
        Some((message, source))
    }
}

/// serde_json's message without the " at line L column C" it appends, which is said apart.
fn describe(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(index) => text[..index].to_string(),
        None => text,
    }
}

/// The pointers of keys that appear more than once in the same object of `text`, which is
/// known to be valid JSON.
fn repeated_keys(text: &str) -> HashSet<String> {
    let mut found = HashSet::new();
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let scan = Scan {
        pointer: String::new(),
        found: &mut found,
    };
    // The text already parsed, so this cannot fail; if it somehow did, repeats go unreported.
    let _ = scan.deserialize(&mut deserializer);
    found
}

/// Walks the JSON text without building it, noting repeated keys by pointer.
struct Scan<'a> {
    pointer: String,
    found: &'a mut HashSet<String>,
}

impl<'de> DeserializeSeed<'de> for Scan<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Scan<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0;
        loop {
            let element = Scan {
                pointer: item(&self.pointer, index),
                found: &mut *self.found,
            };
            if seq.next_element_seed(element)?.is_none() {
                return Ok(());
            }
            index += 1;
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let pointer = at(&self.pointer, &key);
            if !seen.insert(key) {
                self.found.insert(pointer.clone());
            }
            map.next_value_seed(Scan {
                pointer,
                found: &mut *self.found,
            })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str) -> Vec<(String, String)> {
        validate_text(text)
            .into_iter()
            .map(|d| (d.code, d.location))
            .collect()
    }

    #[test]
    fn empty_and_null_text_is_a_missing_description() {
        for text in ["", "  \n", "null"] {
            assert_eq!(
                codes(text),
                vec![("MISSING_DESCRIPTION".to_string(), "/".to_string())],
                "{text:?}"
            );
        }
    }

    #[test]
    fn malformed_json_names_line_and_column() {
        let diagnostics = validate_text("{\n  \"StartAt\": \"A\",\n  \"States\": {,}\n}");
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].code, "INVALID_JSON_DESCRIPTION");
        assert!(
            diagnostics[0].message.contains("at line 3, column 14"),
            "{}",
            diagnostics[0].message
        );
    }

    #[test]
    fn a_word_instead_of_json_is_reported_in_jacksons_words() {
        let diagnostics = validate_text("not a definition");
        assert_eq!(diagnostics[0].code, "INVALID_JSON_DESCRIPTION");
        assert_eq!(
            diagnostics[0].location,
            "[Source: (String)\"not a definition\"; line: 1, column: 4]"
        );
        assert_eq!(
            diagnostics[0].message,
            "Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n at [Source: (String)\"not a definition\"; line: 1, column: 4]"
        );
        let inner = validate_text("{\"StartAt\": nope}");
        assert!(inner[0].message.starts_with("Unrecognized token 'nope'"));
        assert!(
            inner[0].location.ends_with("line: 1, column: 17]"),
            "{}",
            inner[0].location
        );
    }

    #[test]
    fn deep_text_is_refused_by_the_parser_not_the_stack() {
        for text in ["[".repeat(200_000), "{\"a\":".repeat(200_000)] {
            let diagnostics = validate_text(&text);
            assert_eq!(diagnostics[0].code, "INVALID_JSON_DESCRIPTION");
            assert!(diagnostics[0].message.contains("recursion limit"));
        }
    }

    #[test]
    fn repeated_keys_are_found_at_any_depth() {
        let found =
            repeated_keys(r#"{"a": 1, "b": [{"x": 1, "x": 2}], "a": {"c~/": 1, "c~/": 2}}"#);
        let expected: HashSet<String> = ["/a", "/b/0/x", "/a/c~0~1"]
            .into_iter()
            .map(String::from)
            .collect();
        assert_eq!(found, expected);
    }

    #[test]
    fn a_state_defined_twice_is_a_duplicate_state_name() {
        let text = r#"{"StartAt": "A", "States": {
            "A": {"Type": "Pass", "End": true},
            "A": {"Type": "Succeed"}
        }}"#;
        assert_eq!(
            codes(text),
            vec![("DUPLICATE_STATE_NAME".to_string(), "/States/A".to_string())]
        );
    }
}
