//! The second thing AWS does with a request: check the model's constraints on every member and
//! answer `ValidationException` with all the violations at once.
//!
//! One violation reads `Value '<value>' at '<path>' failed to satisfy constraint: <constraint>`
//! (recorded: `Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value
//! less than or equal to 1000`). The value is `null` for a missing required member (sensitive or
//! not: `null` discloses nothing, and no AWS answer for a missing sensitive member was found) and
//! is left out, `Value at '<path>'`, for a sensitive one that is present (AWS's Cognito answers
//! for its sensitive `password`: `Value at 'password' failed to satisfy constraint: ...`).
//!
//! Paths: members joined with `.`, list elements as `<list>.<1-based index>.member`
//! (recorded: `routingConfiguration.1.member.weight`). A list of scalars is checked as one
//! member: if any element breaks its shape's constraints, the list gets one violation listing
//! all of them, `Member must satisfy constraint: [Member must have length less than or equal to
//! 128, Member must have length greater than or equal to 1]`; maps likewise with `Map keys must
//! satisfy constraint: [...]` and `Map value must satisfy constraint: [...]` (AWS's Lambda, ACM
//! and EventBridge answers; a map of structures continues at `<map>.<key>`, which no answer we
//! found shows; Step Functions has no map in its inputs).
//!
//! Which constraints: `required` (`Member must not be null`), `min`/`max` on strings (length in
//! Unicode scalar values, as Smithy defines the trait), lists and maps (element count) and blobs
//! (bytes): `Member must have length greater than or equal to N`, `... less than or equal to N`;
//! on numbers `Member must have value ...`; `pattern` (`Member must satisfy regular expression
//! pattern: <pattern>`, whole-value match, see [`crate::model`]); `enum` (`Member must satisfy
//! enum value set: [A, B]`, in the model's order: AWS's order is not derivable, see
//! [`enum_order`]).

use serde_json::Value;

use crate::deserialize::MAX_DEPTH;
use crate::model::{Kind, Member, Model, Shape, ShapeId};
use crate::render::{bound, java_to_string};

/// One broken constraint: the member's path and the whole text AWS gives for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Violation {
    pub(crate) path: String,
    pub(crate) text: String,
}

/// Every violation in the input structure `value` of shape `shape`, in the model's member order.
pub(crate) fn violations(model: &Model, shape: ShapeId, value: &Value) -> Vec<Violation> {
    let mut walker = Walker {
        model,
        found: Vec::new(),
    };
    let root = Node {
        id: shape,
        value,
        path: String::new(),
        sensitive: false,
        depth: 0,
    };
    walker.node(root);
    walker.found
}

/// A value under check: its shape, where it is, whether it (or what holds it) is sensitive.
struct Node<'v> {
    id: ShapeId,
    value: &'v Value,
    path: String,
    sensitive: bool,
    depth: usize,
}

impl<'v> Node<'v> {
    fn child(&self, id: ShapeId, value: &'v Value, path: String) -> Self {
        Node {
            id,
            value,
            path,
            sensitive: self.sensitive,
            depth: self.depth + 1,
        }
    }
}

struct Walker<'m> {
    model: &'m Model,
    found: Vec<Violation>,
}

