//! The recorded AWS executions of `../shared/conformance-api/cases/{services,error_handling}`
//! that moto can reproduce, table-driven: each case's setup runs with boto3 (as the recording's
//! test did), its Task states run through the integrations, and every call is compared with
//! the recording: the parameters sent (`TaskScheduled`), the result (`TaskSucceeded` /
//! `TaskSubmitted`) or the error and cause (`TaskFailed`), and the objects read back afterwards.
//!
//! Where moto answers differently from AWS (a message text, a field AWS adds), or Fluxo does so
//! deliberately, the difference is listed in `KNOWN_DIFFERENCES` with the reason, and the test
//! checks that each listed difference still occurs.

mod common;
#[path = "recorded/matching.rs"]
mod matching;
#[path = "recorded/runner.rs"]
mod runner;

use common::{integrations, Moto};
use fluxo_aws::{Enabled, IntegrationPattern};
use matching::{differences, text_matches, Substitution};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::PathBuf;

/// Services moto provides for these cases.
const MOTO_SERVICES: &[&str] = &[
    "sqs",
    "sns",
    "dynamodb",
    "s3",
    "events",
    "aws-sdk:s3",
    "aws-sdk:dynamodb",
    "aws-sdk:sqs",
    "aws-sdk:secretsmanager",
];

/// (case, start of a difference line, why the difference is not Fluxo's): moto answers
/// differently from AWS here, or Fluxo deliberately does.
const KNOWN_DIFFERENCES: &[(&str, &str, &str)] = &[
    ("aws_sdk__test_dynamodb_invalid_param", "task 0.cause", "moto fails with 500 InternalError where DynamoDB answers ValidationException for a missing Item"),
    ("task_service_dynamodb__test_invalid_param", "task 0.cause", "moto fails with 500 InternalError where DynamoDB answers ValidationException for a missing Item"),
    ("aws_sdk__test_invalid_secret_name", "task 0:", "moto accepts a secret name with a space; Secrets Manager refuses it"),
    ("task_service_dynamodb__test_put_item_invalid_table_name", "task 0.error", "moto does not validate table names; DynamoDB answers ValidationException"),
    ("task_service_dynamodb__test_put_item_invalid_table_name", "task 0.cause", "moto does not validate table names; DynamoDB answers ValidationException"),
    ("task_service_sqs__test_send_message_empty_body", "task 0.cause", "moto fails with 500 InternalError where SQS answers MissingParameter"),
    ("task_service_sqs__test_send_message_no_such_queue", "task 0.", "Fluxo's choice: requests go to the configured SQS endpoint with the QueueUrl as a parameter (as today's SDKs do), never to the host a QueueUrl names, so an unknown queue is QueueDoesNotExist rather than AWS's DNS failure on that host"),
    ("task_service_sqs__test_send_message_no_such_queue_no_catch", "task 0.", "the same choice as task_service_sqs__test_send_message_no_such_queue"),
    ("aws_sdk_task_service__test_dynamodb_put_update_get_item", "task 1.output.ConsumedCapacity", "moto returns ConsumedCapacity without ReturnConsumedCapacity"),
    ("dynamodb_task_service__test_base_integrations_DYNAMODB_PUT_UPDATE_GET_ITEM", "task 1.output.ConsumedCapacity", "moto returns ConsumedCapacity without ReturnConsumedCapacity"),
    ("aws_sdk_task_service__test_s3_get_object_binary", "task 0.output.ServerSideEncryption", "moto does not apply S3's default encryption"),
    ("aws_sdk_task_service__test_s3_get_object_bytearray", "task 0.output.ServerSideEncryption", "moto does not apply S3's default encryption"),
    ("aws_sdk_task_service__test_s3_get_object_empty_str", "task 0.output.ServerSideEncryption", "moto does not apply S3's default encryption"),
    ("aws_sdk_task_service__test_s3_get_object_str", "task 0.output.ServerSideEncryption", "moto does not apply S3's default encryption"),
    ("aws_sdk_task_service__test_s3_put_object_dict", "task 0.output.ServerSideEncryption", "moto does not apply S3's default encryption"),
    ("aws_sdk_task_service__test_s3_put_object_dict", "task 0.output.ChecksumType", "moto does not report the checksum type"),
    ("aws_sdk_task_service__test_s3_put_object_dict", "after s5.ServerSideEncryption", "moto does not apply S3's default encryption"),
    ("aws_sdk_task_service__test_s3_put_object_dict", "after s5.ChecksumType", "moto does not report the checksum type"),
    ("aws_sdk_task_service__test_s3_put_object_list", "task 0.output.ServerSideEncryption", "moto does not apply S3's default encryption"),
    ("aws_sdk_task_service__test_s3_put_object_list", "task 0.output.ChecksumType", "moto does not report the checksum type"),
    ("aws_sdk_task_service__test_s3_put_object_list", "after s5.ServerSideEncryption", "moto does not apply S3's default encryption"),
    ("aws_sdk_task_service__test_s3_put_object_list", "after s5.ChecksumType", "moto does not report the checksum type"),
    ("aws_sdk_task_service__test_s3_put_object_str", "task 0.output.ServerSideEncryption", "moto does not apply S3's default encryption"),
    ("aws_sdk_task_service__test_s3_put_object_str", "task 0.output.ChecksumType", "moto does not report the checksum type"),
    ("aws_sdk_task_service__test_s3_put_object_str", "after s5.ServerSideEncryption", "moto does not apply S3's default encryption"),
    ("aws_sdk_task_service__test_s3_put_object_str", "after s5.ChecksumType", "moto does not report the checksum type"),
    ("events_task_service__test_put_events_malformed_detail", "task 0.", "moto fails with 500 InternalError where EventBridge reports the entry as MalformedDetail"),
    ("sns_task_service__test_fifo_message_attribute_input_params0-True", "task 0.", "moto answers MissingParameter where SNS answers InvalidParameter for a FIFO publish without MessageGroupId"),
    ("sns_task_service__test_fifo_message_attribute_input_params1-False", "task 0.output.SequenceNumber", "moto returns no SequenceNumber for FIFO topics"),
    ("sns_task_service__test_publish_base_error_topic_arn", "task 0.cause", "moto's message is 'Endpoint does not exist' where SNS says 'Topic does not exist'"),
];

