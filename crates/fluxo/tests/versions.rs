//! Versions and aliases end to end through `fluxo server`: publishing on create and update,
//! executions through a version and through an 80/20 alias (the split measured over many
//! starts), what executions record, the deletion rules.

mod common;

use common::*;
use serde_json::{json, Value};
use std::time::Instant;

fn definition(v: u32) -> String {
    json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"v": v}, "End": true}}})
        .to_string()
}

fn ok(endpoint: &str, action: &str, body: Value) -> Value {
    let (status, answer) = call(endpoint, action, &body);
    assert_eq!(status, 200, "{action} {body}: {answer}");
    answer
}

fn refused(endpoint: &str, action: &str, body: Value) -> (String, String) {
    let (status, answer) = call(endpoint, action, &body);
    assert_eq!(status, 400, "{action} {body}: {answer}");
    (
        error_type(&answer).to_string(),
        answer["message"].as_str().unwrap_or_default().to_string(),
    )
}

fn start(endpoint: &str, arn: &str) -> String {
    let started = ok(endpoint, "StartExecution", json!({"stateMachineArn": arn}));
    started["executionArn"].as_str().unwrap().to_string()
}

fn output_version(described: &Value) -> u64 {
    let output: Value = serde_json::from_str(described["output"].as_str().unwrap()).unwrap();
    output["v"].as_u64().unwrap()
}

