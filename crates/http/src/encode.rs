//! URL encoding of request bodies (`Transform.RequestBodyEncoding: URL_ENCODED`) and of query
//! parameters, as the Step Functions developer guide describes it ("Applying URL-encoding on
//! request body"): `{"array": ["a","b"]}` is `array[0]=a&array[1]=b` (INDICES, the default),
//! `array=a&array=b` (REPEAT), `array=a,b` (COMMAS) or `array[]=a&array[]=b` (BRACKETS); a
//! nested object's keys are bracketed (`metadata[order_details]=...`), and everything but
//! RFC 3986's unreserved characters is percent-encoded (a space is `%20`, as in the guide's
//! example).

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::Value;

/// What may stay as it is: RFC 3986's unreserved characters.
const ENCODED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// `RequestEncodingOptions.ArrayFormat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ArrayFormat {
    #[default]
    Indices,
    Repeat,
    Commas,
    Brackets,
}

impl ArrayFormat {
    pub fn parse(text: &str) -> Option<ArrayFormat> {
        Some(match text {
            "INDICES" => ArrayFormat::Indices,
            "REPEAT" => ArrayFormat::Repeat,
            "COMMAS" => ArrayFormat::Commas,
            "BRACKETS" => ArrayFormat::Brackets,
            _ => return None,
        })
    }
}

/// Percent-encodes one key or value.
pub fn encode(text: &str) -> String {
    utf8_percent_encode(text, ENCODED).to_string()
}

/// The text of a scalar as it is sent: strings as they are, `null` as nothing.
fn scalar(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// `key=value` pairs (already encoded) of an object, joined with `&`. The values' depth is
/// bounded by the payload's (the engine checked it), and the walk keeps its own stack.
pub fn form(object: &serde_json::Map<String, Value>, format: ArrayFormat) -> String {
    let mut pairs: Vec<String> = Vec::new();
    let mut stack: Vec<(String, &Value)> = object
        .iter()
        .rev()
        .map(|(key, value)| (key.clone(), value))
        .collect();
    while let Some((key, value)) = stack.pop() {
        match value {
            Value::Object(members) => {
                for (member, value) in members.iter().rev() {
                    stack.push((format!("{key}[{member}]"), value));
                }
            }
            Value::Array(items) if format == ArrayFormat::Commas => {
                let joined: Vec<String> = items.iter().map(|item| encode(&scalar(item))).collect();
                pairs.push(format!("{}={}", encode(&key), joined.join(",")));
            }
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate().rev() {
                    let name = match format {
                        ArrayFormat::Indices => format!("{key}[{index}]"),
                        ArrayFormat::Brackets => format!("{key}[]"),
                        _ => key.clone(),
                    };
                    stack.push((name, item));
                }
            }
            scalar_value => pairs.push(format!(
                "{}={}",
                encode(&key),
                encode(&scalar(scalar_value))
            )),
        }
    }
    pairs.join("&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn encoded(value: Value, format: ArrayFormat) -> String {
        form(value.as_object().unwrap(), format)
    }

    #[test]
    fn arrays_in_each_format_as_the_guide_shows() {
        let body = json!({"array": ["a", "b", "c", "d"]});
        assert_eq!(
            encoded(body.clone(), ArrayFormat::Indices),
            "array%5B0%5D=a&array%5B1%5D=b&array%5B2%5D=c&array%5B3%5D=d"
        );
        assert_eq!(
            encoded(body.clone(), ArrayFormat::Repeat),
            "array=a&array=b&array=c&array=d"
        );
        assert_eq!(encoded(body.clone(), ArrayFormat::Commas), "array=a,b,c,d");
        assert_eq!(
            encoded(body, ArrayFormat::Brackets),
            "array%5B%5D=a&array%5B%5D=b&array%5B%5D=c&array%5B%5D=d"
        );
    }

    #[test]
    fn the_guides_invoice_example() {
        let body = json!({
            "description": "Monthly subscription",
            "metadata": {"order_details": "monthly report data"},
            "customer": "1234567890"
        });
        assert_eq!(
            encoded(body, ArrayFormat::Indices),
            "description=Monthly%20subscription&metadata%5Border_details%5D=monthly%20report%20data&customer=1234567890"
        );
    }

    #[test]
    fn scalars_and_reserved_characters() {
        let body = json!({"n": 1.5, "t": true, "z": null, "s": "a&b=c/d?é"});
        assert_eq!(
            encoded(body, ArrayFormat::Indices),
            "n=1.5&t=true&z=&s=a%26b%3Dc%2Fd%3F%C3%A9"
        );
    }
}
