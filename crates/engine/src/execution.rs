//! One execution: walks the states of a machine, records history, applies Retry and Catch.

use crate::context::{ContextObject, StateContext};
use crate::environment::Environment;
use crate::failure::Failure;
use crate::history::{entered_details, exited_details, HistoryEvent};
use crate::journal::{Journal, RecordedEvent, Thread};
use crate::{ExecutionOutcome, ExecutionRequest, ExecutionStatus};
use fluxo_asl::model::{
    error_matches, PathField, ResultPathField, State, StateKind, StateMachine, Transition,
};
use fluxo_expr::{EvalError, PayloadTemplate, Scope};
use futures::future::BoxFuture;
use jiff::Timestamp;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Map, Value};
use std::borrow::Cow;
use std::sync::{Arc, Mutex};

/// AWS's limit on the size of a state's input or output.
pub const PAYLOAD_LIMIT_BYTES: usize = 256 * 1024;

/// Whether `value`, as JSON text, is over the payload limit; counts without building the text.
pub(crate) fn over_payload_limit(value: &Value) -> bool {
    // Most payloads are far below the limit: a cheap upper bound settles them without
    // formatting a single number.
    let mut budget = PAYLOAD_LIMIT_BYTES;
    if fits_upper_bound(value, &mut budget) {
        return false;
    }
    exact_over_payload_limit(value)
}

/// Spends on `budget` an upper bound of the value's JSON length (every character of a string
/// escaped as `\uXXXX`, every number at its longest); false once the budget runs out.
fn fits_upper_bound(value: &Value, budget: &mut usize) -> bool {
    let cost = match value {
        Value::Null | Value::Bool(_) => 5,
        // An f64 renders in at most 24 characters, an integer in at most 20.
        Value::Number(_) => 24,
        Value::String(text) => 2 + 6 * text.len(),
        Value::Array(items) => {
            if *budget < 2 + items.len() {
                return false;
            }
            *budget -= 2 + items.len();
            return items.iter().all(|item| fits_upper_bound(item, budget));
        }
        Value::Object(map) => {
            if *budget < 2 + 2 * map.len() {
                return false;
            }
            *budget -= 2 + 2 * map.len();
            return map.iter().all(|(key, item)| {
                let key_cost = 2 + 6 * key.len();
                *budget >= key_cost && {
                    *budget -= key_cost;
                    fits_upper_bound(item, budget)
                }
            });
        }
    };
    if *budget < cost {
        return false;
    }
    *budget -= cost;
    true
}