#[test]
fn versions_and_aliases_route_record_and_delete_as_aws_does() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None);
    let e = server.endpoint.as_str();
    let created = ok(
        e,
        "CreateStateMachine",
        json!({"name": "routed", "definition": definition(1), "roleArn": "arn:aws:iam::1:role/r",
               "publish": true, "versionDescription": "first"}),
    );
    let machine = created["stateMachineArn"].as_str().unwrap().to_string();
    let v1 = created["stateMachineVersionArn"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(v1, format!("{machine}:1"));
    let updated = ok(
        e,
        "UpdateStateMachine",
        json!({"stateMachineArn": machine, "definition": definition(2), "publish": true}),
    );
    let v2 = updated["stateMachineVersionArn"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(v2, format!("{machine}:2"));
    // Publishing the unchanged revision gives back its version.
    let again = ok(
        e,
        "PublishStateMachineVersion",
        json!({"stateMachineArn": machine}),
    );
    assert_eq!(again["stateMachineVersionArn"], v2.as_str());
    let described = ok(e, "DescribeStateMachine", json!({"stateMachineArn": v1}));
    assert_eq!(described["definition"], definition(1).as_str());
    assert_eq!(described["description"], "first");

    // A version runs its own definition and is recorded; the state machine runs its latest.
    let through_v1 = ended(e, &start(e, &v1));
    assert_eq!(output_version(&through_v1), 1);
    assert_eq!(through_v1["stateMachineVersionArn"], v1.as_str());
    assert_eq!(through_v1["stateMachineArn"], machine.as_str());
    assert!(through_v1.get("stateMachineAliasArn").is_none());
    let plain = ended(e, &start(e, &machine));
    assert_eq!(output_version(&plain), 2);
    assert!(plain.get("stateMachineVersionArn").is_none());

    // An 80/20 alias: each start draws its version.
    let alias = ok(
        e,
        "CreateStateMachineAlias",
        json!({"name": "live", "routingConfiguration": [
            {"stateMachineVersionArn": v1, "weight": 80},
            {"stateMachineVersionArn": v2, "weight": 20}]}),
    )["stateMachineAliasArn"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(alias, format!("{machine}:live"));
    const STARTS: usize = 200;
    let started: Vec<String> = (0..STARTS).map(|_| start(e, &alias)).collect();
    let mut to_v1 = 0;
    for arn in &started {
        let execution = ended(e, arn);
        let version = output_version(&execution);
        assert_eq!(execution["stateMachineAliasArn"], alias.as_str());
        assert_eq!(
            execution["stateMachineVersionArn"],
            format!("{machine}:{version}").as_str(),
            "the version recorded is the one that ran"
        );
        to_v1 += usize::from(version == 1);
    }
    // Binomial(200, 0.8): mean 160, standard deviation 5.7. 120..=190 leaves 7 deviations
    // below and 5 above (a chance under one in a million to fail), and tells 80/20 from 50/50
    // or 100/0.
    assert!(
        (120..=190).contains(&to_v1),
        "{to_v1} of {STARTS} went to version 1"
    );

    // ExecutionStarted names the alias and the version (API reference,
    // ExecutionStartedEventDetails).
    let history = ok(
        e,
        "GetExecutionHistory",
        json!({"executionArn": started[0]}),
    );
    let details = &history["events"][0]["executionStartedEventDetails"];
    assert_eq!(details["stateMachineAliasArn"], alias.as_str(), "{history}");
    assert!(details["stateMachineVersionArn"]
        .as_str()
        .is_some_and(|v| v.starts_with(&format!("{machine}:"))));

    // ListExecutions by alias and by version.
    let listed = |arn: &str| {
        ok(
            e,
            "ListExecutions",
            json!({"stateMachineArn": arn, "maxResults": 1000}),
        )["executions"]
            .as_array()
            .unwrap()
            .clone()
    };
    assert_eq!(listed(&alias).len(), STARTS);
    assert_eq!(
        listed(&v1).len(),
        to_v1 + 1,
        "through the alias and directly"
    );
    assert_eq!(listed(&machine).len(), STARTS + 2);

    deletions(e, &machine, [&v1, &v2], &alias, &started[0]);
    server.kill();
}

/// A version an alias routes to cannot be deleted until the alias moves; deleting the state
/// machine deletes its versions and aliases and keeps its executions.
fn deletions(e: &str, machine: &str, [v1, v2]: [&str; 2], alias: &str, first_started: &str) {
    // A version an alias routes to cannot be deleted.
    let (code, message) = refused(
        e,
        "DeleteStateMachineVersion",
        json!({"stateMachineVersionArn": v1}),
    );
    assert_eq!(code, "ConflictException");
    assert_eq!(
        message,
        "Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [live]"
    );
    ok(
        e,
        "UpdateStateMachineAlias",
        json!({"stateMachineAliasArn": alias, "routingConfiguration": [
            {"stateMachineVersionArn": v2, "weight": 100}]}),
    );
    assert_eq!(output_version(&ended(e, &start(e, alias))), 2);
    ok(
        e,
        "DeleteStateMachineVersion",
        json!({"stateMachineVersionArn": v1}),
    );
    let (code, _) = refused(e, "StartExecution", json!({"stateMachineArn": v1}));
    assert_eq!(code, "StateMachineDoesNotExist");

    // Deleting the state machine deletes its versions and aliases; executions stay.
    ok(e, "DeleteStateMachine", json!({"stateMachineArn": machine}));
    let (code, _) = refused(e, "DescribeStateMachine", json!({"stateMachineArn": v2}));
    assert_eq!(code, "StateMachineDoesNotExist");
    let (code, _) = refused(
        e,
        "DescribeStateMachineAlias",
        json!({"stateMachineAliasArn": alias}),
    );
    assert_eq!(code, "ResourceNotFound");
    let kept = ok(
        e,
        "DescribeExecution",
        json!({"executionArn": first_started}),
    );
    assert_eq!(kept["stateMachineAliasArn"], alias);
}

/// AWS's per-state-machine quotas ("Step Functions service quotas"): 1,000 published versions
/// (PublishStateMachineVersion and UpdateStateMachine with `publish`) and 100 aliases; the
/// next is `ServiceQuotaExceededException` (HTTP 402), and a refused update changes nothing.
#[test]
fn version_and_alias_quotas_are_aws_quotas() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), None);
    let endpoint = server.endpoint.as_str();
    let created = ok(
        endpoint,
        "CreateStateMachine",
        json!({"name": "quotas", "definition": definition(0), "roleArn": "arn:aws:iam::1:role/r", "publish": true}),
    );
    let arn = created["stateMachineArn"].as_str().unwrap().to_string();
    let started = Instant::now();
    for v in 1..1000 {
        ok(
            endpoint,
            "UpdateStateMachine",
            json!({"stateMachineArn": arn, "definition": definition(v), "publish": true}),
        );
    }
    eprintln!("999 updates with publish: {:?}", started.elapsed());
    let quota = |action: &str, body: Value| {
        let (status, answer) = call(endpoint, action, &body);
        assert_eq!(status, 402, "{action}: {answer}");
        assert_eq!(error_type(&answer), "ServiceQuotaExceededException");
        answer["message"].as_str().unwrap().to_string()
    };
    let message = quota(
        "UpdateStateMachine",
        json!({"stateMachineArn": arn, "definition": definition(1000), "publish": true}),
    );
    assert!(message.contains("1000 published versions"), "{message}");
    let described = ok(
        endpoint,
        "DescribeStateMachine",
        json!({"stateMachineArn": arn}),
    );
    assert_eq!(
        described["definition"],
        definition(999),
        "the refused update changed nothing"
    );
    ok(
        endpoint,
        "UpdateStateMachine",
        json!({"stateMachineArn": arn, "definition": definition(1000)}),
    );
    quota(
        "PublishStateMachineVersion",
        json!({"stateMachineArn": arn}),
    );
    ok(
        endpoint,
        "DeleteStateMachineVersion",
        json!({"stateMachineVersionArn": format!("{arn}:1")}),
    );
    let published = ok(
        endpoint,
        "PublishStateMachineVersion",
        json!({"stateMachineArn": arn}),
    );
    assert_eq!(published["stateMachineVersionArn"], format!("{arn}:1001"));

    let routing = json!([{"stateMachineVersionArn": format!("{arn}:1001"), "weight": 100}]);
    for n in 0..100 {
        ok(
            endpoint,
            "CreateStateMachineAlias",
            json!({"name": format!("a{n}"), "routingConfiguration": routing}),
        );
    }
    let message = quota(
        "CreateStateMachineAlias",
        json!({"name": "more", "routingConfiguration": routing}),
    );
    assert!(message.contains("100 aliases"), "{message}");
    // Listing by version returns every alias routing to it, past one default page.
    let listed = ok(
        endpoint,
        "ListStateMachineAliases",
        json!({"stateMachineArn": format!("{arn}:1001")}),
    );
    assert_eq!(listed["stateMachineAliases"].as_array().unwrap().len(), 100);
}
