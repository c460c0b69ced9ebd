//! The path grammar of Jayway JsonPath 2.0.0 (`internal/PathCompiler.java`): the text is cut
//! into fragments (`$`, `..`, `[...]` up to its balanced `]`, `.name`, `*`), and each fragment
//! is analysed on its own (`PathComponentAnalyzer`). Ported line by line, quirks included,
//! because they decide which published definitions AWS accepts: `$.[0]` and `$.a.[0]` (a dot
//! before a bracket), `$[*].['a', 'b']`, surrounding blanks, `[(@.length-1)]`. Every loop here is
//! iterative; the only recursion is a filter's paths, at most one level deep.

use super::filter::Filter;
use super::{ArrayOp, JsonPath, Token};

/// Why a path does not compile, in Jayway's words where it has some.
pub(crate) type CompileError = String;

/// Compiles `text`, which starts with `$` (or `@` inside a filter). `in_filter` is true for the
/// paths of a filter: those must be definite, so a filter inside one is refused at once.
pub(crate) fn compile(text: &str, in_filter: bool) -> Result<JsonPath, CompileError> {
    // Java's String.trim(): every character up to U+0020 at either end.
    let trimmed = text.trim_matches(|c: char| c <= ' ');
    if trimmed.is_empty() {
        return Err("Path may not be null empty".into());
    }
    if trimmed.ends_with("..") {
        return Err("A path can not end with a scan.".into());
    }
    // Jayway reads a path without a root as a property of the document (`a.b` is `$.a.b`);
    // Fluxo's callers always give a root.
    let path = match trimmed.as_bytes()[0] {
        b'$' => trimmed.to_string(),
        b'@' => format!("${}", &trimmed[1..]),
        _ => format!("$.{trimmed}"),
    };
    let bytes = path.as_bytes();
    if bytes.len() > 1 && bytes[1] != b'.' && bytes[1] != b'[' {
        return Err(format!("Invalid path {path}"));
    }
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let fragment: String = match bytes[i] {
            b' ' => return Err("Space not allowed in path".into()),
            b'$' => {
                i += 1;
                "$".into()
            }
            b'[' => {
                let length = fast_forward_until_closed(bytes, i);
                i += length;
                path[i - length..i].to_string()
            }
            b'.' => {
                i += 1;
                match bytes.get(i) {
                    None => return Err("Path must not end with a '.'".into()),
                    Some(b'.') => {
                        i += 1;
                        "..".into()
                    }
                    Some(_) => {
                        let length = fast_forward(bytes, i);
                        if length == 0 {
                            // `.[`: the bracket is read as the next fragment.
                            continue;
                        }
                        i += length;
                        if length == 1 && bytes[i - 1] == b'*' {
                            "[*]".into()
                        } else {
                            format!("['{}']", &path[i - length..i])
                        }
                    }
                }
            }
            b'*' => {
                i += 1;
                "[*]".into()
            }
            _ => {
                let length = fast_forward(bytes, i);
                i += length;
                format!("['{}']", &path[i - length..i])
            }
        };
        tokens.push(analyze(&fragment, in_filter)?);
    }
    JsonPath::new(tokens).check_length()
}

/// The length of a name: up to the next `.`, `[` or space.
fn fast_forward(bytes: &[u8], start: usize) -> usize {
    bytes[start..]
        .iter()
        .take_while(|&&b| b != b'.' && b != b'[' && b != b' ')
        .count()
}

/// The length of a bracket fragment up to its balanced `]`, or of the rest when it has none.
/// Quotes are not looked at, as in Jayway.
fn fast_forward_until_closed(bytes: &[u8], start: usize) -> usize {
    let mut nested = 0usize;
    let mut index = start + 1;
    while index < bytes.len() {
        let current = bytes[index];
        index += 1;
        match current {
            b']' if nested == 0 => break,
            b'[' => nested += 1,
            b']' => nested -= 1,
            _ => {}
        }
    }
    index - start
}

