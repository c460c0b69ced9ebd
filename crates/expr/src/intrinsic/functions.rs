//! The eighteen `States.*` functions, applied to already-evaluated argument values.
//!
//! Semantics follow what AWS does, which sometimes differs from its documentation:
//! - `States.MathAdd` rounds half up (Java `Math.round`); the other functions that take whole
//!   numbers truncate toward zero (Java `(int)` cast): `ArrayRange(1.6, 1.4, 1)` is `[1]`.
//! - `States.ArrayContains` compares Java `toString` texts, so key order matters and `true`
//!   matches `"true"`.
//! - Every argument problem is reported as "Invalid arguments in States.X".

use super::codec::{base64_decode_lenient, base64_encode, HashAlgorithm};
use super::java_random::JavaRandom;
use super::parser::normalize_negative_zero;
use super::render::{java_text, json_text};
use rand::{Rng, RngCore};
use serde_json::{Number, Value};

/// Largest array `States.ArrayRange` may produce.
const MAX_RANGE_ITEMS: i64 = 1000;
/// Longest string (in UTF-16 units, as Java counts) that Base64 and Hash accept.
const MAX_CODEC_INPUT: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Function {
    Format,
    StringToJson,
    JsonToString,
    Array,
    ArrayPartition,
    ArrayContains,
    ArrayRange,
    ArrayGetItem,
    ArrayLength,
    ArrayUnique,
    Base64Encode,
    Base64Decode,
    Hash,
    JsonMerge,
    MathRandom,
    MathAdd,
    StringSplit,
    Uuid,
}

const ALL: [Function; 18] = [
    Function::Format,
    Function::StringToJson,
    Function::JsonToString,
    Function::Array,
    Function::ArrayPartition,
    Function::ArrayContains,
    Function::ArrayRange,
    Function::ArrayGetItem,
    Function::ArrayLength,
    Function::ArrayUnique,
    Function::Base64Encode,
    Function::Base64Decode,
    Function::Hash,
    Function::JsonMerge,
    Function::MathRandom,
    Function::MathAdd,
    Function::StringSplit,
    Function::Uuid,
];

impl Function {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Function::Format => "States.Format",
            Function::StringToJson => "States.StringToJson",
            Function::JsonToString => "States.JsonToString",
            Function::Array => "States.Array",
            Function::ArrayPartition => "States.ArrayPartition",
            Function::ArrayContains => "States.ArrayContains",
            Function::ArrayRange => "States.ArrayRange",
            Function::ArrayGetItem => "States.ArrayGetItem",
            Function::ArrayLength => "States.ArrayLength",
            Function::ArrayUnique => "States.ArrayUnique",
            Function::Base64Encode => "States.Base64Encode",
            Function::Base64Decode => "States.Base64Decode",
            Function::Hash => "States.Hash",
            Function::JsonMerge => "States.JsonMerge",
            Function::MathRandom => "States.MathRandom",
            Function::MathAdd => "States.MathAdd",
            Function::StringSplit => "States.StringSplit",
            Function::Uuid => "States.UUID",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Function> {
        ALL.into_iter().find(|function| function.name() == name)
    }

    /// Accepted argument counts, inclusive.
    fn arity(self) -> (usize, usize) {
        match self {
            Function::Array => (0, usize::MAX),
            Function::Format => (1, usize::MAX),
            Function::Uuid => (0, 0),
            Function::StringToJson
            | Function::JsonToString
            | Function::ArrayLength
            | Function::ArrayUnique
            | Function::Base64Encode
            | Function::Base64Decode => (1, 1),
            Function::ArrayPartition
            | Function::ArrayContains
            | Function::ArrayGetItem
            | Function::Hash
            | Function::MathAdd
            | Function::StringSplit => (2, 2),
            Function::ArrayRange | Function::JsonMerge => (3, 3),
            Function::MathRandom => (2, 3),
        }
    }
}

/// Why a function refused its arguments; the text is the AWS cause detail.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub(crate) enum FunctionError {
    #[error("Invalid arguments in {}", .0.name())]
    InvalidArguments(Function),
    #[error("Invalid template in States.Format: {0}")]
    InvalidTemplate(&'static str),
}

type Outcome = Result<Value, FunctionError>;

