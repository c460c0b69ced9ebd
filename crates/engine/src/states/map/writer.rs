//! `ResultWriter` (developer guide, "ResultWriter (Map)"): the child executions' results
//! written to S3 under `<Prefix>/<map run id>/` as `SUCCEEDED_0.json`, `FAILED_0.json` and
//! `PENDING_0.json` (only those that have entries) and `manifest.json` listing them; the Map
//! state's output is then `{"MapRunArn", "ResultWriterDetails": {"Bucket", "Key"}}` with the
//! manifest's key (recorded: `scenarios/base_scenarios__test_map_state_result_writer`).
//! `WriterConfig` chooses JSON or JSON Lines and the `NONE` / `COMPACT` / `FLATTEN` shapes.

use super::children::{Child, Outcome};
use super::reader::{arguments, s3};
use crate::attempt::Attempt;
use crate::context::format_timestamp;
use crate::failure::Failure;
use fluxo_asl::model::distributed::{ResultWriter, Transformation};
use serde_json::{json, Map, Value};

/// What the writer needs to know of the run.
pub(super) struct RunNames<'a> {
    pub map_run_arn: &'a str,
    /// `…:stateMachine:MACHINE/LABEL`, the children's state machine.
    pub state_machine_arn: &'a str,
}

/// `States.ResultWriterFailed` with this cause.
fn failed(cause: String) -> Failure {
    Failure::new("States.ResultWriterFailed", Some(cause))
}

/// The results as the Map state's output when nothing goes to S3: `COMPACT` (the default) the
/// outputs in order, `FLATTEN` the outputs with arrays spread.
pub(super) fn shaped(writer: Option<&ResultWriter>, outputs: Vec<Value>) -> Value {
    match writer.map(|writer| writer.transformation) {
        Some(Transformation::Flatten) => Value::Array(flatten(outputs)),
        _ => Value::Array(outputs),
    }
}

fn flatten(outputs: Vec<Value>) -> Vec<Value> {
    let mut flat = Vec::with_capacity(outputs.len());
    for output in outputs {
        match output {
            Value::Array(items) => flat.extend(items),
            other => flat.push(other),
        }
    }
    flat
}

/// Writes the result files and the manifest; the Map state's output.
pub(super) async fn write(
    attempt: &Attempt<'_>,
    writer: &ResultWriter,
    effective: &Value,
    names: &RunNames<'_>,
    children: &[Child],
) -> Result<Value, Failure> {
    let parameters = arguments(attempt, writer.parameters.as_ref(), effective, "Arguments")?;
    let bucket = parameters
        .get("Bucket")
        .and_then(Value::as_str)
        .unwrap_or("");
    let prefix = parameters
        .get("Prefix")
        .and_then(Value::as_str)
        .unwrap_or("");
    let id = names.map_run_arn.rsplit(':').next().unwrap_or_default();
    let folder = match prefix.trim_end_matches('/') {
        "" => id.to_string(),
        prefix => format!("{prefix}/{id}"),
    };
    let mut files = Map::new();
    for status in ["FAILED", "PENDING", "SUCCEEDED"] {
        // Each entry is rendered into the file as it is made: a run's entries are never all
        // held as values at once (they were most of a 100,000-child run's peak memory).
        let mut body = Body::new(writer.jsonl);
        for child in children.iter().filter(|c| c.outcome.status() == status) {
            body.push(&entry(writer.transformation, names, child));
        }
        let mut listed = Vec::new();
        if let Some(body) = body.finish() {
            let key = format!("{folder}/{status}_0.json");
            listed.push(json!({"Key": key, "Size": body.len()}));
            put(attempt, bucket, &key, body).await?;
        }
        files.insert(status.into(), Value::Array(listed));
    }
    let key = format!("{folder}/manifest.json");
    let manifest = json!({
        "DestinationBucket": bucket,
        "MapRunArn": names.map_run_arn,
        "ResultFiles": files,
    });
    put(attempt, bucket, &key, manifest.to_string()).await?;
    Ok(json!({
        "MapRunArn": names.map_run_arn,
        "ResultWriterDetails": {"Bucket": bucket, "Key": key},
    }))
}

