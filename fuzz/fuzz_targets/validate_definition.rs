//! The definition validator and compiler on arbitrary text: `validate_text` (Standard and
//! Express), then, for text it accepts, `compile` must succeed (or report only features the
//! model does not support yet).

#![no_main]

use fluxo_asl::validate::{validate_text, validate_text_for, StateMachineType};
use fluxo_asl::Severity;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = validate_text_for(text, StateMachineType::Express);
    let diagnostics = validate_text(text);
    if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        return;
    }
    let definition: serde_json::Value = serde_json::from_str(text).expect("validated text parses");
    if let Err(problems) = fluxo_asl::compile(&definition) {
        assert!(
            problems.iter().all(|d| d.code == "UNSUPPORTED_FEATURE"),
            "validated but does not compile: {problems:?}"
        );
    }
});
