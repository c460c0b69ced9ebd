//! `fluxo restart`: Fluxo's restart of a closed execution from a chosen state, through a
//! running server's `POST /console/restart` (the console's own endpoint, not an AWS action;
//! see `fluxo_console::restart`).

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct RestartArgs {
    /// The execution's ARN.
    execution_arn: String,
    /// The top-level state to run from.
    #[arg(long)]
    from_state: String,
    /// The state's input as JSON (default: the execution's input).
    #[arg(long, conflicts_with = "input_file")]
    input: Option<String>,
    /// A file holding the state's input.
    #[arg(long)]
    input_file: Option<PathBuf>,
    /// The server (`FLUXO_ENDPOINT`, default http://127.0.0.1:8083).
    #[arg(long, env = "FLUXO_ENDPOINT", default_value = "http://127.0.0.1:8083")]
    endpoint: String,
}

/// Prints the server's answer (`{"redriveDate", "redriveCount"}`); exit code 1 when it
/// refused (its error on stderr), 2 when it could not be reached.
pub fn restart(args: RestartArgs) -> Result<ExitCode> {
    let input = match (&args.input, &args.input_file) {
        (Some(text), _) => Some(text.clone()),
        (None, Some(path)) => Some(crate::read(path)?),
        (None, None) => None,
    };
    if let Some(text) = &input {
        if let Err(error) = serde_json::from_str::<Value>(text) {
            bail!("the input is not JSON: {error}");
        }
    }
    let url = format!("{}/console/restart", args.endpoint.trim_end_matches('/'));
    let body = json!({
        "executionArn": args.execution_arn,
        "fromState": args.from_state,
        "input": input,
    });
    let response = reqwest::blocking::Client::new()
        .post(&url)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .with_context(|| format!("cannot reach {url}"))?;
    let status = response.status();
    let text = response.text().context("cannot read the answer")?;
    if status.is_success() {
        crate::output::print_lines(&[text]);
        return Ok(ExitCode::SUCCESS);
    }
    let answer: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    eprintln!(
        "fluxo: {}: {}",
        answer["__type"].as_str().unwrap_or("error"),
        answer["message"].as_str().unwrap_or_default()
    );
    Ok(ExitCode::from(1))
}
