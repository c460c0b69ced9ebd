//! AWS's recorded answers, request body → error code and message.
//!
//! `recorded_table` holds every model-validation message that AWS gave in
//! `../shared/conformance-api` (17 calls), written out with the request that caused it, and the
//! calls botocore refused before sending them (`client_side`), with the answer AWS's format gives
//! for them (marked `derived`: AWS never saw those requests). `corpus_sweep` (in `corpus.rs`)
//! runs the whole recorded corpus itself.

use fluxo_api_model::{validate, RequestError};
use serde_json::{json, Value};

/// One request and what AWS answers.
struct Row {
    /// Where the answer comes from: `<group>/<case> <step>` of `../shared/conformance-api/cases`,
    /// or `derived: ...` for a request AWS never saw.
    source: &'static str,
    operation: &'static str,
    body: Value,
    /// `None`: the model accepts the request (the action may still refuse it).
    expect: Option<RequestError>,
}

const SM: &str = "arn:aws:states:us-east-1:111111111111:stateMachine:statemachine_a0000002";
const ALIAS_PATTERN: &str = r"^(?=.*[a-zA-Z_\-\.])[a-zA-Z0-9_\-\.]+$";

fn invalid(message: String) -> Option<RequestError> {
    Some(RequestError::Validation(message))
}

fn one(value: &str, path: &str, constraint: &str) -> Option<RequestError> {
    invalid(format!(
        "1 validation error detected: Value {value} at '{path}' failed to satisfy constraint: {constraint}"
    ))
}

fn alias(name: &str) -> Value {
    json!({"description": "create state machine alias description", "name": name,
           "routingConfiguration": [{"stateMachineVersionArn": format!("{SM}:1"), "weight": 100}]})
}

fn recorded() -> Vec<Row> {
    let too_large = "Member must have value less than or equal to 1000";
    let mut rows = Vec::new();
    for (source, operation, arn) in [
        ("api/sfn_api__test_list_executions_pagination s30", "ListExecutions", Some(SM.to_owned())),
        ("api/sfn_api__test_list_executions_versions_pagination s30", "ListExecutions", Some(format!("{SM}:1"))),
        ("api/sfn_api__test_list_sms_pagination s17", "ListStateMachines", None),
        ("api_aliasing/sfn_api_aliasing__test_list_state_machine_aliases_pagination_max_results_0 s11", "ListStateMachineAliases", Some(SM.to_owned())),
        ("api_aliasing/sfn_api_aliasing__test_list_state_machine_aliases_pagination_max_results_1 s11", "ListStateMachineAliases", Some(SM.to_owned())),
        ("api_versioning/sfn_api_versioning__test_list_state_machine_versions_pagination s29", "ListStateMachineVersions", Some(SM.to_owned())),
    ] {
        let mut body = json!({"maxResults": 1001});
        if let Some(arn) = arn {
            body["stateMachineArn"] = json!(arn);
        }
        rows.push(Row { source, operation, body, expect: one("'1001'", "maxResults", too_large) });
    }
    // The recording masks the token as `<invalid_token_N_chars>`; the request sent N times `x`.
    for (source, operation, arn, length, max) in [
        (
            "api/sfn_api__test_list_executions_pagination s32",
            "ListExecutions",
            Some(SM.to_owned()),
            3097,
            3096,
        ),
        (
            "api/sfn_api__test_list_executions_versions_pagination s32",
            "ListExecutions",
            Some(format!("{SM}:1")),
            3097,
            3096,
        ),
        (
            "api/sfn_api__test_list_sms_pagination s19",
            "ListStateMachines",
            None,
            1025,
            1024,
        ),
        (
            "api_versioning/sfn_api_versioning__test_list_state_machine_versions_pagination s31",
            "ListStateMachineVersions",
            Some(SM.to_owned()),
            1025,
            1024,
        ),
    ] {
        let token = "x".repeat(length);
        let mut body = json!({"nextToken": token});
        if let Some(arn) = arn {
            body["stateMachineArn"] = json!(arn);
        }
        let constraint = format!("Member must have length less than or equal to {max}");
        rows.push(Row {
            source,
            operation,
            body,
            expect: one(&format!("'{token}'"), "nextToken", &constraint),
        });
    }
    rows.extend(alias_names_and_routes());
    rows
}

