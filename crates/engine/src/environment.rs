//! What the engine needs from the outside world, injected so that tests are exact and instant
//! and a durable runtime can record what an execution observed.

use crate::job::{JobStatus, JobWatch};
use futures::future::BoxFuture;
use jiff::Timestamp;
use serde_json::Value;

/// A task failure as the Task state sees it: the error name and the cause text.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskFailure {
    pub error: String,
    pub cause: Option<String>,
}

/// What a function returned, as Lambda's `Invoke` answers it.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionResult {
    /// The result document.
    pub payload: Value,
    /// The length in bytes of the response body the function's runtime produced (what
    /// Lambda's `Content-Length` says; Python's `json.dumps` spaces its separators), when the
    /// invoker knows it.
    pub body_bytes: Option<usize>,
    /// The invocation's log as Lambda writes it (`START`, the function's prints, `END`,
    /// `REPORT`), when the invoker captured it: `LogType: Tail` returns its last 4 KB.
    pub log: Option<String>,
}

impl From<Value> for FunctionResult {
    fn from(payload: Value) -> Self {
        FunctionResult {
            payload,
            body_bytes: None,
            log: None,
        }
    }
}

/// A call of a function for a Task state.
#[derive(Debug, Clone)]
pub struct FunctionCall {
    /// The function name as configured by the operator (the last part of a Lambda ARN).
    pub function_name: String,
    pub payload: Value,
    /// A fresh id that the function sees as its request id.
    pub request_id: String,
}

/// A task the execution waits on: an activity task that workers take with `GetActivityTask`,
/// or a `.waitForTaskToken` callback. Both end with `SendTaskSuccess` / `SendTaskFailure` with
/// the task's token, or with a timeout (Step Functions developer guide, "Learn about
/// Activities in Step Functions" and "Wait for a Callback with Task Token").
#[derive(Debug, Clone, PartialEq)]
pub struct TaskWait {
    /// The token (`$$.Task.Token`), from [`Environment::task_token`].
    pub token: String,
    /// The activity, for an activity task.
    pub activity_arn: Option<String>,
    /// What a worker receives as the task's input.
    pub input: Value,
    /// When the task was scheduled (its scheduled event's time, the same on a replay).
    pub scheduled: Timestamp,
    /// When `TimeoutSeconds` ends the task.
    pub timeout_at: Option<Timestamp>,
    /// `HeartbeatSeconds`: the longest a worker may stay silent.
    pub heartbeat_seconds: Option<u64>,
    /// Whether the engine has recorded the worker's start (`ActivityStarted`) already.
    pub seen_started: bool,
}

/// A call of an AWS service integration for a Task state (`arn:aws:states:::SERVICE:ACTION`,
/// `arn:aws:states:::aws-sdk:SERVICE:ACTION`, with `.waitForTaskToken` when the resource says
/// so), other than the ones the engine answers itself (`lambda:invoke` on the operator's
/// functions, Step Functions' own actions). The environment decides whether it may be made.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceRequest {
    /// The Task's `Resource` as written.
    pub resource: String,
    /// The effective parameters (after `Parameters` / `Arguments`).
    pub parameters: Value,
    /// The execution's region.
    pub region: String,
    /// The state machine's ARN.
    pub state_machine_arn: String,
    /// The execution's ARN.
    pub execution_arn: String,
    /// The request's `Body` as these bytes rather than as the JSON text a `Body` parameter
    /// becomes: set only by the engine's own S3 writes (a Distributed Map's `ResultWriter`
    /// files), never from a definition.
    pub raw_body: Option<String>,
}

/// Something that calls AWS services for Task states: the service integrations implement it
/// (`fluxo-aws`, adapted by the runtime), so that the engine depends on none of them.
pub trait ServiceInvoker: Send + Sync {
    /// The call's result in Step Functions' shape, or the failure as Step Functions names it.
    /// The future must own what it needs: the engine races it against `TimeoutSeconds` and
    /// drops it when the timeout wins.
    fn call(&self, request: ServiceRequest) -> BoxFuture<'static, Result<Value, TaskFailure>>;

