//! `ReferencePath` (ResultPath): parse arbitrary text and write into several documents.
//! Invariant: after a write succeeds, reading the same path gives the value written.

#![no_main]

#[path = "common.rs"]
mod common;

use fluxo_expr::{Path, ReferencePath, Scope};
use libfuzzer_sys::fuzz_target;
use serde_json::json;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(reference) = ReferencePath::parse(text) else {
        return;
    };
    let read = Path::parse(text).expect("a reference path is a path");
    for mut target in common::documents() {
        let written = json!({"written": [1, 2]});
        if reference.write(&mut target, written.clone()).is_ok() {
            let scope = Scope {
                input: &target,
                context: &target,
                variables: None,
            };
            assert_eq!(read.read(&scope).ok().flatten(), Some(written));
        }
    }
});
