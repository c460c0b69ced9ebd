//! AWS service jobs from Task states: the job services' request-response calls (Athena,
//! Glue) against moto, and `.sync`, the job watched to its end (developer guide, "Run a Job
//! (.sync)"): against moto, and against loopback stand-ins for Athena and Batch where a job
//! must stay running (across a restart of the server) or fail.

mod common;

use common::aws::{create, details, fluxo_with, history, output, run, with_moto, MotoSetup};
use common::call;
use common::stand_in::{serve, Answer};
use serde_json::{json, Value};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Athena's content type (its JSON 1.1 protocol).
const JSON_1_1: &str = "application/x-amz-json-1.1";

/// moto with Athena and Glue on, and the Glue job `combine` created.
fn athena_and_glue(test: &str) -> Option<MotoSetup> {
    let setup = with_moto(
        test,
        r#"enabled = ["athena", "glue"]
           endpoint_url = "ENDPOINT""#,
    )?;
    setup.moto.boto3(
        None,
        "aws('glue').create_job(Name='combine', Role='arn:aws:iam::123456789012:role/r', \
         Command={'Name': 'glueetl', 'ScriptLocation': 's3://scripts/combine.py'})\nprint('{}')",
    );
    Some(setup)
}

/// The job services' request-response calls against moto: an Athena query started, described
/// and read, a Glue job run started; each result is the API's output with the SDK for Java
/// 1.x's metadata, as the other optimized integrations give it. A field the API does not have
/// is refused at creation when the definition writes it, and fails the call when a path
/// brings it.
#[test]
fn athena_and_glue_jobs_are_started_and_read_request_response() {
    let test = "athena_and_glue_jobs_are_started_and_read_request_response";
    let Some(setup) = athena_and_glue(test) else {
        return;
    };
    let definition = json!({"StartAt": "Query", "States": {
        "Query": {"Type": "Task", "Resource": "arn:aws:states:::athena:startQueryExecution",
                  "Parameters": {"QueryString": "SELECT 1",
                                 "ResultConfiguration": {"OutputLocation": "s3://results/"}},
                  "ResultPath": "$.started", "Next": "Status"},
        "Status": {"Type": "Task", "Resource": "arn:aws:states:::athena:getQueryExecution",
                   "Parameters": {"QueryExecutionId.$": "$.started.QueryExecutionId"},
                   "ResultSelector": {"state.$": "$.QueryExecution.Status.State"},
                   "ResultPath": "$.status", "Next": "Results"},
        "Results": {"Type": "Task", "Resource": "arn:aws:states:::athena:getQueryResults",
                    "Parameters": {"QueryExecutionId.$": "$.started.QueryExecutionId"},
                    "ResultSelector": {"rows.$": "$.ResultSet.Rows"},
                    "ResultPath": "$.results", "Next": "Glue"},
        "Glue": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun",
                 "Parameters": {"JobName": "combine", "Arguments": {"--day": "1"}},
                 "ResultPath": "$.run", "End": true}}});
    let endpoint = setup.server.endpoint.clone();
    let machine = create(&endpoint, "jobs", &definition, "STANDARD");
    let described = run(&endpoint, &machine, &json!({}));
    assert_eq!(described["status"], "SUCCEEDED", "{described}");
    let got = output(&described);
    assert!(got["started"]["QueryExecutionId"].is_string(), "{got}");
    assert_eq!(
        got["started"]["SdkHttpMetadata"]["HttpStatusCode"], 200,
        "{got}"
    );
    assert_eq!(got["status"]["state"], "SUCCEEDED", "{got}");
    assert_eq!(got["results"]["rows"], json!([]), "{got}");
    assert!(
        got["run"]["JobRunId"].as_str().unwrap().starts_with("jr_"),
        "{got}"
    );
    let events = history(&endpoint, described["executionArn"].as_str().unwrap());
    let scheduled = details(&events, "TaskScheduled");
    assert_eq!(scheduled[0]["resourceType"], "athena");
    assert_eq!(scheduled[3]["resourceType"], "glue");
    assert_eq!(scheduled[3]["resource"], "startJobRun");

    // A field Athena's request does not have: written in the definition, it is refused when
    // the state machine is created, as AWS refuses it; coming from the input, it fails the
    // call with States.Runtime naming it.
    let query = |parameters: Value| {
        json!({"StartAt": "Q", "States": {"Q": {
            "Type": "Task", "Resource": "arn:aws:states:::athena:startQueryExecution",
            "Parameters": parameters, "End": true}}})
    };
    let definition = query(json!({"QueryString": "SELECT 1", "Color": "red"}));
    let (status, refused) = call(
        &endpoint,
        "CreateStateMachine",
        &json!({"name": "static-field", "definition": definition.to_string(),
                "roleArn": "arn:aws:iam::123456789012:role/r"}),
    );
    assert_eq!(status, 400, "{refused}");
    assert!(
        refused["message"].as_str().unwrap().contains(
            "The field \"Color\" is not supported by Step Functions at /States/Q/Parameters"
        ),
        "{refused}"
    );
    let definition = query(json!({"QueryString": "SELECT 1", "ResultConfiguration.$": "$.rc"}));
    let machine = create(&endpoint, "unknown-field", &definition, "STANDARD");
    let described = run(&endpoint, &machine, &json!({"rc": {"Color": "red"}}));
    assert_eq!(described["error"], "States.Runtime", "{described}");
    assert!(
        described["cause"].as_str().unwrap().contains("Color"),
        "{described}"
    );
}

