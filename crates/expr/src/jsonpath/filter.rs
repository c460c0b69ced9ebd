//! Inline filters, `[?(@.price < 10 && @.category == 'fiction')]`, as Jayway 2.0.0 parses them
//! (`Filter.parse`, `Criteria.parse`, `Criteria.create`).
//!
//! The text between `[?(` and `)]` is cut at every `&&` and `||` (quotes are not looked at);
//! each piece loses its leading `[?( ` and trailing `) ` characters and is one criterion:
//! `left op right` with the first of `==`, `>=`, `<=`, `!=`, `<`, `>`, `=~` that the piece
//! contains, or a lone path (an existence test, `!@.x` for absence). Parentheses do not group:
//! `&&` binds tighter than `||`, always. An operand is a definite path (`@...` the item, `$...`
//! the document), a quoted string `'...'`, a pattern `/.../` or `/.../i`, or any other text,
//! which is taken as a string (`5`, `true`, `null`, `Failure` are all text, compared by what
//! they say). Nothing here recurses: the pieces are a flat list.

use super::compile::{compile, CompileError};
use super::JsonPath;
use regex::Regex;

/// A parsed filter: criteria joined by `&&` within a group, groups joined by `||`, in the
/// order written.
#[derive(Debug, Clone)]
pub(crate) struct Filter {
    pub(crate) groups: Vec<Vec<Criterion>>,
}

#[derive(Debug, Clone)]
pub(crate) enum Criterion {
    /// `@.a` (expected true) or `!@.a` (expected false): whether the path finds a value that
    /// is not null, read from the item whatever the path's root.
    Exists { path: Box<JsonPath>, expected: bool },
    Compare {
        left: Operand,
        relation: Relation,
        right: Operand,
    },
}

