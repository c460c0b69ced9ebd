//! Values and bounds as AWS prints them in validation messages: the way Java's `toString`
//! shows the deserialized request member.
//!
//! * strings raw, integers in decimal, `float`/`double` as Java's `Float`/`Double.toString`
//!   (`101.0`, `1.0E7`), booleans `true`/`false`;
//! * lists as `java.util.AbstractCollection#toString`: `[a, b]`;
//! * structures as the recorded `RoutingConfigurationListItem(stateMachineVersionArn=arn:..., weight=50)`
//!   (case `api_aliasing/..._test_error_create_alias_invalid_router_configs`): the shape's name,
//!   then every member in model order, `null` for an absent one;
//! * maps as `java.util.AbstractMap#toString`, `{k=v, k2=v2}`, in `HashMap` order;
//! * a sensitive member inside a printed structure or list as `*** Sensitive Data Redacted ***`
//!   (AWS SDK for Java's redaction text; no recording shows one, none of Step Functions' inputs
//!   can print one). A sensitive member that is itself the subject of a message is not printed
//!   at all: `Value at 'password' failed ...` (see `crate::constraints`).

use serde_json::Value;

use crate::java_hash;
use crate::model::{Kind, Model, ShapeId};

/// What a sensitive value nested in a printed value shows instead.
pub(crate) const REDACTED: &str = "*** Sensitive Data Redacted ***";

/// How deep printing follows nested values; the validator never goes deeper (see
/// `crate::deserialize::MAX_DEPTH`), this only keeps the function total.
const MAX_PRINT_DEPTH: usize = 64;

/// The Java `toString` of `value`, read as `shape`; sensitive shapes inside show [`REDACTED`].
pub(crate) fn java_to_string(model: &Model, shape: ShapeId, value: &Value) -> String {
    let mut out = String::new();
    write_value(model, shape, value, 0, &mut out);
    out
}

fn write_value(model: &Model, id: ShapeId, value: &Value, depth: usize, out: &mut String) {
    let shape = model.shape(id);
    if value.is_null() {
        out.push_str("null");
        return;
    }
    if shape.sensitive {
        out.push_str(REDACTED);
        return;
    }
    if depth >= MAX_PRINT_DEPTH {
        out.push_str("...");
        return;
    }
    match (&shape.kind, value) {
        (Kind::List { member }, Value::Array(items)) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(model, *member, item, depth + 1, out);
            }
            out.push(']');
        }
        (
            Kind::Map {
                value: value_shape, ..
            },
            Value::Object(entries),
        ) => {
            let keys: Vec<&str> = entries.keys().map(String::as_str).collect();
            out.push('{');
            for (n, i) in java_hash::iteration_order(&keys).into_iter().enumerate() {
                if n > 0 {
                    out.push_str(", ");
                }
                out.push_str(keys[i]);
                out.push('=');
                write_value(model, *value_shape, &entries[keys[i]], depth + 1, out);
            }
            out.push('}');
        }
        (Kind::Structure { members }, Value::Object(entries)) => {
            out.push_str(&shape.name);
            out.push('(');
            for (i, member) in members.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&member.name);
                out.push('=');
                let value = entries.get(&member.name).unwrap_or(&Value::Null);
                write_value(model, member.shape, value, depth + 1, out);
            }
            out.push(')');
        }
        (Kind::Float, Value::Number(n)) => {
            out.push_str(&java_float(n.as_f64().unwrap_or(f64::NAN) as f32));
        }
        (Kind::Double, Value::Number(n)) => {
            out.push_str(&java_double(n.as_f64().unwrap_or(f64::NAN)));
        }
        (_, Value::String(s)) => out.push_str(s),
        // Integers, longs, timestamps (epoch seconds) and booleans print as JSON writes them;
        // the deserialization check has already refused every other pairing.
        (_, other) => out.push_str(&other.to_string()),
    }
}

/// Java's `Double.toString(x)`.
pub(crate) fn java_double(x: f64) -> String {
    java_decimal(x, format!("{:e}", x.abs()))
}

/// Java's `Float.toString(x)`: the float's own shortest digits (`100.1`, not `100.09999847`).
pub(crate) fn java_float(x: f32) -> String {
    java_decimal(f64::from(x), format!("{:e}", x.abs()))
}

/// Java's number-to-text rule for `x`, given the shortest round-trip digits of `|x|` in Rust's
/// `{:e}` form (`"1.2345e3"`): plain notation with at least one fractional digit from 10^-3 up to
/// 10^7, computerized scientific notation (`1.0E7`, `1.5E-4`) outside.
fn java_decimal(x: f64, scientific: String) -> String {
    if x.is_nan() {
        return "NaN".to_owned();
    }
    let sign = if x.is_sign_negative() { "-" } else { "" };
    if x.is_infinite() {
        return format!("{sign}Infinity");
    }
    if x == 0.0 {
        return format!("{sign}0.0");
    }
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if !(1e-3..1e7).contains(&x.abs()) {
        let rest = if digits.len() > 1 { &digits[1..] } else { "0" };
        return format!("{sign}{}.{rest}E{exponent}", &digits[..1]);
    }
    if exponent < 0 {
        let zeros = "0".repeat(exponent.unsigned_abs() as usize - 1);
        return format!("{sign}0.{zeros}{digits}");
    }
    let point = exponent as usize + 1;
    if digits.len() <= point {
        let zeros = "0".repeat(point - digits.len());
        format!("{sign}{digits}{zeros}.0")
    } else {
        format!("{sign}{}.{}", &digits[..point], &digits[point..])
    }
}

/// A bound of a `min`/`max` trait as AWS writes it: integral for lengths and integer shapes,
/// Java's `Double.toString` for `float` and `double` shapes.
pub(crate) fn bound(kind: &Kind, value: f64) -> String {
    match kind {
        Kind::Float | Kind::Double => java_double(value),
        _ if value.fract() == 0.0 && value.abs() < 1e18 => format!("{}", value as i64),
        _ => java_double(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_print_as_java_does() {
        for (x, java) in [
            (101.0, "101.0"),
            (100.5, "100.5"),
            (0.001, "0.001"),
            (0.0001, "1.0E-4"),
            (1e7, "1.0E7"),
            (1234567.0, "1234567.0"),
            (12345678.9, "1.23456789E7"),
            (-2.5, "-2.5"),
            (0.0, "0.0"),
            (0.1, "0.1"),
        ] {
            assert_eq!(java_double(x), java, "{x}");
        }
        assert_eq!(java_double(f64::NAN), "NaN");
        assert_eq!(java_double(f64::NEG_INFINITY), "-Infinity");
    }

    #[test]
    fn floats_print_as_java_does() {
        assert_eq!(java_float(100.1), "100.1");
        assert_eq!(java_float(101.0), "101.0");
        assert_eq!(java_float(3e10), "3.0E10");
    }
}
