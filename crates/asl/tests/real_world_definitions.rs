//! The published definitions in `../shared/real-world-asl/definitions` (state machines that people
//! deployed on AWS) must validate, except the ones its README names: one file that is not JSON
//! and one that puts `QueryLanguage` inside `States` (AWS refuses both, so must we), and three
//! whose filters compare with an unquoted word, which are not settled either way.

use std::path::PathBuf;

/// AWS refuses these (README.md of real-world-asl).
const REFUSED_BY_AWS: &[&str] = &[
    "step-functions-workflows-collection__sfn-iot-data-analytics-dataset__statemachine__statemachine.json",
    "step-functions-workflows-collection__shared-fallback-state-jsonata__statemachine__statemachine.json",
];

/// Filters such as `[?(@.x==Failure)]`: whether AWS accepts them is not recorded.
const NOT_SETTLED: &[&str] = &[
    "aws-stepfunctions-examples__sam__app-dataquality-using-lambda__statemachine__dataquality.json",
    "step-functions-workflows-collection__parallel-translate__statemachine__statemachine.json",
    "step-functions-workflows-collection__textract-analyze-expense-tf__statemachine__statemachine.json",
];

fn definitions() -> Option<Vec<(String, String)>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/real-world-asl/definitions");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(root).ok()?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".json") {
            found.push((name, std::fs::read_to_string(entry.path()).ok()?));
        }
    }
    found.sort();
    Some(found)
}

#[test]
fn every_settled_real_world_definition_validates() {
    let Some(definitions) = definitions() else {
        assert!(
            std::env::var_os("CI").is_none() && std::env::var_os("FLUXO_REQUIRE_CLIENTS").is_none(),
            "../shared/real-world-asl is required in CI"
        );
        eprintln!("../shared/real-world-asl is not beside the repository: nothing to check");
        return;
    };
    assert!(definitions.len() >= 150, "found only {}", definitions.len());
    let mut failures = Vec::new();
    let mut accepted = 0;
    for (name, text) in &definitions {
        let errors: Vec<String> = fluxo_asl::validate::validate_text(text)
            .iter()
            .filter(|d| d.severity == fluxo_asl::Severity::Error)
            .map(ToString::to_string)
            .collect();
        if errors.is_empty() {
            accepted += 1;
        }
        if NOT_SETTLED.contains(&name.as_str()) {
            continue;
        }
        match (REFUSED_BY_AWS.contains(&name.as_str()), errors.is_empty()) {
            (true, true) => failures.push(format!("{name}: AWS refuses it, the validator did not")),
            (false, false) => failures.push(format!("{name}: {}", errors.join("; "))),
            _ => {}
        }
    }
    eprintln!("accepted {accepted} of {}", definitions.len());
    assert!(
        failures.is_empty(),
        "{} definitions:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
