//! The one cache of state machines and their compiled definitions: compiled once per
//! revision, for Standard drivers and Express starts alike, and the latest record of each
//! state machine for the Express hot path.
//!
//! An Express start reads its state machine from the store at most once per [`FRESH_FOR`]:
//! AWS documents `UpdateStateMachine` as eventually consistent (executions started shortly
//! after an update may still run the previous definition). This node forgets its copy at once
//! when it makes a change; other nodes within that time.

use fluxo_asl::model::StateMachine;
use fluxo_store::StateMachineRecord;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a state machine read from the store serves Express starts.
pub const FRESH_FOR: Duration = Duration::from_secs(1);

/// Entries kept at most in each map: past it the map starts over (compiling again is cheap
/// next to unbounded memory).
const MAX_ENTRIES: usize = 4096;

/// A state machine with its compiled definition. Loaded through a version or alias ARN, the
/// record holds that version's definition, role and revision, and names the version and alias
/// that executions started on it record.
#[derive(Clone)]
pub struct Loaded {
    pub record: Arc<StateMachineRecord>,
    pub compiled: Arc<StateMachine>,
    /// `stateMachineVersionArn` of executions started on it.
    pub version_arn: Option<String>,
    /// `stateMachineAliasArn` of executions started on it.
    pub alias_arn: Option<String>,
}

#[derive(Default)]
pub(crate) struct Catalog {
    compiled: Mutex<HashMap<(String, u64), Arc<StateMachine>>>,
    latest: Mutex<HashMap<String, (Loaded, Instant)>>,
}

fn bounded<K, V>(map: &mut HashMap<K, V>) {
    if map.len() >= MAX_ENTRIES {
        map.clear();
    }
}

impl Catalog {
    /// The compiled definition of a revision, if this node has it.
    pub fn compiled(&self, arn: &str, revision: u64) -> Option<Arc<StateMachine>> {
        self.compiled
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&(arn.to_string(), revision))
            .cloned()
    }

    pub fn remember(&self, arn: &str, revision: u64, compiled: Arc<StateMachine>) {
        let mut map = self.compiled.lock().unwrap_or_else(|e| e.into_inner());
        bounded(&mut map);
        map.insert((arn.to_string(), revision), compiled);
    }

    /// The latest record of a state machine, when it was read less than [`FRESH_FOR`] ago.
    pub fn fresh(&self, arn: &str) -> Option<Loaded> {
        self.latest
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(arn)
            .filter(|(_, read_at)| read_at.elapsed() < FRESH_FOR)
            .map(|(loaded, _)| loaded.clone())
    }

    pub fn set_fresh(&self, loaded: Loaded) {
        let mut map = self.latest.lock().unwrap_or_else(|e| e.into_inner());
        bounded(&mut map);
        map.insert(loaded.record.arn.clone(), (loaded, Instant::now()));
    }

    /// Drops this node's latest copy of a state machine it changed or deleted.
    pub fn forget(&self, arn: &str) {
        self.latest
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(arn);
    }
}
