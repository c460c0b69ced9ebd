use serde_json::{json, Map, Value};

/// One event of an execution history, as AWS `GetExecutionHistory` returns it.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEvent {
    pub id: u64,
    pub previous_event_id: u64,
    pub timestamp: jiff::Timestamp,
    /// AWS event type, e.g. `PassStateEntered`.
    pub kind: &'static str,
    /// The `…EventDetails` object in AWS wire shape (`input`/`output` are JSON *text*), when the
    /// event type has one.
    pub details: Option<Map<String, Value>>,
}

impl HistoryEvent {
    /// The key under which AWS puts this event's details, e.g. `passStateEnteredEventDetails`
    /// (`stateEnteredEventDetails` for every `*StateEntered`, `stateExitedEventDetails` for every
    /// `*StateExited`).
    pub fn details_key(&self) -> String {
        details_key(self.kind)
    }

    /// The event as an element of `GetExecutionHistory`'s `events` array.
    pub fn to_aws_json(&self) -> Value {
        let mut event = json!({
            "timestamp": self.timestamp.as_millisecond() as f64 / 1000.0,
            "type": self.kind,
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
