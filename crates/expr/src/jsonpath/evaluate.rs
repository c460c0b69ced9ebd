//! Evaluating a compiled path the way Jayway 2.0.0's path tokens do, with its default options.
//!
//! Results come in Jayway's order (depth first). Jayway's exceptions become [`Failure`]s and
//! are caught where Jayway catches them: a wildcard over an array skips an element whose rest
//! of the path finds nothing, and a filter criterion whose path finds nothing is false. One
//! stack frame is used per step of the path and, under a scan (`..`), per level of the value;
//! both are bounded (the path by [`MAX_PATH_STEPS`](crate::limits::MAX_PATH_STEPS), the
//! value's depth checked against [`MAX_JSON_DEPTH`]), and a [`Budget`] bounds the work.

use super::compare::{holds, Operand as Found};
use super::filter::{Criterion, Filter, Operand};
use super::{quoted_list, ArrayOp, JsonPath, Token};
use crate::intrinsic::render::java_text;
use crate::limits::{charge, Exceeded, MAX_BUILT_BYTES, MAX_JSON_DEPTH, MAX_PATH_VISITS};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// Why an evaluation stopped, after Jayway's exceptions.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Failure {
    /// `PathNotFoundException`: something the path needs is missing.
    NotFound(String),
    /// `InvalidPathException` at run time: a step meets the wrong kind of value.
    Invalid(String),
    /// Any other exception Jayway would throw.
    Other(String),
    /// Fluxo's bounds: too much work or data.
    Limit(String),
}

impl Failure {
    /// The exception's message.
    pub(crate) fn message(&self) -> &str {
        match self {
            Failure::NotFound(message)
            | Failure::Invalid(message)
            | Failure::Other(message)
            | Failure::Limit(message) => message,
        }
    }
}

/// What one evaluation may still spend.
pub(crate) struct Budget {
    visits: usize,
    bytes: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            visits: MAX_PATH_VISITS,
            bytes: MAX_BUILT_BYTES,
        }
    }
}

impl Budget {
    fn visit(&mut self) -> Result<(), Failure> {
        self.visits = self.visits.checked_sub(1).ok_or_else(|| {
            Failure::Limit(format!(
                "evaluating the path visited more than {MAX_PATH_VISITS} nodes"
            ))
        })?;
        Ok(())
    }

    /// Takes `value`'s size before it is copied into a list of results, and checks that the
    /// list will not be nested too deep.
    pub(crate) fn take(&mut self, value: &Value) -> Result<(), Failure> {
        match charge(value, &mut self.bytes, MAX_JSON_DEPTH - 1) {
            Ok(()) => Ok(()),
            Err(Exceeded::Size) => Err(Failure::Limit(format!(
                "the path selects more than {MAX_BUILT_BYTES} bytes"
            ))),
            Err(Exceeded::Depth) => Err(Failure::Limit(format!(
                "the value is nested deeper than {MAX_JSON_DEPTH} levels"
            ))),
        }
    }
}

/// What a path selected: one node (definite path) or every match in order.
pub(crate) enum Selection<'a> {
    One(Cow<'a, Value>),
    Many(Vec<Cow<'a, Value>>),
}

/// One step of the path walked so far, for messages (`$['a'][0]`).
#[derive(Clone, Copy)]
enum Segment<'s> {
    /// A root step: the path shown starts again at `$`.
    Root,
    Key(&'s str),
    Index(i64),
}

impl JsonPath {
    /// Evaluates the path on `document`; `root` is what `$` means inside filters.
    /// `require_properties` is Jayway's option of that name (existence tests set it).
    pub(crate) fn evaluate<'a>(
        &self,
        document: &'a Value,
        root: &'a Value,
        require_properties: bool,
        budget: &mut Budget,
    ) -> Result<Selection<'a>, Failure> {
        let mut run = Run {
            path: self,
            root,
            require_properties,
            budget,
            results: Vec::new(),
            trail: Vec::new(),
        };
        run.token(0, document, 0)?;
        let mut results = run.results;
        if !self.is_definite() {
            return Ok(Selection::Many(results));
        }
        if results.is_empty() {
            return Err(Failure::NotFound(format!(
                "No results for path: {}",
                self.text_from(0)
            )));
        }
        Ok(Selection::One(results.swap_remove(0)))
    }
}

struct Run<'r, 's, 'a: 's> {
    path: &'s JsonPath,
    root: &'a Value,
    require_properties: bool,
    budget: &'r mut Budget,
    results: Vec<Cow<'a, Value>>,
    trail: Vec<Segment<'s>>,
}

