use serde_json::{json, Map, Value};
use std::borrow::Cow;

/// One event of an execution history, as AWS `GetExecutionHistory` returns it.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEvent {
    pub id: u64,
    pub previous_event_id: u64,
    pub timestamp: jiff::Timestamp,
    /// AWS event type, e.g. `PassStateEntered`.
    pub kind: Cow<'static, str>,
    /// The `…EventDetails` object in AWS wire shape (`input`/`output` are JSON *text*), when the
    /// event type has one.
    pub details: Option<Map<String, Value>>,
}

impl HistoryEvent {
    /// The key under which AWS puts this event's details, e.g. `passStateEnteredEventDetails`
    /// (`stateEnteredEventDetails` for every `*StateEntered`, `stateExitedEventDetails` for every
    /// `*StateExited`).
    pub fn details_key(&self) -> String {
        details_key(&self.kind)
    }

    /// A text field of the details, such as `error` or `output`.
    pub fn detail_text(&self, name: &str) -> Option<String> {
        self.details
            .as_ref()
            .and_then(|details| details.get(name))
            .and_then(Value::as_str)
            .map(str::to_string)
    }

    /// The details key of an event type, e.g. `taskScheduledEventDetails`.
    pub fn details_key_for(kind: &str) -> String {
        details_key(kind)
    }

    /// The event as an element of `GetExecutionHistory`'s `events` array.
    pub fn to_aws_json(&self) -> Value {
        let mut event = json!({
            "timestamp": self.timestamp.as_millisecond() as f64 / 1000.0,
            "type": self.kind.as_ref(),
            "id": self.id,
            "previousEventId": self.previous_event_id,
        });
        if let Some(details) = &self.details {
            event[self.details_key()] = Value::Object(details.clone());
        }
        event
    }
}

pub(crate) fn details_key(kind: &str) -> String {
    if kind.ends_with("StateEntered") {
        return "stateEnteredEventDetails".into();
    }
    if kind.ends_with("StateExited") {
        return "stateExitedEventDetails".into();
    }
    let mut key = String::with_capacity(kind.len() + 12);
    let mut chars = kind.chars();
    if let Some(first) = chars.next() {
        key.extend(first.to_lowercase());
    }
    key.extend(chars);
    key.push_str("EventDetails");
    key
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
