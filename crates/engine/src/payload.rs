//! The limits on what a state may pass on: AWS's 256 KiB payload quota (Step Functions
//! developer guide, "Step Functions service quotas": "Maximum input or output size for a task,
//! state, or execution: 256 KiB of data as a UTF-8 encoded string") and a nesting depth that
//! keeps every later walk over the value (serializing it into the history, dropping it) within
//! a worker thread's stack.

use serde_json::Value;

/// AWS's limit on the size of a state's input or output.
pub const PAYLOAD_LIMIT_BYTES: usize = 256 * 1024;

/// The deepest nesting of arrays and objects a state may produce. AWS parses payloads with
/// Jackson, whose default maximum nesting depth is 1000; inputs arrive no deeper than
/// serde_json's 128, so only a loop that keeps wrapping its own output can reach this.
pub const MAX_DEPTH: usize = 1000;

/// The stack a thread that runs executions needs: serializing, cloning and dropping a value
/// recurse once per level of nesting, about 2 KiB per level in a debug build and a quarter of
/// that optimized, so a payload at [`MAX_DEPTH`] needs a few MiB. Servers and tests run the
/// engine on threads of this size (tokio's default is 2 MiB).
pub const MIN_STACK_BYTES: usize = 8 << 20;

/// What is wrong with a payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PayloadError {
    TooLarge,
    TooDeep,
}

/// Checks a state's result or output against both limits, without building its text.
pub(crate) fn check(value: &Value) -> Result<(), PayloadError> {
    // Most payloads are far below the limit: a cheap upper bound settles them without
    // formatting a single number.
    let mut budget = PAYLOAD_LIMIT_BYTES;
    match fits_upper_bound(value, &mut budget) {
        Bound::Fits => Ok(()),
        Bound::TooDeep => Err(PayloadError::TooDeep),
        Bound::Unsure if exact_over_limit(value) => Err(PayloadError::TooLarge),
        Bound::Unsure => Ok(()),
    }
}

/// Whether `value`, as JSON text, is over the payload limit (a value already known to be within
/// the depth limit).
pub(crate) fn over_limit(value: &Value) -> bool {
    check(value) == Err(PayloadError::TooLarge)
}

enum Bound {
    Fits,
    /// The upper bound ran over the budget: the exact length decides.
    Unsure,
    TooDeep,
}

/// Spends on `budget` an upper bound of the value's JSON length (every character of a string
/// escaped as `\uXXXX`, every number at its longest). Iterative, with an explicit stack, so that
/// it cannot itself overflow the thread's stack whatever the depth.
fn fits_upper_bound(value: &Value, budget: &mut usize) -> Bound {
    let mut pending: Vec<(&Value, usize)> = vec![(value, 1)];
    while let Some((value, depth)) = pending.pop() {
        let cost = match value {
            Value::Null | Value::Bool(_) => 5,
            // An f64 renders in at most 24 characters, an integer in at most 20.
            Value::Number(_) => 24,
            Value::String(text) => 2 + 6 * text.len(),
            Value::Array(items) => {
                if depth > MAX_DEPTH {
                    return Bound::TooDeep;
                }
                pending.extend(items.iter().map(|item| (item, depth + 1)));
                2 + items.len()
            }
            Value::Object(map) => {
                if depth > MAX_DEPTH {
                    return Bound::TooDeep;
                }
                let keys: usize = map.keys().map(|key| 4 + 6 * key.len()).sum();
                pending.extend(map.values().map(|item| (item, depth + 1)));
                2 + keys
            }
        };
        match budget.checked_sub(cost) {
            Some(left) => *budget = left,
            None => {
                // Over the bound: only the depth is left to settle before the exact count.
                return match pending.iter().any(|(_, depth)| *depth > MAX_DEPTH)
                    || too_deep(value, depth)
                {
                    true => Bound::TooDeep,
                    false => Bound::Unsure,
                };
            }
        }
    }
    Bound::Fits
}

/// Whether anything under `value` (itself at `depth`) nests deeper than the limit.
fn too_deep(value: &Value, depth: usize) -> bool {
    let mut pending = vec![(value, depth)];
    while let Some((value, depth)) = pending.pop() {
        let children: Box<dyn Iterator<Item = &Value>> = match value {
            Value::Array(items) => Box::new(items.iter()),
            Value::Object(map) => Box::new(map.values()),
            _ => continue,
        };
        if depth > MAX_DEPTH {
            return true;
        }
        pending.extend(children.map(|child| (child, depth + 1)));
    }
    false
}

fn exact_over_limit(value: &Value) -> bool {
    json_len_within(value, PAYLOAD_LIMIT_BYTES).is_none()
}

/// The length of `value` as JSON text, when it is at most `limit` bytes (counting stops at the
/// limit, so a huge value costs no more than `limit` bytes of formatting).
pub(crate) fn json_len_within(value: &Value, limit: usize) -> Option<usize> {
    struct Counter(usize, usize);
    impl std::io::Write for Counter {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            if self.0 > self.1 {
                // Stop early: the answer is known.
                return Err(std::io::Error::other("over the limit"));
            }
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter(0, limit);
    serde_json::to_writer(&mut counter, value).ok()?;
    Some(counter.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_payload_limit_counts_json_text_bytes() {
        // Near the limit the exact count decides, whatever the upper bound says.
        let escaped = Value::String("\n".repeat(PAYLOAD_LIMIT_BYTES / 2 - 1));
        assert!(!over_limit(&escaped));
        let escaped = Value::String("\n".repeat(PAYLOAD_LIMIT_BYTES / 2));
        assert!(over_limit(&escaped));
        let many = Value::Array(vec![json!(1.5e300); PAYLOAD_LIMIT_BYTES / 8]);
        assert_eq!(
            over_limit(&many),
            many.to_string().len() > PAYLOAD_LIMIT_BYTES
        );
        let at_limit = Value::String("x".repeat(PAYLOAD_LIMIT_BYTES - 2));
        assert!(!over_limit(&at_limit));
        let over = Value::String("x".repeat(PAYLOAD_LIMIT_BYTES - 1));
        assert!(over_limit(&over));
        assert!(!over_limit(&json!({"small": [1, 2, 3]})));
    }

    fn nested(depth: usize) -> Value {
        let mut value = json!(1);
        for _ in 0..depth {
            // Not `json!`: it serializes its arguments, recursively.
            value = Value::Object(serde_json::Map::from_iter([("a".to_string(), value)]));
        }
        value
    }

    #[test]
    fn the_depth_limit_is_checked_without_recursion() {
        let checks = std::thread::Builder::new()
            .stack_size(MIN_STACK_BYTES)
            .spawn(|| {
                // A value at the limit can be checked, printed and dropped on such a thread.
                let limit = nested(MAX_DEPTH);
                assert_eq!(check(&limit), Ok(()));
                assert!(limit.to_string().len() > MAX_DEPTH);
                assert_eq!(check(&nested(MAX_DEPTH + 1)), Err(PayloadError::TooDeep));
                // Deep and large: the depth is still what is reported, and nothing recursed.
                let mut deep = nested(50_000);
                assert_eq!(check(&deep), Err(PayloadError::TooDeep));
                // Tear it down iteratively: serde_json's own drop would recurse.
                while let Some(inner) = deep.get_mut("a").map(Value::take) {
                    deep = inner;
                }
            })
            .unwrap();
        checks.join().unwrap();
    }
}
