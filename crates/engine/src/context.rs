//! The context object (`$$`).

use crate::execution::Frame;
use crate::ExecutionRequest;
use jiff::Timestamp;
use serde_json::{json, Map, Value};

/// The parts of `$$` that stay the same for the whole execution.
#[derive(Clone)]
pub(crate) struct ContextObject {
    execution: Value,
    state_machine: Value,
    state_machine_arn: String,
    region: String,
}

/// The parts of `$$.State` for the state being run.
pub(crate) struct StateContext {
    pub name: String,
    pub entered_id: u64,
    pub entered_time: Timestamp,
    /// Present for states that can retry.
    pub retry_count: Option<u32>,
    /// False when no expression of the state can read `$$`: the context is then not built.
    pub reads_context: bool,
}

/// AWS renders context timestamps with millisecond precision and a `Z`.
pub(crate) fn format_timestamp(time: Timestamp) -> String {
    time.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

impl ContextObject {
    /// `with_input: false` leaves `Execution.Input` out, for definitions that never read it.
    pub fn new(request: &ExecutionRequest, start_time: Timestamp, with_input: bool) -> Self {
        let mut execution = json!({
            "Id": request.execution_arn,
            "Input": if with_input { request.input.clone() } else { Value::Null },
            "Name": request.execution_name,
            "RoleArn": request.role_arn,
            "StartTime": format_timestamp(start_time),
        });
        if !request.express {
            execution["RedriveCount"] = json!(0);
        }
        ContextObject {
            execution,
            state_machine: json!({
                "Id": request.state_machine_arn,
                "Name": request.state_machine_name,
            }),
            state_machine_arn: request.state_machine_arn.clone(),
            region: request.region.clone(),
        }
    }

    pub fn state_machine_arn(&self) -> &str {
        &self.state_machine_arn
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    /// The account id, as it appears in the state machine's ARN.
    pub fn account(&self) -> &str {
        self.state_machine_arn.split(':').nth(4).unwrap_or_default()
    }

    pub fn for_state(&self, state: &StateContext, frame: &Frame) -> Value {
        if !state.reads_context {
            return Value::Null;
        }
        let mut state_object = Map::new();
        state_object.insert(
            "EnteredTime".into(),
            Value::String(format_timestamp(state.entered_time)),
        );
        state_object.insert("Name".into(), Value::String(state.name.clone()));
        if let Some(retry_count) = state.retry_count {
            state_object.insert("RetryCount".into(), json!(retry_count));
        }
        let mut context = Map::new();
        context.insert("Execution".into(), self.execution.clone());
        context.insert("StateMachine".into(), self.state_machine.clone());
        context.insert("State".into(), Value::Object(state_object));
        if let Some(item) = &frame.map_item {
            context.insert("Map".into(), json!({ "Item": item }));
        }
        Value::Object(context)
    }
}
