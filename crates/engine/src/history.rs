//! History events, and their shape on the wire: the one place that renders an event as
//! `GetExecutionHistory` returns it (also used by `fluxo run --history` and execution logs).

use fluxo_types::EventType;
use serde_json::{json, Map, Value};

/// One event of an execution history, as AWS `GetExecutionHistory` returns it.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEvent {
    pub id: u64,
    pub previous_event_id: u64,
    pub timestamp: jiff::Timestamp,
    pub kind: EventType,
    /// The `…EventDetails` object in AWS wire shape (`input`/`output` are JSON *text*), when the
    /// event type has one.
    pub details: Option<Map<String, Value>>,
}

impl HistoryEvent {
    /// A text field of the details, such as `error` or `output`.
    pub fn detail_text(&self, name: &str) -> Option<String> {
        self.details
            .as_ref()
            .and_then(|details| details.get(name))
            .and_then(Value::as_str)
            .map(str::to_string)
    }

    /// The event as an element of `GetExecutionHistory`'s `events` array (API reference,
    /// `HistoryEvent`): timestamps in epoch seconds, the details under the type's key.
    pub fn to_aws_json(&self) -> Value {
        render(
            self.timestamp.as_millisecond(),
            self.kind,
            self.id,
            self.previous_event_id,
            self.details.clone(),
        )
    }
}

/// Renders an event from its parts (a stored record or an engine event). Details that are
/// empty are left out, as AWS leaves them out.
pub fn render(
    timestamp_ms: i64,
    kind: EventType,
    id: u64,
    previous_event_id: u64,
    details: Option<Map<String, Value>>,
) -> Value {
    let mut event = Map::new();
    event.insert("timestamp".into(), json!(timestamp_ms as f64 / 1000.0));
    event.insert("type".into(), json!(kind.as_str()));
    event.insert("id".into(), json!(id));
    event.insert("previousEventId".into(), json!(previous_event_id));
    if let (Some(key), Some(details)) = (kind.details_key(), details) {
        // `ActivityStarted` without a `workerName` keeps its empty details (recorded case
        // `activities/activities__test_activity_task_no_worker_name`), and so does an
        // `ExecutionFailed` without error and cause (a Fail state without them: recorded cases
        // `base/base__test_state_fail_empty`, `error_handling/aws_sdk__test_s3_no_such_key`).
        if !details.is_empty()
            || matches!(
                kind,
                EventType::ActivityStarted | EventType::ExecutionFailed
            )
        {
            event.insert(key.into(), Value::Object(details));
        }
    }
    Value::Object(event)
}

/// Replaces `input`, `output` and `parameters` by `{…}Details: {"included": false}`: what AWS
/// returns with `includeExecutionData: false`.
pub fn without_execution_data(details: &mut Map<String, Value>) {
    for key in ["input", "output", "parameters"] {
        if details.remove(key).is_some() {
            details.insert(format!("{key}Details"), json!({"included": false}));
        }
    }
}

pub(crate) fn entered_details(name: &str, input: &Value) -> Map<String, Value> {
    let mut details = Map::new();
    details.insert("input".into(), Value::String(input.to_string()));
    details.insert("inputDetails".into(), json!({"truncated": false}));
    details.insert("name".into(), Value::String(name.to_string()));
    details
}

pub(crate) fn exited_details(
    name: &str,
    output: &Value,
    assigned: Option<&Map<String, Value>>,
) -> Map<String, Value> {
    let mut details = Map::new();
    if let Some(assigned) = assigned.filter(|assigned| !assigned.is_empty()) {
        let as_text: Map<String, Value> = assigned
            .iter()
            .map(|(key, value)| (key.clone(), Value::String(value.to_string())))
            .collect();
        details.insert("assignedVariables".into(), Value::Object(as_text));
        details.insert(
            "assignedVariablesDetails".into(),
            json!({"truncated": false}),
        );
    }
    details.insert("name".into(), Value::String(name.to_string()));
    details.insert("output".into(), Value::String(output.to_string()));
    details.insert("outputDetails".into(), json!({"truncated": false}));
    details
}

/// Event details from `(key, value)` pairs.
pub(crate) fn details<const N: usize>(entries: [(&str, Value); N]) -> Map<String, Value> {
    entries
        .into_iter()
        .map(|(key, value)| (key.to_string(), value))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_details_are_kept_only_where_aws_records_them() {
        let empty = || Some(Map::new());
        // A Fail state without Error or Cause (base/base__test_state_fail_empty).
        let failed = render(0, EventType::ExecutionFailed, 3, 2, empty());
        assert_eq!(failed["executionFailedEventDetails"], json!({}));
        let started = render(0, EventType::ActivityStarted, 3, 2, empty());
        assert_eq!(started["activityStartedEventDetails"], json!({}));
        let scheduled = render(0, EventType::TaskScheduled, 3, 2, empty());
        assert!(scheduled.get("taskScheduledEventDetails").is_none());
    }
}
