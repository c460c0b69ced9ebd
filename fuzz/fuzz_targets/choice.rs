//! Choice rules: compile an arbitrary `Choices` array (JSON text) and evaluate every rule on
//! several documents.

#![no_main]

#[path = "common.rs"]
mod common;

use fluxo_asl::choice::compile_choices;
use fluxo_expr::Scope;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(choices) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let Ok(compiled) = compile_choices(&choices, "/States/C/Choices") else {
        return;
    };
    for document in common::documents() {
        let scope = Scope {
            input: &document,
            context: &document,
            variables: None,
        };
        for choice in &compiled {
            let _ = choice.rule.evaluate(&scope);
        }
    }
});
