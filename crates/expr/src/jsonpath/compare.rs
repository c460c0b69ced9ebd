//! How Jayway 2.0.0 compares two filter operands (`Criteria.safeCompare` and the criteria
//! types).
//!
//! Strings compare with strings (UTF-16 order), numbers with numbers and with strings that
//! spell a number (as `BigDecimal`), booleans with booleans and with strings (`"true"` in any
//! case is true). `null`, and the string `"null"`, sort before everything. Any other pair is
//! incomparable and the criterion is false whatever the operator, `!=` included. A string
//! compared with a number that it does not spell fails the whole evaluation, as Jayway's
//! `NumberFormatException` does.

use super::evaluate::Failure;
use super::filter::Relation;
use crate::intrinsic::render::{java_double, java_text};
use regex::Regex;
use serde_json::{Number, Value};
use std::borrow::Cow;
use std::cmp::Ordering;

/// A filter operand once evaluated.
#[derive(Clone, Copy)]
pub(crate) enum Operand<'a> {
    /// A value found in the document (JSON `null` included).
    Node(&'a Value),
    /// A string written in the filter.
    Text(&'a str),
    Pattern {
        regex: &'a Regex,
        source: &'a str,
    },
}

/// Why two operands have no order.
enum Incomparable {
    /// The criterion is false.
    Types,
    /// The evaluation fails.
    Fails(Failure),
}

impl<'a> Operand<'a> {
    /// Java's `null` (a JSON null).
    fn is_null(self) -> bool {
        matches!(self, Operand::Node(Value::Null))
    }

    /// A Java `String`: written text or a JSON string.
    fn string(self) -> Option<&'a str> {
        match self {
            Operand::Text(text) => Some(text),
            Operand::Node(Value::String(text)) => Some(text),
            _ => None,
        }
    }

    fn number(self) -> Option<&'a Number> {
        match self {
            Operand::Node(Value::Number(number)) => Some(number),
            _ => None,
        }
    }

    fn boolean(self) -> Option<bool> {
        match self {
            Operand::Node(Value::Bool(flag)) => Some(*flag),
            _ => None,
        }
    }

    /// `isNullish`: null, or the string "null".
    fn nullish(self) -> bool {
        self.is_null() || self.string() == Some("null")
    }

    /// Java's `toString()` of the operand, for `=~`.
    fn java_string(self) -> Cow<'a, str> {
        match self {
            Operand::Text(text) => Cow::Borrowed(text),
            Operand::Node(Value::String(text)) => Cow::Borrowed(text),
            Operand::Node(value) => Cow::Owned(java_text(value)),
            Operand::Pattern { source, .. } => Cow::Borrowed(source),
        }
    }
}

/// Whether `model relation expected` holds: `model` is the left side of the criterion, as
/// written, and `expected` the right side.
pub(crate) fn holds(
    relation: Relation,
    model: Operand,
    expected: Operand,
) -> Result<bool, Failure> {
    if relation == Relation::Matches {
        return matches(model, expected);
    }
    let ordered = matches!(
        relation,
        Relation::Greater | Relation::GreaterOrEqual | Relation::Less | Relation::LessOrEqual
    );
    if ordered && (expected.is_null() != model.is_null()) {
        return Ok(false);
    }
    // Jayway compares the expected value with the model: `Less` means expected < model.
    let ordering = match safe_compare(expected, model) {
        Ok(ordering) => ordering,
        Err(Incomparable::Types) => return Ok(false),
        Err(Incomparable::Fails(failure)) => return Err(failure),
    };
    Ok(match relation {
        Relation::Equal => ordering == Ordering::Equal,
        Relation::NotEqual => ordering != Ordering::Equal,
        Relation::Greater => ordering == Ordering::Less,
        Relation::GreaterOrEqual => ordering != Ordering::Greater,
        Relation::Less => ordering == Ordering::Greater,
        Relation::LessOrEqual => ordering != Ordering::Less,
        Relation::Matches => false,
    })
}