    /// Whether the operator turned on the integration named by this resource ARN
    /// (`arn:aws:states:::lambda:invoke`): the engine asks before it sends a Lambda call that
    /// no local function answers to AWS Lambda. The default turns nothing on.
    fn enables(&self, resource: &str) -> bool {
        let _ = resource;
        false
    }

    /// Stops the `.sync` job of `job`, whose task ended without it (its execution stopped, its
    /// task timed out or was aborted): AWS's `.sync` policies allow Step Functions to
    /// (`batch:TerminateJob`, `athena:StopQueryExecution`, `glue:BatchStopJobRun`). Best
    /// effort; the default stops nothing.
    fn stop_job(&self, job: &JobWatch) -> BoxFuture<'static, ()> {
        let _ = job;
        Box::pin(async {})
    }

    /// Where the `.sync` job of `job` stands, read from its service; `Err`: it could not be
    /// read this time (the watcher looks again, and fails the task after a few such answers
    /// in a row). The default knows of no job: the task fails with `States.Runtime`.
    fn job_status(&self, job: &JobWatch) -> BoxFuture<'static, Result<JobStatus, TaskFailure>> {
        let cause = format!("Fluxo cannot watch the job of '{}'", job.resource);
        Box::pin(async move {
            Ok(JobStatus::Failed(TaskFailure {
                error: "States.Runtime".into(),
                cause: Some(cause),
            }))
        })
    }
}

/// The optimized Lambda integration's resource: what a Lambda call that runs on AWS is sent as.
pub const LAMBDA_INVOKE: &str = "arn:aws:states:::lambda:invoke";

/// No service integrations: every call fails with `States.Runtime` naming the setting.
pub struct NoServices;

impl ServiceInvoker for NoServices {
    fn call(&self, request: ServiceRequest) -> BoxFuture<'static, Result<Value, TaskFailure>> {
        Box::pin(async move {
            Err(TaskFailure {
                error: "States.Runtime".into(),
                cause: Some(format!(
                    "The AWS service integration '{}' is off: Fluxo calls AWS services only when the [aws] section of fluxo.toml turns them on (enabled = \"all\" or a list of services and actions)",
                    request.resource
                )),
            })
        })
    }
}

/// A distributed Map's child execution that ended, as the execution of its own that it is
/// (developer guide, "Distributed Map state child workflow executions": each child has an ARN
/// `…:execution:MACHINE/LABEL:NAME` and a history, listed by `ListExecutions` with the Map
/// Run's ARN). Handed to [`Environment::child_execution_ended`].
#[derive(Debug, Clone, PartialEq)]
pub struct ChildExecution {
    pub execution_arn: String,
    /// `…:stateMachine:MACHINE/LABEL`.
    pub state_machine_arn: String,
    pub name: String,
    pub map_run_arn: String,
    /// Its input (the item or the batch) as JSON text.
    pub input: String,
    /// SUCCEEDED, FAILED or ABORTED; RUNNING when handed to
    /// [`Environment::child_execution_started`].
    pub status: crate::ExecutionStatus,
    /// JSON text, when it succeeded.
    pub output: Option<String>,
    pub error: Option<String>,
    pub cause: Option<String>,
    pub start: Timestamp,
    /// When it ended (its start while it runs).
    pub stop: Timestamp,
    /// Its history, `ExecutionStarted` to its end, in id order.
    pub events: Vec<crate::RecordedEvent>,
}

impl ChildExecution {
    /// The child, as handed to [`Environment::child_execution_started`], aborted at `stop`:
    /// ABORTED, with `ExecutionAborted` after its events. What AWS shows of a child whose
    /// parent was stopped ("Distributed Map state child workflow executions": stopping the
    /// parent aborts the Map Run and its running children).
    pub fn aborted_at(mut self, stop: Timestamp) -> ChildExecution {
        let id = self.events.len() as u64 + 1;
        self.events.push(crate::RecordedEvent {
            event: crate::HistoryEvent {
                id,
                previous_event_id: id - 1,
                timestamp: stop,
                kind: fluxo_types::EventType::ExecutionAborted,
                details: None,
            },
            thread: String::new(),
            seq: (id - 1) as u32,
        });
        self.status = crate::ExecutionStatus::Aborted;
        self.output = None;
        self.stop = stop;
        self
    }
}