impl Walker<'_> {
    fn node(&mut self, mut node: Node) {
        if node.depth > MAX_DEPTH {
            return; // The deserialization check has refused such a request already.
        }
        let shape = self.model.shape(node.id);
        node.sensitive |= shape.sensitive;
        for constraint in broken_constraints(shape, node.value) {
            self.report(&node, &constraint);
        }
        match (&shape.kind, node.value) {
            (Kind::Structure { members }, _) => self.structure(&node, members),
            (Kind::List { member }, Value::Array(items)) => self.list(&node, *member, items),
            (Kind::Map { key, value }, Value::Object(entries)) => {
                self.map(&node, *key, *value, entries)
            }
            _ => {}
        }
    }

    fn structure(&mut self, node: &Node, members: &[Member]) {
        for member in members {
            let path = if node.path.is_empty() {
                member.name.clone()
            } else {
                format!("{}.{}", node.path, member.name)
            };
            match node.value.get(&member.name).filter(|v| !v.is_null()) {
                Some(v) => self.node(node.child(member.shape, v, path)),
                None if member.required => {
                    let text =
                        violation_text(&path, Some("null".to_owned()), "Member must not be null");
                    self.found.push(Violation { path, text });
                }
                None => {}
            }
        }
    }

    fn list(&mut self, node: &Node, element: ShapeId, items: &[Value]) {
        let shape = self.model.shape(element);
        if is_scalar(shape) {
            self.scalars(node, "Member must satisfy constraint", shape, items.iter());
            return;
        }
        for (i, item) in items.iter().enumerate().filter(|(_, item)| !item.is_null()) {
            self.node(node.child(element, item, format!("{}.{}.member", node.path, i + 1)));
        }
    }

    fn map(
        &mut self,
        node: &Node,
        key: ShapeId,
        value: ShapeId,
        entries: &serde_json::Map<String, Value>,
    ) {
        let keys: Vec<Value> = entries.keys().map(|k| Value::String(k.clone())).collect();
        self.scalars(
            node,
            "Map keys must satisfy constraint",
            self.model.shape(key),
            keys.iter(),
        );
        let shape = self.model.shape(value);
        if is_scalar(shape) {
            self.scalars(
                node,
                "Map value must satisfy constraint",
                shape,
                entries.values(),
            );
            return;
        }
        for (k, v) in entries.iter().filter(|(_, v)| !v.is_null()) {
            self.node(node.child(value, v, format!("{}.{k}", node.path)));
        }
    }

    /// The elements of a list or the keys or values of a map, scalars all of `shape`: one
    /// violation for the collection if any of them breaks a constraint.
    fn scalars<'e>(
        &mut self,
        node: &Node,
        label: &str,
        shape: &Shape,
        mut elements: impl Iterator<Item = &'e Value>,
    ) {
        if elements.any(|e| !e.is_null() && !broken_constraints(shape, e).is_empty()) {
            self.report(
                node,
                &format!("{label}: [{}]", all_constraints(shape).join(", ")),
            );
        }
    }

    fn report(&mut self, node: &Node, constraint: &str) {
        let shown = (!node.sensitive)
            .then(|| format!("'{}'", java_to_string(self.model, node.id, node.value)));
        let text = violation_text(&node.path, shown, constraint);
        self.found.push(Violation {
            path: node.path.clone(),
            text,
        });
    }
}

/// `Value <shown> at '<path>' failed to satisfy constraint: <constraint>`; `shown` is `None`
/// for a sensitive member.
fn violation_text(path: &str, shown: Option<String>, constraint: &str) -> String {
    match shown {
        Some(shown) => {
            format!("Value {shown} at '{path}' failed to satisfy constraint: {constraint}")
        }
        None => format!("Value at '{path}' failed to satisfy constraint: {constraint}"),
    }
}

fn is_scalar(shape: &Shape) -> bool {
    !matches!(
        shape.kind,
        Kind::Structure { .. } | Kind::List { .. } | Kind::Map { .. }
    )
}

/// What `min`/`max` measure for this value: a length, a number, or nothing.
enum Measure {
    Length(f64),
    Value(f64),
    None,
}

fn measure(shape: &Shape, value: &Value) -> Measure {
    match (&shape.kind, value) {
        (Kind::String { .. }, Value::String(s)) => Measure::Length(s.chars().count() as f64),
        // A blob travels as base64: its length is the decoded byte count.
        (Kind::Blob, Value::String(s)) => {
            let padding = s.bytes().rev().take_while(|b| *b == b'=').count();
            Measure::Length((s.len() / 4 * 3).saturating_sub(padding) as f64)
        }
        (Kind::List { .. }, Value::Array(items)) => Measure::Length(items.len() as f64),
        (Kind::Map { .. }, Value::Object(entries)) => Measure::Length(entries.len() as f64),
        (Kind::Integer | Kind::Long | Kind::Float | Kind::Double, Value::Number(n)) => {
            Measure::Value(n.as_f64().unwrap_or(f64::NAN))
        }
        _ => Measure::None,
    }
}

