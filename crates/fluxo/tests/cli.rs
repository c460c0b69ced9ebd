//! The `fluxo` command end to end: the document-validation example, and bad input of every
//! kind, which must give diagnostics or AWS-style errors and never a panic.

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fluxo(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fluxo"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("fluxo runs")
}

fn stdout_json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn no_panic(output: &Output) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        output.status.code().is_some(),
        "killed by a signal: {output:?}"
    );
}

fn temp_file(name: &str, contents: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fluxo-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

const EXAMPLE: &str = "examples/document-validation/state-machine.asl.json";

#[test]
fn a_valid_document_succeeds() {
    let output = fluxo(&[
        "run",
        EXAMPLE,
        "--input-file",
        "examples/document-validation/documents/valid.json",
        "--history",
    ]);
    no_panic(&output);
    let report = stdout_json(&output);
    assert_eq!(report["status"], "SUCCEEDED", "{report}");
    assert_eq!(report["output"]["valido"], true);
    assert!(output.status.success());
    let types: Vec<&str> = report["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "LambdaFunctionScheduled",
            "LambdaFunctionStarted",
            "LambdaFunctionSucceeded",
            "TaskStateExited",
            "ChoiceStateEntered",
            "ChoiceStateExited",
            "SucceedStateEntered",
            "SucceedStateExited",
            "ExecutionSucceeded"
        ]
    );
}

#[test]
fn an_invalid_document_fails_with_documento_invalido() {
    let output = fluxo(&[
        "run",
        EXAMPLE,
        "--input-file",
        "examples/document-validation/documents/invalid.json",
    ]);
    no_panic(&output);
    let report = stdout_json(&output);
    assert_eq!(report["status"], "FAILED");
    assert_eq!(report["error"], "Documento Inválido");
    let problems: Vec<String> = serde_json::from_str(report["cause"].as_str().unwrap()).unwrap();
    assert!(
        problems.contains(&"falta el nombre".to_string()),
        "{problems:?}"
    );
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn validate_accepts_the_example_and_reports_every_problem_of_a_bad_definition() {
    let output = fluxo(&["validate", EXAMPLE]);
    no_panic(&output);
    assert!(output.status.success());

    let bad = temp_file(
        "bad.asl.json",
        r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B", "TimeoutSeconds": "x"}, "C": {"Type": "Succeed"}}}"#,
    );
    let output = fluxo(&["validate", bad.to_str().unwrap()]);
    no_panic(&output);
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("MISSING_TRANSITION_TARGET") && text.contains("/States/A/Next"),
        "{text}"
    );
    assert!(text.contains("/States/A/TimeoutSeconds"), "{text}");
    assert!(
        text.contains("State \"C\" is not reachable") && text.contains("/States/C"),
        "{text}"
    );
}

#[test]
fn malformed_and_deeply_nested_definitions_are_diagnosed() {
    for (name, contents) in [
        (
            "truncated.json",
            r#"{"StartAt": "A", "States": {"#.to_string(),
        ),
        ("empty.json", String::new()),
        ("array.json", "[1, 2, 3]".to_string()),
        (
            "types.json",
            r#"{"StartAt": 7, "States": {"A": {"Type": ["Pass"], "End": "yes"}}}"#.to_string(),
        ),
        ("deep.json", "[".repeat(200_000)),
    ] {
        let path = temp_file(name, &contents);
        for command in ["validate", "run"] {
            let output = fluxo(&[command, path.to_str().unwrap()]);
            no_panic(&output);
            assert!(!output.status.success(), "{command} {name} should fail");
        }
    }
}

#[test]
fn bad_execution_input_is_refused_like_aws() {
    let simple = temp_file(
        "pass.asl.json",
        r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}"#,
    );
    let simple = simple.to_str().unwrap();
    let not_json = fluxo(&["run", simple, "--input", "{not json"]);
    no_panic(&not_json);
    assert_eq!(not_json.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&not_json.stderr).contains("InvalidExecutionInput"));

    let deep = "[".repeat(5_000) + &"]".repeat(5_000);
    let deep_output = fluxo(&["run", simple, "--input", &deep]);
    no_panic(&deep_output);
    assert_eq!(deep_output.status.code(), Some(2));

    let big = format!("\"{}\"", "x".repeat(300 * 1024));
    let big_file = temp_file("big.json", &big);
    let too_big = fluxo(&["run", simple, "--input-file", big_file.to_str().unwrap()]);
    no_panic(&too_big);
    assert_eq!(too_big.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&too_big.stderr).contains("262144"));
}

#[test]
fn a_result_over_the_payload_limit_fails_with_data_limit_exceeded() {
    let big = "y".repeat(300 * 1024);
    let definition = format!(
        r#"{{"StartAt": "A", "States": {{"A": {{"Type": "Pass", "Result": "{big}", "End": true}}}}}}"#
    );
    let path = temp_file("big-result.asl.json", &definition);
    let output = fluxo(&["run", path.to_str().unwrap()]);
    no_panic(&output);
    let report = stdout_json(&output);
    assert_eq!(report["error"], "States.DataLimitExceeded");
    assert_eq!(
        report["cause"],
        "The state/task 'A' returned a result with a size exceeding the maximum number of bytes service limit."
    );
}

#[test]
fn tasks_without_a_configured_function_fail_cleanly() {
    let definition = temp_file(
        "task.asl.json",
        r#"{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:nobody", "End": true}}}"#,
    );
    let output = fluxo(&["run", definition.to_str().unwrap()]);
    no_panic(&output);
    let report = stdout_json(&output);
    assert_eq!(report["status"], "FAILED");
    assert_eq!(report["error"], "Lambda.ResourceNotFoundException");
}
