use crate::{EvalError, Scope, SyntaxError};
use serde_json::Value;

/// A compiled JSONPath for reading: `$...` (input), `$$...` (context object) or `$name...` (variable).
///
/// Definite paths (only names and indices) are walked directly, which is what almost every
/// definition uses and what AWS's Jayway-based engine accepts (names with `-` in dot notation,
/// for example). Anything else goes to `serde_json_path` and yields an array of the matches.
#[derive(Debug, Clone)]
pub struct Path {
    source: String,
    root: Root,
    query: Query,
}

#[derive(Debug, Clone, PartialEq)]
enum Root {
    Input,
    Context,
    Variable(String),
}

#[derive(Debug, Clone)]
enum Query {
    Definite(Vec<Step>),
    Indefinite(Box<serde_json_path::JsonPath>),
}

/// One step of a definite path.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Step {
    Name(String),
    Index(usize),
}

impl Path {
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
        let query = match parse_definite(rest) {
            Some(steps) => Query::Definite(steps),
            None => {
                let normalized = format!("${rest}");
                let compiled = serde_json_path::JsonPath::parse(&normalized)
                    .map_err(|error| invalid(&error.to_string()))?;
                Query::Indefinite(Box::new(compiled))
            }
        };
        Ok(Path {
            source: source.to_string(),
            root,
            query,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// True when the path can select at most one node (no wildcards, filters, slices, unions,
    /// recursive descent); AWS returns the node itself for definite paths and an array for others.
    pub fn is_definite(&self) -> bool {
        matches!(self.query, Query::Definite(_))
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

    /// Reads the value. `Ok(None)` when a definite path selects nothing; the caller decides which
    /// error that is, because the cause text names the field.
    pub fn read(&self, scope: &Scope) -> Result<Option<Value>, EvalError> {
        Ok(self.select(scope)?.map(|found| found.into_owned()))
    }

    /// Like [`Path::read`] but borrows the selected node when it can.
    pub fn select<'a>(
        &self,
        scope: &Scope<'a>,
    ) -> Result<Option<std::borrow::Cow<'a, Value>>, EvalError> {
        let root = match &self.root {
            Root::Input => scope.input,
            Root::Context => scope.context,
            Root::Variable(name) => {
                match scope.variables.and_then(|variables| variables.get(name)) {
                    Some(value) => value,
                    None => {
                        return Err(EvalError {
                            error: "States.Runtime".into(),
                            message: format!(
                            "The variable '${name}' referenced by the JSONPath '{}' is not defined",
                            self.source
                        ),
                        })
                    }
                }
            }
        };
        Ok(match &self.query {
            Query::Definite(steps) => walk(root, steps).map(std::borrow::Cow::Borrowed),
            Query::Indefinite(path) => Some(std::borrow::Cow::Owned(Value::Array(
                path.query(root).all().into_iter().cloned().collect(),
            ))),
        })
    }

    /// The message AWS gives when `InputPath` or `OutputPath` selects nothing, in the words of
    /// its Jayway JSONPath engine: a missing last step is "No results", a missing step on the
    /// way is a "Missing property".
    pub fn missing_message(&self, scope: &Scope) -> String {
        let prefix = format!("Invalid path '{}' : ", self.source);
        let Query::Definite(steps) = &self.query else {
            return format!("{prefix}No results for path: {}", self.source);
        };
        let root = match &self.root {
            Root::Input => Some(scope.input),
            Root::Context => Some(scope.context),
            Root::Variable(name) => scope.variables.and_then(|variables| variables.get(name)),
        };
        let mut current = root;
        for (index, step) in steps.iter().enumerate() {
            let next = current.and_then(|value| walk(value, std::slice::from_ref(step)));
            if next.is_none() {
                let normalized = normalized(&steps[..=index]);
                return if index + 1 == steps.len() {
                    format!("{prefix}No results for path: {normalized}")
                } else {
                    format!("{prefix}Missing property in path {normalized}")
                };
            }
            current = next;
        }
        format!("{prefix}No results for path: {}", normalized(steps))
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

/// Jayway's normalized form: `$['a'][0]['b']`.
fn normalized(steps: &[Step]) -> String {
    let mut text = String::from("$");
    for step in steps {
        match step {
            Step::Name(name) => {
                text.push_str("['");
                text.push_str(name);
                text.push_str("']");
            }
            Step::Index(index) => {
                text.push('[');
                text.push_str(&index.to_string());
                text.push(']');
            }
        }
    }
    text
}

/// Parses the part after the root when it is definite: `.name`, `['name']`, `["name"]`,
/// `[index]`. Returns `None` for anything else, which is then tried as a general JSONPath.
pub(crate) fn parse_definite(mut rest: &str) -> Option<Vec<Step>> {
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(after_dot) = rest.strip_prefix('.') {
            let end = after_dot.find(['.', '[']).unwrap_or(after_dot.len());
            let name = &after_dot[..end];
            if name.is_empty() || name.contains(['*', ']', '(', ')', '?', '@', ' ', '\'', '"']) {
                return None;
            }
            steps.push(Step::Name(name.to_string()));
            rest = &after_dot[end..];
        } else if let Some(inside) = rest.strip_prefix('[') {
            let (step, consumed) = bracket_step(inside)?;
            steps.push(step);
            rest = &inside[consumed..];
        } else {
            return None;
        }
    }
    Some(steps)
}

/// One `[...]` step; returns it and how many bytes of `inside` (after the `[`) it used.
fn bracket_step(inside: &str) -> Option<(Step, usize)> {
    let quote = inside.chars().next()?;
    if quote == '\'' || quote == '"' {
        let mut name = String::new();
        let mut chars = inside[1..].char_indices();
        while let Some((offset, c)) = chars.next() {
            match c {
                // Only the quote itself is escaped; other backslashes stay (Jayway's reading).
                '\\' if inside[1 + offset + 1..].starts_with(quote) => name.push(chars.next()?.1),
                c if c == quote => {
                    let after = 1 + offset + 1;
                    return inside[after..]
                        .starts_with(']')
                        .then(|| (Step::Name(name), after + 1));
                }
                c => name.push(c),
            }
        }
        return None;
    }
    let end = inside.find(']')?;
    let digits = &inside[..end];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((Step::Index(digits.parse().ok()?), end + 1))
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
        assert_eq!(read(r"$['it\'s']", json!({"it's": 2})), Some(json!(2)));
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
