//! JSONPath `Path`: parse arbitrary text, evaluate it on several documents (and on the JSON
//! after the first line, when there is some), and ask for its "not found" message.
//! Invariants: a definite path never fails for a reason other than "not found", and a text that
//! is a reference path is a definite path.

#![no_main]

#[path = "common.rs"]
mod common;

use fluxo_expr::{Path, ReferencePath, Scope};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (source, document) = text.split_once('\n').unwrap_or((text, ""));
    let Ok(path) = Path::parse(source) else {
        assert!(
            ReferencePath::parse(source).is_err(),
            "a reference path that is no path"
        );
        return;
    };
    if ReferencePath::parse(source).is_ok() {
        assert!(path.is_definite(), "a reference path that is not definite");
    }
    let mut documents = common::documents();
    if let Ok(extra) = serde_json::from_str(document) {
        documents.push(extra);
    }
    let variables = serde_json::Map::new();
    for document in &documents {
        let scope = Scope {
            input: document,
            context: document,
            variables: Some(&variables),
        };
        match path.read(&scope) {
            Ok(Some(value)) => assert!(path.is_definite() || value.is_array()),
            Ok(None) => {
                let message = path.missing_message(&scope);
                assert!(message.starts_with("Invalid path '"), "{message}");
            }
            Err(_) => {}
        }
    }
});
