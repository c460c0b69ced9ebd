//! Distributed Map end to end: a `fluxo server` whose `[aws]` points at a moto server reads
//! Map items from S3 objects (JSON with `ItemsPointer`, JSON Lines, CSV with headers in the
//! first row or given, other delimiters, `listObjectsV2` by prefix, `MaxItems`), batches them
//! (`ItemBatcher` by count and by bytes), writes result files that boto3 reads back
//! (`ResultWriter`), tolerates failures, and keeps Map Runs that `DescribeMapRun`,
//! `ListMapRuns` and `UpdateMapRun` see and change. The last test runs 100,000 items.

mod common;

use common::aws::fluxo_with;
use common::moto::Moto;
use common::{call, Server};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

struct Setup {
    moto: Moto,
    server: Server,
    _dir: tempfile::TempDir,
}

/// moto, and a Fluxo server whose `[aws]` turns S3 on at moto's endpoint.
fn setup(test: &str) -> Option<Setup> {
    let moto = Moto::start(test)?;
    let (server, dir) = fluxo_with(&format!(
        "enabled = [\"s3\"]\nendpoint_url = \"{}\"",
        moto.endpoint
    ));
    Some(Setup {
        moto,
        server,
        _dir: dir,
    })
}

/// A distributed Map over the items `reader` reads, then `extra` fields on the Map state; the
/// processor is `processor` (a Pass state when `None`).
fn machine(reader: Value, extra: Value, processor: Option<Value>) -> Value {
    let processor = processor
        .unwrap_or(json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}));
    let mut processor = processor;
    processor["ProcessorConfig"] = json!({"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"});
    let mut state = json!({"Type": "Map", "End": true, "ItemProcessor": processor});
    if !reader.is_null() {
        state["ItemReader"] = reader;
    }
    for (key, value) in extra.as_object().into_iter().flatten() {
        state[key] = value.clone();
    }
    json!({"StartAt": "M", "States": {"M": state}})
}

/// Creates the state machine, runs it to its end: `DescribeExecution`'s answer.
fn run(endpoint: &str, name: &str, definition: &Value, input: &Value) -> Value {
    let (status, created) = call(
        endpoint,
        "CreateStateMachine",
        &json!({"name": name, "definition": definition.to_string(),
                "roleArn": "arn:aws:iam::123456789012:role/r"}),
    );
    assert_eq!(status, 200, "{created}");
    let (status, started) = call(
        endpoint,
        "StartExecution",
        &json!({"stateMachineArn": created["stateMachineArn"], "input": input.to_string()}),
    );
    assert_eq!(status, 200, "{started}");
    wait(endpoint, started["executionArn"].as_str().unwrap(), 120)
}

