//! Compares an execution with the case's recording: status, output, error and cause first, then
//! the history (see [`crate::history`]).

use crate::case::Case;
use crate::execute::{parse_text, Actual};
use crate::history;
use crate::matching::Matcher;
use serde_json::{Map, Value};

/// `None` when the execution matches the recording; otherwise the first difference.
pub fn compare(case: &Case, actual: &mut Actual) -> Option<String> {
    let outcome = &actual.outcome;
    let mut result = Map::new();
    result.insert(
        "status".into(),
        Value::String(outcome.status.as_str().into()),
    );
    if let Some(output) = &outcome.output {
        result.insert("output".into(), parse_text(output));
    }
    if let Some(error) = &outcome.error {
        result.insert("error".into(), Value::String(error.clone()));
    }
    if let Some(cause) = &outcome.cause {
        // The corpus decoded a cause only where it held a JSON object; else it is exact text.
        let cause = if case.expect["cause"].is_object() {
            parse_text(cause)
        } else {
            Value::String(cause.clone())
        };
        result.insert("cause".into(), cause);
    }
    let mut result = Value::Object(result);
    substitute(&mut result, &case.substitutions);

    let mut matcher = Matcher::with_words(case.replaced_words());
    if let Some(difference) = matcher.compare(&case.expect, &result, "expect") {
        return Some(difference);
    }
    let expected_history = case.history.as_ref()?;
    for event in &mut actual.events {
        substitute(&mut event.event, &case.substitutions);
    }
    history::compare(
        &mut matcher,
        expected_history,
        &actual.events,
        case.parallel_events_sorted(),
    )
}

/// Replaces each literal that the recording shows as a placeholder.
fn substitute(value: &mut Value, substitutions: &[(String, String)]) {
    match value {
        Value::String(text) => {
            for (literal, placeholder) in substitutions {
                if text.contains(literal.as_str()) {
                    *text = text.replace(literal.as_str(), placeholder);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| substitute(v, substitutions)),
        Value::Object(map) => map.values_mut().for_each(|v| substitute(v, substitutions)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::ActualEvent;
    use fluxo_engine::{ExecutionOutcome, ExecutionStatus};
    use serde_json::json;

    const UUID: &str = "0a1b2c3d-0000-4000-8000-000000000001";

    fn case(value: Value) -> Case {
        Case::from_value(value, "g/c").expect("valid case")
    }

    fn actual(output: Option<&str>, cause: Option<&str>, events: Vec<ActualEvent>) -> Actual {
        Actual {
            outcome: ExecutionOutcome {
                status: if output.is_some() {
                    ExecutionStatus::Succeeded
                } else {
                    ExecutionStatus::Failed
                },
                output: output.map(str::to_string),
                error: cause.map(|_| "E".to_string()),
                cause: cause.map(str::to_string),
                states_entered: 0,
                history: Vec::new(),
            },
            events,
        }
    }

    #[test]
    fn output_is_compared_as_json_with_substitutions_applied() {
        let case = case(json!({
            "expect": {"status": "SUCCEEDED", "output": {"fn": "<lambda_function_name>", "n": 1}},
            "substitutions": [["my_function", "<lambda_function_name>"]]
        }));
        assert_eq!(
            compare(
                &case,
                &mut actual(Some(r#"{"n": 1.0, "fn": "my_function"}"#), None, vec![])
            ),
            None
        );
        assert_eq!(
            compare(
                &case,
                &mut actual(Some(r#"{"n": 2, "fn": "x"}"#), None, vec![])
            )
            .as_deref(),
            Some("expect.output.n: expected 1, got 2")
        );
    }

    #[test]
    fn a_cause_is_text_unless_the_recording_decoded_it() {
        let text =
            case(json!({"expect": {"status": "FAILED", "error": "E", "cause": "{\"a\":1}"}}));
        assert!(compare(&text, &mut actual(None, Some("{\"a\": 1}"), vec![])).is_some());
        let object = case(json!({"expect": {"status": "FAILED", "error": "E", "cause": {"a": 1}}}));
        assert_eq!(
            compare(&object, &mut actual(None, Some("{\"a\": 1}"), vec![])),
            None
        );
    }

    #[test]
    fn an_error_the_recording_lacks_is_a_difference() {
        let case = case(json!({"expect": {"status": "FAILED", "error": "E"}}));
        assert_eq!(
            compare(&case, &mut actual(None, Some("c"), vec![])).as_deref(),
            Some("expect.cause: unexpected field \"c\"")
        );
    }

    #[test]
    fn the_history_is_compared_after_the_result() {
        let case = case(json!({
            "expect": {"status": "SUCCEEDED", "output": 1},
            "history": [{"type": "ExecutionStarted", "details": {"input": {"id": "<uuid:1>"}}}]
        }));
        let event = |input: &str| ActualEvent {
            id: 1,
            thread: String::new(),
            event: json!({"type": "ExecutionStarted", "details": {"input": {"id": input}}}),
        };
        assert_eq!(
            compare(&case, &mut actual(Some("1"), None, vec![event(UUID)])),
            None
        );
        assert!(compare(&case, &mut actual(Some("1"), None, vec![])).is_some());
    }
}
