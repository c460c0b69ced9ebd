//! Parser for intrinsic function calls: `States.Name(arg, ...)`.
//!
//! Arguments are string literals in single quotes (escapes `\'`, `\{`, `\}`, `\\` only; AWS
//! rejects any other escape when the state machine is created), JSON numbers, `true`, `false`,
//! `null`, paths (`$...`, `$$...`, `$name...`) and nested calls. Argument counts and types are
//! checked at run time, as AWS does.

use super::functions::Function;
use crate::{Path, SyntaxError};
use serde_json::{Number, Value};

/// Nesting deeper than this is refused so that hostile input cannot overflow the stack.
/// AWS documents a limit of 10 nested calls; it is not enforced here.
const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub(crate) function: Function,
    pub(crate) args: Vec<Arg>,
}

#[derive(Debug, Clone)]
pub(crate) enum Arg {
    /// A number, boolean or null literal.
    Literal(Value),
    /// A string literal: `value` has escapes resolved, `raw` keeps them so that
    /// `States.Format` can tell `\{` from a placeholder.
    Text {
        value: String,
        raw: String,
    },
    Path(Path),
    Call(Call),
}

pub(crate) fn parse(source: &str) -> Result<Call, SyntaxError> {
    let mut parser = Parser {
        source,
        pos: 0,
        depth: 0,
    };
    parser.skip_whitespace();
    let call = parser.call()?;
    parser.skip_whitespace();
    if parser.pos < source.len() {
        return Err(parser.error("unexpected text after the closing parenthesis"));
    }
    Ok(call)
}

struct Parser<'a> {
    source: &'a str,
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.source[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let ch = self.peek()?;
        self.pos += ch.len_utf8();
        Some(ch)
    }

    fn skip_whitespace(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    fn error(&self, detail: &str) -> SyntaxError {
        SyntaxError {
            message: format!(
                "Invalid intrinsic function call '{}': {} at position {}",
                self.source, detail, self.pos
            ),
        }
    }

    fn call(&mut self) -> Result<Call, SyntaxError> {
        if !self.rest().starts_with("States.") {
            return Err(self.error("expected an intrinsic function name such as 'States.Format'"));
        }
        let start = self.pos;
        self.pos += "States.".len();
        while self.peek().is_some_and(|ch| ch.is_ascii_alphanumeric()) {
            self.bump();
        }
        let name = &self.source[start..self.pos];
        let function = Function::from_name(name).ok_or_else(|| SyntaxError {
            message: format!(
                "Invalid intrinsic function call '{}': unknown function '{name}'",
                self.source
            ),
        })?;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error("intrinsic function calls are nested too deeply"));
        }
        self.skip_whitespace();
        if self.bump() != Some('(') {
            return Err(self.error("expected '(' after the function name"));
        }
        let args = self.arguments()?;
        self.depth -= 1;
        if function == Function::JsonMerge
            && matches!(args.get(2), Some(Arg::Literal(Value::Bool(true))))
        {
            // AWS only supports the shallow mode and refuses a literal `true` at creation.
            return Err(SyntaxError {
                message: format!(
                    "Invalid intrinsic function call '{}': States.JsonMerge supports only shallow merging; the third argument must be false",
                    self.source
                ),
            });
        }
        Ok(Call { function, args })
    }

    fn arguments(&mut self) -> Result<Vec<Arg>, SyntaxError> {
        let mut args = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(')') {
            self.bump();
            return Ok(args);
        }
        loop {
            self.skip_whitespace();
            args.push(self.argument()?);
            self.skip_whitespace();
            match self.bump() {
                Some(',') => continue,
                Some(')') => return Ok(args),
                _ => return Err(self.error("expected ',' or ')' after an argument")),
            }
        }
    }

    fn argument(&mut self) -> Result<Arg, SyntaxError> {
        match self.peek() {
            Some('\'') => self.string(),
            Some('$') => self.path(),
            Some(ch) if ch == '-' || ch.is_ascii_digit() => self.number(),
            Some('S') => self.call().map(Arg::Call),
            Some(ch) if ch.is_ascii_alphabetic() => self.keyword(),
            _ => Err(self.error("expected an argument")),
        }
    }

    fn string(&mut self) -> Result<Arg, SyntaxError> {
        self.bump(); // opening quote
        let mut value = String::new();
        let mut raw = String::new();
        loop {
            match self.bump() {
                None => return Err(self.error("unterminated string literal")),
                Some('\'') => return Ok(Arg::Text { value, raw }),
                Some('\\') => match self.bump() {
                    Some(escaped @ ('\'' | '{' | '}' | '\\')) => {
                        value.push(escaped);
                        raw.push('\\');
                        raw.push(escaped);
                    }
                    _ => {
                        return Err(self.error(
                            "invalid escape sequence in string literal (only \\', \\{, \\} and \\\\ are allowed)",
                        ))
                    }
                },
                Some(ch) => {
                    value.push(ch);
                    raw.push(ch);
                }
            }
        }
    }

    /// A path runs to the next `,`, `)` or whitespace outside brackets and quotes, so
    /// filters such as `$.a[?(@.b == 'x, y')]` stay whole.
    fn path(&mut self) -> Result<Arg, SyntaxError> {
        let start = self.pos;
        let mut brackets = 0usize;
        let mut quote: Option<char> = None;
        while let Some(ch) = self.peek() {
            if let Some(open) = quote {
                self.bump();
                if ch == '\\' {
                    self.bump();
                } else if ch == open {
                    quote = None;
                }
                continue;
            }
            match ch {
                '[' => brackets += 1,
                ']' => brackets = brackets.saturating_sub(1),
                '\'' | '"' if brackets > 0 => quote = Some(ch),
                ',' | ')' if brackets == 0 => break,
                ch if ch.is_whitespace() && brackets == 0 => break,
                _ => {}
            }
            self.bump();
        }
        let text = &self.source[start..self.pos];
        Path::parse(text)
            .map(Arg::Path)
            .map_err(|error| SyntaxError {
                message: format!(
                    "Invalid intrinsic function call '{}': invalid path argument '{text}': {}",
                    self.source, error.message
                ),
            })
    }

    /// JSON number syntax: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    fn number(&mut self) -> Result<Arg, SyntaxError> {
        let start = self.pos;
        if self.peek() == Some('-') {
            self.bump();
        }
        self.digits();
        if self.peek() == Some('.') {
            self.bump();
            self.digits();
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            self.bump();
            if matches!(self.peek(), Some('+' | '-')) {
                self.bump();
            }
            self.digits();
        }
        let text = &self.source[start..self.pos];
        if self.peek().is_some_and(|ch| ch.is_ascii_alphanumeric()) {
            return Err(self.error("invalid number literal"));
        }
        let number: Number = serde_json::from_str(text)
            .map_err(|_| self.error(&format!("invalid number literal '{text}'")))?;
        let is_integer = !text.contains(['.', 'e', 'E']);
        let number = if is_integer {
            normalize_negative_zero(number)
        } else {
            number
        };
        Ok(Arg::Literal(Value::Number(number)))
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|ch| ch.is_ascii_digit()) {
            self.bump();
        }
    }

    fn keyword(&mut self) -> Result<Arg, SyntaxError> {
        let start = self.pos;
        while self.peek().is_some_and(|ch| ch.is_ascii_alphanumeric()) {
            self.bump();
        }
        match &self.source[start..self.pos] {
            "true" => Ok(Arg::Literal(Value::Bool(true))),
            "false" => Ok(Arg::Literal(Value::Bool(false))),
            "null" => Ok(Arg::Literal(Value::Null)),
            word => {
                let detail = format!("unexpected '{word}' where an argument was expected");
                Err(self.error(&detail))
            }
        }
    }
}