fn exact_over_payload_limit(value: &Value) -> bool {
    struct Counter(usize);
    impl std::io::Write for Counter {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            if self.0 > PAYLOAD_LIMIT_BYTES {
                // Stop early: the answer is known.
                return Err(std::io::Error::other("over the limit"));
            }
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    serde_json::to_writer(&mut Counter(0), value).is_err()
}

/// Runs an execution to its end.
pub async fn execute(
    machine: Arc<StateMachine>,
    request: ExecutionRequest,
    env: Arc<dyn Environment>,
) -> ExecutionOutcome {
    resume(machine, request, env, Vec::new()).await
}

/// Runs an execution to its end, replaying the events it recorded before (none for a new
/// execution): recorded events keep their ids and timestamps, recorded function results are
/// used instead of calling the function again, and only what follows them is new.
pub async fn resume(
    machine: Arc<StateMachine>,
    mut request: ExecutionRequest,
    env: Arc<dyn Environment>,
    recorded: Vec<RecordedEvent>,
) -> ExecutionOutcome {
    // Nobody can read the history of a run that persists nothing and records no details.
    let lean = !request.history_details && !env.persists() && recorded.is_empty();
    let run = Run {
        env: env.as_ref(),
        context: ContextObject::new(&request, env.now(), machine.reads_execution_input),
        journal: Mutex::new(Journal::new(recorded)),
        rng: Mutex::new(StdRng::seed_from_u64(env.random_seed())),
        details: request.history_details,
        lean,
    };
    let mut thread = Thread::root(env.now());
    run.record(
        &mut thread,
        "ExecutionStarted",
        run.details.then(|| {
            details([
                ("input", Value::String(request.input.to_string())),
                ("inputDetails", json!({"truncated": false})),
                ("roleArn", Value::String(request.role_arn.clone())),
            ])
        }),
    );
    // The start time is the recorded one when resuming.
    let start_time = thread.time;
    let mut run = run;
    run.context.set_start_time(start_time);
    let mut frame = Frame::default();
    let input = std::mem::take(&mut request.input);
    let body = run.run_machine(&machine, input, &mut thread, &mut frame);
    let result = match machine.timeout_seconds {
        Some(seconds) => {
            let deadline = add_seconds(start_time, seconds as f64);
            tokio::select! {
                result = body => Some(result),
                _ = env.sleep_until(deadline) => None,
            }
        }
        None => Some(body.await),
    };
    let (status, output, error, cause) = match result {
        Some(Ok(output)) => {
            let text = output.to_string();
            run.record(
                &mut thread,
                "ExecutionSucceeded",
                run.details.then(|| {
                    details([
                        ("output", Value::String(text.clone())),
                        ("outputDetails", json!({"truncated": false})),
                    ])
                }),
            );
            (ExecutionStatus::Succeeded, Some(text), None, None)
        }
        Some(Err(failure)) => {
            run.record(&mut thread, "ExecutionFailed", Some(failure.details()));
            let error = (!failure.error.is_empty()).then_some(failure.error);
            let cause = failure.cause.filter(|cause| !cause.is_empty());
            (ExecutionStatus::Failed, None, error, cause)
        }
        None => {
            // AWS reports a timed-out execution without an error name.
            run.record(&mut thread, "ExecutionTimedOut", None);
            (ExecutionStatus::TimedOut, None, None, None)
        }
    };
    run.persist().await;
    let journal = run.journal.into_inner().unwrap_or_else(|e| e.into_inner());
    ExecutionOutcome {
        status,
        output,
        error,
        cause,
        states_entered: journal.states_entered(),
        history: journal.into_history(),
    }
}

pub(crate) fn details<const N: usize>(entries: [(&str, Value); N]) -> Map<String, Value> {
    entries
        .into_iter()
        .map(|(key, value)| (key.to_string(), value))
        .collect()
}

pub(crate) fn add_seconds(time: Timestamp, seconds: f64) -> Timestamp {
    let duration = jiff::SignedDuration::try_from_secs_f64(seconds.max(0.0))
        .unwrap_or(jiff::SignedDuration::MAX);
    time.checked_add(duration).unwrap_or(Timestamp::MAX)
}

/// Shared by every branch and iteration of one execution.
pub(crate) struct Run<'e> {
    pub env: &'e dyn Environment,
    pub context: ContextObject,
    journal: Mutex<Journal>,
    rng: Mutex<StdRng>,
    /// See [`ExecutionRequest::history_details`].
    pub details: bool,
    /// Keeps no history: every event goes through [`Journal::record_lean`].
    lean: bool,
}

/// What the states of one (nested) state machine can see besides their input.
#[derive(Default, Clone)]
pub(crate) struct Frame {
    pub variables: Map<String, Value>,
    /// `$$.Map.Item` inside a Map iteration.
    pub map_item: Option<Value>,
}

impl Frame {
    /// What an expression sees: `$` is `input`, `$$` is `context`, `$name` this frame's variables.
    pub fn scope<'a>(&'a self, input: &'a Value, context: &'a Value) -> Scope<'a> {
        Scope {
            input,
            context,
            variables: Some(&self.variables),
        }
    }
}

/// What one attempt at a state produced.
pub(crate) struct Completed {
    pub output: Value,
    pub next: Option<String>,
    pub assigned: Option<Map<String, Value>>,
}

