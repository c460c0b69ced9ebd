//! Text renderings of JSON values the way the AWS service (a Java program) produces them.
//!
//! Two renderings matter for intrinsics:
//! - JSON text (`States.JsonToString`, cause texts): compact, like Jackson. It differs from
//!   `serde_json` only in how floating-point numbers are written (`1.0E20`, not `1e20`) and in
//!   upper-case hex digits of `\u00XX` escapes.
//! - Java `toString` text (`States.Format` arguments, `States.ArrayContains` comparison): strings
//!   unquoted, objects as `{a=1, b=[x, y]}`, arrays as `[1, 2]`, `null` as `null`.

use serde_json::{Number, Value};
use std::fmt::Write;

/// Renders `value` as compact JSON text, numbers in Java notation.
pub(crate) fn json_text(value: &Value) -> String {
    render(value, Style::Json)
}

/// Renders `value` as Java's `toString` of the equivalent `Map`/`List`/boxed scalar.
pub(crate) fn java_text(value: &Value) -> String {
    render(value, Style::Java)
}

#[derive(Clone, Copy, PartialEq)]
enum Style {
    /// Jackson's compact JSON.
    Json,
    /// Java's `toString`: strings bare, `{a=1, b=[x, y]}`.
    Java,
}

/// What is left to write, last first.
enum Piece<'a> {
    Value(&'a Value),
    Text(&'static str),
    Key(&'a str),
}

/// Writes with a stack of pieces rather than recursion, so that no value can exhaust the
/// thread's stack.
fn render(value: &Value, style: Style) -> String {
    let separator = if style == Style::Json { "," } else { ", " };
    let mut out = String::new();
    let mut pending = vec![Piece::Value(value)];
    while let Some(piece) = pending.pop() {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Key(key) if style == Style::Json => {
                write_json_string(&mut out, key);
                out.push(':');
            }
            Piece::Key(key) => {
                out.push_str(key);
                out.push('=');
            }
            Piece::Value(value) => match value {
                Value::Null => out.push_str("null"),
                Value::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
                Value::Number(number) => out.push_str(&number_text(number)),
                Value::String(text) if style == Style::Json => write_json_string(&mut out, text),
                Value::String(text) => out.push_str(text),
                Value::Array(items) => {
                    out.push('[');
                    pending.push(Piece::Text("]"));
                    for (index, item) in items.iter().enumerate().rev() {
                        pending.push(Piece::Value(item));
                        if index > 0 {
                            pending.push(Piece::Text(separator));
                        }
                    }
                }
                Value::Object(map) => {
                    out.push('{');
                    pending.push(Piece::Text("}"));
                    for (index, (key, item)) in map.iter().enumerate().rev() {
                        pending.push(Piece::Value(item));
                        pending.push(Piece::Key(key));
                        if index > 0 {
                            pending.push(Piece::Text(separator));
                        }
                    }
                }
            },
        }
    }
    out
}

fn write_json_string(out: &mut String, text: &str) {
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            control if (control as u32) < 0x20 => {
                // Writing to a String cannot fail.
                let _ = write!(out, "\\u{:04X}", control as u32);
            }
            other => out.push(other),
        }
    }
    out.push('"');
}

/// Integers as decimal digits, floating-point numbers as Java's `Double.toString`.
pub(crate) fn number_text(number: &Number) -> String {
    if let Some(integer) = number.as_i64() {
        return integer.to_string();
    }
    if let Some(integer) = number.as_u64() {
        return integer.to_string();
    }
    java_double(number.as_f64().unwrap_or(0.0))
}

/// Java's `Double.toString`: plain notation with at least one fractional digit for
/// 1e-3 <= |d| < 1e7, otherwise `d.dddE±n`; shortest digits that round-trip.
pub(crate) fn java_double(value: f64) -> String {
    if value.is_nan() {
        return "NaN".to_string();
    }
    if value.is_infinite() {
        return if value > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    if value == 0.0 {
        return if value.is_sign_negative() {
            "-0.0"
        } else {
            "0.0"
        }
        .to_string();
    }
    // `{:e}` gives the shortest round-trip digits as "d.ddde<exp>".
    let scientific = format!("{:e}", value.abs());
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if value < 0.0 { "-" } else { "" };
    let magnitude = value.abs();
    if (1e-3..1e7).contains(&magnitude) {
        let point = exponent + 1; // digits before the decimal point
        let body = if point <= 0 {
            let zeros = "0".repeat(usize::try_from(-point).unwrap_or(0));
            format!("0.{zeros}{digits}")
        } else {
            let point = usize::try_from(point).unwrap_or(0);
            if digits.len() <= point {
                let zeros = "0".repeat(point - digits.len());
                format!("{digits}{zeros}.0")
            } else {
                format!("{}.{}", &digits[..point], &digits[point..])
            }
        };
        format!("{sign}{body}")
    } else {
        let (first, rest) = digits.split_at(1);
        let rest = if rest.is_empty() { "0" } else { rest };
        format!("{sign}{first}.{rest}E{exponent}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn doubles_render_like_java() {
        let cases = [
            (1.1, "1.1"),
            (1.0, "1.0"),
            (100.0, "100.0"),
            (-2.5, "-2.5"),
            (0.001, "0.001"),
            (0.0001, "1.0E-4"),
            (1234567.0, "1234567.0"),
            (12345678.0, "1.2345678E7"),
            (1e20, "1.0E20"),
            (1.5e-7, "1.5E-7"),
            (-0.0, "-0.0"),
            (0.1 + 0.2, "0.30000000000000004"),
        ];
        for (value, expected) in cases {
            assert_eq!(java_double(value), expected, "{value}");
        }
    }

    #[test]
    fn json_text_is_compact_with_java_numbers() {
        let value = json!({"a": [1, 1.5, 1e20, null, true], "s": "q\"\n\u{1}é"});
        assert_eq!(
            json_text(&value),
            "{\"a\":[1,1.5,1.0E20,null,true],\"s\":\"q\\\"\\n\\u0001é\"}"
        );
    }

    #[test]
    fn java_text_matches_map_and_list_to_string() {
        let value = json!({"Arg1": 1, "Arg2": [], "s": "x y", "n": null, "l": [1.5, "a"]});
        assert_eq!(
            java_text(&value),
            "{Arg1=1, Arg2=[], s=x y, n=null, l=[1.5, a]}"
        );
        assert_eq!(java_text(&json!("plain")), "plain");
    }
}
