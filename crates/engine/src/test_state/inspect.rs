//! What a TestState run observes besides its outcome: the value after each data-flow step
//! (API reference, `InspectionData`), and the mock that stands in for the state's work.

use serde_json::{Map, Value};
use std::sync::Mutex;

/// What stands in for the work of a Task, Map or Parallel state in TestState (API reference,
/// `MockInput`): its `result`, or its `errorOutput` as a failure.
#[derive(Debug, Clone, PartialEq)]
pub enum Mock {
    /// The state's result (for a Map or Parallel state, the array of its iterations' or
    /// branches' outputs).
    Result(Value),
    /// The state fails with this error and cause.
    Error { error: String, cause: String },
}

/// The hooks a TestState run passes through its attempt: the recorder of inspection data and
/// what the request configured. Only the tested state (the execution's own frame) uses them.
pub(crate) struct Hooks {
    pub mock: Option<Mock>,
    /// `stateConfiguration.mapIterationFailureCount`: how many of a mocked Map's iterations
    /// failed.
    pub map_iteration_failure_count: Option<u32>,
    /// `stateConfiguration.mapItemReaderData`: the items a Map's `ItemReader` would read.
    pub map_item_reader_data: Option<Vec<Value>>,
    data: Mutex<Map<String, Value>>,
}

impl Hooks {
    pub fn new(
        mock: Option<Mock>,
        map_iteration_failure_count: Option<u32>,
        map_item_reader_data: Option<Vec<Value>>,
    ) -> Self {
        Hooks {
            mock,
            map_iteration_failure_count,
            map_item_reader_data,
            data: Mutex::new(Map::new()),
        }
    }

    /// Notes the value after one data-flow step (`afterInputPath`, `result`...); a step seen
    /// twice keeps its latest value.
    pub fn record(&self, key: &str, value: &Value) {
        let mut data = self.data.lock().unwrap_or_else(|e| e.into_inner());
        data.insert(key.to_string(), value.clone());
    }

    /// Drops steps that AWS does not show for a state (they were computed on the way).
    pub fn forget(&self, keys: &[&str]) {
        let mut data = self.data.lock().unwrap_or_else(|e| e.into_inner());
        for key in keys {
            data.remove(*key);
        }
    }

    pub fn take(&self) -> Map<String, Value> {
        std::mem::take(&mut *self.data.lock().unwrap_or_else(|e| e.into_inner()))
    }
}
