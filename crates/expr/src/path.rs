//! `Path`: the reads of the JSONPath query language (`InputPath`, `OutputPath`, `ItemsPath`,
//! `.$` fields): `$` on the input, `$$` on the context object, `$name` on a variable;
//! definite and indefinite paths as AWS tells them apart, over the Jayway engine of `jsonpath/`.

use crate::jsonpath::{ArrayOp, Budget, Failure, JsonPath, Selection, Token};
use crate::limits::{depth_exceeds, TooDeep, MAX_JSON_DEPTH};
use crate::{EvalError, Scope, SyntaxError};
use serde_json::Value;
use std::borrow::Cow;

/// A compiled JSONPath for reading: `$...` (input), `$$...` (context object) or `$name...`
/// (variable).
///
/// The part after the root follows AWS's path engine, Jayway JsonPath 2.0.0 (see
/// `src/jsonpath/mod.rs` for the evidence): `.name` (any characters but `.`, `[` and space),
/// `['name']` and `['a', 'b']`, `[0]`, `[0,2]`, `[1:]`, `[:2]`, `[1:3]`, `[(@.length-1)]`, `*`,
/// `..`, `[?(...)]` filters; a dot before a bracket (`$.[0]`, `$.a.[0]`) and blanks around the
/// path are accepted, as AWS accepts them. A definite path (names, single indexes) reads one
/// node; any other reads the list of its matches. At most
/// [`MAX_PATH_STEPS`](crate::MAX_PATH_STEPS) steps.
#[derive(Debug, Clone)]
pub struct Path {
    source: String,
    root: Root,
    compiled: Box<JsonPath>,
    /// The steps when they are only names and non-negative indexes: walked directly,
    /// borrowing what they find, which is what almost every definition uses.
    steps: Option<Vec<Step>>,
}

#[derive(Debug, Clone, PartialEq)]
enum Root {
    Input,
    Context,
    Variable(String),
}

/// One step of a definite path.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Step {
    Name(String),
    Index(usize),
}

/// The steps of `path` when every one is a single name or a non-negative index.
pub(crate) fn simple_steps(path: &JsonPath) -> Option<Vec<Step>> {
    path.steps()
        .iter()
        .map(|token| match token {
            Token::Property(names) => match names.as_slice() {
                [name] => Some(Step::Name(name.clone())),
                _ => None,
            },
            Token::Array(ArrayOp::Single(index)) => usize::try_from(*index).ok().map(Step::Index),
            _ => None,
        })
        .collect()
}

impl Path {
    /// Compiles `source`; the error says why it is not a path.
    pub fn parse(source: &str) -> Result<Path, SyntaxError> {
        let invalid = |why: &str| SyntaxError {
            message: format!("The value '{source}' is not a valid JSONPath: {why}"),
        };
        let (root, rest) = if let Some(rest) = source.strip_prefix("$$") {
            (Root::Context, rest)
        } else if let Some(rest) = source.strip_prefix('$') {
            let name_len = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            if name_len > 0 {
                let (name, rest) = rest.split_at(name_len);
                (Root::Variable(name.to_string()), rest)
            } else {
                (Root::Input, rest)
            }
        } else {
            return Err(invalid("it must start with '$'"));
        };
        let compiled = JsonPath::compile(&format!("${rest}")).map_err(|why| invalid(&why))?;
        Ok(Path {
            source: source.to_string(),
            root,
            steps: simple_steps(&compiled),
            compiled: Box::new(compiled),
        })
    }

    /// The path as written in the definition.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// True when the path can select at most one node (names and single indexes only); AWS
    /// returns the node itself for definite paths and an array for others.
    pub fn is_definite(&self) -> bool {
        self.compiled.is_definite()
    }

    /// The name of the variable this path reads, for `$name...` paths.
    pub fn variable(&self) -> Option<&str> {
        match &self.root {
            Root::Variable(name) => Some(name),
            _ => None,
        }
    }

    /// True when the path reads the context object (`$$...`).
    pub fn reads_context(&self) -> bool {
        self.root == Root::Context
    }

    /// Reads the value. `Ok(None)` when the path finds nothing where AWS's engine would fail
    /// (a definite path that selects nothing, a step that meets the wrong kind of value); the
    /// caller decides which error that is, because the cause text names the field, and
    /// [`Path::missing_message`] says why. `Err` for an undefined variable, and for a path
    /// that would visit or select more than Fluxo allows.
    ///
    /// The copy is refused (`States.Runtime`) for a value nested deeper than
    /// [`MAX_JSON_DEPTH`](crate::MAX_JSON_DEPTH), which serde_json would copy with one stack
    /// frame per level.
    pub fn read(&self, scope: &Scope) -> Result<Option<Value>, EvalError> {
        match self.select(scope)? {
            Some(Cow::Borrowed(value)) if depth_exceeds(value, MAX_JSON_DEPTH) => {
                Err(TooDeep.into())
            }
            found => Ok(found.map(Cow::into_owned)),
        }
    }

