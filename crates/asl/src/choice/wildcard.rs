//! `StringMatches` patterns: `*` matches any run of characters (including none), `\*` is a
//! literal star and `\\` a literal backslash. No other character is special.

/// A compiled `StringMatches` pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    tokens: Vec<Token>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Star,
    Char(char),
}

impl Pattern {
    pub fn new(pattern: &str) -> Pattern {
        let mut tokens = Vec::new();
        let mut chars = pattern.chars();
        while let Some(c) = chars.next() {
            match c {
                // An escape keeps the next character literal; a trailing lone backslash
                // can only mean itself.
                '\\' => tokens.push(Token::Char(chars.next().unwrap_or('\\'))),
                '*' => {
                    // Consecutive stars match the same as one; merging them keeps matching linear.
                    if tokens.last() != Some(&Token::Star) {
                        tokens.push(Token::Star);
                    }
                }
                c => tokens.push(Token::Char(c)),
            }
        }
        Pattern { tokens }
    }

    /// Whether the whole of `text` matches.
    pub fn matches(&self, text: &str) -> bool {
        let text: Vec<char> = text.chars().collect();
        let tokens = &self.tokens;
        // Greedy matching that backtracks only to the most recent star: O(text × pattern)
        // in the worst case, without recursion.
        let (mut t, mut p) = (0usize, 0usize);
        let mut last_star: Option<(usize, usize)> = None;
        while t < text.len() {
            match tokens.get(p) {
                Some(Token::Char(c)) if *c == text[t] => {
                    t += 1;
                    p += 1;
                }
                Some(Token::Star) => {
                    last_star = Some((p, t));
                    p += 1;
                }
                _ => match last_star {
                    Some((star_p, star_t)) => {
                        p = star_p + 1;
                        t = star_t + 1;
                        last_star = Some((star_p, star_t + 1));
                    }
                    None => return false,
                },
            }
        }
        tokens[p..].iter().all(|token| *token == Token::Star)
    }
}

#[cfg(test)]
mod tests {
    use super::Pattern;

    fn matches(pattern: &str, text: &str) -> bool {
        Pattern::new(pattern).matches(text)
    }

    #[test]
    fn star_matches_any_run() {
        assert!(matches("log-*.txt", "log-2024.txt"));
        assert!(matches("log-*.txt", "log-.txt"));
        assert!(!matches("log-*.txt", "log-2024.csv"));
        assert!(matches("*", ""));
        assert!(matches("**", "abc"));
        assert!(matches("*a*a*", "banana"));
        assert!(!matches("*a*a*a*a", "banana"));
        assert!(matches("a*b*c", "aXbYbZc"));
    }

    #[test]
    fn without_stars_the_match_is_exact() {
        assert!(matches("abc", "abc"));
        assert!(!matches("abc", "abcd"));
        assert!(!matches("abc", "ab"));
        assert!(!matches("", "a"));
        assert!(matches("", ""));
        assert!(matches("?.[x]", "?.[x]"));
        assert!(matches("héllo*", "héllo wörld"));
    }

    #[test]
    fn escapes_make_star_and_backslash_literal() {
        assert!(matches("a\\*b", "a*b"));
        assert!(!matches("a\\*b", "axb"));
        assert!(matches("a\\\\b", "a\\b"));
        assert!(matches("a\\\\*", "a\\xyz"));
        assert!(matches("trailing\\", "trailing\\"));
    }

    #[test]
    fn pathological_patterns_stay_fast() {
        let text = "a".repeat(5_000);
        assert!(!matches(&format!("{}b", "*a".repeat(50)), &text));
    }
}