/// Applies `function`. For `States.Format`, `template` is the first argument in its escaped
/// form (a literal keeps `\{`); `None` means "use the first argument's string value".
pub(crate) fn apply(
    function: Function,
    args: Vec<Value>,
    template: Option<&str>,
    rng: &mut dyn RngCore,
) -> Outcome {
    let invalid = FunctionError::InvalidArguments(function);
    let (min, max) = function.arity();
    if args.len() < min || args.len() > max {
        return Err(invalid);
    }
    match function {
        Function::Format => format(&args, template).ok_or(invalid)?,
        Function::StringToJson => string_to_json(&args[0]).ok_or(invalid),
        Function::JsonToString => Ok(Value::String(json_text(&args[0]))),
        Function::Array => Ok(Value::Array(args)),
        Function::ArrayPartition => array_partition(&args).ok_or(invalid),
        Function::ArrayContains => {
            let items = args[0].as_array().ok_or(invalid)?;
            let wanted = java_text(&args[1]);
            Ok(Value::Bool(
                items.iter().any(|item| java_text(item) == wanted),
            ))
        }
        Function::ArrayRange => array_range(&args).ok_or(invalid),
        Function::ArrayGetItem => array_get_item(&args).ok_or(invalid),
        Function::ArrayLength => {
            let items = args[0].as_array().ok_or(invalid)?;
            Ok(Value::from(items.len()))
        }
        Function::ArrayUnique => {
            let items = args[0].as_array().ok_or(invalid)?;
            let mut unique: Vec<Value> = Vec::with_capacity(items.len());
            for item in items {
                if !unique.contains(item) {
                    unique.push(item.clone());
                }
            }
            Ok(Value::Array(unique))
        }
        Function::Base64Encode => {
            let text = codec_input(&args[0]).ok_or(invalid)?;
            Ok(Value::String(base64_encode(text)))
        }
        Function::Base64Decode => {
            let text = codec_input(&args[0]).ok_or(invalid)?;
            Ok(Value::String(base64_decode_lenient(text)))
        }
        Function::Hash => hash(&args).ok_or(invalid),
        Function::JsonMerge => json_merge(args).ok_or(invalid),
        Function::MathRandom => math_random(&args, rng).ok_or(invalid),
        Function::MathAdd => math_add(&args).ok_or(invalid),
        Function::StringSplit => string_split(&args).ok_or(invalid),
        Function::Uuid => Ok(Value::String(uuid_v4(rng))),
    }
}

/// Java `(int)` of a JSON number: truncation toward zero, saturating at the int range.
fn java_int(value: &Value) -> Option<i32> {
    let Value::Number(number) = value else {
        return None;
    };
    if let Some(integer) = number.as_i64() {
        return Some(integer.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32);
    }
    if number.is_u64() {
        return Some(i32::MAX);
    }
    // `as` truncates toward zero and saturates, like Java's (int) cast.
    number.as_f64().map(|float| float as i32)
}

/// Java `Math.round` of a JSON number: nearest, ties toward positive infinity.
fn java_round(value: &Value) -> Option<i64> {
    let Value::Number(number) = value else {
        return None;
    };
    if let Some(integer) = number.as_i64() {
        return Some(integer);
    }
    if number.is_u64() {
        return Some(i64::MAX);
    }
    let float = number.as_f64()?;
    let floor = float.floor();
    let rounded = if float - floor >= 0.5 {
        floor + 1.0
    } else {
        floor
    };
    Some(rounded as i64)
}

/// A string argument of Base64Encode/Base64Decode within the documented size.
fn codec_input(value: &Value) -> Option<&str> {
    let text = value.as_str()?;
    (text.encode_utf16().count() <= MAX_CODEC_INPUT).then_some(text)
}

/// One piece of a `States.Format` template.
enum Piece {
    Text(String),
    Placeholder,
}

/// Splits an escaped template into text and `{}` placeholders. `\{`, `\}`, `\'` and `\\`
/// stand for the character itself; any other `{` or `}` is an error, as on AWS.
fn template_pieces(template: &str) -> Result<Vec<Piece>, FunctionError> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = template.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' => match chars.peek() {
                Some(&escaped @ ('\'' | '{' | '}' | '\\')) => {
                    text.push(escaped);
                    chars.next();
                }
                _ => text.push('\\'),
            },
            '{' => {
                if chars.next() != Some('}') {
                    return Err(FunctionError::InvalidTemplate(
                        "matching '}' not found for '{'.",
                    ));
                }
                pieces.push(Piece::Text(std::mem::take(&mut text)));
                pieces.push(Piece::Placeholder);
            }
            '}' => {
                return Err(FunctionError::InvalidTemplate(
                    "matching '{' not found for '}'.",
                ))
            }
            other => text.push(other),
        }
    }
    pieces.push(Piece::Text(text));
    Ok(pieces)
}

/// `None` when the arguments are invalid; `Some(Err(..))` for a malformed template.
fn format(args: &[Value], template: Option<&str>) -> Option<Outcome> {
    let template = match template {
        Some(raw) => raw,
        None => args[0].as_str()?,
    };
    let pieces = match template_pieces(template) {
        Ok(pieces) => pieces,
        Err(error) => return Some(Err(error)),
    };
    let values = &args[1..];
    let placeholders = pieces
        .iter()
        .filter(|piece| matches!(piece, Piece::Placeholder))
        .count();
    if placeholders != values.len() {
        return None;
    }
    let mut values = values.iter();
    let mut out = String::new();
    for piece in &pieces {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Placeholder => out.push_str(&java_text(values.next()?)),
        }
    }
    Some(Ok(Value::String(out)))
}

/// Parses the first JSON value in the text; blank text is `null`, as with Jackson.
fn string_to_json(value: &Value) -> Option<Value> {
    let text = value.as_str()?;
    if text.trim().is_empty() {
        return Some(Value::Null);
    }
    let parsed = serde_json::Deserializer::from_str(text)
        .into_iter::<Value>()
        .next()?
        .ok()?;
    Some(integer_zeros(parsed))
}