/// `=~`: the pattern may be on either side; the other side's text must match all of it.
fn matches(model: Operand, expected: Operand) -> Result<bool, Failure> {
    let (regex, target) = match (model, expected) {
        (Operand::Pattern { regex, .. }, target) => (regex, target),
        (target, Operand::Pattern { regex, .. }) => (regex, target),
        _ => {
            return Err(Failure::Other(
                "=~ needs a pattern such as /abc/ on one side".into(),
            ))
        }
    };
    if target.is_null() {
        return Ok(false);
    }
    Ok(regex.is_match(&target.java_string()))
}

/// `safeCompare(left, right)`.
fn safe_compare(left: Operand, right: Operand) -> Result<Ordering, Incomparable> {
    if let (Operand::Node(a), Operand::Node(b)) = (left, right) {
        if std::ptr::eq(a, b) {
            return Ok(Ordering::Equal);
        }
    }
    match (left.nullish(), right.nullish()) {
        (true, false) => return Ok(Ordering::Less),
        (false, true) => return Ok(Ordering::Greater),
        (true, true) => return Ok(Ordering::Equal),
        (false, false) => {}
    }
    if let (Some(a), Some(b)) = (left.string(), right.string()) {
        let a: Cow<str> = if a.contains('\'') {
            Cow::Owned(a.replace("\\'", "'"))
        } else {
            Cow::Borrowed(a)
        };
        return Ok(a.encode_utf16().cmp(b.encode_utf16()));
    }
    if let (Some(a), Some(b)) = (left.number(), right.number()) {
        return Ok(Decimal::of_number(a).cmp(&Decimal::of_number(b)));
    }
    if let (Some(a), Some(b)) = (left.string(), right.number()) {
        let a = Decimal::parse(a).ok_or_else(|| {
            Incomparable::Fails(Failure::Other(format!(
                "'{a}' is compared with a number but is not one"
            )))
        })?;
        return Ok(a.cmp(&Decimal::of_number(b)));
    }
    if let (Some(a), Some(b)) = (left.string(), right.boolean()) {
        return Ok(a.eq_ignore_ascii_case("true").cmp(&b));
    }
    if let (Some(a), Some(b)) = (left.boolean(), right.boolean()) {
        return Ok(a.cmp(&b));
    }
    Err(Incomparable::Types)
}

/// An exact decimal number, as Java's `BigDecimal` compares them: the value is
/// `0.digits × 10^exponent`, digits without leading or trailing zeros (none for zero).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Decimal {
    negative: bool,
    digits: Vec<u8>,
    exponent: i64,
}