/// How a nested execution's end completes its parent's task (Step Functions developer guide,
/// "Start a new AWS Step Functions state machine from a running execution").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nested {
    /// `.sync`: `DescribeExecution`'s answer with `Output` as JSON text.
    Sync,
    /// `.sync:2`: the same with `Output` parsed.
    Sync2,
}

/// What [`Environment::await_task`] reports.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskProgress {
    /// A worker took the activity task (`workerName` when it gave one); not reported again
    /// once [`TaskWait::seen_started`] is set.
    Started { worker_name: Option<String> },
    /// `SendTaskSuccess`'s output.
    Succeeded(Value),
    /// `SendTaskFailure`: both fields may be absent.
    Failed {
        error: Option<String>,
        cause: Option<String>,
    },
    /// `TimeoutSeconds` passed.
    TimedOut,
    /// `HeartbeatSeconds` passed without a heartbeat.
    HeartbeatTimedOut,
}

pub trait Environment: Send + Sync {
    /// The current time.
    fn now(&self) -> Timestamp;

    /// Resolves once `deadline` has passed. Used for deadlines raced against other work (task
    /// and execution timeouts).
    fn sleep_until(&self, deadline: Timestamp) -> BoxFuture<'_, ()>;

    /// Waits until `deadline` with nothing else to do on this branch: Wait states and retry
    /// back-offs. A durable runtime may unload an execution whose branches are all parked
    /// (see [`Environment::set_idle`]); it must take note of the deadline when this is called,
    /// not when the future is first polled.
    fn park_until(&self, deadline: Timestamp) -> BoxFuture<'_, ()> {
        self.sleep_until(deadline)
    }

    /// A seed for the execution's random source (`States.UUID`, `States.MathRandom`, jitter).
    fn random_seed(&self) -> u64;

    /// Invokes an operator-configured function.
    ///
    /// Also used by the callback pattern (`lambda:invoke.waitForTaskToken`): the function gets
    /// the task token in its payload and the task ends with `SendTaskSuccess`.
    fn invoke_function(
        &self,
        call: FunctionCall,
    ) -> BoxFuture<'_, Result<FunctionResult, TaskFailure>>;

    /// Whether a Lambda call of `function` (the last part of its ARN) goes to AWS Lambda through
    /// [`Environment::call_service`] rather than to [`Environment::invoke_function`]: the
    /// operator defined no local function of that name and turned Lambda on in the service
    /// integrations (issue 14: "`lambda:invoke` against real Lambda for functions that the
    /// operator did not define locally"). The default keeps every call local.
    fn runs_on_aws_lambda(&self, function: &str) -> bool {
        let _ = function;
        false
    }

    /// Makes events durable. The engine calls it with every event not yet persisted before it
    /// starts an effect (a function call, a timer) and when the execution ends, and waits for
    /// it: events between two such points follow deterministically from the persisted ones, so a
    /// replay after a crash recreates them. In-memory runs keep the default, which does nothing.
    fn persist(&self, events: Vec<crate::RecordedEvent>) -> BoxFuture<'_, ()> {
        drop(events);
        Box::pin(async {})
    }

    /// Whether [`Environment::persist`] keeps events: when not, the engine does not copy them
    /// out of its journal at all.
    fn persists(&self) -> bool {
        false
    }

    /// The token of the task whose scheduled event is at this position of the execution's
    /// history (`thread`, `seq`: see [`crate::RecordedEvent`]). It must be the same when the
    /// execution replays, and impossible to guess for a durable environment. The default (an
    /// environment that cannot serve tasks) makes a fresh one.
    fn task_token(&self, thread: &str, seq: u32) -> String {
        let _ = (thread, seq);
        uuid::Uuid::new_v4().to_string()
    }

    /// Whether the activity exists (checked when an activity task is scheduled, not on a
    /// replay). An environment without activities has none.
    fn activity_exists(&self, arn: &str) -> BoxFuture<'_, bool> {
        let _ = arn;
        Box::pin(async { false })
    }

    /// Opens the task durably, so that workers can take or complete it; opening again (a
    /// replay) changes nothing. Called after the scheduled event is persisted.
    fn open_task(&self, wait: &TaskWait) -> BoxFuture<'_, Result<(), TaskFailure>> {
        let _ = wait;
        Box::pin(async {
            Err(TaskFailure {
                error: "States.Runtime".into(),
                cause: Some(
                    "Activities and task tokens need a durable runtime (fluxo server)".into(),
                ),
            })
        })
    }

    /// Waits for the opened task's next progress (a worker's start, then its outcome or a
    /// timeout). Deadlines must be registered when this is called, as with
    /// [`Environment::park_until`]: the engine counts the thread as parked while it waits.
    fn await_task(&self, wait: TaskWait) -> BoxFuture<'_, TaskProgress> {
        let _ = wait;
        Box::pin(std::future::pending())
    }

    /// Told that the outcome of the task `token` is recorded by the event at `thread`/`seq`:
    /// once that event is persisted, the task can be forgotten.
    fn task_recorded(&self, token: &str, thread: &str, seq: u32) {
        let _ = (token, thread, seq);
    }

    /// Calls an action of Step Functions' own API for a Task state
    /// (`arn:aws:states:::aws-sdk:sfn:ACTION`, the SDK's parameter names: `ActivityArn`,
    /// `TaskToken`...), answered by this Fluxo itself; the result in the SDK's shape (the action
    /// `states:startExecution` is the optimized integration, in its own shape). Failures
    /// are named as the AWS SDK integration names them (`Sfn.InvalidTokenException`). An
    /// environment without the API has none of its actions.
    ///
    /// `link`, for `states:startExecution.sync[:2]`: the environment opens `TaskWait`'s task
    /// with the child it starts (named after the token when the parameters give no `Name`, so
    /// that a replay finds it again), and the child's end completes the task.
    fn call_own_api(
        &self,
        action: &str,
        parameters: Value,
        link: Option<(Nested, TaskWait)>,
    ) -> BoxFuture<'_, Result<Value, TaskFailure>> {
        let _ = (parameters, link);
        let action = action.to_string();
        Box::pin(async move {
            Err(TaskFailure {
                error: "States.Runtime".into(),
                cause: Some(format!(
                    "The Step Functions action {action} needs the API server (fluxo server)"
                )),
            })
        })
    }

    /// Makes an HTTP Task's call (`arn:aws:states:::http:invoke`) with its effective
    /// parameters (`ApiEndpoint`, `Method`, `Headers`, ..., `Authentication.ConnectionArn`)
    /// and answers AWS's result (`Headers`, `ResponseBody`, `StatusCode`, `StatusText`) or a
    /// failure named as AWS names it (`States.Http.StatusCode.404`...). Called after the
    /// task's scheduled and started events are persisted. An environment without an
    /// [`HttpCaller`] has no HTTP Tasks.
    fn call_http(&self, parameters: Value) -> BoxFuture<'_, Result<Value, TaskFailure>> {
        drop(parameters);
        Box::pin(async {
            Err(TaskFailure {
                error: "States.Runtime".into(),
                cause: Some("HTTP Tasks are not available in this environment".into()),
            })
        })
    }

    /// Watches a `.sync` job until it ends and completes its task then (see [`JobWatch`]);
    /// must return at once, and may be told of the same job again. The default watches
    /// nothing (definitions with `.sync` jobs need a durable runtime).
    fn watch_job(&self, job: JobWatch) {
        drop(job);
    }

    /// Calls an AWS service integration (see [`ServiceRequest`]). The default has none.
    fn call_service(&self, request: ServiceRequest) -> BoxFuture<'_, Result<Value, TaskFailure>> {
        NoServices.call(request)
    }

    /// A distributed Map's report of its Map Run: when it starts, as it goes (at most every
    /// 200 ms of the run) and when it ends. The environment keeps the record
    /// (`DescribeMapRun`, `ListMapRuns`) and answers the run's limits as they are now, which
    /// `UpdateMapRun` may have changed since the last report (`None`: unchanged). The default
    /// keeps nothing.
    fn map_run(
        &self,
        report: &fluxo_types::map_run::MapRunRecord,
    ) -> BoxFuture<'_, Option<fluxo_types::map_run::MapRunLimits>> {
        let _ = report;
        Box::pin(async { None })
    }

    /// The outcome a Map Run that ended stored with its last [`Environment::map_run`] report
    /// (`MapRunRecord::outcome`), for a replay of its parent that finds the run's end
    /// recorded. The default keeps nothing: the replay runs the children again.
    fn map_run_outcome(&self, arn: &str) -> BoxFuture<'_, Option<String>> {
        let _ = arn;
        Box::pin(async { None })
    }

    /// Whether a distributed Map's child executions keep histories of their own, handed to
    /// [`Environment::child_execution_ended`] (a durable runtime keeps them in its store; the
    /// default keeps none, and the children record no details).
    fn keeps_child_histories(&self) -> bool {
        false
    }

    /// A distributed Map's Standard child execution started (only told to an environment
    /// that [`Environment::keeps_child_histories`]): RUNNING, with its `ExecutionStarted`. If
    /// it is never handed to [`Environment::child_execution_ended`] (its parent was stopped,
    /// timed out or failed elsewhere while it ran, and its future was dropped), closing it is
    /// the environment's: [`ChildExecution::aborted_at`] is its record.
    fn child_execution_started(&self, child: ChildExecution) {
        drop(child);
    }

    /// A distributed Map's child execution ended (only asked of an environment that
    /// [`Environment::keeps_child_histories`]). The parent goes on once this resolves; a
    /// child that runs again (a redriven Map Run) is handed over again, under the same ARN.
    fn child_execution_ended(&self, child: ChildExecution) -> BoxFuture<'_, ()> {
        drop(child);
        Box::pin(async {})
    }

    /// Told when every thread of the execution that is running states is parked (`true`) and
    /// when one wakes or starts (`false`). Parks register their deadline with
    /// [`Environment::park_until`] when it is called, before the engine reports the execution
    /// idle, and everything the execution did is persisted by then: a durable runtime may drop
    /// an idle execution and replay it when its earliest deadline comes.
    fn set_idle(&self, idle: bool) {
        let _ = idle;
    }
}

