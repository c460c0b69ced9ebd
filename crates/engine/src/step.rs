//! A state's lifecycle in a thread: enter, attempt (with Retry), Catch, exit, and on to the
//! next state.
//!
//! Events, in order: `<Type>StateEntered`; the events of each attempt (`states/<type>.rs`);
//! then `<Type>StateExited` when the state completes or a catcher takes its failure
//! (`ParallelStateFailed`/`MapStateFailed` first when a branch failed and no retry follows).
//! A retry records no new `Entered` event: it parks for the back-off and attempts again.

use crate::attempt::{Attempt, Completed};
use crate::context::StateContext;
use crate::failure::Failure;
use crate::frame::{Frame, Origin};
use crate::history::{entered_details, exited_details};
use crate::journal::Thread;
use crate::payload::{self, PayloadError};
use crate::run::{add_seconds, Run};
use crate::states;
use fluxo_asl::model::{State, StateKind, StateMachine};
use fluxo_types::{EventType, StateType};
use futures::future::BoxFuture;
use serde_json::Value;
use std::borrow::Cow;
use std::sync::Arc;

impl Run<'_> {
    /// Runs a (nested) state machine from its `StartAt` to its end, in `thread`.
    pub fn run_machine<'a>(
        &'a self,
        machine: &'a StateMachine,
        input: Value,
        thread: &'a mut Thread,
        frame: &'a mut Frame,
    ) -> BoxFuture<'a, Result<Value, Failure>> {
        self.run_machine_from(machine, &machine.start_at, input, thread, frame)
    }

    /// [`Run::run_machine`] from the state `start` (Fluxo's restart from a chosen state).
    pub fn run_machine_from<'a>(
        &'a self,
        machine: &'a StateMachine,
        start: &'a str,
        input: Value,
        thread: &'a mut Thread,
        frame: &'a mut Frame,
    ) -> BoxFuture<'a, Result<Value, Failure>> {
        Box::pin(async move {
            let _running = self.threads.running(self.observed());
            let result = self.run_states(machine, start, input, thread, frame).await;
            if result.is_err() {
                // Work that fails at the same moment in sibling threads (timeouts due together)
                // records its failure before the enclosing state decides, as on AWS.
                tokio::task::yield_now().await;
            }
            // A thread that ends while another is parked persists first: its end may leave
            // the execution idle, which it can only be with everything persisted.
            if self.env.persists() && self.threads.any_parked() {
                self.persist().await;
            }
            result
        })
    }

    async fn run_states(
        &self,
        machine: &StateMachine,
        start: &str,
        input: Value,
        thread: &mut Thread,
        frame: &mut Frame,
    ) -> Result<Value, Failure> {
        let mut input = input;
        let mut state = lookup(machine, start)?;
        loop {
            self.pace().await;
            let completed = self.run_state(&state, input, thread, frame).await?;
            match completed.next {
                Some(next) => {
                    state = lookup(machine, &next)?;
                    input = completed.output;
                }
                None => return Ok(completed.output),
            }
        }
    }

    async fn run_state(
        &self,
        state: &State,
        input: Value,
        thread: &mut Thread,
        frame: &mut Frame,
    ) -> Result<Completed, Failure> {
        self.check_history_room()?;
        let entered_id = self.record(
            thread,
            EventType::entered(state.state_type()),
            self.details.then(|| entered_details(&state.name, &input)),
        );
        let mut info = StateContext {
            name: &state.name,
            entered_id,
            entered_time: thread.time,
            retry_count: None,
            reads_context: state.reads_context,
        };
        if !state.retry.is_empty() || matches!(state.kind, StateKind::Task(_)) {
            info.retry_count = Some(0);
        }
        if state.retry.is_empty() && state.catch.is_empty() {
            // Nothing can need the input after this attempt: the state may consume it.
            let attempt = attempt(self, state, Cow::Owned(input), &info, thread, frame).await;
            return match attempt {
                Ok(completed) => self.complete(state, completed, thread, frame),
                Err(failure) => Err(self.branch_failed(state, failure, thread)),
            };
        }
        let mut attempts = vec![0u32; state.retry.len()];
        loop {
            let failure =
                match attempt(self, state, Cow::Borrowed(&input), &info, thread, frame).await {
                    Ok(completed) => return self.complete(state, completed, thread, frame),
                    Err(failure) => failure,
                };
            let retry = match failure.is_terminal() {
                true => None,
                false => crate::retry::delay(state, &failure, &mut attempts, frame),
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
                info.retry_count = Some(info.retry_count.unwrap_or(0) + 1);
                continue;
            }
            let caught =
                crate::catch::catch(&Attempt::new(self, state, &info, frame), failure, input)?;
            return self.complete(state, caught, thread, frame);
        }
    }

    /// A failure that the state will not retry: a JSONata evaluation failure records
    /// `EvaluationFailed`, and a failure from a branch or iteration the state's own failure
    /// event (in this order, as recorded for a JSONata Map whose input is not an array).
    fn branch_failed(&self, state: &State, mut failure: Failure, thread: &mut Thread) -> Failure {
        if let Some(details) = failure.evaluation_details() {
            failure.evaluation = None;
            self.record(
                thread,
                EventType::EvaluationFailed,
                self.details.then_some(details),
            );
        }
        if std::mem::take(&mut failure.from_branch) {
            let kind = match state.state_type() {
                StateType::Map => EventType::MapStateFailed,
                _ => EventType::ParallelStateFailed,
            };
            self.record(thread, kind, None);
        }
        failure
    }

    /// Checks what the state passes on, records its exit and applies its assignments.
    pub(crate) fn complete(
        &self,
        state: &State,
        completed: Completed,
        thread: &mut Thread,
        frame: &mut Frame,
    ) -> Result<Completed, Failure> {
        match payload::check(&completed.output) {
            Ok(()) => {}
            Err(PayloadError::TooLarge) => return Err(Failure::data_limit(&state.name)),
            Err(PayloadError::TooDeep) => return Err(Failure::too_deep(&state.name)),
        }
        if let Some(assigned) = &completed.assigned {
            if let Err(quota) = frame.assign(assigned) {
                return Err(Failure::variables_too_large(&state.name, quota));
            }
        }
        if let Some(kind) = exited_event(state, frame) {
            self.record(
                thread,
                kind,
                self.details.then(|| {
                    exited_details(&state.name, &completed.output, completed.assigned.as_ref())
                }),
            );
        }
        Ok(completed)
    }
}