/// `-0` is the integer zero in Java's JSON model; serde_json reads it as the float -0.0.
pub(crate) fn normalize_negative_zero(number: Number) -> Number {
    match number.as_f64() {
        Some(value) if value == 0.0 && value.is_sign_negative() && number.is_f64() => {
            Number::from(0)
        }
        _ => number,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn literal_args(source: &str) -> Vec<Value> {
        let call = parse(source).unwrap_or_else(|error| panic!("{source}: {error}"));
        call.args
            .into_iter()
            .map(|arg| match arg {
                Arg::Literal(value) => value,
                Arg::Text { value, .. } => Value::String(value),
                other => panic!("not a literal: {other:?}"),
            })
            .collect()
    }

    #[test]
    fn parses_literals() {
        assert_eq!(
            literal_args("States.Array('a', 1, -2, 1.5, -0.25, 1e2, true, false, null)"),
            vec![
                json!("a"),
                json!(1),
                json!(-2),
                json!(1.5),
                json!(-0.25),
                json!(100.0),
                json!(true),
                json!(false),
                json!(null)
            ]
        );
        assert!(literal_args("States.UUID()").is_empty());
        assert!(literal_args("  States.Array( )  ").is_empty());
    }

    #[test]
    fn resolves_escapes_and_keeps_raw_text() {
        let call = parse(r"States.Format('It\'s \{\} \\ {}', 'x')").unwrap();
        let Arg::Text { value, raw } = &call.args[0] else {
            panic!("expected a string literal");
        };
        assert_eq!(value, r"It's {} \ {}");
        assert_eq!(raw, r"It\'s \{\} \\ {}");
        assert_eq!(
            literal_args("States.StringSplit('Hello\nWorld', '\n')"),
            vec![json!("Hello\nWorld"), json!("\n")]
        );
    }

    #[test]
    fn parses_nested_calls() {
        let call =
            parse("States.MathAdd(States.MathAdd(1, 2), States.ArrayLength(States.Array()))")
                .unwrap();
        assert_eq!(call.function, Function::MathAdd);
        assert!(matches!(&call.args[0], Arg::Call(inner) if inner.function == Function::MathAdd));
        assert!(
            matches!(&call.args[1], Arg::Call(inner) if inner.function == Function::ArrayLength)
        );
    }

    #[test]
    fn rejects_malformed_calls() {
        for source in [
            "States.Foo(1)",
            "States.Format",
            "States.Format('x'",
            "States.Format('x') extra",
            "States.Format('x',)",
            "States.Format(,'x')",
            "States.Format('unterminated)",
            r"States.Format('bad \n escape')",
            "States.Array(01)",
            "States.Array(1.)",
            "States.Array(-)",
            "States.Array(truex)",
            "States.Array(undefined)",
            "Format('x')",
            "States.JsonMerge(States.Array(), States.Array(), true)",
            "",
        ] {
            assert!(parse(source).is_err(), "{source} should not parse");
        }
    }

    #[test]
    fn refuses_excessive_nesting() {
        let source = format!("{}1{}", "States.Array(".repeat(100), ")".repeat(100));
        assert!(parse(&source).is_err());
        let source = format!("{}1{}", "States.Array(".repeat(10), ")".repeat(10));
        assert!(parse(&source).is_ok());
    }

    #[test]
    fn negative_zero_is_integer_zero() {
        assert_eq!(literal_args("States.Array(-0)"), vec![json!(0)]);
    }
}