/// Java reads `-0` as the integer 0; serde_json keeps it as the float -0.0.
fn integer_zeros(value: Value) -> Value {
    match value {
        Value::Number(number) => Value::Number(normalize_negative_zero(number)),
        Value::Array(items) => Value::Array(items.into_iter().map(integer_zeros).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, item)| (key, integer_zeros(item)))
                .collect(),
        ),
        other => other,
    }
}

fn array_partition(args: &[Value]) -> Option<Value> {
    let items = args[0].as_array()?;
    let size = usize::try_from(java_int(&args[1])?)
        .ok()
        .filter(|&size| size > 0)?;
    let chunks = items
        .chunks(size)
        .map(|chunk| Value::Array(chunk.to_vec()))
        .collect();
    Some(Value::Array(chunks))
}

fn array_range(args: &[Value]) -> Option<Value> {
    let start = i64::from(java_int(&args[0])?);
    let end = i64::from(java_int(&args[1])?);
    let step = i64::from(java_int(&args[2])?);
    if step == 0 {
        return None;
    }
    let span = end - start;
    let count = if span == 0 || (span > 0) == (step > 0) {
        span / step + 1
    } else {
        0
    };
    if count > MAX_RANGE_ITEMS {
        return None;
    }
    let items = (0..count).map(|index| Value::from(start + index * step));
    Some(Value::Array(items.collect()))
}

fn array_get_item(args: &[Value]) -> Option<Value> {
    let items = args[0].as_array()?;
    let index = java_int(&args[1])?;
    if items.is_empty() {
        // AWS answers null for any index into an empty array.
        return Some(Value::Null);
    }
    usize::try_from(index)
        .ok()
        .and_then(|index| items.get(index))
        .cloned()
}

fn hash(args: &[Value]) -> Option<Value> {
    let algorithm = HashAlgorithm::from_name(args[1].as_str()?)?;
    // AWS hashes non-string data by its JSON text rather than refusing it.
    let data = match &args[0] {
        Value::String(text) => text.clone(),
        other => json_text(other),
    };
    if data.encode_utf16().count() > MAX_CODEC_INPUT {
        return None;
    }
    Some(Value::String(algorithm.hex_digest(&data)))
}

/// Shallow merge; the second object's keys win. Any third argument other than `true` means
/// shallow (AWS even accepts the string "false").
fn json_merge(args: Vec<Value>) -> Option<Value> {
    let mut args = args.into_iter();
    let (Some(Value::Object(mut merged)), Some(Value::Object(right)), Some(deep)) =
        (args.next(), args.next(), args.next())
    else {
        return None;
    };
    if deep == Value::Bool(true) {
        return None;
    }
    // An existing key keeps its position and takes the new value, as in Jackson.
    merged.extend(right);
    Some(Value::Object(merged))
}

/// A whole number in `[start, end)`; with a seed, exactly what Java's `Random` gives.
fn math_random(args: &[Value], rng: &mut dyn RngCore) -> Option<Value> {
    let start = java_int(&args[0])?;
    let end = java_int(&args[1])?;
    let span = i32::try_from(i64::from(end) - i64::from(start))
        .ok()
        .filter(|&span| span > 0)?;
    let offset = match args.get(2) {
        Some(seed) => {
            let seed = java_long(seed)?;
            JavaRandom::new(seed).next_int_bounded(span)
        }
        None => rng.random_range(0..span),
    };
    Some(Value::from(i64::from(start) + i64::from(offset)))
}

/// Java `(long)` of a JSON number.
fn java_long(value: &Value) -> Option<i64> {
    let Value::Number(number) = value else {
        return None;
    };
    number
        .as_i64()
        .or_else(|| number.as_u64().map(|_| i64::MAX))
        .or_else(|| number.as_f64().map(|float| float as i64))
}

fn math_add(args: &[Value]) -> Option<Value> {
    let int_range = i64::from(i32::MIN)..=i64::from(i32::MAX);
    let left = java_round(&args[0]).filter(|value| int_range.contains(value))?;
    let right = java_round(&args[1]).filter(|value| int_range.contains(value))?;
    let sum = left + right;
    int_range
        .contains(&sum)
        .then(|| Value::Number(Number::from(sum)))
}

/// `java.util.StringTokenizer`: every character of the delimiter string separates tokens,
/// and empty tokens are dropped.
fn string_split(args: &[Value]) -> Option<Value> {
    let text = args[0].as_str()?;
    let delimiters: Vec<char> = args[1].as_str()?.chars().collect();
    let tokens = text
        .split(|ch| delimiters.contains(&ch))
        .filter(|token| !token.is_empty())
        .map(|token| Value::String(token.to_string()))
        .collect();
    Some(Value::Array(tokens))
}

fn uuid_v4(rng: &mut dyn RngCore) -> String {
    let mut bytes = [0u8; 16];
    rng.fill_bytes(&mut bytes);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .hyphenated()
        .to_string()
}

#[cfg(test)]
mod tests;
