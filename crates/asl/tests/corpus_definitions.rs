//! Every definition that AWS accepted (the recorded conformance corpus) must validate without
//! an error, and compile unless it uses JSONata.

use serde_json::Value;
use std::path::PathBuf;

fn corpus_cases() -> Option<Vec<(String, Value)>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/cases");
    let groups = std::fs::read_dir(&root).ok()?;
    let mut cases = Vec::new();
    for group in groups.flatten().filter(|entry| entry.path().is_dir()) {
        for file in std::fs::read_dir(group.path()).ok()?.flatten() {
            let text = std::fs::read_to_string(file.path()).ok()?;
            let case: Value = serde_json::from_str(&text).ok()?;
            let name = case["name"].as_str().unwrap_or_default().to_string();
            cases.push((name, case["definition"].clone()));
        }
    }
    Some(cases)
}

#[test]
fn every_recorded_definition_is_valid() {
    let Some(cases) = corpus_cases() else {
        eprintln!("../shared/conformance is not beside the repository: nothing to check");
        return;
    };
    assert!(cases.len() > 800, "found only {} cases", cases.len());
    let mut failures = Vec::new();
    for (name, definition) in &cases {
        let errors: Vec<String> = fluxo_asl::validate::validate(definition)
            .iter()
            .filter(|d| d.severity == fluxo_asl::Severity::Error)
            .map(ToString::to_string)
            .collect();
        if !errors.is_empty() {
            failures.push(format!("{name}: {}", errors.join("; ")));
            continue;
        }
        if let Err(diagnostics) = fluxo_asl::model::build(definition) {
            let unsupported = diagnostics.iter().all(|d| d.code == "UNSUPPORTED_FEATURE");
            if !unsupported {
                failures.push(format!("{name}: build: {diagnostics:?}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} invalid:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