/// The recorded refusals of alias names and routing configurations.
fn alias_names_and_routes() -> Vec<Row> {
    let mut rows = Vec::new();
    let pattern = format!("Member must satisfy regular expression pattern: {ALIAS_PATTERN}");
    for (step, name) in [
        ("s1", "123"),
        ("s4", "INVALID ALIAS"),
        ("s5", "!INVALID"),
        ("s6", "ALIAS@"),
    ] {
        rows.push(Row {
            source: match step {
                "s1" => "api_aliasing/sfn_api_aliasing__test_error_create_alias_invalid_name s1",
                "s4" => "api_aliasing/sfn_api_aliasing__test_error_create_alias_invalid_name s4",
                "s5" => "api_aliasing/sfn_api_aliasing__test_error_create_alias_invalid_name s5",
                _ => "api_aliasing/sfn_api_aliasing__test_error_create_alias_invalid_name s6",
            },
            operation: "CreateStateMachineAlias",
            body: alias(name),
            expect: one(&format!("'{name}'"), "name", &pattern),
        });
    }
    let long = "A".repeat(81);
    rows.push(Row {
        source: "api_aliasing/sfn_api_aliasing__test_error_create_alias_invalid_name s3",
        operation: "CreateStateMachineAlias",
        body: alias(&long),
        expect: one(
            &format!("'{long}'"),
            "name",
            "Member must have length less than or equal to 80",
        ),
    });
    let version = |n: u32| format!("{SM}:{n}");
    rows.push(Row {
        source: "api_aliasing/sfn_api_aliasing__test_error_create_alias_invalid_router_configs s4",
        operation: "CreateStateMachineAlias",
        body: json!({"name": "AliasName-a0000004", "routingConfiguration": [
            {"stateMachineVersionArn": version(1), "weight": 50},
            {"stateMachineVersionArn": version(2), "weight": 30},
            {"stateMachineVersionArn": version(3), "weight": 20}]}),
        expect: one(
            &format!(
                "'[RoutingConfigurationListItem(stateMachineVersionArn={}, weight=50), \
                 RoutingConfigurationListItem(stateMachineVersionArn={}, weight=30), \
                 RoutingConfigurationListItem(stateMachineVersionArn={}, weight=20)]'",
                version(1),
                version(2),
                version(3)
            ),
            "routingConfiguration",
            "Member must have length less than or equal to 2",
        ),
    });
    rows.push(Row {
        source: "api_aliasing/sfn_api_aliasing__test_error_create_alias_invalid_router_configs s7",
        operation: "CreateStateMachineAlias",
        body: json!({"name": "AliasName-a0000007",
                     "routingConfiguration": [{"stateMachineVersionArn": version(1), "weight": 101}]}),
        expect: one("'101'", "routingConfiguration.1.member.weight", "Member must have value less than or equal to 100"),
    });
    rows
}

