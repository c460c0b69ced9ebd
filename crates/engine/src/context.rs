//! The context object (`$$`): what an expression reads with `$$.Execution`, `$$.StateMachine`,
//! `$$.State` and `$$.Map` (Step Functions developer guide, "Accessing execution data from the
//! Context object").

use crate::frame::Frame;
use crate::ExecutionRequest;
use jiff::Timestamp;
use serde_json::{json, Map, Value};
use std::sync::OnceLock;

/// The parts of `$$` that stay the same for the whole execution. Their JSON is built the first
/// time a state reads `$$`: most states of most machines never do.
#[derive(Clone)]
pub(crate) struct ContextObject {
    execution_arn: String,
    execution_name: String,
    role_arn: String,
    state_machine_arn: String,
    state_machine_name: String,
    region: String,
    start_time: Timestamp,
    express: bool,
    /// `Execution.RedriveCount`, and `Execution.RedriveTime` once redriven.
    redrives: (u32, Option<Timestamp>),
    /// `Execution.Input`, kept only for definitions that can read it.
    input: Option<Value>,
    execution: OnceLock<Value>,
    state_machine: OnceLock<Value>,
    /// The context object a TestState request gave, which every state sees instead.
    given: Option<Value>,
}

/// The names of a distributed Map's child execution: its state machine `MACHINE/LABEL` and
/// its own name (a UUID).
#[derive(Clone, Copy)]
pub(crate) struct ChildNames<'n> {
    pub machine: &'n str,
    pub name: &'n str,
}

/// The parts of `$$.State` for the state being run.
pub(crate) struct StateContext<'s> {
    pub name: &'s str,
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
        ContextObject {
            execution_arn: request.execution_arn.clone(),
            execution_name: request.execution_name.clone(),
            role_arn: request.role_arn.clone(),
            state_machine_arn: request.state_machine_arn.clone(),
            state_machine_name: request.state_machine_name.clone(),
            region: request.region.clone(),
            start_time,
            express: request.express,
            redrives: (0, None),
            input: with_input.then(|| request.input.clone()),
            execution: OnceLock::new(),
            state_machine: OnceLock::new(),
            given: None,
        }
    }

    /// The context of a distributed Map's child execution (developer guide, "Distributed Map
    /// state child workflow executions"): `Execution.Id` is
    /// `arn:aws:states:REGION:ACCOUNT:execution:MACHINE/LABEL:NAME`, `StateMachine` the
    /// child's `MACHINE/LABEL`, `Execution.Input` its item (or batch).
    pub fn for_child(&self, child: ChildNames<'_>, input: &Value, start_time: Timestamp) -> Self {
        let account = self.account().to_string();
        ContextObject {
            execution_arn: fluxo_types::arn::execution(
                &self.region,
                &account,
                child.machine,
                child.name,
            ),
            execution_name: child.name.to_string(),
            role_arn: self.role_arn.clone(),
            state_machine_arn: fluxo_types::arn::state_machine(
                &self.region,
                &account,
                child.machine,
            ),
            state_machine_name: child.machine.to_string(),
            region: self.region.clone(),
            start_time,
            express: false,
            // A child execution is its own execution: never redriven itself.
            redrives: (0, None),
            input: self.input.as_ref().map(|_| input.clone()),
            execution: OnceLock::new(),
            state_machine: OnceLock::new(),
            given: None,
        }
    }

    /// The start time, once known (a resumed execution takes the recorded one).
    pub fn set_start_time(&mut self, start_time: Timestamp) {
        self.start_time = start_time;
        self.execution = OnceLock::new();
    }

    /// A redriven execution's count of redrives and the time of the last one.
    pub fn set_redrives(&mut self, count: u32, last: Option<Timestamp>) {
        self.redrives = (count, last);
        self.execution = OnceLock::new();
    }

    fn execution(&self) -> &Value {
        self.execution.get_or_init(|| {
            let mut execution = json!({
                "Id": self.execution_arn,
                "Input": self.input.clone().unwrap_or(Value::Null),
                "Name": self.execution_name,
                "RoleArn": self.role_arn,
                "StartTime": format_timestamp(self.start_time),
            });
            if !self.express {
                execution["RedriveCount"] = json!(self.redrives.0);
                if let Some(time) = self.redrives.1 {
                    execution["RedriveTime"] = json!(format_timestamp(time));
                }
            }
            execution
        })
    }

    fn state_machine(&self) -> &Value {
        self.state_machine.get_or_init(|| {
            json!({
                "Id": self.state_machine_arn,
                "Name": self.state_machine_name,
            })
        })
    }

    pub fn state_machine_name(&self) -> &str {
        &self.state_machine_name
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    pub fn execution_arn(&self) -> &str {
        &self.execution_arn
    }

    pub fn execution_name(&self) -> &str {
        &self.execution_name
    }

    pub fn role_arn(&self) -> &str {
        &self.role_arn
    }

    /// When the execution started (the recorded time when resuming).
    pub fn start_time(&self) -> Timestamp {
        self.start_time
    }

    pub fn state_machine_arn(&self) -> &str {
        &self.state_machine_arn
    }

    /// The account id, as it appears in the state machine's ARN.
    pub fn account(&self) -> &str {
        self.state_machine_arn.split(':').nth(4).unwrap_or_default()
    }

    /// Makes every state see `context` as `$$` (TestState's `context`).
    pub fn give(&mut self, context: Value) {
        self.given = Some(context);
    }

    pub fn for_state(&self, state: &StateContext<'_>, frame: &Frame) -> Value {
        if !state.reads_context {
            return Value::Null;
        }
        if let (Some(given), None) = (&self.given, &frame.map_item) {
            return given.clone();
        }
        let mut state_object = Map::new();
        state_object.insert(
            "EnteredTime".into(),
            Value::String(format_timestamp(state.entered_time)),
        );
        state_object.insert("Name".into(), Value::String(state.name.to_string()));
        if let Some(retry_count) = state.retry_count {
            state_object.insert("RetryCount".into(), json!(retry_count));
        }
        let mut context = Map::new();
        context.insert("Execution".into(), self.execution().clone());
        context.insert("StateMachine".into(), self.state_machine().clone());
        context.insert("State".into(), Value::Object(state_object));
        if let Some(item) = &frame.map_item {
            context.insert("Map".into(), json!({ "Item": item }));
        }
        Value::Object(context)
    }
}
