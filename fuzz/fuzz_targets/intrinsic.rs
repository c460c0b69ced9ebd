//! Intrinsic functions: parse an arbitrary call and evaluate it on several documents.

#![no_main]

#[path = "common.rs"]
mod common;

use fluxo_expr::{Intrinsic, Scope};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(intrinsic) = Intrinsic::parse(text) else {
        return;
    };
    let mut rng = common::rng();
    for document in common::documents() {
        let scope = Scope {
            input: &document,
            context: &document,
            variables: None,
        };
        if let Err(error) = intrinsic.evaluate(&scope, &mut rng) {
            assert!(error.error.starts_with("States."), "{error:?}");
        }
    }
});