    /// Like [`Path::read`] but borrows the selected node when it can.
    pub fn select<'a>(&self, scope: &Scope<'a>) -> Result<Option<Cow<'a, Value>>, EvalError> {
        let root = self.root_value(scope)?;
        if let Some(steps) = &self.steps {
            return Ok(walk(root, steps).map(Cow::Borrowed));
        }
        let mut budget = Budget::default();
        let limit = |failure: Failure| EvalError {
            error: "States.Runtime".into(),
            message: format!("Invalid path '{}' : {}", self.source, failure.message()),
        };
        match self.compiled.evaluate(root, root, false, &mut budget) {
            Ok(Selection::One(value)) => Ok(Some(value)),
            Ok(Selection::Many(values)) => {
                let mut items = Vec::with_capacity(values.len());
                for value in values {
                    if let Cow::Borrowed(node) = value {
                        budget.take(node).map_err(limit)?;
                    }
                    items.push(value.into_owned());
                }
                Ok(Some(Cow::Owned(Value::Array(items))))
            }
            Err(failure @ Failure::Limit(_)) => Err(limit(failure)),
            Err(_) => Ok(None),
        }
    }

    fn root_value<'a>(&self, scope: &Scope<'a>) -> Result<&'a Value, EvalError> {
        Ok(match &self.root {
            Root::Input => scope.input,
            Root::Context => scope.context,
            Root::Variable(name) => scope
                .variables
                .and_then(|variables| variables.get(name))
                .ok_or_else(|| EvalError {
                    error: "States.Runtime".into(),
                    message: format!(
                        "The variable '${name}' referenced by the JSONPath '{}' is not defined",
                        self.source
                    ),
                })?,
        })
    }

    /// The message AWS gives when `InputPath`, `OutputPath` or `ItemsPath` finds nothing:
    /// `Invalid path '<path>' : ` and the message of its Jayway engine's exception, e.g. "No
    /// results for path: $['a']" (a missing last step), "Missing property in path $['a']" (a
    /// missing step on the way), "Property ['b'] not found in path $['a']" (a step into a
    /// value that is not an object).
    pub fn missing_message(&self, scope: &Scope) -> String {
        let prefix = format!("Invalid path '{}' : ", self.source);
        let Ok(root) = self.root_value(scope) else {
            return format!("{prefix}No results for path: {}", self.source);
        };
        match self
            .compiled
            .evaluate(root, root, false, &mut Budget::default())
        {
            Err(failure) => format!("{prefix}{}", failure.message()),
            Ok(_) => format!("{prefix}No results for path: {}", self.source),
        }
    }
}

fn walk<'a>(mut value: &'a Value, steps: &[Step]) -> Option<&'a Value> {
    for step in steps {
        value = match (step, value) {
            (Step::Name(name), Value::Object(map)) => map.get(name)?,
            (Step::Index(index), Value::Array(items)) => items.get(*index)?,
            _ => return None,
        };
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(path: &str, input: Value) -> Option<Value> {
        let context = json!({"Execution": {"Name": "e"}});
        let mut variables = serde_json::Map::new();
        variables.insert("x".into(), json!({"a": [10, 20]}));
        let scope = Scope {
            input: &input,
            context: &context,
            variables: Some(&variables),
        };
        Path::parse(path).unwrap().read(&scope).unwrap()
    }

    #[test]
    fn definite_paths_select_one_node() {
        let input = json!({"a": {"b-c": [1, {"d": 2}]}, "e f": 3});
        assert_eq!(read("$", input.clone()), Some(input.clone()));
        assert_eq!(read("$.a.b-c[1].d", input.clone()), Some(json!(2)));
        assert_eq!(read("$['e f']", input.clone()), Some(json!(3)));
        assert_eq!(
            read(r#"$['Test\""Name"']"#, json!({r#"Test\""Name""#: 1})),
            Some(json!(1))
        );
        // Jayway 2.0.0 knows no escapes in brackets: the name ends at the second quote.
        assert_eq!(read(r"$['it\'s']", json!({"it\\": 2})), Some(json!(2)));
        assert_eq!(read("$.a.missing", input.clone()), None);
        assert_eq!(read("$.a.b-c[7]", input), None);
        assert_eq!(read("$$.Execution.Name", json!({})), Some(json!("e")));
        assert_eq!(read("$x.a[1]", json!({})), Some(json!(20)));
    }

    #[test]
    fn indefinite_paths_select_an_array() {
        let input = json!({"items": [{"v": 1}, {"v": 2}, {"v": 3}]});
        assert_eq!(read("$.items[*].v", input.clone()), Some(json!([1, 2, 3])));
        assert_eq!(read("$.items[1:].v", input.clone()), Some(json!([2, 3])));
        assert_eq!(read("$.nothing[*]", input), Some(json!([])));
        assert!(!Path::parse("$.items[*]").unwrap().is_definite());
        assert!(Path::parse("$.items[0]").unwrap().is_definite());
    }

    #[test]
    fn undefined_variables_are_runtime_errors() {
        let input = json!({});
        let scope = Scope {
            input: &input,
            context: &input,
            variables: None,
        };
        let error = Path::parse("$nope").unwrap().read(&scope).unwrap_err();
        assert_eq!(error.error, "States.Runtime");
    }

    #[test]
    fn missing_messages_follow_jayway() {
        let input = json!({"int-literal": 0});
        let scope = Scope {
            input: &input,
            context: &input,
            variables: None,
        };
        assert_eq!(
            Path::parse("$.NoSuchInputPath")
                .unwrap()
                .missing_message(&scope),
            "Invalid path '$.NoSuchInputPath' : No results for path: $['NoSuchInputPath']"
        );
        assert_eq!(
            Path::parse("$.no.such.result.path")
                .unwrap()
                .missing_message(&scope),
            "Invalid path '$.no.such.result.path' : Missing property in path $['no']"
        );
    }

    #[test]
    fn bad_syntax_is_an_error_not_a_panic() {
        for bad in [
            "", "a.b", "$.", "$[", "$['a", "$[?(", "$..", "$[1", "$.a[*", "$[\"é",
        ] {
            assert!(Path::parse(bad).is_err(), "{bad}");
        }
    }
}
