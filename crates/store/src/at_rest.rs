//! What the SQL backends seal before writing and open after reading, in one place, so that
//! both keep the same values encrypted (ARCHITECTURE.md, "Invariants": encryption at rest).
//!
//! Sealed: state machine and revision definitions; an execution's input, output, error and
//! cause; every history event's details; a task's input and outcome (output, error, cause); a
//! Map Run's outcome. Plain: names, ARNs, statuses, dates, counts and tags, which listings sort
//! and filter on (AWS too leaves these unencrypted: "Data at rest encryption in Step
//! Functions").

use crate::cipher::{Cipher, NO_KEY, WRONG_KEY};
use crate::{
    Abort, EventRecord, ExecutionRecord, Revision, StateMachineRecord, StateMachineUpdate,
    StoreError, StoreResult, TaskOutcome, TaskRecord, Transition,
};
use fluxo_types::map_run::MapRunRecord;
use std::sync::Arc;

/// The name under which a backend keeps its key check (in its `secrets` table).
pub const KEY_CHECK: &str = "encryption-check";
/// The text the key check seals.
const KEY_CHECK_TEXT: &str = "fluxo encryption key check";

/// A backend's view of the operator's key: seals and opens values, or, without a key, writes
/// plaintext and refuses sealed values with [`StoreError::Undecryptable`].
#[derive(Debug, Clone, Default)]
pub struct AtRest {
    cipher: Option<Arc<Cipher>>,
}

impl AtRest {
    /// With the operator's key, or `None` to keep values plaintext.
    pub fn new(cipher: Option<Cipher>) -> Self {
        AtRest {
            cipher: cipher.map(Arc::new),
        }
    }

    /// Whether values are sealed.
    pub fn encrypts(&self) -> bool {
        self.cipher.is_some()
    }

    /// Checks the key against the check the data holds (`stored`, from the backend's
    /// `secrets` table under [`KEY_CHECK`]); returns the check to store when there is none yet
    /// and a key was given. So a store opened without its key, or with another one, refuses to
    /// open instead of failing later on each value.
    ///
    /// Errors: [`StoreError::Undecryptable`] with [`NO_KEY`] or [`WRONG_KEY`].
    pub fn check_key(&self, stored: Option<&str>) -> StoreResult<Option<String>> {
        match (stored, &self.cipher) {
            // Only a key writes a check: data that has one was sealed.
            (Some(_), None) => Err(StoreError::Undecryptable(NO_KEY.into())),
            (Some(check), Some(cipher)) => {
                let opened = cipher.open(check)?;
                if opened != KEY_CHECK_TEXT {
                    return Err(StoreError::Undecryptable(WRONG_KEY.into()));
                }
                Ok(None)
            }
            (None, Some(cipher)) => Ok(Some(cipher.seal(KEY_CHECK_TEXT))),
            (None, None) => Ok(None),
        }
    }

    /// `text` sealed, or as it is without a key.
    pub fn seal(&self, text: String) -> String {
        match &self.cipher {
            Some(cipher) => cipher.seal(&text),
            None => text,
        }
    }

    pub fn seal_opt(&self, text: Option<String>) -> Option<String> {
        text.map(|text| self.seal(text))
    }

    /// `text` opened; plaintext as it is. Without a key every value is plaintext, also one
    /// that looks sealed: clients choose errors, causes and outputs, and `enc1:…` must not make
    /// their rows unreadable. (A store sealed with a key is refused at open without the key,
    /// by its key check, so no sealed value is read here without one.)
    ///
    /// Errors: [`StoreError::Undecryptable`] for a sealed value under another key
    /// ([`WRONG_KEY`]).
    pub fn open(&self, text: String) -> StoreResult<String> {
        match &self.cipher {
            Some(cipher) => cipher.open(&text),
            None => Ok(text),
        }
    }

    pub fn open_opt(&self, text: Option<String>) -> StoreResult<Option<String>> {
        text.map(|text| self.open(text)).transpose()
    }

    pub fn seal_state_machine(&self, mut record: StateMachineRecord) -> StateMachineRecord {
        record.definition = self.seal(record.definition);
        record
    }

    pub fn open_state_machine(
        &self,
        mut record: StateMachineRecord,
    ) -> StoreResult<StateMachineRecord> {
        record.definition = self.open(record.definition)?;
        Ok(record)
    }

    /// The update's new definition sealed (the caller compares it with the current one first).
    pub fn seal_update(&self, mut update: StateMachineUpdate) -> StateMachineUpdate {
        update.definition = self.seal_opt(update.definition);
        update
    }

    pub fn open_revision(&self, mut revision: Revision) -> StoreResult<Revision> {
        revision.definition = self.open(revision.definition)?;
        Ok(revision)
    }

    pub fn seal_execution(&self, mut record: ExecutionRecord) -> ExecutionRecord {
        record.input = self.seal(record.input);
        record.output = self.seal_opt(record.output);
        record.error = self.seal_opt(record.error);
        record.cause = self.seal_opt(record.cause);
        record
    }