impl Run<'_> {
    pub fn record(
        &self,
        thread: &mut Thread,
        kind: &'static str,
        details: Option<Map<String, Value>>,
    ) -> u64 {
        let mut journal = self.journal.lock().unwrap_or_else(|e| e.into_inner());
        if self.lean {
            // The clock is read only where its time is used: a state's entered time (`$$`,
            // Wait) and the start; deadlines read it themselves (`Run::time_of`).
            let now = (kind == "ExecutionStarted" || kind.ends_with("StateEntered"))
                .then(|| self.env.now());
            return journal.record_lean(thread, kind, now);
        }
        let details = details.filter(|_| self.details);
        journal.record(thread, kind, details, self.env.now())
    }

    pub fn is_lean(&self) -> bool {
        self.lean
    }

    /// The time from which a thread's next deadline counts: its latest event's, which a replay
    /// finds again, or for a lean run (never replayed, its clock read sparingly) now.
    pub fn time_of(&self, thread: &Thread) -> Timestamp {
        match self.lean {
            true => self.env.now(),
            false => thread.time,
        }
    }

    /// See [`Journal::abort`].
    pub fn abort_thread(&self, key: &str) -> Option<Thread> {
        self.journal
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .abort(key, self.env.now())
    }

    /// The recorded event at the thread's next position, when this part is being replayed.
    pub fn recorded_next(&self, thread: &Thread) -> Option<HistoryEvent> {
        self.journal
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .recorded_next(thread)
            .cloned()
    }

    /// Hands every new event to the environment to make durable, and waits for it.
    pub async fn persist(&self) {
        let events = {
            let mut journal = self.journal.lock().unwrap_or_else(|e| e.into_inner());
            if !self.env.persists() {
                journal.skip_unpersisted();
                return;
            }
            journal.take_unpersisted()
        };
        if !events.is_empty() {
            self.env.persist(events).await;
        }
    }

    /// Parks this branch until `deadline`, after making the history so far durable.
    pub async fn sleep_until(&self, deadline: Timestamp) {
        self.persist().await;
        self.env.park_until(deadline).await;
    }

    /// A run for a child execution (an iteration of a distributed Map): its events form the
    /// child's own history, not the parent's.
    pub fn detached(&self) -> Run<'_> {
        let seed = self.with_rng(|rng| rng.random());
        Run {
            env: self.env,
            context: self.context.clone(),
            journal: Mutex::new(Journal::new(Vec::new())),
            rng: Mutex::new(StdRng::seed_from_u64(seed)),
            details: self.details,
            lean: self.lean,
        }
    }

    pub fn with_rng<T>(&self, f: impl FnOnce(&mut StdRng) -> T) -> T {
        let mut rng = self.rng.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut rng)
    }

    pub fn run_machine<'a>(
        &'a self,
        machine: &'a StateMachine,
        input: Value,
        thread: &'a mut Thread,
        frame: &'a mut Frame,
    ) -> BoxFuture<'a, Result<Value, Failure>> {
        Box::pin(async move {
            let mut input = input;
            let mut state = lookup(machine, &machine.start_at)?;
            loop {
                let completed = self.run_state(&state, input, thread, frame).await?;
                match completed.next {
                    Some(next) => {
                        state = lookup(machine, &next)?;
                        input = completed.output;
                    }
                    None => return Ok(completed.output),
                }
            }
        })
    }

    async fn run_state(
        &self,
        state: &State,
        input: Value,
        thread: &mut Thread,
        frame: &mut Frame,
    ) -> Result<Completed, Failure> {
        let entered_id = self.record(
            thread,
            entered_kind(state),
            self.details.then(|| entered_details(&state.name, &input)),
        );
        let mut state_context = StateContext {
            name: &state.name,
            entered_id,
            entered_time: thread.time,
            retry_count: None,
            reads_context: state.reads_context,
        };
        if !state.retry.is_empty() || matches!(state.kind, StateKind::Task(_)) {
            state_context.retry_count = Some(0);
        }
        if state.retry.is_empty() && state.catch.is_empty() {
            // Nothing can need the input after this attempt: the state may consume it.
            return match self
                .attempt(state, Cow::Owned(input), &state_context, thread, frame)
                .await
            {
                Ok(completed) => self.complete(state, completed, &state_context, thread, frame),
                Err(failure) => Err(self.branch_failed(state, failure, thread)),
            };
        }
        let mut attempts = vec![0u32; state.retry.len()];
        loop {
            let attempt = self
                .attempt(state, Cow::Borrowed(&input), &state_context, thread, frame)
                .await;
            let failure = match attempt {
                Ok(completed) => {
                    return self.complete(state, completed, &state_context, thread, frame);
                }
                Err(failure) => failure,
            };
            let retry = match failure.is_terminal() {
                true => None,
                false => self.retry_delay(state, &failure, &mut attempts),
            };
            let failure = match retry {
                None => self.branch_failed(state, failure, thread),
                Some(_) => failure,
            };
            if failure.is_terminal() {
                return Err(failure);
            }
            if let Some(delay) = retry {
                let deadline = add_seconds(self.time_of(thread), delay);
                self.sleep_until(deadline).await;
                state_context.retry_count = Some(state_context.retry_count.unwrap_or(0) + 1);
                continue;
            }
            return self.catch(state, failure, input, &state_context, thread, frame);
        }
    }

    /// A failure from a branch or iteration that the state will not retry: the state records
    /// its own failure event.
    fn branch_failed(&self, state: &State, mut failure: Failure, thread: &mut Thread) -> Failure {
        if std::mem::take(&mut failure.from_branch) {
            let kind = match state.kind {
                StateKind::Map(_) => "MapStateFailed",
                _ => "ParallelStateFailed",
            };
            self.record(thread, kind, None);
        }
        failure
    }

    /// Picks the first retrier that matches and has attempts left; returns the delay in seconds.
    fn retry_delay(&self, state: &State, failure: &Failure, attempts: &mut [u32]) -> Option<f64> {
        if !failure.is_retriable() {
            return None;
        }
        let index = state
            .retry
            .iter()
            .position(|retrier| error_matches(&retrier.error_equals, &failure.error))?;
        let retrier = &state.retry[index];
        if attempts[index] >= retrier.max_attempts {
            return None;
        }
        let mut delay =
            retrier.interval_seconds * retrier.backoff_rate.powi(attempts[index] as i32);
        if let Some(max) = retrier.max_delay_seconds {
            delay = delay.min(max);
        }
        if retrier.jitter_full {
            delay = self.with_rng(|rng| rng.random_range(0.0..=delay));
        }
        attempts[index] += 1;
        Some(delay)
    }

    fn catch(
        &self,
        state: &State,
        failure: Failure,
        input: Value,
        state_context: &StateContext<'_>,
        thread: &mut Thread,
        frame: &mut Frame,
    ) -> Result<Completed, Failure> {
        let Some(catcher) = state
            .catch
            .iter()
            .find(|catcher| error_matches(&catcher.error_equals, &failure.error))
        else {
            return Err(failure);
        };
        let error_output = failure.error_output();
        let assigned = match &catcher.assign {
            Some(assign) => {
                Some(self.assign(assign, &error_output, state_context, frame, "Assign")?)
            }
            None => None,
        };
        let output = match &catcher.result_path {
            ResultPathField::Replace => error_output,
            ResultPathField::Discard => input,
            ResultPathField::Path(path) => {
                let mut target = input;
                path.write(&mut target, error_output)
                    .map_err(|e| self.runtime_failure(state_context, e))?;
                target
            }
        };
        self.complete(
            state,
            Completed {
                output,
                next: Some(catcher.next.clone()),
                assigned,
            },
            state_context,
            thread,
            frame,
        )
    }

    /// Records the state's exit and applies its assignments.
    fn complete(
        &self,
        state: &State,
        completed: Completed,
        state_context: &StateContext<'_>,
        thread: &mut Thread,
        frame: &mut Frame,
    ) -> Result<Completed, Failure> {
        if over_payload_limit(&completed.output) {
            return Err(Failure::data_limit(&state.name));
        }
        if let Some(assigned) = &completed.assigned {
            for (name, value) in assigned {
                frame.variables.insert(name.clone(), value.clone());
            }
        }
        if let Some(kind) = exited_kind(state) {
            self.record(
                thread,
                kind,
                self.details.then(|| {
                    exited_details(&state.name, &completed.output, completed.assigned.as_ref())
                }),
            );
        }
        let _ = state_context;
        Ok(completed)
    }

    async fn attempt(
        &self,
        state: &State,
        input: Cow<'_, Value>,
        state_context: &StateContext<'_>,
        thread: &mut Thread,
        frame: &mut Frame,
    ) -> Result<Completed, Failure> {
        match &state.kind {
            StateKind::Pass { result } => {
                crate::states::pass::run(self, state, result.as_ref(), input, state_context, frame)
            }
            StateKind::Choice { .. } => {
                crate::states::choice::run(self, state, input, state_context, frame)
            }
            StateKind::Wait(wait) => {
                Box::pin(crate::states::wait::run(
                    self,
                    state,
                    wait,
                    &input,
                    state_context,
                    frame,
                ))
                .await
            }
            StateKind::Succeed => {
                let context = self.context.for_state(state_context, frame);
                let effective = self
                    .input_path_cow(&state.io.input_path, input, &context, frame, state_context)?
                    .into_owned();
                let output = self.output_path(
                    &state.io.output_path,
                    effective,
                    &context,
                    frame,
                    state_context,
                )?;
                Ok(Completed {
                    output,
                    next: None,
                    assigned: None,
                })
            }
            StateKind::Fail { error, cause } => {
                crate::states::fail::run(self, error, cause, &input, state_context, frame)
            }
            // The futures of the states that wait are boxed: inline, their size would be
            // copied around for every state of every execution.
            StateKind::Task(task) => {
                Box::pin(crate::states::task::run(
                    self,
                    state,
                    task,
                    &input,
                    state_context,
                    thread,
                    frame,
                ))
                .await
            }
            StateKind::Parallel { branches } => {
                Box::pin(crate::states::parallel::run(
                    self,
                    state,
                    branches,
                    &input,
                    state_context,
                    thread,
                    frame,
                ))
                .await
            }
            StateKind::Map(map) => {
                Box::pin(crate::states::map::run(
                    self,
                    state,
                    map,
                    &input,
                    state_context,
                    thread,
                    frame,
                ))
                .await
            }
        }
    }

    // ----- data flow (JSONPath query language) -----

    pub fn runtime_failure(&self, state_context: &StateContext<'_>, error: EvalError) -> Failure {
        Failure::in_state(state_context.name, state_context.entered_id, error)
    }

    /// A `States.Runtime` failure of the state, with `message` after AWS's cause prefix.
    pub fn runtime_error(&self, state_context: &StateContext<'_>, message: String) -> Failure {
        self.runtime_failure(
            state_context,
            EvalError {
                error: "States.Runtime".into(),
                message,
            },
        )
    }

    pub fn input_path(
        &self,
        field: &PathField,
        input: &Value,
        context: &Value,
        frame: &Frame,
        state_context: &StateContext<'_>,
    ) -> Result<Value, Failure> {
        self.select(field, input, context, frame, state_context)
    }

    pub fn output_path(
        &self,
        field: &PathField,
        output: Value,
        context: &Value,
        frame: &Frame,
        state_context: &StateContext<'_>,
    ) -> Result<Value, Failure> {
        match field {
            PathField::Identity => Ok(output),
            _ => self.select(field, &output, context, frame, state_context),
        }
    }

    /// `InputPath`'s selection without a copy when the path is `$`: the input comes back as it
    /// was given, borrowed or owned.
    pub fn input_path_cow<'v>(
        &self,
        field: &PathField,
        input: Cow<'v, Value>,
        context: &Value,
        frame: &Frame,
        state_context: &StateContext<'_>,
    ) -> Result<Cow<'v, Value>, Failure> {
        match field {
            PathField::Identity => Ok(input),
            _ => self
                .select(field, &input, context, frame, state_context)
                .map(Cow::Owned),
        }
    }

    fn select(
        &self,
        field: &PathField,
        input: &Value,
        context: &Value,
        frame: &Frame,
        state_context: &StateContext<'_>,
    ) -> Result<Value, Failure> {
        match field {
            PathField::Identity => Ok(input.clone()),
            PathField::Empty => Ok(Value::Object(Map::new())),
            PathField::Path(path) => {
                let scope = frame.scope(input, context);
                match path.read(&scope) {
                    Ok(Some(value)) => Ok(value),
                    Ok(None) => Err(self.runtime_failure(
                        state_context,
                        EvalError {
                            error: "States.Runtime".into(),
                            message: path.missing_message(&scope),
                        },
                    )),
                    Err(error) => Err(self.runtime_failure(state_context, error)),
                }
            }
        }
    }

    pub fn template(
        &self,
        template: &PayloadTemplate,
        input: &Value,
        context: &Value,
        frame: &Frame,
        state_context: &StateContext<'_>,
    ) -> Result<Value, Failure> {
        let scope = frame.scope(input, context);
        self.with_rng(|rng| template.evaluate(&scope, rng))
            .map_err(|error| self.runtime_failure(state_context, error))
    }

    /// `InputPath` then `Parameters`.
    pub fn effective_input(
        &self,
        state: &State,
        input: &Value,
        context: &Value,
        frame: &Frame,
        state_context: &StateContext<'_>,
    ) -> Result<Value, Failure> {
        let selected = self.input_path_cow(
            &state.io.input_path,
            Cow::Borrowed(input),
            context,
            frame,
            state_context,
        )?;
        match &state.io.parameters {
            Some(parameters) => self.template(parameters, &selected, context, frame, state_context),
            None => Ok(selected.into_owned()),
        }
    }

    /// Completes a state that produced `result`: `ResultSelector`, then `Assign` (which sees the
    /// selected result), `ResultPath` and `OutputPath`, and on to `Next`.
    pub fn finish(
        &self,
        state: &State,
        raw_input: Cow<'_, Value>,
        result: Value,
        context: &Value,
        frame: &Frame,
        state_context: &StateContext<'_>,
    ) -> Result<Completed, Failure> {
        let result = match &state.io.result_selector {
            Some(selector) => self.template(selector, &result, context, frame, state_context)?,
            None => result,
        };
        let assigned = match &state.assign {
            Some(assign) => {
                Some(self.assign_with(assign, &result, context, frame, state_context)?)
            }
            None => None,
        };
        let combined = match &state.io.result_path {
            ResultPathField::Replace => result,
            ResultPathField::Discard => raw_input.into_owned(),
            ResultPathField::Path(path) => {
                let mut target = raw_input.into_owned();
                path.write(&mut target, result)
                    .map_err(|e| self.runtime_failure(state_context, e))?;
                target
            }
        };
        let output = self.output_path(
            &state.io.output_path,
            combined,
            context,
            frame,
            state_context,
        )?;
        Ok(Completed {
            output,
            next: next_of(state),
            assigned,
        })
    }

    pub fn assign(
        &self,
        assign: &PayloadTemplate,
        input: &Value,
        state_context: &StateContext<'_>,
        frame: &Frame,
        _field: &str,
    ) -> Result<Map<String, Value>, Failure> {
        let context = self.context.for_state(state_context, frame);
        self.assign_with(assign, input, &context, frame, state_context)
    }

    fn assign_with(
        &self,
        assign: &PayloadTemplate,
        input: &Value,
        context: &Value,
        frame: &Frame,
        state_context: &StateContext<'_>,
    ) -> Result<Map<String, Value>, Failure> {
        match self.template(assign, input, context, frame, state_context)? {
            Value::Object(map) => Ok(map),
            _ => Ok(Map::new()),
        }
    }
}

