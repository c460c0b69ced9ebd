//! `RedriveExecution` (API reference; Step Functions developer guide, "Redriving
//! executions"): a FAILED, ABORTED or TIMED_OUT Standard execution runs again from where it
//! failed, with the same ARN. The store reopens it and appends `ExecutionRedriven` in one
//! transaction (durable before anything runs: a crash after it finds a RUNNING execution that
//! recovery replays); this node then claims it and drives it like any resumed execution. The
//! engine's replay does the rest (`fluxo-engine`'s `redrive.rs`): what succeeded is replayed,
//! what failed runs again.
//!
//! Fluxo's extension, *restart* (`fluxo restart`, the console's button): the same redrive, with
//! `ExecutionRedriven` carrying `fluxoRestart` {`fromState`, `input`}: the execution then runs
//! from that top-level state with that input instead of from the failed step.

use crate::{Runtime, RuntimeError};
use fluxo_engine::MAX_HISTORY_EVENTS;
use fluxo_store::{reopenable, ExecutionRecord, Page, Redrive, Redriven};
use fluxo_types::ExecutionStatus;
use serde_json::{json, Value};
use std::sync::Arc;

/// AWS's redrivable period: 14 days from the execution's end.
pub const REDRIVABLE_MS: i64 = 14 * 24 * 3600 * 1000;
/// AWS's longest execution: one year, counted from the start whatever the redrives.
pub const MAX_OPEN_MS: i64 = 365 * 24 * 3600 * 1000;

/// DescribeExecution's `redriveStatus` and `redriveStatusReason` (API reference: the reason is
/// given when NOT_REDRIVABLE, in one of AWS's listed texts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedriveStatus {
    Redrivable,
    NotRedrivable(&'static str),
}

impl RedriveStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            RedriveStatus::Redrivable => "REDRIVABLE",
            RedriveStatus::NotRedrivable(_) => "NOT_REDRIVABLE",
        }
    }

    pub fn reason(&self) -> Option<&'static str> {
        match self {
            RedriveStatus::Redrivable => None,
            RedriveStatus::NotRedrivable(reason) => Some(reason),
        }
    }
}

/// What decides whether an execution may be redriven besides its record.
#[derive(Debug, Clone, Copy)]
pub struct RedriveFacts {
    /// The id of its last event (its history's length).
    pub last_event_id: u64,
    /// Whether its state machine still exists (a deleted one is AWS's "DELETING").
    pub machine_exists: bool,
    pub now_ms: i64,
}

/// AWS's conditions, in the words of its `redriveStatusReason` list (API reference,
/// DescribeExecution). A definition changed since the start is no reason: an execution keeps
/// its revision.
pub fn redrive_status(record: &ExecutionRecord, facts: RedriveFacts) -> RedriveStatus {
    use RedriveStatus::NotRedrivable;
    match record.status {
        ExecutionStatus::Running | ExecutionStatus::PendingRedrive => {
            return NotRedrivable("Execution is RUNNING and cannot be redriven")
        }
        ExecutionStatus::Succeeded => {
            return NotRedrivable("Execution is SUCCEEDED and cannot be redriven")
        }
        _ => {}
    }
    // A Map Run's children are redriven by redriving their parent (developer guide,
    // "Redriving Map Runs").
    if record.map_run_arn.is_some() {
        return NotRedrivable(
            "Execution is a child workflow execution of a Map Run: redrive its parent execution",
        );
    }
    if !facts.machine_exists {
        return NotRedrivable("State machine is in DELETING status");
    }
    // Room for `ExecutionRedriven` and at least one more event.
    if facts.last_event_id + 2 > MAX_HISTORY_EVENTS {
        return NotRedrivable("Execution history event limit exceeded");
    }
    if facts.now_ms - record.started_ms >= MAX_OPEN_MS {
        return NotRedrivable("Execution has exceeded the max execution time");
    }
    let ended = record.stopped_ms.unwrap_or(record.started_ms);
    if facts.now_ms - ended >= REDRIVABLE_MS {
        return NotRedrivable("Execution redrivable period exceeded");
    }
    RedriveStatus::Redrivable
}

/// Fluxo's restart: run from `from_state` (a top-level state) with `input`.
#[derive(Debug, Clone, PartialEq)]
pub struct Restart {
    pub from_state: String,
    pub input: Value,
}

impl Runtime {
    /// The facts [`redrive_status`] needs, read from the store.
    pub async fn redrive_facts(
        &self,
        record: &ExecutionRecord,
        now_ms: i64,
    ) -> Result<RedriveFacts, RuntimeError> {
        let last = self
            .store
            .events(&record.arn, true, Page::new(1, None))
            .await?;
        let machine = self
            .store
            .get_state_machine(&record.state_machine_arn)
            .await?;
        Ok(RedriveFacts {
            last_event_id: last.items.first().map_or(0, |e| e.id),
            machine_exists: machine.is_some(),
            now_ms,
        })
    }

