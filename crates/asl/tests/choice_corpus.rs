//! The recorded `choice_operators` corpus (422 cases, output only) replayed against the Choice
//! rules alone: compile the Choice state's `Choices`, evaluate them against the case input, and
//! check that the branch taken is the one whose Pass `Result` AWS returned.
//!
//! Every recorded case has the same shape: a Choice state with no InputPath or Parameters,
//! so the rules see the execution input as is, and two Pass branches with literal `Result`s.
//! A case of another shape is counted as a failure rather than skipped, so drift is noticed.

use fluxo_asl::choice::compile_choices;
use fluxo_expr::Scope;
use serde_json::Value;
use std::path::PathBuf;

fn cases() -> Option<Vec<(String, Value)>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/cases/choice_operators");
    let mut cases = Vec::new();
    for entry in std::fs::read_dir(root).ok()?.flatten() {
        let path = entry.path();
        if path.extension().and_then(|ext| ext.to_str()) != Some("json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).ok()?;
        let case: Value = serde_json::from_str(&text).ok()?;
        let name = case["name"].as_str().unwrap_or_default().to_string();
        cases.push((name, case));
    }
    cases.sort_by(|a, b| a.0.cmp(&b.0));
    Some(cases)
}

/// The output the case's Choice state leads to, or why it could not be worked out.
fn replay(case: &Value) -> Result<Value, String> {
    let definition = &case["definition"];
    let states = definition["States"].as_object().ok_or("no States object")?;
    let (name, choice_state) = states
        .iter()
        .find(|(_, state)| state["Type"] == "Choice")
        .ok_or("no Choice state")?;
    if definition["StartAt"].as_str() != Some(name.as_str()) {
        return Err("the Choice state is not the start state".into());
    }
    if ["InputPath", "Parameters", "OutputPath"]
        .iter()
        .any(|field| choice_state.get(field).is_some())
    {
        return Err("the Choice state filters its input; not handled here".into());
    }
    let pointer = format!("/States/{name}/Choices");
    let choices = compile_choices(&choice_state["Choices"], &pointer)
        .map_err(|diagnostics| format!("does not compile: {diagnostics:?}"))?;
    let input = &case["input"];
    let context = Value::Object(Default::default());
    let scope = Scope {
        input,
        context: &context,
        variables: None,
    };
    let mut next = None;
    for choice in &choices {
        let matched = choice
            .rule
            .evaluate(&scope)
            .map_err(|error| format!("evaluation failed: {error}"))?;
        if matched {
            next = Some(choice.next.as_str());
            break;
        }
    }
    let next = match next {
        Some(next) => next,
        None => choice_state["Default"]
            .as_str()
            .ok_or("no choice matched and there is no Default")?,
    };
    let branch = &states[next];
    if branch["Type"] != "Pass" || branch.get("Result").is_none() {
        return Err(format!("branch '{next}' is not a Pass state with a Result"));
    }
    Ok(branch["Result"].clone())
}

#[test]
fn every_recorded_choice_takes_the_recorded_branch() {
    let Some(cases) = cases() else {
        eprintln!("../shared/conformance is not beside the repository: nothing to check");
        return;
    };
    assert_eq!(cases.len(), 422, "the choice_operators group changed size");
    let mut failures = Vec::new();
    for (name, case) in &cases {
        match replay(case) {
            Ok(output) if output == case["expect"]["output"] => {}
            Ok(output) => failures.push(format!(
                "{name}: took the branch giving {output}, AWS gave {} (input {})",
                case["expect"]["output"], case["input"]
            )),
            Err(why) => failures.push(format!("{name}: {why}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} disagree:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
