//! Filter patterns (`=~ /.../`) are Java regular expressions; Fluxo matches them with the
//! `regex` crate, whose syntax is close but not the same. This pass refuses what Java refuses
//! and Rust would take, and rewrites what Java takes as a literal:
//! - a quantifier after a quantifier (`a**`, `a+*`, `\w+*`): Java's "Dangling meta character";
//!   one `?` (lazy) after a quantifier is Java syntax and stays;
//! - `{` after an atom that does not open `{n}`, `{n,}` or `{n,m}` (`a{ 2}`): "Illegal
//!   repetition";
//! - `{` where no atom precedes it (`{2}` at the start, `a{2}{3}`): a literal brace in Java,
//!   escaped here (Rust would repeat the repetition).
//!
//! What Java has and Rust has not (lookaround, backreferences, atomic groups, possessive
//! quantifiers such as `a*+`) is refused: such a definition is refused where AWS accepts it. Checked against Java 17's
//! `Pattern.compile` on the cases of the tests below.

/// The pattern to give the `regex` crate, or why Java refuses it.
pub(crate) fn translate(pattern: &str) -> Result<String, String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 4);
    // What the last thing written was: nothing to repeat, an atom, or a quantifier (and
    // whether it already has its lazy/possessive modifier).
    let mut last = Last::Nothing;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                out.push(c);
                if let Some(&next) = chars.get(i + 1) {
                    out.push(next);
                }
                i += 2;
                last = Last::Atom;
                continue;
            }
            '[' => {
                let end = class_end(&chars, i);
                out.extend(&chars[i..end]);
                i = end;
                last = Last::Atom;
                continue;
            }
            '*' | '+' | '?' => {
                last = match (last, c) {
                    (Last::Atom, _) => Last::Quantifier,
                    (Last::Quantifier, '?') => Last::Modified,
                    (Last::Quantifier, '+') => {
                        return Err("Possessive quantifiers are not supported".into())
                    }
                    _ => return Err(format!("Dangling meta character '{c}'")),
                };
            }
            '{' if last == Last::Atom => {
                let end = repetition_end(&chars, i).ok_or("Illegal repetition")?;
                out.extend(&chars[i..end]);
                i = end;
                last = Last::Quantifier;
                continue;
            }
            '{' => {
                // No atom to repeat: Java reads a literal brace.
                out.push_str("\\{");
                i += 1;
                last = Last::Atom;
                continue;
            }
            '(' if chars.get(i + 1) == Some(&'?') => {
                // A group's kind or flags, `(?:`, `(?i)`: nothing to repeat yet.
                out.push_str("(?");
                i += 2;
                last = Last::Nothing;
                continue;
            }
            '(' | '|' => last = Last::Nothing,
            _ => last = Last::Atom,
        }
        out.push(c);
        i += 1;
    }
    Ok(out)
}

#[derive(Clone, Copy, PartialEq)]
enum Last {
    Nothing,
    Atom,
    Quantifier,
    /// A quantifier with its `?` or `+`.
    Modified,
}

/// The index after the `]` that closes the class opened at `start` (Java allows `]` first).
fn class_end(chars: &[char], start: usize) -> usize {
    let mut i = start + 1;
    if chars.get(i) == Some(&'^') {
        i += 1;
    }
    if chars.get(i) == Some(&']') {
        i += 1;
    }
    let mut depth = 1;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 1,
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    chars.len()
}

/// The index after `{n}`, `{n,}` or `{n,m}` opened at `start`.
fn repetition_end(chars: &[char], start: usize) -> Option<usize> {
    let close = start + chars[start..].iter().position(|&c| c == '}')?;
    let inside: String = chars[start + 1..close].iter().collect();
    let (low, high) = inside.split_once(',').unwrap_or((&inside, "0"));
    let digits = |text: &str| text.bytes().all(|b| b.is_ascii_digit());
    (!low.is_empty() && digits(low) && digits(high)).then_some(close + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_17_refuses_and_accepts_these() {
        // (pattern, accepted by java.util.regex.Pattern.compile)
        for (pattern, java) in [
            ("a**", false),
            ("a+*", false),
            ("a?*", false),
            ("a*?", true),
            ("a{ 2}", false),
            ("{2}", true),
            ("a{2}{3}", true),
            ("a{2,}", true),
            ("x./**", false),
            ("a{,2}", false),
            ("\\w+*", false),
            ("a{2}?", true),
            ("[*+]+", true),
            ("(a|b)*c", true),
        ] {
            assert_eq!(translate(pattern).is_ok(), java, "{pattern}");
        }
        assert_eq!(translate("{2}").as_deref(), Ok("\\{2}"));
        assert_eq!(translate("a{2}{3}").as_deref(), Ok("a{2}\\{3}"));
        // Java's possessive quantifiers have no equivalent here.
        assert!(translate("a*+").is_err());
        assert!(translate("a{2}+").is_err());
        assert_eq!(translate("(?i)x").as_deref(), Ok("(?i)x"));
        assert!(translate("(?:ab)*").is_ok());
    }
}