    /// Redrives a stored execution (or, with `restart`, restarts it from a state): returns
    /// its record, RUNNING again. A repeated `client_token` answers the last redrive again.
    /// Errors: [`RuntimeError::ExecutionDoesNotExist`], [`RuntimeError::ExecutionNotRedrivable`]
    /// with AWS's reason.
    pub async fn redrive(
        self: &Arc<Self>,
        arn: &str,
        client_token: Option<String>,
        restart: Option<Restart>,
        now_ms: i64,
    ) -> Result<ExecutionRecord, RuntimeError> {
        let record = self
            .store
            .get_execution(arn)
            .await?
            .ok_or_else(|| RuntimeError::ExecutionDoesNotExist(arn.to_string()))?;
        let facts = self.redrive_facts(&record, now_ms).await?;
        let status = redrive_status(&record, facts);
        // A repeated token is answered whatever the execution became since.
        let repeat_only = status != RedriveStatus::Redrivable;
        if repeat_only && (client_token.is_none() || reopenable(&record, record.redrive_count)) {
            return Err(not_redrivable(&status));
        }
        if let Some(restart) = &restart {
            self.check_restart(&record, restart).await?;
        }
        let redrive = Redrive {
            execution_arn: arn.to_string(),
            timestamp_ms: now_ms,
            expected_count: record.redrive_count,
            client_token,
            extra_details: restart.map(|r| {
                json!({"fluxoRestart": {"fromState": r.from_state, "input": r.input.to_string()}})
                    .to_string()
            }),
        };
        match self.store.redrive_execution(redrive).await? {
            Redriven::Repeated(record) => Ok(record),
            Redriven::Refused(now) => {
                let facts = self.redrive_facts(&now, now_ms).await?;
                Err(not_redrivable(&redrive_status(&now, facts)))
            }
            Redriven::Redriven(record) => {
                if let Some(claimed) = self
                    .store
                    .claim_execution(&record.arn, self.claim())
                    .await?
                {
                    self.resume(claimed.execution, claimed.lease.fence).await?;
                }
                let _ = self.changes.send(record.arn.as_str().into());
                Ok(record)
            }
        }
    }

    /// A restart names a top-level state of the execution's own revision, and an input
    /// within AWS's payload limit.
    async fn check_restart(
        &self,
        record: &ExecutionRecord,
        restart: &Restart,
    ) -> Result<(), RuntimeError> {
        let (_, compiled) = self.started_revision(record).await?;
        if compiled.state(&restart.from_state).is_none() {
            return Err(RuntimeError::InvalidRestart(format!(
                "State '{}' is not a top-level state of the execution's state machine",
                restart.from_state
            )));
        }
        if restart.input.to_string().len() > fluxo_engine::PAYLOAD_LIMIT_BYTES {
            return Err(RuntimeError::InvalidRestart(
                "The input is larger than 256 KiB".into(),
            ));
        }
        Ok(())
    }
}

fn not_redrivable(status: &RedriveStatus) -> RuntimeError {
    RuntimeError::ExecutionNotRedrivable(status.reason().unwrap_or_default().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(
        status: ExecutionStatus,
        started_ms: i64,
        stopped_ms: Option<i64>,
    ) -> ExecutionRecord {
        ExecutionRecord {
            arn: "arn:aws:states:us-east-1:123456789012:execution:m:e".into(),
            state_machine_arn: "arn:aws:states:us-east-1:123456789012:stateMachine:m".into(),
            name: "e".into(),
            status,
            input: "{}".into(),
            output: None,
            error: None,
            cause: None,
            started_ms,
            stopped_ms,
            seed: 1,
            revision: 1,
            version_arn: None,
            alias_arn: None,
            redrive_count: 0,
            redrive_ms: None,
            map_run_arn: None,
        }
    }

    fn facts(now_ms: i64) -> RedriveFacts {
        RedriveFacts {
            last_event_id: 10,
            machine_exists: true,
            now_ms,
        }
    }

    #[test]
    fn aws_conditions_in_aws_words() {
        let day = 24 * 3600 * 1000;
        let failed = record(ExecutionStatus::Failed, 0, Some(day));
        assert_eq!(
            redrive_status(&failed, facts(2 * day)),
            RedriveStatus::Redrivable
        );
        for status in [ExecutionStatus::Aborted, ExecutionStatus::TimedOut] {
            let closed = record(status, 0, Some(day));
            assert_eq!(
                redrive_status(&closed, facts(day)),
                RedriveStatus::Redrivable
            );
        }
        let reason = |r: &ExecutionRecord, f| redrive_status(r, f).reason();
        assert_eq!(
            reason(&record(ExecutionStatus::Running, 0, None), facts(1)),
            Some("Execution is RUNNING and cannot be redriven")
        );
        assert_eq!(
            reason(&record(ExecutionStatus::Succeeded, 0, Some(1)), facts(1)),
            Some("Execution is SUCCEEDED and cannot be redriven")
        );
        assert_eq!(
            reason(&failed, facts(day + REDRIVABLE_MS)),
            Some("Execution redrivable period exceeded")
        );
        assert_eq!(
            reason(&failed, facts(day + REDRIVABLE_MS - 1)),
            None,
            "the period counts from the end"
        );
        let mut full = facts(day);
        full.last_event_id = MAX_HISTORY_EVENTS - 1;
        assert_eq!(
            reason(&failed, full),
            Some("Execution history event limit exceeded")
        );
        let mut deleted = facts(day);
        deleted.machine_exists = false;
        assert_eq!(
            reason(&failed, deleted),
            Some("State machine is in DELETING status")
        );
        let old = record(ExecutionStatus::Failed, 0, Some(MAX_OPEN_MS - day));
        assert_eq!(
            reason(&old, facts(MAX_OPEN_MS)),
            Some("Execution has exceeded the max execution time")
        );
    }
}