#[derive(Debug, Clone)]
pub(crate) enum Operand {
    /// A definite path; `document` is true for `$...` (the whole document), false for `@...`
    /// (the item being filtered).
    Path { path: Box<JsonPath>, document: bool },
    /// A quoted string without its quotes, or unquoted text as written.
    Text(String),
    /// `/.../` or `/.../i`; `source` is the pattern as written between the slashes.
    Pattern { regex: Box<Regex>, source: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Relation {
    Equal,
    NotEqual,
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
    Matches,
}

/// The operators in the order Jayway looks for them: the first one found anywhere wins.
const OPERATORS: [(&str, Relation); 7] = [
    ("==", Relation::Equal),
    (">=", Relation::GreaterOrEqual),
    ("<=", Relation::LessOrEqual),
    ("!=", Relation::NotEqual),
    ("<", Relation::Less),
    (">", Relation::Greater),
    ("=~", Relation::Matches),
];

/// Java's `String.trim()`.
fn java_trim(text: &str) -> &str {
    text.trim_matches(|c: char| c <= ' ')
}

impl Filter {
    /// Parses `[?( ... )]`.
    pub(crate) fn parse(text: &str) -> Result<Filter, CompileError> {
        let inner = java_trim(text)
            .strip_prefix('[')
            .and_then(|rest| rest.strip_suffix(']'))
            .ok_or("Filter must start with '[' and end with ']'")?;
        let inner = java_trim(inner)
            .strip_prefix('?')
            .ok_or("Filter must start with '[?' and end with ']'")?;
        let inner = java_trim(inner)
            .strip_prefix('(')
            .and_then(|rest| rest.strip_suffix(')'))
            .ok_or("Filter must start with '[?(' and end with ')]'")?;
        let mut groups = vec![Vec::new()];
        let mut expect_criterion = true;
        for piece in split_logical(java_trim(inner)) {
            let piece = java_trim(piece);
            let is_operator = piece == "&&" || piece == "||";
            if is_operator == expect_criterion {
                return Err("Invalid operators in filter".into());
            }
            match piece {
                "||" => groups.push(Vec::new()),
                "&&" => {}
                _ => {
                    let criterion = parse_criterion(clean(piece)?)?;
                    if let Some(group) = groups.last_mut() {
                        group.push(criterion);
                    }
                }
            }
            expect_criterion = is_operator;
        }
        if expect_criterion {
            return Err("Invalid operators in filter".into());
        }
        Ok(Filter { groups })
    }
}

/// Java's `split("((?<=&&|\\|\\|)|(?=&&|\\|\\|))")`: cut before and after every `&&` and `||`;
/// no empty piece at the start, none at the end.
fn split_logical(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let operator_at = |at: usize| {
        bytes
            .get(at..at + 2)
            .is_some_and(|pair| pair == b"&&" || pair == b"||")
    };
    let mut pieces = Vec::new();
    let mut start = 0;
    for at in 1..bytes.len() {
        let after = at >= 2 && operator_at(at - 2);
        if after || operator_at(at) {
            pieces.push(&text[start..at]);
            start = at;
        }
    }
    pieces.push(&text[start..]);
    pieces
}

/// `cleanCriteria`: drops leading `[`, `?`, `(`, spaces and trailing `)`, spaces; nothing left
/// is an error, as in Jayway.
fn clean(piece: &str) -> Result<&str, CompileError> {
    let start = piece
        .find(|c: char| !matches!(c, '[' | '?' | '(' | ' '))
        .ok_or("Empty criterion in filter")?;
    let end = piece
        .rfind(|c: char| !matches!(c, ')' | ' '))
        .ok_or("Empty criterion in filter")?;
    if end < start {
        return Err("Empty criterion in filter".into());
    }
    let last = piece[end..].chars().next().map_or(0, char::len_utf8);
    Ok(&piece[start..end + last])
}

/// `Criteria.parse` then `Criteria.create`.
fn parse_criterion(text: &str) -> Result<Criterion, CompileError> {
    let found = OPERATORS
        .iter()
        .find_map(|&(symbol, relation)| text.find(symbol).map(|at| (at, symbol, relation)));
    let (left, operator) = match found {
        Some((at, symbol, relation)) => (
            java_trim(&text[..at]),
            Some((relation, java_trim(&text[at + symbol.len()..]))),
        ),
        None => (java_trim(text), None),
    };
    let negated = left.starts_with("!@");
    if is_path(left) {
        let path = definite_path(left.strip_prefix('!').unwrap_or(left))?;
        let Some((relation, right)) = operator else {
            return Ok(Criterion::Exists {
                path: Box::new(path),
                expected: !negated,
            });
        };
        // Jayway drops a `!` before a compared path.
        let left = Operand::Path {
            document: left.starts_with('$'),
            path: Box::new(path),
        };
        return Ok(Criterion::Compare {
            left,
            relation,
            right: operand(right)?,
        });
    }
    let left = operand(left)?;
    let (relation, right) = operator.ok_or("A criterion needs an operator")?;
    Ok(Criterion::Compare {
        left,
        relation,
        right: operand(right)?,
    })
}

/// `$...`, `@...` and `!@...` are paths.
fn is_path(text: &str) -> bool {
    text.starts_with('$') || text.starts_with('@') || text.starts_with("!@")
}

fn definite_path(text: &str) -> Result<JsonPath, CompileError> {
    let path = compile(text, true)?;
    if !path.is_definite() {
        return Err(format!("the predicate path: {text} is not definite"));
    }
    Ok(path)
}

/// One side of a comparison (a right side, or a left side that is not a path).
fn operand(text: &str) -> Result<Operand, CompileError> {
    if is_path(text) {
        if text.starts_with('!') {
            return Err("Invalid negation! Can only be used for existence check".into());
        }
        return Ok(Operand::Path {
            document: text.starts_with('$'),
            path: Box::new(definite_path(text)?),
        });
    }
    if text.len() >= 2 && text.starts_with('\'') && text.ends_with('\'') {
        return Ok(Operand::Text(text[1..text.len() - 1].to_string()));
    }
    if text == "'" {
        return Err("Unterminated string in filter".into());
    }
    if is_pattern(text) {
        return pattern(text);
    }
    Ok(Operand::Text(text.to_string()))
}

/// `/.../` or `/.../i`.
fn is_pattern(text: &str) -> bool {
    text.starts_with('/') && (text.ends_with('/') || text.ends_with("/i"))
}

/// `compilePattern`: the text between the first and the last `/`, case-insensitive when the
/// text ends with `i`. Matching is whole-text, as Java's `Matcher.matches`.
fn pattern(text: &str) -> Result<Operand, CompileError> {
    let last = text.rfind('/').unwrap_or(0);
    if last == 0 {
        return Err(format!("Invalid pattern {text}"));
    }
    let source = &text[1..last];
    let translated = super::java_regex::translate(source)
        .map_err(|why| format!("Invalid pattern {text}: {why}"))?;
    let regex = regex::RegexBuilder::new(&format!("^(?:{translated})$"))
        .case_insensitive(text.ends_with('i'))
        .size_limit(1 << 20)
        .nest_limit(64)
        .build()
        .map_err(|error| format!("Invalid pattern {text}: {error}"))?;
    Ok(Operand::Pattern {
        regex: Box::new(regex),
        source: source.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logical_operators_are_cut_out_anywhere() {
        assert_eq!(
            split_logical("a && b||c"),
            vec!["a ", "&&", " b", "||", "c"]
        );
        assert_eq!(split_logical("&&a"), vec!["&&", "a"]);
        assert_eq!(split_logical("a&&&b"), vec!["a", "&", "&", "&", "b"]);
        assert_eq!(split_logical("x"), vec!["x"]);
    }

    #[test]
    fn criteria_are_cleaned_of_brackets_and_blanks() {
        assert_eq!(clean("((@.a == 1))"), Ok("@.a == 1"));
        assert_eq!(clean("[?(@.a"), Ok("@.a"));
        assert!(clean("(( ))").is_err());
        assert!(clean("").is_err());
    }

    #[test]
    fn groups_follow_the_operators() {
        let filter = Filter::parse("[?(@.a && @.b || @.c)]").expect("parses");
        let sizes: Vec<usize> = filter.groups.iter().map(Vec::len).collect();
        assert_eq!(sizes, vec![2, 1]);
        for bad in [
            "[?(@.a &&)]",
            "[?(|| @.a)]",
            "[?(@.a && || @.b)]",
            "[?()]",
            "[?(@.a == 1]",
            "[(@.a)]",
            "[?(5)]",
            "[?(@.a[*] == 1)]",
            "[?(@.a == !@.b)]",
            "[?(@.a =~ /)]",
        ] {
            assert!(Filter::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_first_operator_in_jayways_order_wins() {
        let Criterion::Compare {
            relation, right, ..
        } = parse_criterion("@.a<'x==y'").expect("parses")
        else {
            panic!("a comparison");
        };
        assert_eq!(relation, Relation::Equal);
        assert!(matches!(right, Operand::Text(text) if text == "y'"));
    }
}