/// `.sync` against moto (whose queries and job runs end at once): the jobs are watched to their
/// end; the `.sync` of a job Fluxo does not watch (MediaConvert) is refused as not run yet.
#[test]
fn athena_and_glue_jobs_are_watched_to_their_end() {
    let test = "athena_and_glue_jobs_are_watched_to_their_end";
    let Some(setup) = athena_and_glue(test) else {
        return;
    };
    let endpoint = setup.server.endpoint.clone();
    // `.sync`: the job is watched to its end. The task records `TaskSubmitted` with the start
    // call's answer, then `TaskSucceeded` with the job as its service describes it at the end.
    let definition = json!({"StartAt": "Query", "States": {
        "Query": {"Type": "Task", "Resource": "arn:aws:states:::athena:startQueryExecution.sync",
                  "Parameters": {"QueryString": "SELECT 1",
                                 "ResultConfiguration": {"OutputLocation": "s3://results/"}},
                  "ResultPath": "$.query", "Next": "Glue"},
        "Glue": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync",
                 "Parameters": {"JobName": "combine"},
                 "ResultPath": "$.run", "End": true}}});
    let machine = create(&endpoint, "jobs-sync", &definition, "STANDARD");
    let described = run(&endpoint, &machine, &json!({}));
    assert_eq!(described["status"], "SUCCEEDED", "{described}");
    let got = output(&described);
    assert_eq!(
        got["query"]["QueryExecution"]["Status"]["State"], "SUCCEEDED",
        "{got}"
    );
    assert_eq!(got["run"]["JobRunState"], "SUCCEEDED", "{got}");
    assert_eq!(got["run"]["JobName"], "combine", "{got}");
    // Timestamps as the SDK for Java 1.x gives them: epoch milliseconds.
    assert!(got["run"]["StartedOn"].is_i64(), "{got}");
    assert!(
        got["query"]["QueryExecution"]["Status"]["SubmissionDateTime"].is_i64(),
        "{got}"
    );
    let events = history(&endpoint, described["executionArn"].as_str().unwrap());
    let kinds = common::event_types(&events);
    let submitted = details(&events, "TaskSubmitted");
    assert_eq!(submitted.len(), 2, "{kinds:?}");
    assert_eq!(submitted[0]["resource"], "startQueryExecution.sync");
    let started: Value = serde_json::from_str(submitted[0]["output"].as_str().unwrap()).unwrap();
    assert_eq!(
        started["QueryExecutionId"],
        got["query"]["QueryExecution"]["QueryExecutionId"]
    );

    // The jobs Fluxo does not watch keep their `.sync` refused when the definition is created.
    let definition = json!({"StartAt": "Q", "States": {"Q": {
        "Type": "Task", "Resource": "arn:aws:states:::mediaconvert:createJob.sync",
        "Parameters": {"Role": "r"}, "End": true}}});
    let (status, refused) = call(
        &endpoint,
        "CreateStateMachine",
        &json!({"name": "refused", "definition": definition.to_string(),
                "roleArn": "arn:aws:iam::123456789012:role/r"}),
    );
    assert_eq!(status, 400, "{refused}");
    assert!(
        refused.to_string().contains(
            "Fluxo cannot call the resource 'arn:aws:states:::mediaconvert:createJob.sync' yet"
        ),
        "{refused}"
    );
}

