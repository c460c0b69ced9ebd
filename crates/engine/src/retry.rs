//! `Retry`: which retrier applies to a failure, and how long to wait before the next attempt
//! (Step Functions developer guide, "Handling errors in Step Functions workflows": the first
//! matching retrier decides; IntervalSeconds × BackoffRate^attempt, capped by MaxDelaySeconds,
//! with full jitter when JitterStrategy is FULL).

use crate::failure::Failure;
use crate::frame::Frame;
use fluxo_asl::model::{error_matches, State};
use rand::Rng;

/// The longest back-off: an execution lives at most a year (Step Functions quotas), and
/// `MaxDelaySeconds` is capped at the same 31,622,400 seconds.
const LONGEST_DELAY_SECONDS: f64 = 31_622_400.0;

/// `interval × rate^attempt` in seconds, always finite and within [`LONGEST_DELAY_SECONDS`]: a
/// definition's `BackoffRate` is unbounded, so the power overflows to infinity (and 0 × ∞ is
/// NaN), which jitter's random range would panic on.
fn backoff(interval: f64, rate: f64, attempt: u32) -> f64 {
    if interval <= 0.0 {
        return 0.0;
    }
    let exponent = i32::try_from(attempt).unwrap_or(i32::MAX);
    let delay = interval * rate.powi(exponent);
    if delay.is_finite() {
        delay.clamp(0.0, LONGEST_DELAY_SECONDS)
    } else {
        LONGEST_DELAY_SECONDS
    }
}

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
    let mut delay = backoff(
        retrier.interval_seconds,
        retrier.backoff_rate,
        attempts[index],
    );
    if let Some(max) = retrier.max_delay_seconds {
        delay = delay.min(max);
    }
    if retrier.jitter_full {
        delay = frame.with_rng(|rng| rng.random_range(0.0..=delay));
    }
    attempts[index] += 1;
    Some(delay)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_stays_finite_and_bounded() {
        assert_eq!(backoff(2.0, 2.0, 3), 16.0);
        assert_eq!(backoff(0.0, f64::MAX, 5000), 0.0);
        assert_eq!(backoff(2.0, 1e308, 2), LONGEST_DELAY_SECONDS);
        assert_eq!(backoff(1.0, 2.0, u32::MAX), LONGEST_DELAY_SECONDS);
        assert_eq!(backoff(1.0, 1.0, u32::MAX), 1.0);
    }
}
