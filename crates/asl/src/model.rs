//! The compiled definition model: what the engine steps through.
//!
//! Built from a definition document that [`crate::validate`] accepted. Paths, templates and Choice
//! rules are compiled here, once, so the engine never re-parses anything while it runs. The builder
//! still reports problems as diagnostics rather than panicking, because a caller may skip
//! validation.

mod build;
pub mod distributed;
mod resource;

pub use build::build;
pub use resource::{Integration, IntegrationPattern};

use crate::choice::ChoiceRule;
use fluxo_expr::{Intrinsic, Path, PayloadTemplate, ReferencePath};
pub use fluxo_jsonata::Template as JsonataTemplate;
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
    /// The state's own language: the machine's unless the state overrides it.
    pub query_language: QueryLanguage,
    pub kind: StateKind,
    pub io: DataFlow,
    pub transition: Transition,
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
    pub assign: Option<Template>,
    /// Whether any expression of the state may read the context object (`$$`, or
    /// `$states.context` in JSONata); when none can, the engine does not build it.
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

/// A payload template in either query language (`Assign`, `ItemSelector`): `.$` keys with
/// paths and intrinsics in JSONPath, `{% %}` strings in JSONata.
#[derive(Debug, Clone)]
pub enum Template {
    JsonPath(PayloadTemplate),
    Jsonata(JsonataTemplate),
}

/// How a state shapes its input and output: the JSONPath fields, or JSONata's `Arguments` and
/// `Output` (Step Functions developer guide, "Transforming data with JSONata": a JSONata state
/// has no InputPath, Parameters, ResultSelector, ResultPath or OutputPath).
#[derive(Debug)]
// One per state, built once: boxing the larger variant would only add an indirection to
// every JSONPath state's steps.
#[allow(clippy::large_enum_variant)]
pub enum DataFlow {
    JsonPath(JsonPathFlow),
    Jsonata(JsonataFlow),
}

impl DataFlow {
    /// The JSONPath fields, when the state is a JSONPath state.
    pub fn json_path(&self) -> Option<&JsonPathFlow> {
        match self {
            DataFlow::JsonPath(flow) => Some(flow),
            DataFlow::Jsonata(_) => None,
        }
    }
}

/// The data flow of a JSONata state.
#[derive(Debug, Default)]
pub struct JsonataFlow {
    /// `Arguments`: the input of a Task's call or of a Parallel's branches; absent means
    /// `$states.input`.
    pub arguments: Option<JsonataTemplate>,
    /// `Output`: the state output; absent means `$states.result` for Task, Parallel and Map,
    /// `$states.input` for the others.
    pub output: Option<JsonataTemplate>,
}

/// The JSONPath-mode data flow fields common to most state types.
#[derive(Debug)]
pub struct JsonPathFlow {
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
    /// A `{% %}` expression, in a JSONata state.
    Jsonata(JsonataTemplate),
}

#[derive(Debug)]
pub enum StateKind {
    Pass {
        result: Option<Value>,
    },
    Task(Task),
    Choice {
        choices: Vec<ChoiceBranch>,
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

/// One rule of a Choice state's `Choices`, in either language.
#[derive(Debug)]
pub struct ChoiceBranch {
    pub condition: Condition,
    pub next: String,
    /// The rule's own `Assign`, applied when the rule is chosen.
    pub assign: Option<Template>,
    /// The rule's own `Output` (JSONata), the state output when the rule is chosen.
    pub output: Option<JsonataTemplate>,
}

/// What decides whether a choice rule is taken.
#[derive(Debug)]
pub enum Condition {
    /// A JSONPath rule (`Variable` with an operator, `And`, `Or`, `Not`).
    JsonPath(ChoiceRule),
    /// A JSONata `Condition`: `true`/`false` or an expression that must give a boolean.
    Jsonata(JsonataTemplate),
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
    /// `Items` of a JSONata Map: a literal array or an expression; absent means
    /// `$states.input`.
    pub items: Option<JsonataTemplate>,
    pub item_selector: Option<Template>,
    /// The item selector reads nothing of `$$` but `$$.Map`: an iteration then builds only that
    /// part of the context object.
    pub item_selector_reads_only_map: bool,
    pub max_concurrency: ValueOrPath<u64>,
    pub tolerated_failure_count: Option<ValueOrPath<Value>>,
    pub tolerated_failure_percentage: Option<ValueOrPath<Value>>,
    pub distributed: bool,
    /// A distributed Map whose `ProcessorConfig.ExecutionType` is `EXPRESS`: its children run
    /// as Express executions (at most five minutes each, no history kept).
    pub express_children: bool,
    /// `ItemReader`: the items come from S3 instead of the state input.
    pub item_reader: Option<distributed::ItemReader>,
    /// `ItemBatcher`: child executions take batches of items.
    pub item_batcher: Option<distributed::ItemBatcher>,
    /// `ResultWriter`: results written to S3 (or only reshaped by `WriterConfig`).
    pub result_writer: Option<distributed::ResultWriter>,
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
    /// JSONPath: where the error output goes (JSONata catchers keep `Replace`).
    pub result_path: ResultPathField,
    /// JSONata: the state output when this catcher is taken; absent means
    /// `$states.errorOutput`.
    pub output: Option<JsonataTemplate>,
    pub assign: Option<Template>,
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