impl<'s, 'a: 's> Run<'_, 's, 'a> {
    fn is_leaf(&self, token: usize) -> bool {
        token + 1 == self.path.tokens.len()
    }

    /// Jayway's `currentPath` for messages.
    fn current(&self) -> String {
        let start = self
            .trail
            .iter()
            .rposition(|segment| matches!(segment, Segment::Root))
            .unwrap_or(0);
        let mut text = String::from("$");
        for segment in &self.trail[start..] {
            match segment {
                Segment::Root => {}
                Segment::Key(key) => {
                    text.push_str("['");
                    text.push_str(key);
                    text.push_str("']");
                }
                Segment::Index(index) => {
                    text.push('[');
                    text.push_str(&index.to_string());
                    text.push(']');
                }
            }
        }
        text
    }

    /// Applies token `token` to `model`; `depth` counts the value levels descended so far.
    fn token(&mut self, token: usize, model: &'a Value, depth: usize) -> Result<(), Failure> {
        self.budget.visit()?;
        if depth > MAX_JSON_DEPTH + 1 {
            return Err(Failure::Limit(format!(
                "the value is nested deeper than {MAX_JSON_DEPTH} levels"
            )));
        }
        match &self.path.tokens[token] {
            Token::Root => {
                self.trail.push(Segment::Root);
                let outcome = self.emit(token, model, depth);
                self.trail.pop();
                outcome
            }
            Token::Property(names) => match model {
                Value::Object(map) => self.properties(token, names, map, depth),
                _ => Err(Failure::NotFound(format!(
                    "Property [{}] not found in path {}",
                    quoted_list(names),
                    self.current()
                ))),
            },
            Token::Array(operation) => self.array(token, operation, model, depth),
            Token::Wildcard => self.wildcard(token, model, depth),
            // Only `.` alone, read as `$..`, ends with a scan: Jayway fails on it.
            Token::Scan if self.is_leaf(token) => {
                Err(Failure::Other("Current path token is a leaf".into()))
            }
            Token::Scan => self.walk(token + 1, model, depth),
            Token::Filter(filter) => self.filter(token, Some(filter), model, depth),
            Token::Placeholder(_) => self.filter(token, None, model, depth),
        }
    }

    /// A node found by token `token`: a result at the end of the path, else the next token's
    /// input.
    fn emit(&mut self, token: usize, value: &'a Value, depth: usize) -> Result<(), Failure> {
        if self.is_leaf(token) {
            self.results.push(Cow::Borrowed(value));
            Ok(())
        } else {
            self.token(token + 1, value, depth + 1)
        }
    }

    /// `handleObjectProperty` for one name or several.
    fn properties(
        &mut self,
        token: usize,
        names: &'s [String],
        map: &'a Map<String, Value>,
        depth: usize,
    ) -> Result<(), Failure> {
        if let [name] = names {
            return self.property(token, name, map.get(name), depth);
        }
        let shown = format!("{}[{}]", self.current(), quoted_list(names));
        if !self.is_leaf(token) {
            return Err(Failure::Invalid(format!(
                "Multi properties can only be used as path leafs: {shown}"
            )));
        }
        let mut merged = Map::new();
        for name in names {
            match map.get(name) {
                Some(value) => {
                    self.budget.take(value)?;
                    merged.insert(name.clone(), value.clone());
                }
                None if self.require_properties => {
                    return Err(Failure::NotFound(format!(
                        "Missing property in path {shown}"
                    )))
                }
                None => {}
            }
        }
        self.results.push(Cow::Owned(Value::Object(merged)));
        Ok(())
    }

    /// One property, `found` or missing.
    fn property(
        &mut self,
        token: usize,
        name: &'s str,
        found: Option<&'a Value>,
        depth: usize,
    ) -> Result<(), Failure> {
        self.trail.push(Segment::Key(name));
        let outcome = match found {
            Some(value) => self.emit(token, value, depth),
            None if self.is_leaf(token) => Err(Failure::NotFound(format!(
                "No results for path: {}",
                self.current()
            ))),
            // Jayway's `isUpstreamDefinite` of 2.0.0: this token and everything from the one
            // before it to the end.
            None if !(self.require_properties
                || token == 0
                || self.path.suffix_definite[token - 1]) =>
            {
                Ok(())
            }
            None => Err(Failure::NotFound(format!(
                "Missing property in path {}",
                self.current()
            ))),
        };
        self.trail.pop();
        outcome
    }

