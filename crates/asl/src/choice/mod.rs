//! Choice rules (JSONPath query language): compile from JSON, evaluate against a scope.
//!
//! AWS's rule: a comparison whose operand has the wrong type is false, not an error
//! (`NumericEquals` on a string, `StringLessThan` on a number, `TimestampEquals` on a string
//! that is not a timestamp). Only a condition path that selects nothing is an error
//! (`States.Runtime`), and `IsPresent` exists to test for exactly that.

mod compile;
mod evaluate;
mod timestamp;
mod wildcard;

pub use compile::compile_choices;
pub use timestamp::parse_timestamp;
pub use wildcard::Pattern;

use fluxo_expr::Path;
use serde_json::Value;

/// One top-level entry of a Choice state's `Choices`.
#[derive(Debug, Clone)]
pub struct Choice {
    pub rule: ChoiceRule,
    pub next: String,
    /// The raw `Assign` object of this choice, if any (compiled by the model builder).
    pub assign: Option<Value>,
}

/// A compiled Choice rule: a boolean combination of tests on values read by paths.
#[derive(Debug, Clone)]
pub enum ChoiceRule {
    And(Vec<ChoiceRule>),
    Or(Vec<ChoiceRule>),
    Not(Box<ChoiceRule>),
    /// `Variable` plus one comparison operator.
    Test {
        variable: Path,
        test: Test,
    },
}

/// What a rule checks about the value its `Variable` selects.
#[derive(Debug, Clone)]
pub enum Test {
    /// `StringEquals`, `NumericLessThanPath`, `TimestampGreaterThanEquals`, ...
    Compare {
        kind: Kind,
        relation: Relation,
        operand: Operand,
    },
    /// `StringMatches` (it has no `…Path` form).
    Matches(Pattern),
    /// `IsNull`, `IsPresent`, `IsNumeric`, `IsString`, `IsBoolean`, `IsTimestamp`: `expected`
    /// is the boolean the rule gives, so `"IsNull": false` holds for a non-null value.
    Is { check: TypeCheck, expected: bool },
}

/// The right-hand side of a comparison: a literal, or the value at a second path (`…Path`).
#[derive(Debug, Clone)]
pub enum Operand {
    Literal(Value),
    Path(Path),
}

/// The type a comparison operator works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    String,
    Numeric,
    Boolean,
    Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    Equals,
    LessThan,
    GreaterThan,
    LessThanEquals,
    GreaterThanEquals,
}

/// The `Is…` operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeCheck {
    Null,
    Present,
    Numeric,
    String,
    Boolean,
    Timestamp,
}

/// The name of one operator field, e.g. `NumericLessThanEqualsPath`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OperatorName {
    Compare {
        kind: Kind,
        relation: Relation,
        by_path: bool,
    },
    Matches,
    Is(TypeCheck),
}

impl OperatorName {
    /// Every operator AWS defines; `StringMatches` and the `Is…` tests have no `…Path` form.
    fn parse(name: &str) -> Option<OperatorName> {
        let (base, by_path) = match name.strip_suffix("Path") {
            Some(base) => (base, true),
            None => (name, false),
        };
        let compare = |kind, relation| {
            Some(OperatorName::Compare {
                kind,
                relation,
                by_path,
            })
        };
        let plain = |operator| (!by_path).then_some(operator);
        match base {
            "StringEquals" => compare(Kind::String, Relation::Equals),
            "StringLessThan" => compare(Kind::String, Relation::LessThan),
            "StringGreaterThan" => compare(Kind::String, Relation::GreaterThan),
            "StringLessThanEquals" => compare(Kind::String, Relation::LessThanEquals),
            "StringGreaterThanEquals" => compare(Kind::String, Relation::GreaterThanEquals),
            "NumericEquals" => compare(Kind::Numeric, Relation::Equals),
            "NumericLessThan" => compare(Kind::Numeric, Relation::LessThan),
            "NumericGreaterThan" => compare(Kind::Numeric, Relation::GreaterThan),
            "NumericLessThanEquals" => compare(Kind::Numeric, Relation::LessThanEquals),
            "NumericGreaterThanEquals" => compare(Kind::Numeric, Relation::GreaterThanEquals),
            "BooleanEquals" => compare(Kind::Boolean, Relation::Equals),
            "TimestampEquals" => compare(Kind::Timestamp, Relation::Equals),
            "TimestampLessThan" => compare(Kind::Timestamp, Relation::LessThan),
            "TimestampGreaterThan" => compare(Kind::Timestamp, Relation::GreaterThan),
            "TimestampLessThanEquals" => compare(Kind::Timestamp, Relation::LessThanEquals),
            "TimestampGreaterThanEquals" => compare(Kind::Timestamp, Relation::GreaterThanEquals),
            "StringMatches" => plain(OperatorName::Matches),
            "IsNull" => plain(OperatorName::Is(TypeCheck::Null)),
            "IsPresent" => plain(OperatorName::Is(TypeCheck::Present)),
            "IsNumeric" => plain(OperatorName::Is(TypeCheck::Numeric)),
            "IsString" => plain(OperatorName::Is(TypeCheck::String)),
            "IsBoolean" => plain(OperatorName::Is(TypeCheck::Boolean)),
            "IsTimestamp" => plain(OperatorName::Is(TypeCheck::Timestamp)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_comparison_has_a_path_form_but_matches_and_is_do_not() {
        for name in [
            "StringEquals",
            "StringGreaterThanEquals",
            "NumericLessThan",
            "BooleanEquals",
            "TimestampLessThanEquals",
        ] {
            assert!(OperatorName::parse(name).is_some(), "{name}");
            assert!(
                OperatorName::parse(&format!("{name}Path")).is_some(),
                "{name}Path"
            );
        }
        for name in ["StringMatches", "IsNull", "IsPresent", "IsTimestamp"] {
            assert!(OperatorName::parse(name).is_some(), "{name}");
            assert!(
                OperatorName::parse(&format!("{name}Path")).is_none(),
                "{name}Path"
            );
        }
        assert!(OperatorName::parse("NumericNotEquals").is_none());
        assert!(OperatorName::parse("Path").is_none());
    }
}