/// Time from tokio's clock, anchored to the wall clock when the environment is made, so that a
/// runtime with paused time (tests, the conformance runner) makes Wait states and back-offs
/// instant and exact while a normal runtime waits for real.
pub struct SystemEnvironment<F> {
    functions: F,
    http: Option<std::sync::Arc<dyn HttpCaller>>,
    services: Option<std::sync::Arc<dyn ServiceInvoker>>,
    origin: Timestamp,
    origin_instant: tokio::time::Instant,
    seed: Option<u64>,
}

impl<F> SystemEnvironment<F> {
    pub fn new(functions: F) -> Self {
        SystemEnvironment {
            functions,
            http: None,
            services: None,
            origin: Timestamp::now(),
            origin_instant: tokio::time::Instant::now(),
            seed: None,
        }
    }

    /// Makes `States.UUID`, `States.MathRandom` and jitter reproducible.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Calls AWS service integrations through `services` (none otherwise).
    pub fn with_services(mut self, services: std::sync::Arc<dyn ServiceInvoker>) -> Self {
        self.services = Some(services);
        self
    }

    pub fn functions(&self) -> &F {
        &self.functions
    }

    /// Gives the environment HTTP Tasks ([`Environment::call_http`]).
    pub fn with_http(mut self, http: std::sync::Arc<dyn HttpCaller>) -> Self {
        self.http = Some(http);
        self
    }
}

