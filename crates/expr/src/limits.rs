//! Bounds that keep every expression cheap and every value shallow, whatever a definition or an
//! input holds.
//!
//! serde_json's `Value` clones, compares, drops and serialises itself recursively, one stack
//! frame per level of nesting: a value nested a few thousand levels deep overflows a 2 MiB
//! thread stack (tokio's worker default) in a debug build. Parsed text cannot get there
//! (serde_json refuses text nested deeper than [`MAX_JSON_DEPTH`]), but a value that an
//! execution *builds* can: a `ResultPath` of many steps, a `Parameters` template wrapped around
//! the input once per loop iteration. The engine calls [`check_depth`] on what it builds; the
//! expressions of this crate never recurse over a value without a bound of their own.

use serde_json::Value;

/// The deepest nesting of arrays and objects a value may have (a scalar is at depth 0, `[]` at
/// depth 1).
///
/// It is exactly what serde_json's parser reads back (its recursion limit of 128 refuses a
/// 128th level), so that whatever an execution builds can be stored as text and read again by
/// every part of Fluxo. Execution inputs are parsed with that limit too. AWS documents no depth
/// limit; the Java JSON library it runs on refuses 1000 levels in its current versions.
pub const MAX_JSON_DEPTH: usize = 127;

/// The most steps (`.name`, `[0]`, `[*]`, `..`, filters) a path may have after its root.
///
/// A path of more name or index steps could only match a value nested deeper than
/// [`MAX_JSON_DEPTH`], and a `ResultPath` of more steps would build one. AWS documents no
/// limit; its path engine evaluates one stack frame per step.
pub const MAX_PATH_STEPS: usize = MAX_JSON_DEPTH;

/// The most data (approximate JSON text bytes) that one expression may build: a path's
/// selection, a payload template's output, an intrinsic function's result. 32 times the
/// 256 KiB payload limit that the engine enforces on every state's input and output, so only
/// a value far beyond anything a state may pass on is refused here, before it is built.
pub const MAX_BUILT_BYTES: usize = 8 << 20;

/// The most nodes one path evaluation may visit: a scan (`..`) visits every node under it,
/// and scans within scans multiply. A 256 KiB input has at most about 130 000 nodes.
pub const MAX_PATH_VISITS: usize = 1_000_000;

/// A value nested deeper than [`MAX_JSON_DEPTH`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("The value is nested deeper than {max} levels of arrays and objects", max = MAX_JSON_DEPTH)]
pub struct TooDeep;

impl From<TooDeep> for crate::EvalError {
    /// `States.Runtime`, the error AWS gives for data its JSON library cannot handle.
    fn from(error: TooDeep) -> Self {
        crate::EvalError {
            error: "States.Runtime".into(),
            message: error.to_string(),
        }
    }
}

/// `Ok` when `value` is nested at most [`MAX_JSON_DEPTH`] levels deep.
///
/// Iterative, and it stops at the first container past the limit; otherwise it visits every
/// node once.
pub fn check_depth(value: &Value) -> Result<(), TooDeep> {
    if depth_exceeds(value, MAX_JSON_DEPTH) {
        Err(TooDeep)
    } else {
        Ok(())
    }
}

/// True when `value` has more than `limit` levels of nesting; visits each node at most once
/// and keeps one iterator per open level on the heap.
pub(crate) fn depth_exceeds(value: &Value, limit: usize) -> bool {
    let mut stack: Vec<Children> = Vec::new();
    stack.extend(Children::of(value));
    if !stack.is_empty() && limit == 0 {
        return true;
    }
    while let Some(children) = stack.last_mut() {
        match children.next() {
            None => {
                stack.pop();
            }
            Some(child) => {
                if let Some(grandchildren) = Children::of(child) {
                    if stack.len() >= limit {
                        return true;
                    }
                    stack.push(grandchildren);
                }
            }
        }
    }
    false
}

/// The children of an array or object still to visit.
enum Children<'a> {
    Array(std::slice::Iter<'a, Value>),
    Object(serde_json::map::Values<'a>),
}

impl<'a> Children<'a> {
    fn of(value: &'a Value) -> Option<Self> {
        match value {
            Value::Array(items) => Some(Children::Array(items.iter())),
            Value::Object(map) => Some(Children::Object(map.values())),
            _ => None,
        }
    }

    fn next(&mut self) -> Option<&'a Value> {
        match self {
            Children::Array(items) => items.next(),
            Children::Object(values) => values.next(),
        }
    }
}