    pub fn open_execution(&self, mut record: ExecutionRecord) -> StoreResult<ExecutionRecord> {
        record.input = self.open(record.input)?;
        record.output = self.open_opt(record.output)?;
        record.error = self.open_opt(record.error)?;
        record.cause = self.open_opt(record.cause)?;
        Ok(record)
    }

    pub fn open_executions(
        &self,
        records: Vec<ExecutionRecord>,
    ) -> StoreResult<Vec<ExecutionRecord>> {
        records
            .into_iter()
            .map(|r| self.open_execution(r))
            .collect()
    }

    pub fn seal_event(&self, mut event: EventRecord) -> EventRecord {
        event.details = self.seal_opt(event.details);
        event
    }

    pub fn open_event(&self, mut event: EventRecord) -> StoreResult<EventRecord> {
        event.details = self.open_opt(event.details)?;
        Ok(event)
    }

    pub fn seal_events(&self, events: Vec<EventRecord>) -> Vec<EventRecord> {
        events
            .into_iter()
            .map(|event| self.seal_event(event))
            .collect()
    }

    /// The transition's event details and final output, error and cause sealed.
    pub fn seal_transition(&self, mut transition: Transition) -> Transition {
        transition.events = self.seal_events(transition.events);
        if let Some(update) = &mut transition.update {
            update.output = self.seal_opt(update.output.take());
            update.error = self.seal_opt(update.error.take());
            update.cause = self.seal_opt(update.cause.take());
        }
        transition
    }

    pub fn seal_abort(&self, mut abort: Abort) -> Abort {
        abort.details = self.seal_opt(abort.details);
        abort.error = self.seal_opt(abort.error);
        abort.cause = self.seal_opt(abort.cause);
        abort
    }

    pub fn seal_task(&self, mut task: TaskRecord) -> TaskRecord {
        task.input = self.seal(task.input);
        task.outcome = task.outcome.map(|outcome| self.seal_outcome(outcome));
        task
    }

    pub fn open_task(&self, mut task: TaskRecord) -> StoreResult<TaskRecord> {
        task.input = self.open(task.input)?;
        task.outcome = task.outcome.map(|o| self.open_outcome(o)).transpose()?;
        Ok(task)
    }

    pub fn seal_outcome(&self, outcome: TaskOutcome) -> TaskOutcome {
        match outcome {
            TaskOutcome::Succeeded(output) => TaskOutcome::Succeeded(self.seal(output)),
            TaskOutcome::Failed { error, cause } => TaskOutcome::Failed {
                error: self.seal_opt(error),
                cause: self.seal_opt(cause),
            },
            other => other,
        }
    }

    pub fn open_outcome(&self, outcome: TaskOutcome) -> StoreResult<TaskOutcome> {
        Ok(match outcome {
            TaskOutcome::Succeeded(output) => TaskOutcome::Succeeded(self.open(output)?),
            TaskOutcome::Failed { error, cause } => TaskOutcome::Failed {
                error: self.open_opt(error)?,
                cause: self.open_opt(cause)?,
            },
            other => other,
        })
    }

    pub fn seal_map_run(&self, mut record: MapRunRecord) -> MapRunRecord {
        record.outcome = self.seal_opt(record.outcome);
        record
    }

    pub fn open_map_run(&self, mut record: MapRunRecord) -> StoreResult<MapRunRecord> {
        record.outcome = self.open_opt(record.outcome)?;
        Ok(record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Cipher {
        Cipher::new(&[9u8; 32])
    }

    #[test]
    fn without_a_key_every_value_is_plain_even_one_a_client_made_look_sealed() {
        let plain = AtRest::new(None);
        assert_eq!(plain.seal("x".into()), "x");
        // A cause a client sent: its row must stay readable.
        assert_eq!(plain.open("enc1:x".into()).unwrap(), "enc1:x");
        let error = AtRest::new(None)
            .check_key(Some(&key().seal("check")))
            .unwrap_err();
        assert!(
            error.to_string().contains("[encryption] key_file"),
            "{error}"
        );
    }

    #[test]
    fn the_key_check_tells_a_missing_or_other_key() {
        let keyed = AtRest::new(Some(key()));
        let check = keyed.check_key(None).unwrap().expect("a check to store");
        assert_eq!(keyed.check_key(Some(&check)).unwrap(), None);
        assert_eq!(
            AtRest::new(None).check_key(Some(&check)),
            Err(StoreError::Undecryptable(NO_KEY.into()))
        );
        let other = AtRest::new(Some(Cipher::new(&[1u8; 32])));
        assert_eq!(
            other.check_key(Some(&check)),
            Err(StoreError::Undecryptable(WRONG_KEY.into()))
        );
        assert_eq!(AtRest::new(None).check_key(None).unwrap(), None);
    }
}
