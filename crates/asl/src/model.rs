//! The compiled definition model: what the engine steps through.
//!
//! Built from a definition document that [`crate::validate`] accepted. Paths, templates and Choice
//! rules are compiled here, once, so the engine never re-parses anything while it runs. The builder
//! still reports problems as diagnostics rather than panicking, because a caller may skip
//! validation.

mod build;
mod resource;

pub use build::build;
pub use resource::{Integration, IntegrationPattern};

use crate::choice::Choice;
use fluxo_expr::{Intrinsic, Path, PayloadTemplate, ReferencePath};
use fluxo_types::StateType;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// The language of a state's expressions (`QueryLanguage`, top level or per state).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryLanguage {
    JsonPath,
    Jsonata,
}

/// A state machine, or the nested one inside a Parallel branch or a Map processor.
#[derive(Debug)]
pub struct StateMachine {
    pub start_at: String,
    pub states: HashMap<String, Arc<State>>,
    pub timeout_seconds: Option<u64>,
    pub query_language: QueryLanguage,
    /// Whether any expression may read `$$.Execution.Input`. When none can, the engine leaves
    /// the input out of the context object it builds for every state, which would otherwise
    /// copy the whole execution input per state entered.
    pub reads_execution_input: bool,
}

impl StateMachine {
    pub fn state(&self, name: &str) -> Option<&Arc<State>> {
        self.states.get(name)
    }
}

#[derive(Debug)]
pub struct State {
    pub name: String,
    pub kind: StateKind,
    pub io: DataFlow,
    pub transition: Transition,
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
    pub assign: Option<PayloadTemplate>,
    /// Whether any expression of the state may read the context object (`$$`); when none can,
    /// the engine does not build it.
    pub reads_context: bool,
}

impl State {
    /// The state's type, which names its history events (`Pass` in `PassStateEntered`).
    pub fn state_type(&self) -> StateType {
        match &self.kind {
            StateKind::Pass { .. } => StateType::Pass,
            StateKind::Task(_) => StateType::Task,
            StateKind::Choice { .. } => StateType::Choice,
            StateKind::Wait(_) => StateType::Wait,
            StateKind::Succeed => StateType::Succeed,
            StateKind::Fail { .. } => StateType::Fail,
            StateKind::Parallel { .. } => StateType::Parallel,
            StateKind::Map(_) => StateType::Map,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    Next(String),
    End,
    /// Choice, Succeed and Fail decide for themselves.
    None,
}

/// `InputPath` / `OutputPath`: absent means `$`, `null` means `{}`.
#[derive(Debug, Clone)]
pub enum PathField {
    Identity,
    Empty,
    Path(Path),
}

/// `ResultPath`: absent means `$` (the result replaces the input), `null` discards the result.
#[derive(Debug, Clone)]
pub enum ResultPathField {
    Replace,
    Discard,
    Path(ReferencePath),
}

/// The JSONPath-mode data flow fields common to most state types.
#[derive(Debug)]
pub struct DataFlow {
    pub input_path: PathField,
    pub parameters: Option<PayloadTemplate>,
    pub result_selector: Option<PayloadTemplate>,
    pub result_path: ResultPathField,
    pub output_path: PathField,
}

/// A value given either literally or by a path into the input (`Seconds` / `SecondsPath`, ...).
/// Some `…Path` fields (`ErrorPath`, `CausePath`) also take an intrinsic function call.
#[derive(Debug, Clone)]
pub enum ValueOrPath<T> {
    Value(T),
    Path(Path),
    Intrinsic(Intrinsic),
}

#[derive(Debug)]
pub enum StateKind {
    Pass {
        result: Option<Value>,
    },
    Task(Task),
    Choice {
        choices: Vec<Choice>,
        /// The compiled `Assign` of each choice, by index.
        choice_assigns: Vec<Option<PayloadTemplate>>,
        default: Option<String>,
    },
    Wait(WaitFor),
    Succeed,
    Fail {
        error: Option<ValueOrPath<String>>,
        cause: Option<ValueOrPath<String>>,
    },
    Parallel {
        branches: Vec<Arc<StateMachine>>,
    },
    Map(Box<MapState>),
}

#[derive(Debug)]
pub struct Task {
    pub resource: String,
    /// What `resource` calls, compiled once.
    pub integration: Integration,
    pub timeout_seconds: Option<ValueOrPath<u64>>,
    pub heartbeat_seconds: Option<ValueOrPath<u64>>,
    pub credentials: Option<Value>,
}

#[derive(Debug)]
pub enum WaitFor {
    Seconds(ValueOrPath<u64>),
    Timestamp(ValueOrPath<String>),
}

#[derive(Debug)]
pub struct MapState {
    pub processor: Arc<StateMachine>,
    pub items_path: PathField,
    pub item_selector: Option<PayloadTemplate>,
    /// The item selector reads nothing of `$$` but `$$.Map`: an iteration then builds only that
    /// part of the context object.
    pub item_selector_reads_only_map: bool,
    pub max_concurrency: ValueOrPath<u64>,
    pub tolerated_failure_count: Option<ValueOrPath<Value>>,
    pub tolerated_failure_percentage: Option<ValueOrPath<Value>>,
    pub distributed: bool,
    /// `Label` of a distributed Map: names its Map Runs (`mapRun:MACHINE/LABEL:ID`).
    pub label: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Retrier {
    pub error_equals: Vec<String>,
    pub interval_seconds: f64,
    pub max_attempts: u32,
    pub backoff_rate: f64,
    pub max_delay_seconds: Option<f64>,
    pub jitter_full: bool,
}

#[derive(Debug, Clone)]
pub struct Catcher {
    pub error_equals: Vec<String>,
    pub next: String,
    pub result_path: ResultPathField,
    pub assign: Option<PayloadTemplate>,
}

/// Whether an error name is matched by an `ErrorEquals` list, with AWS's wildcard rules:
/// `States.ALL` matches any name and `States.TaskFailed` any but `States.Timeout`. (Errors that
/// no retrier or catcher may handle, such as `States.Runtime`, are filtered by the engine first.)
pub fn error_matches(error_equals: &[String], error: &str) -> bool {
    error_equals
        .iter()
        .any(|candidate| match candidate.as_str() {
            "States.ALL" => true,
            "States.TaskFailed" => error != "States.Timeout",
            other => other == error,
        })
}