const SETUP: &str = r#"
import re
from botocore import xform_name
steps = json.load(sys.stdin)
results = {}
def lookup(match):
    parts = match.group(1).split('.')
    if parts == ['region']: return 'us-east-1'
    if parts == ['account']: return '123456789012'
    value = results[parts[0]]
    for part in parts[1:]: value = value[part]
    return value
def resolve(value):
    if isinstance(value, str): return re.sub(r'\$\{([^}]*)\}', lambda m: str(lookup(m)), value)
    if isinstance(value, list): return [resolve(v) for v in value]
    if isinstance(value, dict): return {k: resolve(v) for k, v in value.items()}
    return value
for step in steps:
    client = boto3.client(step['service'], **kw)
    operation = client.meta.service_model.operation_model(step['action'])
    request = resolve(dict(step['request']))
    members = operation.input_shape.members if operation.input_shape else {}
    for name, member in members.items():
        # The corpus shows JSON text fields decoded; boto3 wants them as text again.
        if name in request and member.type_name == 'string' and not isinstance(request[name], str):
            request[name] = json.dumps(request[name])
    response = getattr(client, xform_name(step['action']))(**request)
    response.pop('ResponseMetadata', None)
    if 'Body' in response:
        response['Body'] = response['Body'].read().decode('utf-8', 'replace')
    results[step['id']] = response
print(json.dumps(results, default=str))
"#;

fn corpus() -> Option<PathBuf> {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance-api/cases");
    dir.is_dir().then_some(dir)
}