    fn array(
        &mut self,
        token: usize,
        operation: &ArrayOp,
        model: &'a Value,
        depth: usize,
    ) -> Result<(), Failure> {
        let items = match model {
            Value::Array(items) => items,
            Value::Null => {
                return Err(Failure::NotFound(format!(
                    "The path {} is null",
                    self.current()
                )))
            }
            other => {
                return Err(Failure::Invalid(format!(
                    "Filter: {} can only be applied to arrays. Current context is: {}",
                    self.path.text_from(token),
                    java_text(other)
                )))
            }
        };
        let length = i64::try_from(items.len()).unwrap_or(i64::MAX);
        let range = |from: i64, to: i64| from..to;
        let indexes = match operation {
            ArrayOp::Single(index) => range(i64::from(*index), i64::from(*index) + 1),
            ArrayOp::Sequence(indexes) => {
                for &index in indexes {
                    self.index(token, i64::from(index), items, depth)?;
                }
                return Ok(());
            }
            ArrayOp::FromEnd(offset) => {
                range(length + i64::from(*offset), length + i64::from(*offset) + 1)
            }
            ArrayOp::From(from) => {
                let from = i64::from(*from);
                let from = if from < 0 { length + from } else { from }.max(0);
                range(from, length)
            }
            ArrayOp::To(to) => {
                let to = i64::from(*to);
                range(0, if to < 0 { length + to } else { to }.min(length))
            }
            ArrayOp::Between(_, _) if length == 0 => range(0, 0),
            ArrayOp::Between(from, to) => range(i64::from(*from), i64::from(*to).min(length)),
            ArrayOp::Unknown => {
                return Err(Failure::Other("The array step has no operation".into()))
            }
        };
        for index in indexes {
            self.index(token, index, items, depth)?;
        }
        Ok(())
    }

    /// `handleArrayIndex`: a missing index fails (a negative one always does).
    fn index(
        &mut self,
        token: usize,
        index: i64,
        items: &'a [Value],
        depth: usize,
    ) -> Result<(), Failure> {
        self.trail.push(Segment::Index(index));
        let outcome = match usize::try_from(index).ok().and_then(|i| items.get(i)) {
            Some(value) => self.emit(token, value, depth),
            None => Err(Failure::NotFound(format!(
                "Index out of bounds when evaluating path {}",
                self.current()
            ))),
        };
        self.trail.pop();
        outcome
    }