/// `PathComponentAnalyzer.analyze`: what one fragment is.
fn analyze(fragment: &str, in_filter: bool) -> Result<Token, CompileError> {
    match fragment {
        "$" => return Ok(Token::Root),
        ".." => return Ok(Token::Scan),
        "[*]" | ".*" => return Ok(Token::Wildcard),
        _ => {}
    }
    if let Some(count) = placeholders(fragment) {
        return Ok(Token::Placeholder(count));
    }
    let bytes = fragment.as_bytes();
    for (i, &current) in bytes.iter().enumerate() {
        match current {
            b'?' => return criteria_sequence(fragment, i, in_filter),
            b'\'' => return property(bytes, i),
            b'0'..=b'9' | b':' | b'-' | b'@' => return array_sequence(bytes, i),
            _ => {}
        }
    }
    Err(format!("Could not analyze path component: {fragment}"))
}

/// `[?]`, `[?, ?]`: filters to be supplied by the caller (`^\[\s*\?\s*[,\s*\?]*?\s*]$`). AWS
/// supplies none, so these fail when they are applied. The number is how many `?` there are.
fn placeholders(fragment: &str) -> Option<usize> {
    let inner = fragment.strip_prefix('[')?.strip_suffix(']')?;
    let rest = inner.trim_start_matches(java_space).strip_prefix('?')?;
    rest.chars()
        .all(|c| c == ',' || c == '*' || c == '?' || java_space(c))
        .then(|| fragment.matches('?').count())
}

/// Java's regex `\s`.
fn java_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{b}' | '\u{c}' | '\r')
}

/// `analyzeProperty`: every quoted name up to the first `]`, wherever it is; text between
/// quotes is ignored, and no escape is known (AWS reads `['Test\""Name"']` as the name
/// `Test\""Name"`: base_scenarios ESCAPE_SEQUENCES_JSONPATH).
fn property(bytes: &[u8], start: usize) -> Result<Token, CompileError> {
    let mut names = Vec::new();
    let mut name = Vec::new();
    let mut open = false;
    let mut i = start;
    loop {
        let current = *bytes.get(i).ok_or("Property has not been closed")?;
        match current {
            b']' => break,
            b'\'' if open => {
                names.push(String::from_utf8_lossy(&name).into_owned());
                name.clear();
                open = false;
            }
            b'\'' => open = true,
            other if open => name.push(other),
            _ => {}
        }
        i += 1;
    }
    Ok(Token::Property(names))
}

/// `analyzeCriteriaSequence4`: the filter from the fragment's `[` to the `]` that closes it
/// outside quotes and parentheses; the rest of the fragment is ignored.
fn criteria_sequence(fragment: &str, at: usize, in_filter: bool) -> Result<Token, CompileError> {
    if in_filter {
        return Err("A filter's path must be definite: it cannot hold another filter".into());
    }
    let bytes = fragment.as_bytes();
    let start = bytes[..at]
        .iter()
        .rposition(|&b| b == b'[')
        .ok_or("A filter must start with '['")?;
    let (mut round, mut square) = (0i64, 0i64);
    let mut quoted = false;
    let mut previous = b' ';
    let mut end = None;
    let mut i = start;
    while end.is_none() {
        let current = *bytes.get(i).ok_or("Filter brackets are not balanced")?;
        match current {
            b'(' if !quoted => round += 1,
            b')' if !quoted => round -= 1,
            b'[' if !quoted => square += 1,
            b']' if !quoted => {
                square -= 1;
                if round == 0 {
                    end = Some(i + 1);
                }
            }
            b'\'' if previous != b'\\' => quoted = !quoted,
            _ => {}
        }
        previous = current;
        i += 1;
    }
    if round != 0 || square != 0 {
        return Err("Filter brackets are not balanced".into());
    }
    let end = end.unwrap_or(bytes.len());
    Ok(Token::Filter(Filter::parse(&fragment[start..end])?))
}