/// The constraints of `shape` that `value` breaks, as AWS words them.
fn broken_constraints(shape: &Shape, value: &Value) -> Vec<String> {
    let mut broken = Vec::new();
    let (what, x) = match measure(shape, value) {
        Measure::Length(x) => ("length", x),
        Measure::Value(x) => ("value", x),
        Measure::None => ("", f64::NAN),
    };
    if let Some(max) = shape.max.filter(|max| x > *max) {
        broken.push(format!(
            "Member must have {what} less than or equal to {}",
            bound(&shape.kind, max)
        ));
    }
    if let Some(min) = shape.min.filter(|min| x < *min) {
        broken.push(format!(
            "Member must have {what} greater than or equal to {}",
            bound(&shape.kind, min)
        ));
    }
    if let (
        Kind::String {
            enum_values,
            pattern,
        },
        Value::String(s),
    ) = (&shape.kind, value)
    {
        if let Some(pattern) = pattern.as_ref().filter(|p| !p.matches(s)) {
            broken.push(format!(
                "Member must satisfy regular expression pattern: {}",
                pattern.source
            ));
        }
        if let Some(values) = enum_values.as_ref().filter(|v| !v.iter().any(|e| e == s)) {
            broken.push(format!(
                "Member must satisfy enum value set: [{}]",
                enum_order(&shape.name, values).join(", ")
            ));
        }
    }
    broken
}

/// Every constraint of a scalar shape, for `Member must satisfy constraint: [...]`: maximum
/// before minimum, then pattern and enum, and a minimum length of 0 when only a maximum is
/// modelled (AWS's Lambda answer for its `Method` shape, `max` 6 and no `min`: `[Member must
/// have length less than or equal to 6, Member must have length greater than or equal to 0,
/// Member must satisfy regular expression pattern: .*, ...]`).
fn all_constraints(shape: &Shape) -> Vec<String> {
    let mut all = Vec::new();
    let what = match shape.kind {
        Kind::Integer | Kind::Long | Kind::Float | Kind::Double => "value",
        _ => "length",
    };
    if let Some(max) = shape.max {
        all.push(format!(
            "Member must have {what} less than or equal to {}",
            bound(&shape.kind, max)
        ));
    }
    let min = shape
        .min
        .or((what == "length" && shape.max.is_some()).then_some(0.0));
    if let Some(min) = min {
        all.push(format!(
            "Member must have {what} greater than or equal to {}",
            bound(&shape.kind, min)
        ));
    }
    if let Kind::String {
        enum_values,
        pattern,
    } = &shape.kind
    {
        if let Some(pattern) = pattern {
            all.push(format!(
                "Member must satisfy regular expression pattern: {}",
                pattern.source
            ));
        }
        if let Some(values) = enum_values {
            all.push(format!(
                "Member must satisfy enum value set: [{}]",
                enum_order(&shape.name, values).join(", ")
            ));
        }
    }
    all
}

/// The order AWS lists an enum's values in. It is not the model's order in general: for
/// `ExecutionStatus` (model: RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE) AWS
/// answers `[SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]` (LocalStack's
/// Step Functions provider reproduces that text for `statusFilter`, and users quote the same
/// list), an order no hash of the names explains. That one is taken as observed; the others keep
/// the model's order, which no recording contradicts.
fn enum_order<'v>(shape: &str, values: &'v [String]) -> Vec<&'v str> {
    const OBSERVED: &[(&str, &[&str])] = &[(
        "ExecutionStatus",
        &[
            "SUCCEEDED",
            "TIMED_OUT",
            "PENDING_REDRIVE",
            "ABORTED",
            "FAILED",
            "RUNNING",
        ],
    )];
    let model_order = || values.iter().map(String::as_str).collect();
    match OBSERVED.iter().find(|(name, _)| *name == shape) {
        // Only while the model still has exactly those values.
        Some((_, order))
            if order.len() == values.len()
                && order.iter().all(|o| values.iter().any(|v| v == o)) =>
        {
            order.to_vec()
        }
        _ => model_order(),
    }
}