fn wait(endpoint: &str, arn: &str, seconds: u64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    loop {
        let (_, described) = call(endpoint, "DescribeExecution", &json!({"executionArn": arn}));
        if described["status"] != "RUNNING" {
            return described;
        }
        assert!(Instant::now() < deadline, "still running: {described}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn output(described: &Value) -> Value {
    assert_eq!(described["status"], "SUCCEEDED", "{described}");
    serde_json::from_str(described["output"].as_str().unwrap()).unwrap()
}

/// The execution's one Map Run, as `DescribeMapRun` answers.
fn map_run(endpoint: &str, execution: &str) -> Value {
    let (status, listed) = call(endpoint, "ListMapRuns", &json!({"executionArn": execution}));
    assert_eq!(status, 200, "{listed}");
    let runs = listed["mapRuns"].as_array().unwrap();
    assert_eq!(runs.len(), 1, "{listed}");
    let (status, described) = call(
        endpoint,
        "DescribeMapRun",
        &json!({"mapRunArn": runs[0]["mapRunArn"]}),
    );
    assert_eq!(status, 200, "{described}");
    described
}

fn get_object(bucket: &str, key: &str) -> Value {
    json!({"Resource": "arn:aws:states:::s3:getObject", "Parameters": {"Bucket": bucket, "Key": key}})
}

#[test]
fn items_are_read_from_s3_objects_in_every_format() {
    let Some(setup) = setup("items_are_read_from_s3_objects_in_every_format") else {
        return;
    };
    setup.moto.boto3(
        None,
        r#"s3 = aws('s3')
s3.create_bucket(Bucket='items')
s3.put_object(Bucket='items', Key='doc.json', Body=json.dumps({"data": {"rows": [{"n": 1}, {"n": 2}, {"n": 3}]}}))
s3.put_object(Bucket='items', Key='rows.jsonl', Body='{"n": 1}\n\n{"n": 2}\n[3]\n')
s3.put_object(Bucket='items', Key='semi.csv', Body='a;b\n1;"x;y"\n2;\n')
s3.put_object(Bucket='items', Key='tab.csv', Body='1\t2\n3\t4\n')
for i in range(3):
    s3.put_object(Bucket='items', Key=f'logs/{i}.txt', Body='x' * (i + 1))
s3.put_object(Bucket='items', Key='other/skip.txt', Body='no')
print('{}')"#,
    );
    let endpoint = &setup.server.endpoint;
    let config = |reader: Value, config: Value| {
        let mut reader = reader;
        reader["ReaderConfig"] = config;
        reader
    };
    let cases = [
        (
            "json-pointer",
            config(
                get_object("items", "doc.json"),
                json!({"InputType": "JSON", "ItemsPointer": "/data/rows", "MaxItems": 2}),
            ),
            json!([{"n": 1}, {"n": 2}]),
        ),
        (
            "jsonl",
            config(
                get_object("items", "rows.jsonl"),
                json!({"InputType": "JSONL"}),
            ),
            json!([{"n": 1}, {"n": 2}, [3]]),
        ),
        (
            "csv-first-row-semicolon",
            config(
                get_object("items", "semi.csv"),
                json!({"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "CSVDelimiter": "SEMICOLON"}),
            ),
            json!([{"a": "1", "b": "x;y"}, {"a": "2", "b": ""}]),
        ),
        (
            "csv-given-tab",
            config(
                get_object("items", "tab.csv"),
                json!({"InputType": "CSV", "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["x", "y"], "CSVDelimiter": "TAB"}),
            ),
            json!([{"x": "1", "y": "2"}, {"x": "3", "y": "4"}]),
        ),
    ];
    for (name, reader, expected) in cases {
        let described = run(
            endpoint,
            name,
            &machine(reader, json!({}), None),
            &json!({}),
        );
        assert_eq!(output(&described), expected, "{name}");
    }
    // Objects under a prefix, as AWS lists them (`Etag`, `Key`, `LastModified` in epoch
    // seconds, `Size`, `StorageClass`), read with the parameters' `.$` paths.
    let listing = json!({"Resource": "arn:aws:states:::s3:listObjectsV2",
                         "Parameters": {"Bucket.$": "$.bucket", "Prefix": "logs/"}});
    let described = run(
        endpoint,
        "listing",
        &machine(listing, json!({}), None),
        &json!({"bucket": "items"}),
    );
    let objects = output(&described);
    let keys: Vec<&str> = objects
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["Key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["logs/0.txt", "logs/1.txt", "logs/2.txt"]);
    assert_eq!(objects[2]["Size"], 3);
    assert!(objects[0]["LastModified"].is_i64(), "{objects}");
    assert!(objects[0]["Etag"].as_str().unwrap().starts_with('"'));
    // A missing object fails the run with States.ItemReaderFailed.
    let missing = config(
        get_object("items", "nope.json"),
        json!({"InputType": "JSON"}),
    );
    let described = run(
        endpoint,
        "missing",
        &machine(missing, json!({}), None),
        &json!({}),
    );
    assert_eq!(described["status"], "FAILED");
    assert_eq!(described["error"], "States.ItemReaderFailed", "{described}");
}

/// Batches by count (with a `BatchInput`) and by bytes, of the ten items `reader` reads.
fn check_batches(endpoint: &str, reader: &Value) {
    // By count, with a BatchInput.
    let by_count = machine(
        reader.clone(),
        json!({"ItemBatcher": {"MaxItemsPerBatch": 4, "BatchInput": {"run.$": "$.run"}}}),
        None,
    );
    let described = run(endpoint, "by-count", &by_count, &json!({"run": "r1"}));
    let batches = output(&described);
    let sizes: Vec<usize> = batches
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["Items"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, [4, 4, 2]);
    assert_eq!(batches[0]["BatchInput"], json!({"run": "r1"}));
    let counts = map_run(endpoint, described["executionArn"].as_str().unwrap());
    assert_eq!(counts["itemCounts"]["succeeded"], 10, "{counts}");
    assert_eq!(counts["executionCounts"]["succeeded"], 3, "{counts}");
    // By bytes: each item is 31 bytes of JSON; 100 bytes hold at most 2 of them.
    let by_bytes = machine(
        reader.clone(),
        json!({"ItemBatcher": {"MaxInputBytesPerBatch": 100}}),
        None,
    );
    let described = run(endpoint, "by-bytes", &by_bytes, &json!({}));
    for batch in output(&described).as_array().unwrap() {
        assert!(batch.to_string().len() <= 100, "{batch}");
        assert!(!batch["Items"].as_array().unwrap().is_empty());
    }
}

#[test]
fn batches_go_to_children_and_results_are_written_to_s3() {
    let Some(setup) = setup("batches_go_to_children_and_results_are_written_to_s3") else {
        return;
    };
    setup.moto.boto3(
        None,
        r#"s3 = aws('s3')
s3.create_bucket(Bucket='items')
s3.create_bucket(Bucket='results')
s3.put_object(Bucket='items', Key='ten.json', Body=json.dumps([{"n": i, "pad": "x" * 20} for i in range(10)]))
s3.put_object(Bucket='items', Key='odd.json', Body=json.dumps([{"n": i, "odd": i % 2 == 1} for i in range(10)]))
print('{}')"#,
    );
    let endpoint = &setup.server.endpoint;
    let reader = json!({"Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "JSON"}, "Parameters": {"Bucket": "items", "Key": "ten.json"}});
    check_batches(endpoint, &reader);
    // Results in S3, with tolerated failures: items with an odd `n` fail.
    let failing = json!({"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.odd", "BooleanEquals": true, "Next": "F"}], "Default": "P"},
        "F": {"Type": "Fail", "Error": "Odd", "Cause": "odd item"},
        "P": {"Type": "Pass", "End": true}}});
    let odd_reader = json!({"Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "JSON"}, "Parameters": {"Bucket": "items", "Key": "odd.json"}});
    let writer = machine(
        odd_reader,
        json!({"ItemSelector": {"n.$": "$$.Map.Item.Value.n", "odd.$": "$$.Map.Item.Value.odd"},
               "ToleratedFailurePercentage": 50, "Label": "tolerant",
               "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                                "Parameters": {"Bucket": "results", "Prefix": "runs"}}}),
        Some(failing),
    );
    let described = run(endpoint, "writer", &writer, &json!({}));
    let details = output(&described);
    let key = details["ResultWriterDetails"]["Key"]
        .as_str()
        .unwrap()
        .to_string();
    let id = details["MapRunArn"]
        .as_str()
        .unwrap()
        .rsplit(':')
        .next()
        .unwrap();
    assert_eq!(key, format!("runs/{id}/manifest.json"));
    assert!(details["MapRunArn"]
        .as_str()
        .unwrap()
        .contains("/tolerant:"));
    let files = setup.moto.boto3(
        None,
        &format!(
            r#"s3 = aws('s3')
manifest = json.loads(s3.get_object(Bucket='results', Key={key:?})['Body'].read())
read = lambda k: json.loads(s3.get_object(Bucket='results', Key=k)['Body'].read())
print(json.dumps({{"manifest": manifest,
  "succeeded": read(manifest['ResultFiles']['SUCCEEDED'][0]['Key']),
  "failed": read(manifest['ResultFiles']['FAILED'][0]['Key'])}}))"#
        ),
    );
    assert_eq!(files["manifest"]["DestinationBucket"], "results");
    assert_eq!(files["manifest"]["MapRunArn"], details["MapRunArn"]);
    assert_eq!(files["manifest"]["ResultFiles"]["PENDING"], json!([]));
    assert_eq!(
        files["manifest"]["ResultFiles"]["SUCCEEDED"][0]["Key"],
        format!("runs/{id}/SUCCEEDED_0.json")
    );
    let succeeded = files["succeeded"].as_array().unwrap();
    let failed = files["failed"].as_array().unwrap();
    assert_eq!((succeeded.len(), failed.len()), (5, 5));
    assert_eq!(succeeded[0]["Status"], "SUCCEEDED");
    let input: Value = serde_json::from_str(succeeded[0]["Input"].as_str().unwrap()).unwrap();
    let output_text: Value =
        serde_json::from_str(succeeded[0]["Output"].as_str().unwrap()).unwrap();
    assert_eq!(input, output_text);
    assert_eq!(failed[0]["Error"], "Odd");
    assert_eq!(failed[0]["Cause"], "odd item");
    assert!(failed[0]["ExecutionArn"]
        .as_str()
        .unwrap()
        .contains(":execution:writer/tolerant:"));
    let counts = map_run(endpoint, described["executionArn"].as_str().unwrap());
    assert_eq!(counts["status"], "SUCCEEDED");
    assert_eq!(counts["toleratedFailurePercentage"], 50.0);
    assert_eq!(counts["itemCounts"]["failed"], 5, "{counts}");
    assert_eq!(counts["itemCounts"]["succeeded"], 5, "{counts}");
    check_child_executions(
        endpoint,
        &counts,
        failed[0]["ExecutionArn"].as_str().unwrap(),
    );
    // Beyond the tolerance, the Map fails.
    let mut strict = writer;
    strict["States"]["M"]["ToleratedFailurePercentage"] = json!(10);
    let described = run(endpoint, "strict", &strict, &json!({}));
    assert_eq!(described["status"], "FAILED");
    assert_eq!(described["error"], "States.ExceedToleratedFailureThreshold");
}

/// The Map Run's child executions are executions of their own: `ListExecutions` with the
/// Map Run's ARN lists them, `DescribeExecution` and `GetExecutionHistory` show each, and only
/// their parent can be redriven (developer guide, "Distributed Map state child workflow
/// executions", "Redriving Map Runs").
fn check_child_executions(endpoint: &str, map_run: &Value, failed_child: &str) {
    let arn = map_run["mapRunArn"].as_str().unwrap();
    let list = |extra: Value| {
        let mut request = json!({"mapRunArn": arn, "maxResults": 100});
        request
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let (status, listed) = call(endpoint, "ListExecutions", &request);
        assert_eq!(status, 200, "{listed}");
        listed["executions"].as_array().unwrap().clone()
    };
    let children = list(json!({}));
    assert_eq!(children.len(), 10, "{children:?}");
    assert!(children.iter().all(|child| child["mapRunArn"] == arn));
    let failed = list(json!({"statusFilter": "FAILED"}));
    assert_eq!(failed.len(), 5);
    assert!(failed
        .iter()
        .any(|child| child["executionArn"] == failed_child));
    let (status, described) = call(
        endpoint,
        "DescribeExecution",
        &json!({"executionArn": failed_child}),
    );
    assert_eq!(status, 200, "{described}");
    assert_eq!(described["status"], "FAILED");
    assert_eq!(described["error"], "Odd");
    assert_eq!(described["mapRunArn"], arn);
    assert_eq!(described["redriveStatus"], "NOT_REDRIVABLE");
    let input: Value = serde_json::from_str(described["input"].as_str().unwrap()).unwrap();
    assert_eq!(input["odd"], true, "{described}");
    let (status, history) = call(
        endpoint,
        "GetExecutionHistory",
        &json!({"executionArn": failed_child}),
    );
    assert_eq!(status, 200, "{history}");
    let kinds = common::event_types(history["events"].as_array().unwrap());
    assert_eq!(
        kinds,
        [
            "ExecutionStarted",
            "ChoiceStateEntered",
            "ChoiceStateExited",
            "FailStateEntered",
            "ExecutionFailed"
        ]
    );
    let ended = &history["events"][4]["executionFailedEventDetails"];
    assert_eq!(ended["error"], "Odd", "{history}");
    // Its state machine is the Map's item processor, named MACHINE/LABEL.
    let (status, machine) = call(
        endpoint,
        "DescribeStateMachineForExecution",
        &json!({"executionArn": failed_child}),
    );
    assert_eq!(status, 200, "{machine}");
    assert_eq!(machine["name"], "writer/tolerant", "{machine}");
    assert_eq!(machine["label"], "tolerant", "{machine}");
    assert_eq!(machine["mapRunArn"], arn, "{machine}");
    let processor: Value = serde_json::from_str(machine["definition"].as_str().unwrap()).unwrap();
    assert_eq!(processor["StartAt"], "C", "{machine}");
    let (status, refused) = call(
        endpoint,
        "RedriveExecution",
        &json!({"executionArn": failed_child}),
    );
    assert_eq!(status, 400, "{refused}");
    assert!(refused["__type"]
        .as_str()
        .unwrap()
        .ends_with("ExecutionNotRedrivable"));
    let (status, both) = call(
        endpoint,
        "ListExecutions",
        &json!({"mapRunArn": arn, "stateMachineArn": map_run["executionArn"]}),
    );
    assert_eq!(status, 400, "{both}");
}

#[test]
fn update_map_run_changes_a_running_run() {
    let Some(setup) = setup("update_map_run_changes_a_running_run") else {
        return;
    };
    let endpoint = &setup.server.endpoint;
    // Eight children that wait 2 s each, one at a time: 16 s unless the run is widened.
    let slow =
        json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 2, "End": true}}});
    let definition = machine(Value::Null, json!({"MaxConcurrency": 1}), Some(slow));
    let (_, created) = call(
        endpoint,
        "CreateStateMachine",
        &json!({"name": "slow", "definition": definition.to_string(),
                "roleArn": "arn:aws:iam::123456789012:role/r"}),
    );
    let (_, started) = call(
        endpoint,
        "StartExecution",
        &json!({"stateMachineArn": created["stateMachineArn"], "input": "[1,2,3,4,5,6,7,8]"}),
    );
    let execution = started["executionArn"].as_str().unwrap();
    let began = Instant::now();
    let arn = loop {
        let (_, listed) = call(endpoint, "ListMapRuns", &json!({"executionArn": execution}));
        if let Some(run) = listed["mapRuns"].as_array().and_then(|runs| runs.first()) {
            break run["mapRunArn"].as_str().unwrap().to_string();
        }
        assert!(began.elapsed() < Duration::from_secs(10), "no map run");
        std::thread::sleep(Duration::from_millis(20));
    };
    let (_, running) = call(endpoint, "DescribeMapRun", &json!({"mapRunArn": arn}));
    assert_eq!(running["status"], "RUNNING", "{running}");
    assert_eq!(running["maxConcurrency"], 1);
    let (status, answer) = call(
        endpoint,
        "UpdateMapRun",
        &json!({"mapRunArn": arn, "maxConcurrency": 8, "toleratedFailureCount": 3}),
    );
    assert_eq!(status, 200, "{answer}");
    let described = wait(endpoint, execution, 60);
    assert_eq!(described["status"], "SUCCEEDED", "{described}");
    assert!(
        began.elapsed() < Duration::from_secs(10),
        "the update did not widen the run: {:?}",
        began.elapsed()
    );
    let (_, ended) = call(endpoint, "DescribeMapRun", &json!({"mapRunArn": arn}));
    assert_eq!(ended["maxConcurrency"], 8);
    assert_eq!(ended["toleratedFailureCount"], 3);
    assert_eq!(ended["executionCounts"]["succeeded"], 8);
    // An ended run is not updated; an unknown one is not found.
    let (status, refused) = call(
        endpoint,
        "UpdateMapRun",
        &json!({"mapRunArn": arn, "maxConcurrency": 2}),
    );
    assert_eq!(status, 400, "{refused}");
    let kind = refused["__type"].as_str().unwrap_or_default();
    assert!(kind.ends_with("ValidationException"), "{refused}");
    let unknown = arn.replace(&arn[arn.len() - 4..], "0000");
    let (status, _) = call(endpoint, "DescribeMapRun", &json!({"mapRunArn": unknown}));
    assert_eq!(status, 400);
}

/// 100,000 items read from one JSON Lines object, 1,000 children of 100 items each, their
/// results written to S3 (the issue's "done when").
#[test]
fn a_hundred_thousand_items_in_s3_complete_with_batches_and_result_files() {
    let Some(setup) = setup("a_hundred_thousand_items_in_s3") else {
        return;
    };
    setup.moto.boto3(
        None,
        r#"s3 = aws('s3')
s3.create_bucket(Bucket='big')
s3.put_object(Bucket='big', Key='items.jsonl', Body='\n'.join(json.dumps({"id": i}) for i in range(100000)))
print('{}')"#,
    );
    let reader = json!({"Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "JSONL"}, "Parameters": {"Bucket": "big", "Key": "items.jsonl"}});
    let definition = machine(
        reader,
        json!({"MaxConcurrency": 1000, "ItemBatcher": {"MaxItemsPerBatch": 100},
               "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                                "Parameters": {"Bucket": "big", "Prefix": "out/"},
                                "WriterConfig": {"Transformation": "COMPACT", "OutputType": "JSONL"}}}),
        None,
    );
    let began = Instant::now();
    let described = run(&setup.server.endpoint, "big", &definition, &json!({}));
    let elapsed = began.elapsed();
    let details = output(&described);
    let counts = map_run(
        &setup.server.endpoint,
        described["executionArn"].as_str().unwrap(),
    );
    assert_eq!(counts["itemCounts"]["succeeded"], 100_000, "{counts}");
    assert_eq!(counts["itemCounts"]["total"], 100_000);
    assert_eq!(counts["executionCounts"]["succeeded"], 1_000);
    let key = details["ResultWriterDetails"]["Key"].as_str().unwrap();
    let read = setup.moto.boto3(
        None,
        &format!(
            r#"s3 = aws('s3')
manifest = json.loads(s3.get_object(Bucket='big', Key={key:?})['Body'].read())
lines = s3.get_object(Bucket='big', Key=manifest['ResultFiles']['SUCCEEDED'][0]['Key'])['Body'].read().decode().splitlines()
ids = sorted(item['id'] for line in lines for item in json.loads(line)['Items'])
print(json.dumps({{"children": len(lines), "ids": len(ids), "distinct": len(set(ids)), "last": ids[-1]}}))"#
        ),
    );
    assert_eq!(
        read,
        json!({"children": 1000, "ids": 100000, "distinct": 100000, "last": 99999})
    );
    eprintln!("100,000 items in {elapsed:?}");
}
