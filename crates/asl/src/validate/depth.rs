//! An iterative measure of nesting, so that no later check recurses deeper than this allows.

use super::{at, item};
use serde_json::Value;

/// The deepest nesting of objects and arrays accepted; serde_json refuses deeper text by
/// default, so only a `Value` built by the caller can go past it.
pub const MAX_DEPTH: usize = 128;

/// How a container was reached from its parent.
#[derive(Clone, Copy)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// The children of a container still to visit.
enum Children<'a> {
    Object(serde_json::map::Iter<'a>),
    Array(std::iter::Enumerate<std::slice::Iter<'a, Value>>),
}

impl<'a> Children<'a> {
    fn of(value: &'a Value) -> Option<Self> {
        match value {
            Value::Object(map) => Some(Children::Object(map.iter())),
            Value::Array(items) => Some(Children::Array(items.iter().enumerate())),
            _ => None,
        }
    }

    fn next(&mut self) -> Option<(Step<'a>, &'a Value)> {
        match self {
            Children::Object(entries) => entries.next().map(|(k, v)| (Step::Key(k), v)),
            Children::Array(items) => items.next().map(|(i, v)| (Step::Index(i), v)),
        }
    }
}

/// The pointer of the first container nested deeper than [`MAX_DEPTH`], if any.
pub fn too_deep(root: &Value) -> Option<String> {
    // One frame per open container: the step that led to it and its children left to visit.
    let mut frames: Vec<(Option<Step>, Children)> = Vec::new();
    frames.extend(Children::of(root).map(|children| (None, children)));
    while let Some((_, children)) = frames.last_mut() {
        let Some((step, child)) = children.next() else {
            frames.pop();
            continue;
        };
        let Some(grandchildren) = Children::of(child) else {
            continue;
        };
        if frames.len() >= MAX_DEPTH {
            let steps = frames.iter().filter_map(|(step, _)| *step);
            return Some(
                steps
                    .chain([step])
                    .fold(String::new(), |pointer, step| match step {
                        Step::Key(key) => at(&pointer, key),
                        Step::Index(index) => item(&pointer, index),
                    }),
            );
        }
        frames.push((Some(step), grandchildren));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn nested(levels: usize) -> Value {
        let mut value = json!(1);
        for _ in 0..levels {
            value = json!({ "a": [value] });
        }
        value
    }

    #[test]
    fn shallow_documents_pass() {
        assert_eq!(too_deep(&json!({"a": [1, {"b": 2}], "c": {}})), None);
        assert_eq!(too_deep(&nested(MAX_DEPTH / 2)), None);
    }

    #[test]
    fn the_first_container_past_the_limit_is_named() {
        let found = too_deep(&nested(MAX_DEPTH)).unwrap_or_default();
        assert!(found.starts_with("/a/0/a/0"), "{found}");
        assert_eq!(found.matches('/').count(), MAX_DEPTH);
        let mut wide = json!({"x": 1, "y/~": [nested(MAX_DEPTH)]});
        wide["z"] = json!(2);
        let found = too_deep(&wide).unwrap_or_default();
        assert!(found.starts_with("/y~1~0/0/a/0/a"), "{found}");
    }
}