/// Why a value may not be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exceeded {
    /// More data than the budget left.
    Size,
    /// More levels of nesting than the room left.
    Depth,
}

/// Takes the approximate JSON text size of `value` from `budget`, and checks that it has at
/// most `room` levels of nesting: one iterative walk, at most one step per node. On failure
/// the budget is left exhausted or untouched as it was when the walk stopped.
pub(crate) fn charge(value: &Value, budget: &mut usize, room: usize) -> Result<(), Exceeded> {
    let mut pending = vec![(value, 0usize)];
    while let Some((value, depth)) = pending.pop() {
        let size = match value {
            Value::Null | Value::Bool(_) => 5,
            // Digits of any JSON number.
            Value::Number(_) => 24,
            Value::String(text) => text.len() + 2,
            Value::Array(items) => {
                if depth >= room {
                    return Err(Exceeded::Depth);
                }
                pending.extend(items.iter().map(|item| (item, depth + 1)));
                items.len() + 2
            }
            Value::Object(map) => {
                if depth >= room {
                    return Err(Exceeded::Depth);
                }
                pending.extend(map.values().map(|item| (item, depth + 1)));
                map.keys().map(|key| key.len() + 4).sum::<usize>() + 2
            }
        };
        if size > *budget {
            *budget = 0;
            return Err(Exceeded::Size);
        }
        *budget -= size;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn nested(levels: usize) -> Value {
        let mut value = json!(1);
        for level in 0..levels {
            value = if level % 2 == 0 {
                json!([value])
            } else {
                json!({ "a": value })
            };
        }
        value
    }

    #[test]
    fn the_limit_is_what_serde_json_reads_back() {
        let text = |levels: usize| format!("{}{}", "[".repeat(levels), "]".repeat(levels));
        assert!(serde_json::from_str::<Value>(&text(MAX_JSON_DEPTH)).is_ok());
        assert!(serde_json::from_str::<Value>(&text(MAX_JSON_DEPTH + 1)).is_err());
    }

    #[test]
    fn depth_is_counted_in_containers() {
        assert!(check_depth(&json!(1)).is_ok());
        assert!(check_depth(&nested(MAX_JSON_DEPTH)).is_ok());
        assert_eq!(check_depth(&nested(MAX_JSON_DEPTH + 1)), Err(TooDeep));
        assert!(!depth_exceeds(&json!([]), 1));
        assert!(depth_exceeds(&json!([[]]), 1));
        assert!(depth_exceeds(&json!({}), 0));
        assert!(!depth_exceeds(&json!([1, {"a": [2]}, []]), 3));
        assert!(depth_exceeds(&json!([1, {"a": [[2]]}, []]), 3));
    }

    #[test]
    fn a_deep_value_is_measured_on_a_small_stack() {
        // Built and taken apart without recursion: serde_json would need a deep stack to drop it.
        let run = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(|| {
                let mut value = json!(1);
                for _ in 0..100_000 {
                    value = Value::Array(vec![value]);
                }
                let deep = check_depth(&value).is_err();
                let mut budget = usize::MAX;
                let fits = charge(&value, &mut budget, usize::MAX) == Ok(());
                while let Value::Array(mut items) = value {
                    value = items.pop().unwrap_or(Value::Null);
                }
                (deep, fits)
            })
            .expect("thread starts")
            .join()
            .expect("no overflow");
        assert_eq!(run, (true, true));
    }

    #[test]
    fn sizes_and_depths_are_charged() {
        let mut budget = 100;
        assert_eq!(
            charge(&json!({"ab": "xyz", "c": [1, 2]}), &mut budget, 2),
            Ok(())
        );
        assert!(budget < 100 && budget > 0);
        let mut budget = 100;
        assert_eq!(
            charge(&json!({"c": [1, 2]}), &mut budget, 1),
            Err(Exceeded::Depth)
        );
        let mut budget = 10;
        assert_eq!(
            charge(&json!("a string longer than ten"), &mut budget, 0),
            Err(Exceeded::Size)
        );
        assert_eq!(budget, 0);
    }
}
