//! `ToleratedFailureCount` / `ToleratedFailurePercentage` (and their `…Path` forms): how many
//! failed iterations a Map state accepts before it fails.

use crate::attempt::Attempt;
use crate::failure::Failure;
use fluxo_asl::model::{MapState, ValueOrPath};
use serde_json::Value;

pub(super) struct Tolerance {
    pub(super) count: Option<u64>,
    pub(super) percentage: Option<f64>,
}

impl Tolerance {
    pub fn is_set(&self) -> bool {
        self.count.is_some() || self.percentage.is_some()
    }

    pub fn tolerates(&self, failures: usize, total: usize) -> bool {
        let by_count = self.count.is_some_and(|count| failures as u64 <= count);
        let by_percentage = self.percentage.is_some_and(|percentage| {
            total > 0 && (failures as f64) * 100.0 / (total as f64) <= percentage
        });
        by_count || by_percentage
    }

    /// Resolves both fields against the state's effective input.
    pub fn of(attempt: &Attempt<'_>, map: &MapState, effective: &Value) -> Result<Self, Failure> {
        let tolerance = Tolerance {
            count: count(attempt, map, effective)?,
            percentage: percentage(attempt, map, effective)?,
        };
        if let Some(count) = tolerance.count {
            attempt.inspect("toleratedFailureCount", &count.into());
        }
        if let Some(percentage) = tolerance.percentage {
            attempt.inspect("toleratedFailurePercentage", &percentage.into());
        }
        Ok(tolerance)
    }
}

fn count(attempt: &Attempt<'_>, map: &MapState, effective: &Value) -> Result<Option<u64>, Failure> {
    let Some(field) = &map.tolerated_failure_count else {
        return Ok(None);
    };
    let value = attempt.resolve(field, "ToleratedFailureCountPath", effective)?;
    match as_number(&value).and_then(|n| n.as_i64()) {
        Some(n) if n < 0 => Err(attempt.runtime_error("ToleratedFailureCount cannot be negative.".into())),
        Some(n) => Ok(Some(n as u64)),
        None => Err(attempt.runtime_error(format!(
            "The ToleratedFailureCountPath field refers to value {} which is not a valid integer: {}",
            quoted(&value),
            path_of(field)
        ))),
    }
}

fn percentage(
    attempt: &Attempt<'_>,
    map: &MapState,
    effective: &Value,
) -> Result<Option<f64>, Failure> {
    let Some(field) = &map.tolerated_failure_percentage else {
        return Ok(None);
    };
    let value = attempt.resolve(field, "ToleratedFailurePercentagePath", effective)?;
    match as_number(&value).and_then(|n| n.as_f64()) {
        Some(p) if !(0.0..=100.0).contains(&p) => Err(attempt.runtime_error(
            "ToleratedFailurePercentage must be between 0 and 100.".into(),
        )),
        Some(p) => Ok(Some(p)),
        None => Err(attempt.runtime_error(format!(
            "The ToleratedFailurePercentagePath field refers to value {} which is not a valid float: {}",
            quoted(&value),
            path_of(field)
        ))),
    }
}

/// A number, or a string holding one (a variable assigned `"1"` is accepted as 1).
pub(super) fn as_number(value: &Value) -> Option<serde_json::Number> {
    match value {
        Value::Number(number) => Some(number.clone()),
        Value::String(text) => text.trim().parse::<serde_json::Number>().ok(),
        _ => None,
    }
}

/// AWS quotes the offending value as `"text"`, rendering non-strings as JSON.
pub(super) fn quoted(value: &Value) -> String {
    match value {
        Value::String(text) => format!("\"{text}\""),
        other => format!("\"{other}\""),
    }
}

pub(super) fn path_of<T>(field: &ValueOrPath<T>) -> &str {
    match field {
        ValueOrPath::Path(path) => path.as_str(),
        _ => "",
    }
}
