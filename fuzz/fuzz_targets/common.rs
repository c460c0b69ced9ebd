//! What the targets share: documents to evaluate against, and a deterministic random source.

// Each target includes this file and uses only part of it.
#![allow(dead_code)]

use serde_json::{json, Value};

/// Documents of every JSON kind, nested a little, for expressions to read.
pub fn documents() -> Vec<Value> {
    vec![
        json!({"a": 1, "b": "x", "c": [1, 2, {"a": 3, "d": null}], "e": {"a": {"b": true}},
               "Name": "Receipt", "items": [{"v": 1.5}, {"v": -2}, {"v": "1"}], "n": null}),
        json!([1, "a", null, [true, {"a": [[]]}], {"b": {"c": "d"}}]),
        json!("text"),
        json!(null),
        json!({}),
    ]
}

/// A small deterministic random source, so that a crash reproduces.
pub fn rng() -> rand::rngs::StdRng {
    rand::SeedableRng::seed_from_u64(7)
}
