//! How TestState writes the JSON values of its answer (`output`, each `inspectionData` step):
//! as text, with a space after each `,` and `:` — the spelling AWS's recorded answers show
//! (`"[\"fire\", \"electricity\", \"grass\"]"`, case
//! `state_context_object__test_state_map_context_object_EXECUTION_INPUT_VALUES`).

use serde_json::ser::{CompactFormatter, Formatter};
use serde_json::Value;
use std::io;

/// A compact formatter that separates as AWS does.
struct Spaced;

impl Formatter for Spaced {
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        match first {
            true => Ok(()),
            false => writer.write_all(b", "),
        }
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        match first {
            true => Ok(()),
            false => writer.write_all(b", "),
        }
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }

    fn write_f64<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f64) -> io::Result<()> {
        CompactFormatter.write_f64(writer, value)
    }
}

/// `value` as AWS writes it in a TestState answer.
pub fn text(value: &Value) -> String {
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, Spaced);
    // Writing a `Value` into memory cannot fail.
    let _ = serde::Serialize::serialize(value, &mut serializer);
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn separators_carry_a_space() {
        assert_eq!(
            text(&json!(["a", 1, {"b": [2, 3]}])),
            r#"["a", 1, {"b": [2, 3]}]"#
        );
        assert_eq!(text(&json!({})), "{}");
        assert_eq!(text(&json!([])), "[]");
        assert_eq!(text(&json!("x")), r#""x""#);
    }
}
