//! Execution logs: the records AWS sends to CloudWatch Logs for a state machine with a
//! `loggingConfiguration` (Step Functions developer guide, "Logging in CloudWatch Logs"),
//! written as JSON lines where the operator says (a file or stdout). The API's
//! `destinations` are recorded but never used as paths: only the operator chooses where
//! Fluxo writes.

use fluxo_engine::HistoryEvent;
use fluxo_types::EventType;
use serde_json::{json, Map, Value};
use std::io::Write;
use std::sync::Mutex;

/// Where execution log records go.
pub struct ExecutionLog {
    sink: Mutex<Box<dyn Write + Send>>,
}

impl ExecutionLog {
    /// `-` is standard output; anything else a file, appended to.
    pub fn open(target: &str) -> std::io::Result<Self> {
        let sink: Box<dyn Write + Send> = if target == "-" {
            Box::new(std::io::stdout())
        } else {
            Box::new(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(target)?,
            )
        };
        Ok(ExecutionLog {
            sink: Mutex::new(sink),
        })
    }

    /// Writes the records of one finished execution that its configuration asks for.
    pub fn write(&self, config: &LoggingConfig, execution_arn: &str, history: &[HistoryEvent]) {
        let mut text = String::new();
        for event in history.iter().filter(|e| config.level.includes(e.kind)) {
            text.push_str(&record(event, execution_arn, config.include_execution_data).to_string());
            text.push('\n');
        }
        if text.is_empty() {
            return;
        }
        let mut sink = self.sink.lock().unwrap_or_else(|e| e.into_inner());
        if let Err(error) = sink.write_all(text.as_bytes()).and_then(|()| sink.flush()) {
            tracing::error!(%error, "cannot write the execution log");
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    All,
    Error,
    Fatal,
    Off,
}

impl Level {
    /// ALL logs every event; ERROR the failures (of states, tasks and the execution); FATAL
    /// only the execution's failing end.
    fn includes(self, kind: EventType) -> bool {
        let fatal = matches!(
            kind,
            EventType::ExecutionFailed | EventType::ExecutionAborted | EventType::ExecutionTimedOut
        );
        match self {
            Level::All => true,
            Level::Error => {
                fatal
                    || kind.is_failure()
                    || kind.is_state_aborted()
                    || matches!(kind, EventType::MapIterationAborted)
            }
            Level::Fatal => fatal,
            Level::Off => false,
        }
    }
}

/// A `loggingConfiguration` the API must refuse, with AWS's error class.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoggingError {
    /// `ValidationException`.
    #[error("{0}")]
    Validation(String),
    /// `SerializationException`: a field of the wrong JSON type.
    #[error("{0}")]
    Serialization(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggingConfig {
    pub level: Level,
    pub include_execution_data: bool,
    /// Kept as given, to describe back.
    pub raw: Value,
}

impl LoggingConfig {
    pub fn off() -> Self {
        LoggingConfig {
            level: Level::Off,
            include_execution_data: false,
            raw: json!({"level": "OFF", "includeExecutionData": false}),
        }
    }

    /// Reads a `loggingConfiguration`; the error names what is wrong in AWS's words.
    pub fn parse(value: &Value) -> Result<Self, LoggingError> {
        let level = match value.get("level").and_then(Value::as_str).unwrap_or("OFF") {
            "ALL" => Level::All,
            "ERROR" => Level::Error,
            "FATAL" => Level::Fatal,
            "OFF" => Level::Off,
            other => {
                return Err(LoggingError::Validation(format!(
                    "1 validation error detected: Value '{other}' at 'loggingConfiguration.level' failed to satisfy constraint: Member must satisfy enum value set: [ALL, ERROR, FATAL, OFF]"
                )))
            }
        };
        let include_execution_data = match value.get("includeExecutionData") {
            None => false,
            Some(Value::Bool(include)) => *include,
            Some(_) => {
                return Err(LoggingError::Serialization(
                    "loggingConfiguration.includeExecutionData must be a boolean".into(),
                ))
            }
        };
        let mut raw = value.as_object().cloned().unwrap_or_default();
        raw.insert(
            "level".into(),
            json!(value.get("level").and_then(Value::as_str).unwrap_or("OFF")),
        );
        raw.insert("includeExecutionData".into(), json!(include_execution_data));
        Ok(LoggingConfig {
            level,
            include_execution_data,
            raw: Value::Object(raw),
        })
    }

    /// The stored configuration of a state machine, or OFF.
    pub fn stored(text: Option<&str>) -> Self {
        text.and_then(|text| serde_json::from_str::<Value>(text).ok())
            .and_then(|value| Self::parse(&value).ok())
            .unwrap_or_else(Self::off)
    }
}

/// One record in AWS's execution log format.
fn record(event: &HistoryEvent, execution_arn: &str, include_data: bool) -> Value {
    let mut details: Map<String, Value> = event.details.clone().unwrap_or_default();
    if !include_data {
        for key in ["input", "output", "parameters"] {
            details.remove(key);
        }
    }
    json!({
        "id": event.id.to_string(),
        "type": event.kind.as_str(),
        "details": details,
        "previous_event_id": event.previous_event_id.to_string(),
        "event_timestamp": event.timestamp.as_millisecond().to_string(),
        "execution_arn": execution_arn,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_select_events_as_aws_does() {
        use EventType::*;
        assert!(Level::All.includes(PassStateEntered));
        assert!(Level::Error.includes(LambdaFunctionFailed));
        assert!(Level::Error.includes(ExecutionFailed));
        assert!(Level::Error.includes(MapIterationFailed));
        assert!(Level::Error.includes(TaskStateAborted));
        assert!(!Level::Error.includes(PassStateExited));
        assert!(Level::Fatal.includes(ExecutionTimedOut));
        assert!(!Level::Fatal.includes(TaskFailed));
        assert!(!Level::Off.includes(ExecutionFailed));
    }

    #[test]
    fn configurations_are_checked() {
        assert!(LoggingConfig::parse(&json!({"level": "LOUD"})).is_err());
        assert!(
            LoggingConfig::parse(&json!({"level": "ALL", "includeExecutionData": "yes"})).is_err()
        );
        let config = LoggingConfig::parse(&json!({"level": "ERROR"})).unwrap();
        assert_eq!(config.level, Level::Error);
        assert!(!config.include_execution_data);
        assert_eq!(LoggingConfig::stored(None), LoggingConfig::off());
    }
}
