//! Every definition that AWS accepted (the recorded conformance corpus) must validate without
//! an error, and compile unless it uses a feature the model does not support yet.
//!
//! A case whose recording shows AWS refusing the definition itself (an `InvalidDefinition`
//! error rather than an execution) must instead be refused here too; the corpus has none today,
//! since every case recorded an execution.

use serde_json::Value;
use std::path::PathBuf;

/// The recorded cases beside the repository, or `None` when `shared/` is not there.
fn corpus_cases() -> Option<Vec<(String, Value)>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/cases");
    let groups = std::fs::read_dir(&root).ok()?;
    let mut cases = Vec::new();
    for group in groups.flatten().filter(|entry| entry.path().is_dir()) {
        for file in std::fs::read_dir(group.path()).ok()?.flatten() {
            if file.path().extension().and_then(|ext| ext.to_str()) != Some("json") {
                continue;
            }
            let text = std::fs::read_to_string(file.path()).ok()?;
            let case: Value = serde_json::from_str(&text).ok()?;
            let name = case["name"].as_str().unwrap_or_default().to_string();
            cases.push((name, case));
        }
    }
    cases.sort_by(|a, b| a.0.cmp(&b.0));
    Some(cases)
}

/// AWS refused the definition rather than running it.
fn rejected_by_aws(case: &Value) -> bool {
    let error = case["expect"]["error"].as_str().unwrap_or_default();
    case["expect"]["status"].is_null() || error.contains("InvalidDefinition")
}

#[test]
fn every_recorded_definition_is_valid() {
    let Some(cases) = corpus_cases() else {
        eprintln!("../shared/conformance is not beside the repository: nothing to check");
        return;
    };
    assert!(cases.len() >= 858, "found only {} cases", cases.len());
    let mut failures = Vec::new();
    for (name, case) in &cases {
        let definition = &case["definition"];
        // Through the text entry point too, as an API caller would send it.
        let text = serde_json::to_string(definition).unwrap_or_default();
        let errors: Vec<String> = fluxo_asl::validate::validate_text(&text)
            .iter()
            .filter(|d| d.severity == fluxo_asl::Severity::Error)
            .map(ToString::to_string)
            .collect();
        if rejected_by_aws(case) {
            if errors.is_empty() {
                failures.push(format!("{name}: AWS refused it, the validator did not"));
            }
            continue;
        }
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
        "{} of {} cases:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