/// Something that makes HTTP Tasks' calls (the runtime's, over `fluxo-http`): see
/// [`Environment::call_http`].
pub trait HttpCaller: Send + Sync {
    fn call(&self, parameters: Value) -> BoxFuture<'_, Result<Value, TaskFailure>>;
}

/// Something that runs functions; the task integrations implement it.
pub trait FunctionInvoker: Send + Sync {
    fn invoke(&self, call: FunctionCall) -> BoxFuture<'_, Result<FunctionResult, TaskFailure>>;

    /// Whether the operator defined the function `name` (the last part of its ARN). A function
    /// that is not defined runs on AWS Lambda when the service integrations turn Lambda on
    /// (see [`Environment::runs_on_aws_lambda`]). Invokers that answer every name keep the
    /// default.
    fn defines(&self, name: &str) -> bool {
        let _ = name;
        true
    }
}

impl<T: FunctionInvoker + ?Sized> FunctionInvoker for std::sync::Arc<T> {
    fn invoke(&self, call: FunctionCall) -> BoxFuture<'_, Result<FunctionResult, TaskFailure>> {
        (**self).invoke(call)
    }

    fn defines(&self, name: &str) -> bool {
        (**self).defines(name)
    }
}

/// No functions configured: every Task call fails the way AWS reports an unknown function.
pub struct NoFunctions;