/// The `client_side` steps: botocore refused them, so AWS's answer is not recorded; this is the
/// answer AWS's format gives (or acceptance, where only botocore objects, to a `null`).
fn derived() -> Vec<Row> {
    let short = "Member must have length greater than or equal to 1";
    vec![
        Row {
            source: "derived: api/sfn_api__test_list_executions_pagination s31",
            operation: "ListExecutions",
            body: json!({"stateMachineArn": SM, "nextToken": ""}),
            expect: one("''", "nextToken", short),
        },
        Row {
            source: "derived: api_aliasing/sfn_api_aliasing__test_error_create_alias_invalid_name s2",
            operation: "CreateStateMachineAlias",
            body: alias(""),
            // Two constraints break; their order is Java's HashSet order (see src/java_hash.rs).
            expect: invalid(format!(
                "2 validation errors detected: Value '' at 'name' failed to satisfy constraint: {short}; \
                 Value '' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: {ALIAS_PATTERN}"
            )),
        },
        Row {
            source: "derived: api_aliasing/sfn_api_aliasing__test_error_create_alias_invalid_router_configs s3",
            operation: "CreateStateMachineAlias",
            body: json!({"name": "AliasName-a0000003", "routingConfiguration": []}),
            expect: one("'[]'", "routingConfiguration", short),
        },
        Row {
            source: "derived: api_aliasing/sfn_api_aliasing__test_error_create_alias_invalid_router_configs s8",
            operation: "CreateStateMachineAlias",
            body: json!({"name": "AliasName-a0000008",
                         "routingConfiguration": [{"stateMachineVersionArn": format!("{SM}:1"), "weight": -1}]}),
            expect: one("'-1'", "routingConfiguration.1.member.weight", "Member must have value greater than or equal to 0"),
        },
        Row {
            source: "derived: api_aliasing/..._test_list_state_machine_aliases_pagination_max_results_0 s10",
            operation: "ListStateMachineAliases",
            body: json!({"stateMachineArn": SM, "maxResults": -1}),
            expect: one("'-1'", "maxResults", "Member must have value greater than or equal to 0"),
        },
        Row {
            source: "derived: api_tagging/sfn_api_tagging__test_tag_invalid_state_machine_None s1",
            operation: "TagResource",
            body: json!({"resourceArn": SM, "tags": null}),
            expect: one("null", "tags", "Member must not be null"),
        },
        Row {
            source: "derived: api_tagging/sfn_api_tagging__test_tag_invalid_state_machine_tag_list1 s1",
            operation: "TagResource",
            body: json!({"resourceArn": SM, "tags": [{"key": "", "value": "value"}]}),
            expect: one("''", "tags.1.member.key", short),
        },
        // `Tag` requires neither member: a null key passes the model (botocore alone objects).
        Row {
            source: "derived: api_tagging/sfn_api_tagging__test_tag_invalid_state_machine_tag_list2 s1",
            operation: "TagResource",
            body: json!({"resourceArn": SM, "tags": [{"key": null, "value": "value"}]}),
            expect: None,
        },
        // `null` is an absent member: the action answers MissingRequiredParameter (s2 records it).
        Row {
            source: "derived: api/sfn_api__test_create_update_state_machine_base_update_none s3",
            operation: "UpdateStateMachine",
            body: json!({"stateMachineArn": SM, "definition": null, "roleArn": null}),
            expect: None,
        },
        // `stateName` is sensitive: the value is not printed.
        Row {
            source: "derived: test_state/..._test_base_state_name_validation_failures (empty name)",
            operation: "TestState",
            body: json!({"stateName": "", "definition": "{}", "inspectionLevel": "INFO"}),
            expect: invalid(format!(
                "1 validation error detected: Value at 'stateName' failed to satisfy constraint: {short}"
            )),
        },
    ]
}

#[test]
fn recorded_table() {
    let rows = recorded();
    assert_eq!(
        rows.len(),
        17,
        "every recorded model-validation message has a row"
    );
    check(rows);
}

#[test]
fn derived_table() {
    check(derived());
}

fn check(rows: Vec<Row>) {
    let mut failures = Vec::new();
    for row in &rows {
        let got = validate(row.operation, &row.body).err();
        if got != row.expect {
            failures.push(format!(
                "{}\n  expected {:?}\n  got      {:?}",
                row.source, row.expect, got
            ));
        }
        if let Some(e) = &got {
            assert_eq!(e.code(), "ValidationException", "{}", row.source);
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rows differ:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}