/// Resolves `${sN.a.b[0]}`, `${region}` and `${account}` in a text.
fn resolve(text: &str, results: &HashMap<String, Value>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let end = start + rest[start..].find('}').expect("a closed reference");
        let reference = &rest[start + 2..end];
        let value = match reference {
            "region" => common::REGION.to_string(),
            "account" => "123456789012".to_string(),
            _ => {
                let mut parts = reference.split('.');
                let mut value = results
                    .get(parts.next().unwrap())
                    .cloned()
                    .unwrap_or(Value::Null);
                for part in parts {
                    value = value[part].clone();
                }
                value
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| value.to_string())
            }
        };
        out.push_str(&value);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

fn resolve_value(value: &Value, results: &HashMap<String, Value>) -> Value {
    let text = resolve(&value.to_string(), results);
    serde_json::from_str(&text).expect("a resolved document")
}

fn reproducible(case: &Value) -> bool {
    let requires = case["requires"].as_array().cloned().unwrap_or_default();
    case["format"] == "execution"
        && case.get("during").is_none()
        && requires
            .iter()
            .all(|need| MOTO_SERVICES.contains(&need.as_str().unwrap_or_default()))
        && case["setup"].as_array().into_iter().flatten().all(|step| {
            step.get("service").is_some()
                && !step["action"].as_str().unwrap_or("@").starts_with('@')
        })
        && runner::supported(&case["definition"])
}

/// Runs one case; its differences from the recording.
async fn check_case(moto: &Moto, case: &Value) -> Vec<String> {
    let setup = case["setup"].as_array().cloned().unwrap_or_default();
    let results: HashMap<String, Value> = if setup.is_empty() {
        HashMap::new()
    } else {
        let done = moto.boto3_with_input(
            SETUP,
            "testing",
            "testing",
            &Value::Array(setup).to_string(),
        );
        serde_json::from_value(done).expect("setup results")
    };
    let substitutions: Vec<Substitution> = case["substitutions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|entry| Substitution {
            pattern: resolve(entry[0].as_str().unwrap_or_default(), &results),
            placeholder: entry[1].as_str().unwrap_or_default().to_string(),
            regex: entry.get(2).is_some_and(|options| options["regex"] == true),
        })
        .collect();
    let definition = resolve_value(&case["definition"], &results);
    let input = resolve_value(&case["input"], &results);
    let aws = integrations(&moto.endpoint, Enabled::All);
    let records = runner::run(&aws, &definition, &input).await;

    let recorded: Vec<&Value> = case["history"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|event| {
            matches!(
                event["type"].as_str(),
                Some("TaskScheduled" | "TaskSucceeded" | "TaskFailed" | "TaskSubmitted")
            )
        })
        .collect();
    let mut found = Vec::new();
    let mut events = recorded.iter();
    for (index, record) in records.iter().enumerate() {
        let task = format!("task {index}");
        let Some(scheduled) = events.next() else {
            found.push(format!("{task}: not in the recording"));
            break;
        };
        found.extend(differences(
            &scheduled["details"]["parameters"],
            &record.parameters,
            &substitutions,
            &format!("{task}.parameters"),
        ));
        let Some(result) = events.next() else {
            found.push(format!("{task}: no recorded result"));
            break;
        };
        let details = &result["details"];
        match (&record.outcome, result["type"].as_str()) {
            (Ok(output), Some("TaskSucceeded")) => found.extend(differences(
                &details["output"],
                output,
                &substitutions,
                &format!("{task}.output"),
            )),
            (Ok(output), Some("TaskSubmitted"))
                if record.pattern == IntegrationPattern::WaitForTaskToken =>
            {
                found.extend(differences(
                    &details["output"],
                    output,
                    &substitutions,
                    &format!("{task}.output"),
                ))
            }
            (Err(failure), Some("TaskFailed")) => {
                if details["error"] != json!(failure.error) {
                    found.push(format!(
                        "{task}.error: {:?}, expected {}",
                        failure.error, details["error"]
                    ));
                }
                let cause = substitutions
                    .iter()
                    .fold(failure.cause.clone(), |text, substitution| {
                        substitution.apply(&text)
                    });
                let matches = match &details["cause"] {
                    Value::String(expected) => text_matches(expected, &cause),
                    expected => serde_json::from_str::<Value>(&failure.cause).is_ok_and(|actual| {
                        differences(expected, &actual, &substitutions, "").is_empty()
                    }),
                };
                if !matches {
                    found.push(format!(
                        "{task}.cause: {cause:?}, expected {}",
                        details["cause"]
                    ));
                }
            }
            (outcome, kind) => found.push(format!("{task}: {outcome:?}, recorded {kind:?}")),
        }
    }
    found.extend(check_after(moto, case, &results, &substitutions));
    found
}