/// One attempt at the state's own work. The futures of the states that wait are boxed:
/// inline, their size would be copied around for every state of every execution.
pub(crate) async fn attempt(
    run: &Run<'_>,
    state: &State,
    input: Cow<'_, Value>,
    info: &StateContext<'_>,
    thread: &mut Thread,
    frame: &Frame,
) -> Result<Completed, Failure> {
    let attempt = Attempt::new(run, state, info, frame);
    match &state.kind {
        StateKind::Pass { result } => states::pass::run(&attempt, result.as_ref(), input),
        StateKind::Choice { .. } => states::choice::run(&attempt, input),
        StateKind::Succeed => states::succeed::run(&attempt, input),
        StateKind::Fail { error, cause } => states::fail::run(&attempt, error, cause, &input),
        StateKind::Wait(wait) => Box::pin(states::wait::run(&attempt, wait, &input)).await,
        StateKind::Task(task) => Box::pin(states::task::run(&attempt, task, &input, thread)).await,
        StateKind::Parallel { branches } => {
            Box::pin(states::parallel::run(&attempt, branches, &input, thread)).await
        }
        StateKind::Map(map) => Box::pin(states::map::run(&attempt, map, &input, thread)).await,
    }
}

/// The event a state records when it exits. AWS records none for a Parallel state that ends a
/// Parallel branch (recorded case `scenarios/base_scenarios__test_parallel_state_nested`).
fn exited_event(state: &State, frame: &Frame) -> Option<EventType> {
    let ends_branch = frame.origin == Origin::ParallelBranch
        && matches!(state.transition, fluxo_asl::model::Transition::End);
    if ends_branch && state.state_type() == StateType::Parallel {
        return None;
    }
    EventType::exited(state.state_type())
}

fn lookup(machine: &StateMachine, name: &str) -> Result<Arc<State>, Failure> {
    machine.state(name).cloned().ok_or_else(|| {
        Failure::new(
            "States.Runtime",
            Some(format!(
                "The state '{name}' does not exist in the state machine"
            )),
        )
    })
}
