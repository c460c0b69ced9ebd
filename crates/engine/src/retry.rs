//! `Retry`: which retrier applies to a failure, and how long to wait before the next attempt
//! (Step Functions developer guide, "Handling errors in Step Functions workflows": the first
//! matching retrier decides; IntervalSeconds × BackoffRate^attempt, capped by MaxDelaySeconds,
//! with full jitter when JitterStrategy is FULL).

use crate::failure::Failure;
use crate::frame::Frame;
use fluxo_asl::model::{error_matches, State};
use rand::Rng;

/// Picks the first retrier that matches and has attempts left, counts the attempt, and returns
/// the delay in seconds; `None` when no retry follows.
pub(crate) fn delay(
    state: &State,
    failure: &Failure,
    attempts: &mut [u32],
    frame: &Frame,
) -> Option<f64> {
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
    let mut delay = retrier.interval_seconds * retrier.backoff_rate.powi(attempts[index] as i32);
    if let Some(max) = retrier.max_delay_seconds {
        delay = delay.min(max);
    }
    if retrier.jitter_full {
        delay = frame.with_rng(|rng| rng.random_range(0.0..=delay));
    }
    attempts[index] += 1;
    Some(delay)
}