/// The recorded reads made after the execution (`s3 GetObject` of the object written).
fn check_after(
    moto: &Moto,
    case: &Value,
    results: &HashMap<String, Value>,
    substitutions: &[Substitution],
) -> Vec<String> {
    let steps: Vec<Value> = case["after"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|step| {
            step.get("service").is_some()
                && !step["action"].as_str().unwrap_or("@").starts_with('@')
        })
        .filter(|step| step["expect"].get("response").is_some())
        .cloned()
        .collect();
    if steps.is_empty() {
        return Vec::new();
    }
    let resolved = resolve_value(&Value::Array(steps.clone()), results);
    let done = moto.boto3_with_input(SETUP, "testing", "testing", &resolved.to_string());
    let mut found = Vec::new();
    for step in &steps {
        let id = step["id"].as_str().unwrap_or_default();
        let mut expected = step["expect"]["response"].clone();
        expected
            .as_object_mut()
            .map(|object| object.remove("ResponseMetadata"));
        found.extend(differences(
            &expected,
            &done[id],
            substitutions,
            &format!("after {id}"),
        ));
    }
    found
}

#[tokio::test]
async fn recorded_service_executions_are_reproduced() {
    let Some(dir) = corpus() else {
        eprintln!(
            "notice: ../shared/conformance-api is missing; the recorded service cases were not run"
        );
        return;
    };
    let Some(moto) = Moto::start("recorded_service_executions_are_reproduced") else {
        return;
    };
    let mut files: Vec<PathBuf> = ["services", "error_handling"]
        .iter()
        .flat_map(|group| {
            std::fs::read_dir(dir.join(group))
                .expect("a case group")
                .flatten()
                .map(|entry| entry.path())
        })
        .collect();
    files.sort();
    let mut report = Vec::new();
    let mut unexpected = Vec::new();
    let mut expected_seen = vec![false; KNOWN_DIFFERENCES.len()];
    let mut ran = 0;
    for file in files {
        let case: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        if !reproducible(&case) {
            continue;
        }
        let name = file.file_stem().unwrap().to_string_lossy().to_string();
        moto.reset().await;
        ran += 1;
        let found = check_case(&moto, &case).await;
        report.push(format!(
            "{name}: {}",
            if found.is_empty() {
                "as recorded".to_string()
            } else {
                format!("{} differences", found.len())
            }
        ));
        for difference in found {
            match KNOWN_DIFFERENCES
                .iter()
                .position(|(case, start, _)| *case == name && difference.starts_with(start))
            {
                Some(index) => expected_seen[index] = true,
                None => unexpected.push(format!("{name}: {difference}")),
            }
        }
    }
    eprintln!("{}", report.join("\n"));
    assert!(ran >= 20, "only {ran} recorded cases could run");
    assert!(
        unexpected.is_empty(),
        "differences from the recordings:\n{}",
        unexpected.join("\n")
    );
    let stale: Vec<_> = KNOWN_DIFFERENCES
        .iter()
        .zip(&expected_seen)
        .filter(|(_, seen)| !**seen)
        .map(|(entry, _)| entry)
        .collect();
    assert!(
        stale.is_empty(),
        "listed moto differences that no longer occur: {stale:?}"
    );
}
