//! fluxo-jsonata run on a reference-suite case the way the reference runner runs jsonata-js:
//! the case's input and bindings, its time box and depth limit, ranges up to 10^7.

use super::suite::{Case, Outcome};
use fluxo_jsonata::{Bindings, ErrorKind, Expression, Limits};
use std::time::Duration;

/// The real clock: one case compares `$now()` with today's date.
struct Clock;

impl fluxo_jsonata::EvalEnv for Clock {
    fn now_millis(&self) -> i64 {
        let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
        since.map(|d| d.as_millis() as i64).unwrap_or(0)
    }
    fn random_seed(&self) -> u64 {
        7
    }
}

pub fn run_case(case: &Case) -> Outcome {
    let expression = match Expression::compile(&case.expr) {
        Ok(e) => e,
        Err(e) => {
            return Outcome::Error {
                code: e.code().map(str::to_string),
                message: e.message().to_string(),
            }
        }
    };
    // The reference's own bounds: no time box but the case's, ranges up to 10^7 (D2014 above).
    let mut limits = Limits {
        timeout: Duration::from_secs(60),
        max_sequence_length: 10_000_001,
        max_value_size: 100_000_000,
        ..Limits::default()
    };
    if let Some(ms) = case.timelimit_ms {
        limits.timeout = Duration::from_millis(ms);
    }
    if let Some(depth) = case.depth {
        limits.max_depth = depth;
    }
    let bindings = Bindings {
        variables: Some(&case.bindings),
        ..Bindings::default()
    };
    match expression.evaluate(case.data.as_ref(), &bindings, &Clock, &limits) {
        Ok(Some(v)) => Outcome::Value(v),
        Ok(None) => Outcome::Undefined,
        // The reference runner reports both of its limits (time box, depth) as U1001.
        Err(e)
            if e.kind() == ErrorKind::Limit
                && (case.depth.is_some() || case.timelimit_ms.is_some()) =>
        {
            Outcome::Error {
                code: Some("U1001".into()),
                message: e.to_string(),
            }
        }
        Err(e) => Outcome::Error {
            code: e.code().map(str::to_string),
            message: e.message().to_string(),
        },
    }
}