/// A stand-in for Athena (its JSON 1.1 protocol): `StartQueryExecution` answers `q-<n>`;
/// `GetQueryExecution` says RUNNING until `done` is set, then SUCCEEDED, or FAILED for a query
/// whose text says `fail`. Counts the `GetQueryExecution` calls.
struct AthenaStandIn {
    url: String,
    done: Arc<std::sync::atomic::AtomicBool>,
    looks: Arc<std::sync::atomic::AtomicUsize>,
}

fn athena_stand_in() -> AthenaStandIn {
    use std::sync::atomic::{AtomicBool, AtomicUsize};
    let done = Arc::new(AtomicBool::new(false));
    let looks = Arc::new(AtomicUsize::new(0));
    let (is_done, counted) = (done.clone(), looks.clone());
    let queries = std::sync::Mutex::new(Vec::<String>::new());
    let (url, _) = serve(move |received| {
        let request = &received.json();
        let target = received.header("x-amz-target").unwrap_or_default();
        let mut queries = queries.lock().unwrap();
        if target.ends_with(".startqueryexecution") {
            queries.push(request["QueryString"].as_str().unwrap_or_default().into());
            let id = format!("q-{}", queries.len() - 1);
            return Answer::ok(JSON_1_1, json!({"QueryExecutionId": id}));
        }
        counted.fetch_add(1, Ordering::SeqCst);
        let id = request["QueryExecutionId"].as_str().unwrap_or_default();
        let index: usize = id.trim_start_matches("q-").parse().unwrap_or(0);
        let text = queries.get(index).cloned().unwrap_or_default();
        let state = match (text.contains("fail"), is_done.load(Ordering::SeqCst)) {
            (true, _) => "FAILED",
            (false, true) => "SUCCEEDED",
            (false, false) => "RUNNING",
        };
        let execution = json!({"QueryExecutionId": id, "Query": text, "Status": {"State": state}});
        Answer::ok(JSON_1_1, json!({"QueryExecution": execution}))
    });
    AthenaStandIn { url, done, looks }
}

