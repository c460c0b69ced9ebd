//! AWS's JSONPath engine: Jayway JsonPath 2.0.0, ported.
//!
//! Which Jayway AWS runs is not documented, but three recorded behaviours name 2.0.0 (March
//! 2015) and no later version:
//! - `$.Jobs.sum()` is accepted when the state machine is created and "could not be found"
//!   when it runs (re:Post "AWS StepFunctions: sum() function returns error about not finding
//!   path"): 2.0.0 reads `sum()` as a property name; 2.1.0 and later call a function.
//! - `$['a', 'b'].v` fails at run time with "Multi properties can only be used as path leafs:
//!   $['a', 'b']" (gist "AWS Step Functions StateMachine Language JSONPath Gotchas"), a message
//!   that 2.1.0 removed.
//! - `['Test\""Name"']` reads the name `Test\""Name"` (conformance case base_scenarios
//!   ESCAPE_SEQUENCES_JSONPATH), where 2.2.0 and later unescape it; and published definitions
//!   that AWS accepted filter with unquoted words (`[?(@.Name==Receipt)]`), which only 2.0.0's
//!   filter parser takes (as text).
//!
//! [`compile`] is `PathCompiler`, [`filter`] is `Filter.parse` and `Criteria`, [`evaluate`] the
//! path tokens with Jayway's default options, which AWS's messages show it uses ("No results
//! for path", "Missing property in path"). Fluxo adds bounds Jayway has not: a path has at most
//! [`MAX_PATH_STEPS`] steps, a filter's path holds no filter, and one evaluation visits at most
//! [`crate::limits::MAX_PATH_VISITS`] nodes and builds at most
//! [`crate::limits::MAX_BUILT_BYTES`].

mod compare;
mod compile;
mod evaluate;
mod filter;
mod java_regex;
#[cfg(test)]
mod tests;

pub(crate) use compile::CompileError;
pub(crate) use evaluate::{Budget, Failure, Selection};

use crate::limits::MAX_PATH_STEPS;
use filter::Filter;

/// A compiled path: `tokens[0]` is the root (`$`, or `@` inside a filter).
#[derive(Debug, Clone)]
pub(crate) struct JsonPath {
    tokens: Vec<Token>,
    /// `suffix_definite[i]`: every token from `i` to the end is definite.
    suffix_definite: Vec<bool>,
}

/// One step of a path.
#[derive(Debug, Clone)]
pub(crate) enum Token {
    /// `$`: the document at the start; later in a path (`$[0]$`) it selects the node it is at.
    Root,
    /// `.name`, `['name']`, or several names `['a', 'b']` (merged into one object at the end
    /// of a path, an error before it).
    Property(Vec<String>),
    Array(ArrayOp),
    /// `*`, `[*]`.
    Wildcard,
    /// `..`: the next step applied at every node below.
    Scan,
    /// `[?(...)]`.
    Filter(Filter),
    /// `[?]`: a filter that the caller should have supplied; AWS supplies none, so it fails
    /// when it is applied.
    Placeholder(usize),
}

/// The forms of `[...]` with numbers.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ArrayOp {
    /// `[2]`; a negative index is never found, as in 2.0.0.
    Single(i32),
    /// `[1,2]`.
    Sequence(Vec<i32>),
    /// `[2:]`, negative from the end.
    From(i32),
    /// `[:2]`, negative from the end.
    To(i32),
    /// `[1:3]`.
    Between(i32, i32),
    /// `[(@.length-1)]`: the length plus this (negative) number.
    FromEnd(i32),
    /// A form Jayway builds no operation for; fails when applied.
    Unknown,
}

impl Token {
    /// Jayway's `isTokenDefinite`: a step that selects at most one node.
    fn is_definite(&self) -> bool {
        match self {
            Token::Root | Token::Property(_) => true,
            Token::Array(op) => matches!(op, ArrayOp::Single(_) | ArrayOp::FromEnd(_)),
            Token::Wildcard | Token::Scan | Token::Filter(_) | Token::Placeholder(_) => false,
        }
    }

    /// Jayway's `getPathFragment`, used in its messages.
    fn fragment(&self) -> String {
        let join = |numbers: &[i32]| {
            let texts: Vec<String> = numbers.iter().map(i32::to_string).collect();
            texts.join(",")
        };
        match self {
            Token::Root => "$".into(),
            Token::Property(names) => format!("[{}]", quoted_list(names)),
            Token::Array(ArrayOp::Single(index)) => format!("[{index}]"),
            Token::Array(ArrayOp::Sequence(indexes)) => format!("[{}]", join(indexes)),
            Token::Array(ArrayOp::From(from)) => format!("[{from}:]"),
            Token::Array(ArrayOp::To(to)) => format!("[:{to}]"),
            Token::Array(ArrayOp::Between(from, to)) => format!("[{from}:{to}]"),
            Token::Array(ArrayOp::FromEnd(offset)) => format!("[@.size(){offset}]"),
            Token::Array(ArrayOp::Unknown) => "NOT IMPLEMENTED".into(),
            Token::Wildcard => "[*]".into(),
            Token::Scan => "..".into(),
            Token::Filter(_) => "[?]".into(),
            Token::Placeholder(count) => format!("[{}]", vec!["?"; (*count).max(1)].join(",")),
        }
    }
}

/// Jayway's `Utils.join(", ", "'", names)`: `'a', 'b'`.
fn quoted_list(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("'{name}'")).collect();
    quoted.join(", ")
}

impl JsonPath {
    fn new(tokens: Vec<Token>) -> JsonPath {
        let mut suffix_definite = vec![true; tokens.len() + 1];
        for index in (0..tokens.len()).rev() {
            suffix_definite[index] = suffix_definite[index + 1] && tokens[index].is_definite();
        }
        suffix_definite.pop();
        JsonPath {
            tokens,
            suffix_definite,
        }
    }

    /// Compiles a path that starts with `$`; at most [`MAX_PATH_STEPS`] steps after it.
    pub(crate) fn compile(text: &str) -> Result<JsonPath, CompileError> {
        compile::compile(text, false)
    }

    /// True when every step selects at most one node: the path reads a node rather than a list.
    pub(crate) fn is_definite(&self) -> bool {
        self.suffix_definite.first().copied().unwrap_or(true)
    }

    /// The steps after the root.
    pub(crate) fn steps(&self) -> &[Token] {
        self.tokens.get(1..).unwrap_or_default()
    }

    /// Jayway's `toString` of the path from token `from` on.
    fn text_from(&self, from: usize) -> String {
        self.tokens[from..].iter().map(Token::fragment).collect()
    }

    /// Refuses a path longer than the limit; called on every compiled path.
    fn check_length(self) -> Result<JsonPath, CompileError> {
        if self.tokens.len() > MAX_PATH_STEPS + 1 {
            return Err(format!(
                "A path may have at most {MAX_PATH_STEPS} steps; this one has {}",
                self.tokens.len() - 1
            ));
        }
        Ok(self)
    }
}
