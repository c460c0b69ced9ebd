//! What an answer must show, as the table writes it: a JSON value that the answer must match.
//!
//! - an object without `$` keys matches an object that has each of its keys, matched in turn
//!   (other keys of the answer are free);
//! - an array matches an array of the same length, element by element;
//! - `{"$present": true}` / `{"$absent": true}`: the key is there (not null) / not there;
//! - `{"$startsWith": s}`, `{"$endsWith": s}`, `{"$contains": s}`: a string;
//! - `{"$len": n}`: an array (or string) of `n` elements;
//! - `{"$any": m}`: an array with at least one element matching `m`; `{"$none": m}`: none;
//! - `{"$json": m}`: a string holding JSON whose value matches `m`;
//! - `{"$time": true}`: a timestamp, which every client gives as epoch seconds (botocore's and
//!   the SDK's parsed dates are turned back into seconds by their adapters; the CLI prints the
//!   number it received);
//! - `{"$gte": n}`: a number at least `n`;
//! - `{"$all": [m, …]}`: every one of the matchers;
//! - any other value: equal (numbers by value, so `2` matches `2.0`).

use serde_json::Value;

/// Checks `actual` against `expected`; the error names the path of the first mismatch.
pub fn check(actual: &Value, expected: &Value) -> Result<(), String> {
    check_at("$", Some(actual), expected)
}

fn check_at(path: &str, actual: Option<&Value>, expected: &Value) -> Result<(), String> {
    let fail = |what: &str| Err(format!("{path}: {what}, got {}", shown(actual)));
    if let Some((operator, operand)) = operator(expected) {
        return check_operator(path, actual, operator, operand);
    }
    let Some(actual) = actual else {
        return fail(&format!("expected {expected}"));
    };
    match expected {
        Value::Object(fields) => {
            let Some(object) = actual.as_object() else {
                return fail("expected an object");
            };
            for (key, wanted) in fields {
                check_at(&format!("{path}.{key}"), object.get(key), wanted)?;
            }
            Ok(())
        }
        Value::Array(items) => {
            let Some(array) = actual.as_array() else {
                return fail("expected an array");
            };
            if array.len() != items.len() {
                return fail(&format!("expected {} elements", items.len()));
            }
            for (index, (item, wanted)) in array.iter().zip(items).enumerate() {
                check_at(&format!("{path}[{index}]"), Some(item), wanted)?;
            }
            Ok(())
        }
        Value::Number(number) if actual.as_f64() == number.as_f64() => Ok(()),
        _ if actual == expected => Ok(()),
        _ => fail(&format!("expected {expected}")),
    }
}

/// `{"$op": operand}`: an object of one key that starts with `$`.
fn operator(expected: &Value) -> Option<(&str, &Value)> {
    let object = expected.as_object()?;
    let (key, operand) = object.iter().next()?;
    (object.len() == 1 && key.starts_with('$')).then_some((key.as_str(), operand))
}

fn check_operator(
    path: &str,
    actual: Option<&Value>,
    operator: &str,
    operand: &Value,
) -> Result<(), String> {
    let present = actual.filter(|value| !value.is_null());
    let text = present.and_then(Value::as_str);
    let operand_text = operand.as_str().unwrap_or_default();
    let ok = match operator {
        "$present" => present.is_some() == operand.as_bool().unwrap_or(true),
        "$absent" => present.is_none() == operand.as_bool().unwrap_or(true),
        "$startsWith" => text.is_some_and(|t| t.starts_with(operand_text)),
        "$endsWith" => text.is_some_and(|t| t.ends_with(operand_text)),
        "$contains" => text.is_some_and(|t| t.contains(operand_text)),
        "$len" => {
            let len = match present {
                Some(Value::Array(items)) => Some(items.len()),
                Some(Value::String(text)) => Some(text.chars().count()),
                _ => None,
            };
            len.is_some_and(|len| Some(len as u64) == operand.as_u64())
        }
        "$any" | "$none" => {
            let Some(items) = present.and_then(Value::as_array) else {
                return Err(format!("{path}: expected an array, got {}", shown(actual)));
            };
            let found = items
                .iter()
                .any(|item| check_at(path, Some(item), operand).is_ok());
            found == (operator == "$any")
        }
        "$all" => {
            let Some(each) = operand.as_array() else {
                return Err(format!("{path}: $all takes an array of matchers"));
            };
            for wanted in each {
                check_at(path, actual, wanted)?;
            }
            return Ok(());
        }
        "$json" => {
            let Some(parsed) = text.and_then(|t| serde_json::from_str::<Value>(t).ok()) else {
                return Err(format!("{path}: expected JSON text, got {}", shown(actual)));
            };
            return check_at(&format!("{path}(json)"), Some(&parsed), operand);
        }
        // After 2020-01-01 and before 2100: seconds, not milliseconds.
        "$time" => present
            .and_then(Value::as_f64)
            .is_some_and(|seconds| (1.577e9..4.1e9).contains(&seconds)),
        "$gte" => present
            .and_then(Value::as_f64)
            .zip(operand.as_f64())
            .is_some_and(|(value, least)| value >= least),
        _ => return Err(format!("{path}: unknown matcher {operator}")),
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{path}: expected {operator} {operand}, got {}",
            shown(actual)
        ))
    }
}

fn shown(actual: Option<&Value>) -> String {
    match actual {
        None => "nothing".into(),
        Some(value) => {
            let text = value.to_string();
            if text.chars().count() > 300 {
                format!("{}…", text.chars().take(300).collect::<String>())
            } else {
                text
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::check;
    use serde_json::json;

    #[test]
    fn the_matchers_accept_what_they_describe_and_refuse_the_rest() {
        let answer = json!({"arn": "arn:x:1", "n": 2.0, "items": [{"a": 1}, {"a": 2}],
                            "doc": "{\"k\": [1]}", "at": 1796082523.25});
        let passing = [
            json!({"arn": {"$endsWith": ":1"}, "n": 2}),
            json!({"items": {"$any": {"a": 2}}, "doc": {"$json": {"k": [1]}}}),
            json!({"items": {"$len": 2}, "gone": {"$absent": true}, "at": {"$time": true}}),
            json!({"items": [{"a": 1}, {}], "n": {"$gte": 2}, "items2": {"$absent": true}}),
            json!({"items": {"$none": {"a": 3}}, "arn": {"$present": true}}),
            json!({"items": {"$all": [{"$len": 2}, {"$any": {"a": 1}}]}}),
        ];
        for expected in passing {
            assert_eq!(check(&answer, &expected), Ok(()), "{expected}");
        }
        let failing = [
            json!({"arn": {"$endsWith": ":2"}}),
            json!({"n": 3}),
            json!({"items": {"$any": {"a": 3}}}),
            json!({"items": [{"a": 1}]}),
            json!({"doc": {"$json": {"k": []}}}),
            json!({"n": {"$time": true}}),
            json!({"missing": {"$present": true}}),
            json!({"arn": {"$absent": true}}),
            json!({"missing": "value"}),
            json!({"n": {"$bogus": 1}}),
            json!({"items": {"$all": [{"$len": 2}, {"$any": {"a": 3}}]}}),
        ];
        for expected in failing {
            assert!(check(&answer, &expected).is_err(), "{expected}");
        }
    }
}