impl Decimal {
    /// `new BigDecimal(text)`: `[+-]digits[.digits][(e|E)[+-]digits]`, at least one digit.
    pub(crate) fn parse(text: &str) -> Option<Decimal> {
        let (negative, rest) = match text.as_bytes().first()? {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        let (mantissa, exponent) = match rest.find(['e', 'E']) {
            Some(at) => (&rest[..at], parse_exponent(&rest[at + 1..])?),
            None => (rest, 0),
        };
        let (integer, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
        if integer.is_empty() && fraction.is_empty()
            || !all_digits(integer)
            || !all_digits(fraction)
        {
            return None;
        }
        let digits: Vec<u8> = integer.bytes().chain(fraction.bytes()).collect();
        let point = i64::try_from(integer.len()).ok()? + exponent;
        Some(Decimal::normalized(negative, digits, point))
    }

    /// A JSON number as Jackson reads it: integers exactly, others as a `double`.
    pub(crate) fn of_number(number: &Number) -> Decimal {
        let text = match (number.as_i64(), number.as_u64()) {
            (Some(integer), _) => integer.to_string(),
            (None, Some(integer)) => integer.to_string(),
            _ => java_double(number.as_f64().unwrap_or(0.0)),
        };
        Decimal::parse(&text).unwrap_or(Decimal {
            negative: false,
            digits: Vec::new(),
            exponent: 0,
        })
    }

    fn normalized(negative: bool, mut digits: Vec<u8>, mut exponent: i64) -> Decimal {
        let leading = digits.iter().take_while(|&&d| d == b'0').count();
        digits.drain(..leading);
        exponent -= i64::try_from(leading).unwrap_or(0);
        while digits.last() == Some(&b'0') {
            digits.pop();
        }
        if digits.is_empty() {
            return Decimal {
                negative: false,
                digits,
                exponent: 0,
            };
        }
        Decimal {
            negative,
            digits,
            exponent,
        }
    }

    fn signum(&self) -> i8 {
        match (self.digits.is_empty(), self.negative) {
            (true, _) => 0,
            (false, true) => -1,
            (false, false) => 1,
        }
    }
}

/// An exponent as `BigDecimal` reads it: an optional sign and digits, within 32 bits.
fn parse_exponent(text: &str) -> Option<i64> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<i32>().ok().map(i64::from)
}

impl Ord for Decimal {
    fn cmp(&self, other: &Decimal) -> Ordering {
        let sign = self.signum().cmp(&other.signum());
        if sign != Ordering::Equal || self.signum() == 0 {
            return sign;
        }
        let magnitude = self
            .exponent
            .cmp(&other.exponent)
            .then_with(|| self.digits.cmp(&other.digits));
        if self.negative {
            magnitude.reverse()
        } else {
            magnitude
        }
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Decimal) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn decimal(text: &str) -> Decimal {
        Decimal::parse(text).unwrap_or_else(|| panic!("{text} is a BigDecimal"))
    }

    #[test]
    fn decimals_compare_exactly() {
        assert_eq!(decimal("1.50"), decimal("1.5"));
        assert_eq!(decimal("0.0"), decimal("-0"));
        assert_eq!(decimal("1e2"), decimal("100"));
        assert_eq!(decimal(".5"), decimal("0.5"));
        assert_eq!(decimal("5."), decimal("5"));
        assert!(decimal("-2") < decimal("-1.5"));
        assert!(decimal("9007199254740993") > decimal("9007199254740992"));
        assert!(decimal("0.001") < decimal("0.01"));
        assert!(decimal("-0.001") > decimal("-0.01"));
        for bad in [
            "",
            "-",
            ".",
            "e5",
            "1e",
            "1x",
            "1.2.3",
            "--1",
            "1e99999999999",
        ] {
            assert!(Decimal::parse(bad).is_none(), "{bad}");
        }
        let double = json!(0.1);
        let Value::Number(number) = &double else {
            panic!("a number")
        };
        assert_eq!(Decimal::of_number(number), decimal("0.1"));
    }

    #[test]
    fn operands_compare_as_jayway_compares_them() {
        let (one, text_one, yes, null) = (json!(1), json!("1"), json!(true), json!(null));
        let node = Operand::Node;
        let holds = |relation, model, expected| holds(relation, model, expected).ok();
        assert_eq!(
            holds(Relation::Equal, node(&one), Operand::Text("1.0")),
            Some(true)
        );
        assert_eq!(
            holds(Relation::Equal, node(&text_one), Operand::Text("1")),
            Some(true)
        );
        assert_eq!(
            holds(Relation::Greater, node(&one), Operand::Text("0")),
            Some(true)
        );
        assert_eq!(
            holds(Relation::Equal, node(&yes), Operand::Text("TRUE")),
            Some(true)
        );
        assert_eq!(
            holds(Relation::Equal, node(&null), Operand::Text("null")),
            Some(true)
        );
        assert_eq!(
            holds(Relation::Greater, node(&null), Operand::Text("0")),
            Some(false)
        );
        // Incomparable: false for `!=` too.
        assert_eq!(
            holds(Relation::NotEqual, node(&yes), node(&one)),
            Some(false)
        );
        // A word compared with a number fails the evaluation.
        assert_eq!(
            holds(Relation::Equal, node(&one), Operand::Text("Failure")),
            None
        );
    }
}