fn lookup(machine: &StateMachine, name: &str) -> Result<Arc<State>, Failure> {
    machine.state(name).cloned().ok_or_else(|| Failure {
        error: "States.Runtime".into(),
        cause: Some(format!(
            "The state '{name}' does not exist in the state machine"
        )),
        kind: crate::failure::FailureKind::Terminal,
        from_branch: false,
    })
}

fn entered_kind(state: &State) -> &'static str {
    match &state.kind {
        StateKind::Pass { .. } => "PassStateEntered",
        StateKind::Task(_) => "TaskStateEntered",
        StateKind::Choice { .. } => "ChoiceStateEntered",
        StateKind::Wait(_) => "WaitStateEntered",
        StateKind::Succeed => "SucceedStateEntered",
        StateKind::Fail { .. } => "FailStateEntered",
        StateKind::Parallel { .. } => "ParallelStateEntered",
        StateKind::Map(_) => "MapStateEntered",
    }
}

/// Fail states end their thread without an exit event.
fn exited_kind(state: &State) -> Option<&'static str> {
    Some(match &state.kind {
        StateKind::Pass { .. } => "PassStateExited",
        StateKind::Task(_) => "TaskStateExited",
        StateKind::Choice { .. } => "ChoiceStateExited",
        StateKind::Wait(_) => "WaitStateExited",
        StateKind::Succeed => "SucceedStateExited",
        StateKind::Fail { .. } => return None,
        StateKind::Parallel { .. } => "ParallelStateExited",
        StateKind::Map(_) => "MapStateExited",
    })
}

/// Where a state goes when it completes normally.
pub(crate) fn next_of(state: &State) -> Option<String> {
    match &state.transition {
        Transition::Next(next) => Some(next.clone()),
        Transition::End | Transition::None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_payload_limit_counts_json_text_bytes() {
        // Near the limit the exact count decides, whatever the upper bound says.
        let escaped = Value::String("\n".repeat(PAYLOAD_LIMIT_BYTES / 2 - 1));
        assert!(!over_payload_limit(&escaped));
        let escaped = Value::String("\n".repeat(PAYLOAD_LIMIT_BYTES / 2));
        assert!(over_payload_limit(&escaped));
        let many = Value::Array(vec![json!(1.5e300); PAYLOAD_LIMIT_BYTES / 8]);
        assert_eq!(
            over_payload_limit(&many),
            many.to_string().len() > PAYLOAD_LIMIT_BYTES
        );
        let at_limit = Value::String("x".repeat(PAYLOAD_LIMIT_BYTES - 2));
        assert!(!over_payload_limit(&at_limit));
        let over = Value::String("x".repeat(PAYLOAD_LIMIT_BYTES - 1));
        assert!(over_payload_limit(&over));
        assert!(!over_payload_limit(&json!({"small": [1, 2, 3]})));
    }
}
