//! One corpus case, read from `cases/<group>/<case>.json` (format in the corpus README).

use serde_json::Value;
use std::path::Path;

/// What a case needs beyond the engine, by the names the corpus uses in `requires`.
const BUILT: &[&str] = &["lambda", "distributed-map"];

pub struct Case {
    /// `<group>/<case>`.
    pub name: String,
    pub definition: Value,
    pub input: Value,
    pub express: bool,
    /// Function name (as the definition or input uses it) → file in `functions/`.
    pub functions: Vec<(String, String)>,
    /// `{status, output?, error?, cause?}`.
    pub expect: Value,
    pub history: Option<Vec<Value>>,
    /// (literal in definition/input, placeholder in the recording).
    pub substitutions: Vec<(String, String)>,
    pub notes: Vec<String>,
    pub requires: Vec<String>,
}

impl Case {
    pub fn load(file: &Path) -> Result<Case, String> {
        let text = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
        let value: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
        Case::from_value(value, &name_from_path(file))
    }

    pub fn from_value(mut value: Value, fallback_name: &str) -> Result<Case, String> {
        let strings = |value: &Value| -> Vec<String> {
            value
                .as_array()
                .map(|items| {
                    items
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default()
        };
        if !value.is_object() {
            return Err("the case is not a JSON object".into());
        }
        let expect = value["expect"].take();
        if !expect.is_object() {
            return Err("the case has no `expect` object".into());
        }
        let history = match value["history"].take() {
            Value::Array(events) => Some(events),
            Value::Null => None,
            other => return Err(format!("`history` is not an array: {other}")),
        };
        let functions = value["functions"]
            .as_object()
            .map(|functions| {
                functions
                    .iter()
                    .map(|(name, file)| (name.clone(), file.as_str().unwrap_or("").to_string()))
                    .collect()
            })
            .unwrap_or_default();
        let mut substitutions: Vec<(String, String)> = value["substitutions"]
            .as_array()
            .map(|pairs| {
                pairs
                    .iter()
                    .filter_map(|pair| {
                        Some((
                            pair.get(0)?.as_str()?.to_string(),
                            pair.get(1)?.as_str()?.to_string(),
                        ))
                    })
                    .filter(|(literal, _)| !literal.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        // A literal that contains another must be replaced first.
        substitutions.sort_by_key(|(literal, _)| std::cmp::Reverse(literal.len()));
        Ok(Case {
            name: value["name"].as_str().unwrap_or(fallback_name).to_string(),
            definition: value["definition"].take(),
            input: match value.get_mut("input") {
                Some(input) => input.take(),
                None => Value::Object(Default::default()),
            },
            express: value["stateMachineType"] == "EXPRESS",
            functions,
            expect,
            history,
            substitutions,
            notes: strings(&value["notes"]),
            requires: strings(&value["requires"]),
        })
    }

    pub fn needs_functions(&self) -> bool {
        self.requires.iter().any(|r| r == "lambda")
    }

    /// Why the case cannot run yet, if it needs something not built.
    pub fn missing_requirement(&self) -> Option<String> {
        self.requires
            .iter()
            .find(|r| !BUILT.contains(&r.as_str()))
            .map(|r| format!("needs {r}, not built yet"))
    }

    /// The placeholder words the snapshot tool put in place of whole values, as the case's notes
    /// list them (`snapshot replaced values at JSON paths: $..a.output -> a.output; …`). The
    /// corpus README: "Those paths hold a placeholder word instead of the real value."
    pub fn replaced_words(&self) -> Vec<String> {
        const NOTE: &str = "snapshot replaced values at JSON paths:";
        self.notes
            .iter()
            .filter_map(|note| note.strip_prefix(NOTE))
            .flat_map(|list| list.split(';'))
            .filter_map(|pair| pair.split_once("->"))
            .map(|(_, word)| word.trim().to_string())
            .filter(|word| !word.is_empty())
            .collect()
    }

    /// The recording sorted the events inside each Parallel state, losing their order within a
    /// branch.
    pub fn parallel_events_sorted(&self) -> bool {
        self.notes
            .iter()
            .any(|note| note.contains("LocalStack sorted the events"))
    }
}

/// `<group>/<case>` from `.../cases/<group>/<case>.json`.
pub fn name_from_path(file: &Path) -> String {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    match file.parent().and_then(Path::file_name) {
        Some(group) => format!("{}/{stem}", group.to_string_lossy()),
        None => stem,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_the_fields_a_run_needs() {
        let case = Case::from_value(
            json!({
                "name": "services/x",
                "definition": {"StartAt": "A", "States": {}},
                "input": {"a": 1},
                "stateMachineType": "EXPRESS",
                "functions": {"f": "echo_function.py"},
                "expect": {"status": "SUCCEEDED", "output": 1},
                "history": [{"type": "ExecutionStarted"}],
                "substitutions": [["f", "<lambda_function_name>"], ["ff", "<x>"]],
                "notes": ["LocalStack sorted the events inside each Parallel state when recording"],
                "requires": ["lambda"]
            }),
            "fallback",
        )
        .expect("valid case");
        assert_eq!(case.name, "services/x");
        assert!(case.express && case.needs_functions() && case.parallel_events_sorted());
        assert_eq!(
            case.functions,
            vec![("f".into(), "echo_function.py".into())]
        );
        assert_eq!(case.substitutions[0].0, "ff");
        assert_eq!(case.history.as_ref().map(Vec::len), Some(1));
        assert_eq!(case.missing_requirement(), None);
    }

    #[test]
    fn the_words_a_snapshot_put_in_place_of_values_come_from_the_notes() {
        let case = Case::from_value(
            json!({
                "expect": {"status": "SUCCEEDED"},
                "notes": [
                    "some other note -> not a word",
                    "snapshot replaced values at JSON paths: $..a.output -> a.output; $..B -> <b>"
                ]
            }),
            "g/c",
        )
        .expect("valid case");
        assert_eq!(case.replaced_words(), vec!["a.output", "<b>"]);
    }

    #[test]
    fn a_case_without_input_starts_with_an_empty_object() {
        let case = Case::from_value(json!({"expect": {"status": "SUCCEEDED"}}), "g/c")
            .expect("valid case");
        assert_eq!(case.input, json!({}));
        assert_eq!(case.name, "g/c");
        assert!(case.history.is_none());
    }

    #[test]
    fn unknown_requirements_and_broken_cases_are_reported() {
        let case = Case::from_value(
            json!({"expect": {"status": "SUCCEEDED"}, "requires": ["activities"]}),
            "g/c",
        )
        .expect("valid case");
        assert_eq!(
            case.missing_requirement().as_deref(),
            Some("needs activities, not built yet")
        );
        assert!(Case::from_value(json!({"name": "g/c"}), "g/c").is_err());
        assert!(Case::from_value(json!([1]), "g/c").is_err());
        assert!(Case::from_value(
            json!({"expect": {"status": "SUCCEEDED"}, "history": 3}),
            "g/c"
        )
        .is_err());
    }

    #[test]
    fn names_come_from_the_folder_and_file() {
        assert_eq!(
            name_from_path(Path::new("/x/cases/base/some_case.json")),
            "base/some_case"
        );
    }
}