/// A `.sync` job outlives a restart of the server: the execution that waited on it is
/// replayed, the watch taken up again, and the job's end completes the task. A job that fails
/// fails its task with `States.TaskFailed`, the job as the service described it as the cause.
#[test]
fn a_watched_job_survives_a_restart_and_a_failed_job_fails_its_task() {
    let athena = athena_stand_in();
    let (server, dir) = common::aws::fluxo_with(&format!(
        "enabled = [\"athena\"]\n[aws.endpoint_urls]\nathena = \"{}\"",
        athena.url
    ));
    let endpoint = server.endpoint.clone();
    let definition = json!({"StartAt": "Query", "States": {
        "Query": {"Type": "Task", "Resource": "arn:aws:states:::athena:startQueryExecution.sync",
                  "Parameters": {"QueryString.$": "$.query"}, "End": true}}});
    let machine = create(&endpoint, "watched", &definition, "STANDARD");
    let (status, started) = call(
        &endpoint,
        "StartExecution",
        &json!({"stateMachineArn": machine, "input": json!({"query": "SELECT 1"}).to_string()}),
    );
    assert_eq!(status, 200, "{started}");
    let execution = started["executionArn"].as_str().unwrap().to_string();
    // Watched: the job is looked at while it runs.
    let deadline = Instant::now() + Duration::from_secs(20);
    while athena.looks.load(Ordering::SeqCst) == 0 {
        assert!(Instant::now() < deadline, "the job was never looked at");
        std::thread::sleep(Duration::from_millis(50));
    }
    server.kill();
    athena.done.store(true, Ordering::SeqCst);
    let looks_before = athena.looks.load(Ordering::SeqCst);
    let server = common::aws::start_in(&dir);
    // In memory at the restart, the execution is replayed at once; had it been unloaded (a
    // slow machine), it wakes within its job recheck (a minute): wait past both.
    let deadline = Instant::now() + Duration::from_secs(150);
    let described = loop {
        let (_, described) = call(
            &server.endpoint,
            "DescribeExecution",
            &json!({"executionArn": execution}),
        );
        if described["status"] != "RUNNING" || Instant::now() > deadline {
            break described;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(described["status"], "SUCCEEDED", "{described}");
    assert!(athena.looks.load(Ordering::SeqCst) > looks_before);
    let got = output(&described);
    assert_eq!(
        got["QueryExecution"]["Status"]["State"], "SUCCEEDED",
        "{got}"
    );
    let events = history(&server.endpoint, &execution);
    assert_eq!(details(&events, "TaskSubmitted").len(), 1);

    let (status, started) = call(
        &server.endpoint,
        "StartExecution",
        &json!({"stateMachineArn": machine, "input": json!({"query": "SELECT fail"}).to_string()}),
    );
    assert_eq!(status, 200, "{started}");
    let described = common::ended(&server.endpoint, started["executionArn"].as_str().unwrap());
    assert_eq!(described["status"], "FAILED", "{described}");
    assert_eq!(described["error"], "States.TaskFailed", "{described}");
    let cause: Value = serde_json::from_str(described["cause"].as_str().unwrap()).unwrap();
    assert_eq!(
        cause["QueryExecution"]["Status"]["State"], "FAILED",
        "{cause}"
    );
}

/// `batch:submitJob.sync` against a stand-in for AWS Batch (REST-JSON): the job is described
/// until it ends; a SUCCEEDED job's detail is the result, a FAILED one fails the task with
/// `States.TaskFailed` and the detail as cause.
#[test]
fn a_batch_job_is_watched_to_its_end() {
    let looks = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = looks.clone();
    let (url, _) = serve(move |received| {
        let request = &received.json();
        if received.line.starts_with("POST /v1/submitjob") {
            let name = request["jobName"].as_str().unwrap_or_default();
            let arn = format!("arn:aws:batch:us-east-1:123456789012:job/{name}");
            return Answer::ok(
                "application/json",
                json!({"jobArn": arn, "jobName": name, "jobId": name}),
            );
        }
        // Running at the first look, ended at the next.
        let id = request["jobs"][0].as_str().unwrap_or_default();
        let status = match (counted.fetch_add(1, Ordering::SeqCst) % 2, id) {
            (0, _) => "RUNNING",
            (_, "bad") => "FAILED",
            _ => "SUCCEEDED",
        };
        let exit_code = if id == "bad" { 1 } else { 0 };
        let job = json!({"jobId": id, "jobName": id, "jobQueue": "q", "status": status,
                         "statusReason": "Essential container in task exited",
                         "createdAt": 1638296005295_i64, "jobDefinition": "d",
                         "container": {"exitCode": exit_code}});
        Answer::ok("application/json", json!({"jobs": [job]}))
    });
    let (server, _dir) = fluxo_with(&format!(
        "enabled = [\"batch\"]\n[aws.endpoint_urls]\nbatch = \"{url}\""
    ));
    let endpoint = server.endpoint.clone();
    let definition = json!({"StartAt": "Submit", "States": {
        "Submit": {"Type": "Task", "Resource": "arn:aws:states:::batch:submitJob.sync",
                   "Parameters": {"JobName.$": "$.name", "JobQueue": "q", "JobDefinition": "d"},
                   "End": true}}});
    let machine = create(&endpoint, "batch", &definition, "STANDARD");
    let described = run(&endpoint, &machine, &json!({"name": "good"}));
    assert_eq!(described["status"], "SUCCEEDED", "{described}");
    let got = output(&described);
    assert_eq!(got["Status"], "SUCCEEDED", "{got}");
    assert_eq!(got["JobId"], "good", "{got}");
    assert_eq!(got["CreatedAt"], 1638296005295_i64, "{got}");
    assert_eq!(got["Container"]["ExitCode"], 0, "{got}");
    let described = run(&endpoint, &machine, &json!({"name": "bad"}));
    assert_eq!(described["status"], "FAILED", "{described}");
    assert_eq!(described["error"], "States.TaskFailed", "{described}");
    let cause: Value = serde_json::from_str(described["cause"].as_str().unwrap()).unwrap();
    assert_eq!(cause["Status"], "FAILED", "{cause}");
    assert!(looks.load(Ordering::SeqCst) >= 4);
}

/// A job whose task ends without it is stopped, as AWS's `.sync` policies allow
/// (`batch:TerminateJob`): stopping the execution terminates the Batch job it waited on.
#[test]
fn stopping_the_execution_terminates_its_batch_job() {
    let (url, requests) = serve(|received| {
        let answer = match received.line.split_whitespace().nth(1).unwrap_or_default() {
            "/v1/submitjob" => json!({"jobArn": "arn:aws:batch:us-east-1:123456789012:job/j",
                                      "jobName": "j", "jobId": "j-1"}),
            "/v1/describejobs" => json!({"jobs": [{"jobId": "j-1", "jobName": "j",
                                                   "jobQueue": "q", "status": "RUNNING",
                                                   "jobDefinition": "d", "createdAt": 1}]}),
            _ => json!({}),
        };
        Answer::ok("application/json", answer)
    });
    let (server, _dir) = fluxo_with(&format!(
        "enabled = [\"batch\"]\n[aws.endpoint_urls]\nbatch = \"{url}\""
    ));
    let endpoint = server.endpoint.clone();
    let definition = json!({"StartAt": "Submit", "States": {
        "Submit": {"Type": "Task", "Resource": "arn:aws:states:::batch:submitJob.sync",
                   "Parameters": {"JobName": "j", "JobQueue": "q", "JobDefinition": "d"},
                   "End": true}}});
    let machine = create(&endpoint, "terminated", &definition, "STANDARD");
    let (status, started) = call(
        &endpoint,
        "StartExecution",
        &json!({"stateMachineArn": machine}),
    );
    assert_eq!(status, 200, "{started}");
    let seen = |path: &str| {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let request = requests
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no request to {path}"));
            if request.line.contains(path) {
                return request;
            }
        }
    };
    seen("/v1/describejobs");
    let (status, stopped) = call(
        &endpoint,
        "StopExecution",
        &json!({"executionArn": started["executionArn"]}),
    );
    assert_eq!(status, 200, "{stopped}");
    let terminated = seen("/v1/terminatejob");
    assert_eq!(terminated.json()["jobId"], "j-1");
    assert!(terminated.json()["reason"]
        .as_str()
        .unwrap()
        .contains("Fluxo"));
}

/// `ecs:runTask.sync` against a stand-in for ECS (JSON 1.1): the task is described until it
/// stops; its description is the result when its containers exited with 0 (as the LocalStack
/// recording against AWS shows), a failure otherwise; a `RunTask` answer with `Failures` fails
/// with `AmazonECS.Unknown` (developer guide).
#[test]
fn an_ecs_task_is_watched_until_it_stops() {
    let looks = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = looks.clone();
    let (url, _) = serve(move |received| {
        let request = received.json();
        let target = received.header("x-amz-target").unwrap_or_default();
        let cluster = request["cluster"].as_str().unwrap_or_default().to_string();
        let arn = format!("arn:aws:ecs:us-east-1:123456789012:task/{cluster}/t1");
        let answer = if target.ends_with(".runtask") {
            match cluster.as_str() {
                "full" => json!({"tasks": [], "failures": [{"reason": "RESOURCE:MEMORY"}]}),
                _ => json!({"tasks": [{"taskArn": arn, "lastStatus": "PROVISIONING"}],
                            "failures": []}),
            }
        } else {
            let stopped = counted.fetch_add(1, Ordering::SeqCst) % 2 == 1;
            let exit_code = if cluster == "bad" { 2 } else { 0 };
            let task = match stopped {
                true => json!({"taskArn": arn, "lastStatus": "STOPPED",
                               "stoppedReason": "Essential container in task exited",
                               "containers": [{"name": "app", "exitCode": exit_code,
                                               "lastStatus": "STOPPED"}]}),
                false => json!({"taskArn": arn, "lastStatus": "RUNNING",
                                "containers": [{"name": "app", "lastStatus": "RUNNING"}]}),
            };
            json!({"tasks": [task], "failures": []})
        };
        Answer::ok(JSON_1_1, answer)
    });
    let (server, _dir) = fluxo_with(&format!(
        "enabled = [\"ecs\"]\n[aws.endpoint_urls]\necs = \"{url}\""
    ));
    let endpoint = server.endpoint.clone();
    let definition = json!({"StartAt": "Run", "States": {
        "Run": {"Type": "Task", "Resource": "arn:aws:states:::ecs:runTask.sync",
                "Parameters": {"Cluster.$": "$.cluster", "TaskDefinition": "app"},
                "End": true}}});
    let machine = create(&endpoint, "ecs", &definition, "STANDARD");
    let described = run(&endpoint, &machine, &json!({"cluster": "ok"}));
    assert_eq!(described["status"], "SUCCEEDED", "{described}");
    let got = output(&described);
    assert_eq!(got["LastStatus"], "STOPPED", "{got}");
    assert_eq!(got["Containers"][0]["ExitCode"], 0, "{got}");
    let described = run(&endpoint, &machine, &json!({"cluster": "bad"}));
    assert_eq!(described["error"], "States.TaskFailed", "{described}");
    let cause: Value = serde_json::from_str(described["cause"].as_str().unwrap()).unwrap();
    assert_eq!(cause["Containers"][0]["ExitCode"], 2, "{cause}");
    let described = run(&endpoint, &machine, &json!({"cluster": "full"}));
    assert_eq!(described["error"], "AmazonECS.Unknown", "{described}");
    assert!(looks.load(Ordering::SeqCst) >= 4);
}