impl FunctionInvoker for NoFunctions {
    fn invoke(&self, call: FunctionCall) -> BoxFuture<'_, Result<FunctionResult, TaskFailure>> {
        Box::pin(async move {
            Err(TaskFailure {
                error: "Lambda.ResourceNotFoundException".into(),
                cause: Some(format!(
                    "Function not found: {} (no functions are configured)",
                    call.function_name
                )),
            })
        })
    }

    fn defines(&self, _name: &str) -> bool {
        false
    }
}

impl<F: FunctionInvoker> Environment for SystemEnvironment<F> {
    fn now(&self) -> Timestamp {
        // Called for every event: plain nanosecond arithmetic instead of checked span additions.
        let elapsed = self.origin_instant.elapsed().as_nanos() as i128;
        Timestamp::from_nanosecond(self.origin.as_nanosecond() + elapsed).unwrap_or(Timestamp::MAX)
    }

    fn sleep_until(&self, deadline: Timestamp) -> BoxFuture<'_, ()> {
        let offset = deadline.duration_since(self.origin);
        let target = std::time::Duration::try_from(offset)
            .ok()
            .and_then(|offset| self.origin_instant.checked_add(offset));
        Box::pin(async move {
            match target {
                Some(target) => tokio::time::sleep_until(target).await,
                // The deadline is before the origin: it has passed.
                None if offset.is_negative() => {}
                // Too far in the future for the platform's clock: never.
                None => std::future::pending().await,
            }
        })
    }

    fn random_seed(&self) -> u64 {
        self.seed.unwrap_or_else(rand::random)
    }

    fn invoke_function(
        &self,
        call: FunctionCall,
    ) -> BoxFuture<'_, Result<FunctionResult, TaskFailure>> {
        self.functions.invoke(call)
    }

    fn runs_on_aws_lambda(&self, function: &str) -> bool {
        !self.functions.defines(function)
            && self
                .services
                .as_ref()
                .is_some_and(|services| services.enables(LAMBDA_INVOKE))
    }

    fn call_http(&self, parameters: Value) -> BoxFuture<'_, Result<Value, TaskFailure>> {
        match &self.http {
            Some(http) => http.call(parameters),
            None => Box::pin(async {
                Err(TaskFailure {
                    error: "States.Runtime".into(),
                    cause: Some("HTTP Tasks are not available in this environment".into()),
                })
            }),
        }
    }

    fn call_service(&self, request: ServiceRequest) -> BoxFuture<'_, Result<Value, TaskFailure>> {
        match &self.services {
            Some(services) => services.call(request),
            None => NoServices.call(request),
        }
    }
}