/// `analyzeArraySequence`: indexes, slices and `(@.length-n)`, read as leniently as Jayway
/// reads them (`[1 1]` is `[11]`, `[1x]` is `[1]`).
fn array_sequence(bytes: &[u8], start: usize) -> Result<Token, CompileError> {
    let mut reader = Reader { bytes, i: start };
    let mut current = reader.at()?;
    let mut buffer = Vec::new();
    let mut numbers = Vec::new();
    let context_size = current == b'@';
    let (mut slice_to, mut slice_from, mut slice_between, mut sequence) =
        (false, false, false, false);
    if context_size {
        reader.next()?;
        current = reader.next()?;
        while current != b'-' {
            if !matches!(current, b' ' | b'(' | b')') {
                buffer.push(current);
            }
            current = reader.next()?;
        }
        if buffer != b"size" && buffer != b"length" {
            return Err("Supported functions are: [(@.length - n)] and [(@.size() - n)]".into());
        }
        buffer.clear();
        while current != b')' {
            if current != b' ' {
                buffer.push(current);
            }
            current = reader.next()?;
        }
    } else {
        while current.is_ascii_digit() || matches!(current, b',' | b' ' | b':' | b'-') {
            match current {
                b' ' => {}
                b':' if buffer.is_empty() => {
                    slice_to = true;
                    current = reader.next()?;
                    current = reader.digits(current, &mut buffer)?;
                    numbers.push(java_int(&buffer)?);
                    buffer.clear();
                }
                b':' => {
                    numbers.push(java_int(&buffer)?);
                    buffer.clear();
                    current = reader.next()?;
                    current = reader.digits(current, &mut buffer)?;
                    if buffer.is_empty() {
                        slice_from = true;
                    } else {
                        slice_between = true;
                        numbers.push(java_int(&buffer)?);
                        buffer.clear();
                    }
                }
                b',' => {
                    numbers.push(java_int(&buffer)?);
                    buffer.clear();
                    sequence = true;
                }
                other => buffer.push(other),
            }
            if current == b']' {
                break;
            }
            current = reader.next()?;
        }
    }
    if !buffer.is_empty() {
        numbers.push(java_int(&buffer)?);
    }
    let single = numbers.len() == 1 && !slice_to && !slice_from && !context_size;
    let first = numbers.first().copied().unwrap_or_default();
    let operation = if single {
        ArrayOp::Single(first)
    } else if sequence {
        ArrayOp::Sequence(numbers)
    } else if slice_from {
        ArrayOp::From(first)
    } else if slice_to {
        ArrayOp::To(first)
    } else if slice_between {
        ArrayOp::Between(first, numbers.get(1).copied().unwrap_or_default())
    } else if context_size {
        ArrayOp::FromEnd(first)
    } else {
        // Jayway builds a token without an operation, which fails when it is applied.
        ArrayOp::Unknown
    };
    Ok(Token::Array(operation))
}

/// Reads a fragment byte by byte; reading past its end is an error, as `charAt` throws.
struct Reader<'a> {
    bytes: &'a [u8],
    i: usize,
}

impl Reader<'_> {
    fn at(&self) -> Result<u8, CompileError> {
        self.bytes
            .get(self.i)
            .copied()
            .ok_or_else(|| "Unexpected end of an array index".to_string())
    }

    fn next(&mut self) -> Result<u8, CompileError> {
        self.i += 1;
        self.at()
    }

    /// Digits, blanks and `-` into `buffer` (blanks dropped); returns the byte after them.
    fn digits(&mut self, mut current: u8, buffer: &mut Vec<u8>) -> Result<u8, CompileError> {
        while current.is_ascii_digit() || current == b' ' || current == b'-' {
            if current != b' ' {
                buffer.push(current);
            }
            current = self.next()?;
        }
        Ok(current)
    }
}

/// Java's `Integer.parseInt`: an optional sign and at least one digit, within 32 bits.
pub(crate) fn java_int(text: &[u8]) -> Result<i32, CompileError> {
    let text = std::str::from_utf8(text).unwrap_or_default();
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("For input string: \"{text}\""));
    }
    text.parse::<i32>()
        .map_err(|_| format!("For input string: \"{text}\""))
}