async fn put(attempt: &Attempt<'_>, bucket: &str, key: &str, body: String) -> Result<(), Failure> {
    let mut parameters = Map::new();
    parameters.insert("Bucket".into(), bucket.into());
    parameters.insert("Key".into(), key.into());
    parameters.insert("Body".into(), Value::String(String::new()));
    s3(attempt, "putObject", parameters, Some(body))
        .await
        .map(drop)
        .map_err(|failure| {
            failed(format!(
                "{}: {}",
                failure.error,
                failure.cause.unwrap_or_default()
            ))
        })
}

/// A result file's text as its entries come: a JSON array, or JSON Lines (no newline after
/// the last).
struct Body {
    text: String,
    jsonl: bool,
    entries: usize,
}

impl Body {
    fn new(jsonl: bool) -> Body {
        let text = if jsonl { String::new() } else { "[".into() };
        Body {
            text,
            jsonl,
            entries: 0,
        }
    }

    fn push(&mut self, entry: &Value) {
        use std::fmt::Write;
        if self.entries > 0 {
            self.text.push(if self.jsonl { '\n' } else { ',' });
        }
        // Writing to a String cannot fail.
        let _ = write!(self.text, "{entry}");
        self.entries += 1;
    }

    /// The file's text, unless it has no entries (no file is written then).
    fn finish(mut self) -> Option<String> {
        if self.entries == 0 {
            return None;
        }
        if !self.jsonl {
            self.text.push(']');
        }
        Some(self.text)
    }
}

/// One child execution in a result file: its metadata with input and output as JSON text
/// (`NONE`), or its output alone (`COMPACT`, `FLATTEN`; a failure as `{Error, Cause}`).
fn entry(transformation: Transformation, names: &RunNames<'_>, child: &Child) -> Value {
    if transformation != Transformation::None {
        return match &child.outcome {
            Outcome::Succeeded(output) => output.clone(),
            Outcome::Failed { error, cause } => json!({"Error": error, "Cause": cause}),
            Outcome::Pending | Outcome::Aborted => json!({}),
        };
    }
    let arn = names
        .state_machine_arn
        .replacen(":stateMachine:", ":execution:", 1)
        + ":"
        + &child.name;
    let mut entry = Map::new();
    entry.insert("ExecutionArn".into(), Value::String(arn));
    entry.insert("Input".into(), Value::String(child.input.to_string()));
    entry.insert("InputDetails".into(), json!({"Included": true}));
    entry.insert("Name".into(), Value::String(child.name.clone()));
    match &child.outcome {
        Outcome::Succeeded(output) => {
            entry.insert("Output".into(), Value::String(output.to_string()));
            entry.insert("OutputDetails".into(), json!({"Included": true}));
        }
        Outcome::Failed { error, cause } => {
            entry.insert("Error".into(), json!(error));
            entry.insert("Cause".into(), json!(cause));
        }
        Outcome::Pending | Outcome::Aborted => {}
    }
    entry.insert("RedriveCount".into(), json!(0));
    entry.insert("StateMachineArn".into(), json!(names.state_machine_arn));
    entry.insert("Status".into(), json!(child.outcome.status()));
    if let Some(start) = child.start {
        entry.insert("StartDate".into(), json!(format_timestamp(start)));
    }
    if let Some(stop) = child.stop {
        entry.insert("StopDate".into(), json!(format_timestamp(stop)));
    }
    Value::Object(entry)
}

#[cfg(test)]
mod tests {
    use super::Body;
    use serde_json::{json, Value};

    fn rendered(jsonl: bool, entries: &[Value]) -> Option<String> {
        let mut body = Body::new(jsonl);
        for entry in entries {
            body.push(entry);
        }
        body.finish()
    }

    #[test]
    fn a_body_is_the_entries_as_an_array_or_as_lines() {
        let entries = [json!({"a": 1}), json!("x"), json!([1, {"b": null}])];
        assert_eq!(
            rendered(false, &entries).unwrap(),
            Value::Array(entries.to_vec()).to_string()
        );
        assert_eq!(
            rendered(true, &entries).unwrap(),
            "{\"a\":1}\n\"x\"\n[1,{\"b\":null}]"
        );
        assert_eq!(rendered(false, &entries[..1]).unwrap(), "[{\"a\":1}]");
        assert_eq!(rendered(false, &[]), None);
        assert_eq!(rendered(true, &[]), None);
    }
}
