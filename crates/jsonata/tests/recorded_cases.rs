//! The AWS recordings are the judge: every case of `../shared/conformance/cases` whose machine
//! is a single JSONata Pass state with an `Output` (the `$partition`, `$range`, `$parse` and
//! seeded-random recordings of `intrinsic_functions`, the regular expressions and `$merge` of
//! `evaluate_jsonata`, ...) is evaluated here, field by field as the engine will, and its
//! output or its `States.QueryEvaluationError` cause compared with what AWS recorded.

use fluxo_jsonata::{error_cause, undefined_cause, Bindings, Expression, FixedEnv, Limits, States};
use serde_json::{Map, Value};
use std::path::Path;

/// `{% expr %}` → `Some(expr)`.
fn expression_of(text: &str) -> Option<&str> {
    text.strip_prefix("{%")?.strip_suffix("%}").map(str::trim)
}

/// Evaluates an `Output` template: strings holding `{% %}` are expressions, objects and arrays
/// are walked, anything else is itself. Errors are the cause AWS gives.
fn render(template: &Value, field: &str, input: &Value) -> Result<Value, String> {
    match template {
        Value::String(text) => match expression_of(text) {
            Some(expr) => {
                let compiled = Expression::compile(expr).map_err(|e| e.to_string())?;
                let bindings = Bindings::states(States {
                    input: Some(input),
                    ..States::default()
                });
                let env = FixedEnv {
                    now_millis: 0,
                    random_seed: 1,
                };
                match compiled.evaluate(None, &bindings, &env, &Limits::default()) {
                    Ok(Some(v)) => Ok(v),
                    Ok(None) => Err(undefined_cause(expr, field)),
                    Err(e) => Err(error_cause(expr, field, &e)),
                }
            }
            None => Ok(template.clone()),
        },
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                out.insert(k.clone(), render(v, &format!("{field}/{k}"), input)?);
            }
            Ok(Value::Object(out))
        }
        Value::Array(items) => items
            .iter()
            .map(|v| render(v, field, input))
            .collect::<Result<_, _>>()
            .map(Value::Array),
        other => Ok(other.clone()),
    }
}

/// The single Pass state's name and `Output`, when the case is of that shape and in JSONata.
fn single_jsonata_pass(definition: &Value) -> Option<(&str, &Value)> {
    let states = definition.get("States")?.as_object()?;
    if states.len() != 1 {
        return None;
    }
    let (name, state) = states.iter().next()?;
    let language = state
        .get("QueryLanguage")
        .or_else(|| definition.get("QueryLanguage"));
    let is_pass = state.get("Type")?.as_str()? == "Pass";
    if language?.as_str()? != "JSONata" || !is_pass || state.get("Assign").is_some() {
        return None;
    }
    Some((name.as_str(), state.get("Output")?))
}

#[test]
fn single_pass_state_recordings_agree() {
    let cases_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/cases");
    if !cases_dir.is_dir() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{} is missing: the recorded cases cannot be checked",
            cases_dir.display()
        );
        println!(
            "notice: {} is missing; recorded JSONata cases not checked",
            cases_dir.display()
        );
        return;
    }
    let mut checked = 0;
    let mut wrong = Vec::new();
    for group in std::fs::read_dir(&cases_dir).unwrap().flatten() {
        if !group.path().is_dir() {
            continue;
        }
        for file in std::fs::read_dir(group.path()).unwrap().flatten() {
            let case: Value =
                serde_json::from_str(&std::fs::read_to_string(file.path()).unwrap()).unwrap();
            let Some((state, output)) = single_jsonata_pass(&case["definition"]) else {
                continue;
            };
            let expect = &case["expect"];
            let got = render(output, "Output", &case["input"]);
            let prefix = format!("An error occurred while executing the state '{state}' (entered at the event id #2). ");
            let agrees = match (expect["status"].as_str(), &got) {
                (Some("SUCCEEDED"), Ok(v)) => v == &expect["output"],
                (Some("FAILED"), Err(cause)) => {
                    expect["error"] == "States.QueryEvaluationError"
                        && expect["cause"] == format!("{prefix}{cause}")
                }
                _ => false,
            };
            checked += 1;
            if !agrees {
                wrong.push(format!("{}: expected {expect}, got {got:?}", case["name"]));
            }
        }
    }
    println!("{checked} recorded single-Pass JSONata cases checked");
    assert!(checked >= 30, "only {checked} recorded cases found");
    assert!(
        wrong.is_empty(),
        "{} disagree with AWS:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