    fn wildcard(&mut self, token: usize, model: &'a Value, depth: usize) -> Result<(), Failure> {
        match model {
            Value::Object(map) => {
                for (key, value) in map {
                    self.property(token, key, Some(value), depth)?;
                }
            }
            Value::Array(items) => {
                for index in 0..items.len() {
                    let index = i64::try_from(index).unwrap_or(i64::MAX);
                    match self.index(token, index, items, depth) {
                        Err(Failure::NotFound(_)) if !self.require_properties => {}
                        outcome => outcome?,
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// `ScanPathToken.walk`: applies token `target` at `model` and every node below it, in
    /// document order, where the token can apply.
    fn walk(&mut self, target: usize, model: &'a Value, depth: usize) -> Result<(), Failure> {
        self.budget.visit()?;
        if depth > MAX_JSON_DEPTH + 1 {
            return Err(Failure::Limit(format!(
                "the value is nested deeper than {MAX_JSON_DEPTH} levels"
            )));
        }
        match model {
            Value::Object(map) => {
                if self.scan_matches(target, model)? {
                    self.token(target, model, depth)?;
                }
                for (key, value) in map {
                    self.trail.push(Segment::Key(key));
                    let outcome = self.walk(target, value, depth + 1);
                    self.trail.pop();
                    outcome?;
                }
            }
            Value::Array(items) => {
                if self.scan_matches(target, model)? {
                    if self.is_leaf(target) {
                        self.token(target, model, depth)?;
                    } else {
                        // Jayway applies the token *after* the target to each element here.
                        for (index, item) in items.iter().enumerate() {
                            self.trail
                                .push(Segment::Index(i64::try_from(index).unwrap_or(0)));
                            let outcome = self.token(target + 1, item, depth + 1);
                            self.trail.pop();
                            outcome?;
                        }
                    }
                }
                for (index, item) in items.iter().enumerate() {
                    self.trail
                        .push(Segment::Index(i64::try_from(index).unwrap_or(0)));
                    let outcome = self.walk(target, item, depth + 1);
                    self.trail.pop();
                    outcome?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Whether a scan applies its target token at `model`.
    fn scan_matches(&mut self, target: usize, model: &'a Value) -> Result<bool, Failure> {
        Ok(match &self.path.tokens[target] {
            Token::Property(names) => model
                .as_object()
                .is_some_and(|map| names.iter().all(|name| map.contains_key(name))),
            Token::Array(_) => model.is_array(),
            Token::Wildcard => true,
            Token::Filter(filter) => self.accept(Some(filter), model)?,
            Token::Placeholder(_) => self.accept(None, model)?,
            Token::Root | Token::Scan => false,
        })
    }

    /// `PredicatePathToken`: an object is kept or not as a whole; an array keeps the elements
    /// that pass.
    fn filter(
        &mut self,
        token: usize,
        filter: Option<&'s Filter>,
        model: &'a Value,
        depth: usize,
    ) -> Result<(), Failure> {
        match model {
            Value::Object(_) => {
                if self.accept(filter, model)? {
                    if self.is_leaf(token) {
                        self.results.push(Cow::Borrowed(model));
                    } else {
                        self.token(token + 1, model, depth)?;
                    }
                }
                Ok(())
            }
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    if self.accept(filter, item)? {
                        let index = i64::try_from(index).unwrap_or(i64::MAX);
                        self.index(token, index, items, depth)?;
                    }
                }
                Ok(())
            }
            other => Err(Failure::Invalid(format!(
                "Filter: {} can not be applied to primitives. Current context is: {}",
                self.path.text_from(token),
                java_text(other)
            ))),
        }
    }

    /// Whether `item` passes the filter; `None` is a placeholder filter, which fails.
    fn accept(&mut self, filter: Option<&'s Filter>, item: &'a Value) -> Result<bool, Failure> {
        let filter = filter.ok_or_else(|| {
            Failure::Other("No filter was supplied for the placeholder [?]".into())
        })?;
        // Jayway evaluates the groups, and the criteria in each, from the last to the first.
        for group in filter.groups.iter().rev() {
            let mut all = true;
            for criterion in group.iter().rev() {
                if !self.criterion(criterion, item)? {
                    all = false;
                    break;
                }
            }
            if all {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// `Criteria.eval`: a criterion whose path finds nothing is false (or true for `!@.x`).
    fn criterion(&mut self, criterion: &'s Criterion, item: &'a Value) -> Result<bool, Failure> {
        match criterion {
            Criterion::Exists { path, expected } => {
                match path.evaluate(item, self.root, true, self.budget) {
                    Ok(selection) => Ok(first(&selection).is_null() != *expected),
                    Err(Failure::NotFound(_)) => Ok(!expected),
                    Err(failure) => Err(failure),
                }
            }
            Criterion::Compare {
                left,
                relation,
                right,
            } => {
                let left = match self.operand(left, item) {
                    Err(Failure::NotFound(_)) => return Ok(false),
                    found => found?,
                };
                let right = match self.operand(right, item) {
                    Err(Failure::NotFound(_)) => return Ok(false),
                    found => found?,
                };
                holds(*relation, found(&left), found(&right))
            }
        }
    }

    /// An operand's value: a path is read from the document or the item.
    fn operand(
        &mut self,
        operand: &'s Operand,
        item: &'a Value,
    ) -> Result<Evaluated<'s, 'a>, Failure> {
        Ok(match operand {
            Operand::Path { path, document } => {
                let on = if *document { self.root } else { item };
                match path.evaluate(on, self.root, false, self.budget)? {
                    Selection::One(value) => Evaluated::Node(value),
                    Selection::Many(values) => Evaluated::Node(Cow::Owned(Value::Array(
                        values.into_iter().map(Cow::into_owned).collect(),
                    ))),
                }
            }
            Operand::Text(text) => Evaluated::Text(text),
            Operand::Pattern { regex, source } => Evaluated::Pattern(regex, source),
        })
    }
}

/// An operand's value, owned where a path built it.
enum Evaluated<'s, 'a> {
    Node(Cow<'a, Value>),
    Text(&'s str),
    Pattern(&'s regex::Regex, &'s str),
}

fn found<'x>(evaluated: &'x Evaluated) -> Found<'x> {
    match evaluated {
        Evaluated::Node(value) => Found::Node(value),
        Evaluated::Text(text) => Found::Text(text),
        Evaluated::Pattern(regex, source) => Found::Pattern { regex, source },
    }
}

/// The value an existence test looks at: the single node of a definite path.
fn first<'x>(selection: &'x Selection) -> &'x Value {
    match selection {
        Selection::One(value) => value,
        Selection::Many(values) => values.first().map_or(&Value::Null, |value| value),
    }
}
