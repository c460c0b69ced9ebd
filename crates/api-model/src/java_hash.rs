//! The iteration order of Java's `java.util.HashMap`/`HashSet` of strings.
//!
//! AWS lists several validation errors in an order that is neither the model's member order nor
//! alphabetical. Every multi-error message we found from AWS services written in Java fits one
//! explanation: the violations are grouped in a `HashMap` keyed by the member path, each holding
//! a `HashSet` of the violation texts, and both are iterated in Java's bucket order. Examples
//! (users' copies of real AWS answers): ACM `RequestCertificate` lists `subjectAlternativeNames`
//! before `domainName`; Cognito `SignUp` lists `password` before `username`, and for `username`
//! the pattern before the length, for `password` the length before the pattern; the IAM Identity
//! Center documentation lists `name.familyName` length before pattern. The model order or the
//! alphabet each get some of these wrong; the two-level hash order gets all of them right.
//!
//! Java (8 and later): `String.hashCode` is `s[0]*31^(n-1) + ... + s[n-1]` over UTF-16 code
//! units, wrapping at 32 bits; the bucket is `(h ^ (h >>> 16)) & (capacity - 1)`; the capacity
//! starts at 16 and doubles whenever the size exceeds three quarters of it; iteration walks the
//! buckets in index order and each bucket in insertion order (a resize keeps that order).

/// `java.lang.String#hashCode`.
pub(crate) fn string_hash(s: &str) -> u32 {
    s.encode_utf16().fold(0u32, |h, unit| {
        h.wrapping_mul(31).wrapping_add(u32::from(unit))
    })
}

/// The table size of a `HashMap` created empty and given `len` entries.
fn capacity(len: usize) -> usize {
    let mut capacity = 16usize;
    while len > capacity / 4 * 3 {
        capacity *= 2;
    }
    capacity
}

/// The order in which a Java `HashSet<String>` filled with `keys` (in this order) iterates.
/// Equal keys are kept once, at their first position, as a set keeps them. Returns indexes
/// into `keys`.
pub(crate) fn iteration_order<S: AsRef<str>>(keys: &[S]) -> Vec<usize> {
    let mut distinct: Vec<usize> = Vec::with_capacity(keys.len());
    let mut seen = std::collections::HashSet::with_capacity(keys.len());
    for (i, key) in keys.iter().enumerate() {
        if seen.insert(key.as_ref()) {
            distinct.push(i);
        }
    }
    let mask = capacity(distinct.len()) - 1;
    let bucket = |i: usize| {
        let h = string_hash(keys[i].as_ref());
        ((h ^ (h >> 16)) as usize) & mask
    };
    // A stable sort keeps insertion order within a bucket; each key is hashed once.
    distinct.sort_by_cached_key(|&i| bucket(i));
    distinct
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ordered<'a>(keys: &[&'a str]) -> Vec<&'a str> {
        iteration_order(keys).into_iter().map(|i| keys[i]).collect()
    }

    #[test]
    fn string_hash_is_javas() {
        // Values from the JDK: "".hashCode() == 0, "a" == 97, "hello" == 99162322,
        // "password" == 1216985755, and "polygenelubricants" == Integer.MIN_VALUE.
        assert_eq!(string_hash(""), 0);
        assert_eq!(string_hash("a"), 97);
        assert_eq!(string_hash("hello"), 99_162_322);
        assert_eq!(string_hash("password"), 1_216_985_755);
        assert_eq!(string_hash("polygenelubricants"), 0x8000_0000);
        // Outside the BMP Java hashes the two UTF-16 surrogates.
        assert_eq!(
            string_hash("😀"),
            0xd83d_u32.wrapping_mul(31).wrapping_add(0xde00)
        );
    }

    #[test]
    fn order_matches_the_aws_answers_quoted_in_the_module_doc() {
        assert_eq!(
            ordered(&["domainName", "subjectAlternativeNames"]),
            ["subjectAlternativeNames", "domainName"]
        );
        assert_eq!(ordered(&["username", "password"]), ["password", "username"]);
        assert_eq!(
            ordered(&["confirmationCode", "password"]),
            ["confirmationCode", "password"]
        );
    }

    #[test]
    fn capacity_grows_like_javas() {
        assert_eq!(capacity(0), 16);
        assert_eq!(capacity(12), 16);
        assert_eq!(capacity(13), 32);
        assert_eq!(capacity(24), 32);
        assert_eq!(capacity(25), 64);
    }

    #[test]
    fn duplicates_are_kept_once_and_buckets_keep_insertion_order() {
        // "Aa" and "BB" have the same Java hash (2112): one bucket, insertion order.
        assert_eq!(string_hash("Aa"), string_hash("BB"));
        assert_eq!(ordered(&["BB", "Aa", "BB"]), ["BB", "Aa"]);
        assert_eq!(ordered(&["Aa", "BB"]), ["Aa", "BB"]);
    }
}
