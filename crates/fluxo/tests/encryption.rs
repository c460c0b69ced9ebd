//! Encryption at rest end to end: `fluxo keygen` writes a key, `[encryption] key_file` in
//! fluxo.toml makes `fluxo server` seal what executions carry in its SQLite file, the same key
//! reads it after a restart, and a server started without it refuses with a clear error.

mod common;

use common::{call, ended, Server};
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;

const SECRET: &str = "s3cr3t-account-number-4417-1234";

fn fluxo(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_fluxo"))
        .args(args)
        .output()
        .expect("fluxo runs")
}

fn folder_holds(dir: &Path, needle: &str) -> bool {
    std::fs::read_dir(dir).unwrap().any(|entry| {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        bytes
            .windows(needle.len())
            .any(|window| window == needle.as_bytes())
    })
}

/// A config folder with a new key (written by `fluxo keygen`) and a fluxo.toml naming it.
fn configured(dir: &Path, extra: &str) -> std::path::PathBuf {
    let key = dir.join("fluxo.key");
    let made = fluxo(&["keygen", key.to_str().unwrap()]);
    assert!(made.status.success(), "{made:?}");
    let config = dir.join("fluxo.toml");
    std::fs::write(
        &config,
        format!("[encryption]\nkey_file = \"fluxo.key\"\n{extra}"),
    )
    .unwrap();
    config
}

fn history(endpoint: &str, arn: &str) -> Vec<Value> {
    let (status, body) = call(
        endpoint,
        "GetExecutionHistory",
        &json!({"executionArn": arn}),
    );
    assert_eq!(status, 200, "{body}");
    body["events"].as_array().unwrap().clone()
}

#[test]
fn keygen_writes_a_private_32_byte_key_and_never_replaces_one() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("k");
    let made = fluxo(&["keygen", key.to_str().unwrap()]);
    assert!(made.status.success(), "{made:?}");
    let text = std::fs::read_to_string(&key).unwrap();
    assert!(fluxo_store::Cipher::from_base64(&text).is_ok(), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let again = fluxo(&["keygen", key.to_str().unwrap()]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
    assert_eq!(std::fs::read_to_string(&key).unwrap(), text, "unchanged");
    let other = dir.path().join("other");
    assert!(fluxo(&["keygen", other.to_str().unwrap()]).status.success());
    assert_ne!(std::fs::read_to_string(&other).unwrap(), text);
}

#[test]
fn executions_are_sealed_in_the_data_folder_and_need_the_key() {
    let config_dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let config = configured(config_dir.path(), "");
    let arn = {
        let mut server = Server::start(data.path(), Some(&config));
        let endpoint = server.endpoint.clone();
        let definition = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}});
        let (status, created) = call(
            &endpoint,
            "CreateStateMachine",
            &json!({"name": "sealed", "definition": definition.to_string(),
                    "roleArn": "arn:aws:iam::123456789012:role/r"}),
        );
        assert_eq!(status, 200, "{created}\n{}", server.report());
        let input = json!({"account": SECRET}).to_string();
        let (status, started) = call(
            &endpoint,
            "StartExecution",
            &json!({"stateMachineArn": created["stateMachineArn"], "input": input}),
        );
        assert_eq!(status, 200, "{started}");
        let arn = started["executionArn"].as_str().unwrap().to_string();
        let described = ended(&endpoint, &arn);
        assert_eq!(described["status"], "SUCCEEDED", "{described}");
        assert_eq!(described["output"], input);
        let events = history(&endpoint, &arn);
        assert_eq!(events[0]["executionStartedEventDetails"]["input"], input);
        server.kill();
        arn
    };
    assert!(
        !folder_holds(data.path(), SECRET),
        "the secret is on disk in the clear"
    );
    assert!(folder_holds(data.path(), &arn), "names and ARNs stay plain");

    // The same key reads everything back after a restart.
    let server = Server::start(data.path(), Some(&config));
    let described = ended(&server.endpoint, &arn);
    assert!(described["input"].as_str().unwrap().contains(SECRET));
    let events = history(&server.endpoint, &arn);
    let last = events.last().unwrap();
    assert!(last["executionSucceededEventDetails"]["output"]
        .as_str()
        .unwrap()
        .contains(SECRET));
    server.kill();

    // Without the key: a clear refusal at start, not a crash.
    let refused = fluxo(&[
        "server",
        "--listen",
        "127.0.0.1:0",
        "--data-dir",
        data.path().to_str().unwrap(),
    ]);
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("set [encryption] key_file in fluxo.toml"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");

    // With another key: refused too, saying so.
    let other_dir = tempfile::tempdir().unwrap();
    let other = configured(other_dir.path(), "");
    let refused = fluxo(&[
        "server",
        "--listen",
        "127.0.0.1:0",
        "--data-dir",
        data.path().to_str().unwrap(),
        "--config",
        other.to_str().unwrap(),
    ]);
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("cannot be decrypted with the configured key"),
        "{stderr}"
    );
}

#[test]
fn a_malformed_key_file_is_a_clear_startup_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let config = dir.path().join("fluxo.toml");
    std::fs::write(&config, "[encryption]\nkey_file = \"short.key\"\n").unwrap();
    let start = || {
        fluxo(&[
            "server",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            data.path().to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
        ])
    };
    let missing = start();
    assert_eq!(missing.status.code(), Some(2), "{missing:?}");
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(
        stderr.contains("short.key") && stderr.contains("[encryption] key_file"),
        "{stderr}"
    );

    std::fs::write(dir.path().join("short.key"), "c2hvcnQ=\n").unwrap();
    let short = start();
    assert_eq!(short.status.code(), Some(2), "{short:?}");
    let stderr = String::from_utf8_lossy(&short.stderr);
    assert!(
        stderr.contains("short.key")
            && stderr.contains("256-bit key as base64")
            && stderr.contains("5 bytes"),
        "{stderr}"
    );
    // Nothing was opened: the data folder holds no database yet.
    assert!(!data.path().join("fluxo.db").exists());
}

/// The `encryptionConfiguration` a Describe action answers for the resource `arn` (`member`:
/// the request member that names it).
fn encryption_of(endpoint: &str, action: &str, member: &str, arn: &str) -> Value {
    let (status, body) = call(endpoint, action, &json!({ member: arn }));
    assert_eq!(status, 200, "{body}");
    body["encryptionConfiguration"].clone()
}

/// `CUSTOMER_MANAGED_KMS_KEY` naming a KMS key the operator's key stands for is accepted on
/// CreateStateMachine and UpdateStateMachine and described back as given (the reuse period's
/// default filled in), also after a restart; a key the operator did not list is refused with
/// `InvalidEncryptionConfiguration` naming the setting; the model's range check comes first.
#[test]
fn customer_managed_keys_the_operator_listed_are_accepted_and_described() {
    let config_dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let config = configured(
        config_dir.path(),
        &format!("kms_key_ids = [\"alias/orders\", \"{key_arn}\"]\n"),
    );
    let mut server = Server::start(data.path(), Some(&config));
    let endpoint = server.endpoint.clone();
    let error = |(status, body): (u16, Value)| {
        let kind = common::error_type(&body).to_string();
        (
            status,
            kind,
            body["message"].as_str().unwrap_or_default().to_string(),
        )
    };
    let definition =
        json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}).to_string();
    let role = "arn:aws:iam::123456789012:role/r";
    let alias = json!({"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": "alias/orders"});
    let (status, created) = call(
        &endpoint,
        "CreateStateMachine",
        &json!({"name": "cmk", "definition": definition, "roleArn": role,
                "encryptionConfiguration": alias}),
    );
    assert_eq!(status, 200, "{created}\n{}", server.report());
    let machine = created["stateMachineArn"].as_str().unwrap().to_string();
    let described = |endpoint: &str| {
        encryption_of(
            endpoint,
            "DescribeStateMachine",
            "stateMachineArn",
            &machine,
        )
    };
    let with_default = json!({"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": "alias/orders",
                              "kmsDataKeyReusePeriodSeconds": 300});
    assert_eq!(described(&endpoint), with_default);

    let by_arn = json!({"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": key_arn,
                        "kmsDataKeyReusePeriodSeconds": 60});
    let (status, updated) = call(
        &endpoint,
        "UpdateStateMachine",
        &json!({"stateMachineArn": machine, "encryptionConfiguration": by_arn}),
    );
    assert_eq!(status, 200, "{updated}");
    assert!(updated["revisionId"].is_string(), "{updated}");
    assert_eq!(described(&endpoint), by_arn);
    let (_, started) = call(
        &endpoint,
        "StartExecution",
        &json!({"stateMachineArn": machine, "input": "{}"}),
    );
    let execution = started["executionArn"].as_str().unwrap().to_string();
    let (_, for_execution) = call(
        &endpoint,
        "DescribeStateMachineForExecution",
        &json!({"executionArn": execution}),
    );
    assert_eq!(for_execution["encryptionConfiguration"], by_arn);

    // Keys the operator did not list, spelled otherwise or unknown: refused, nothing changed.
    for unlisted in [
        "alias/other",
        "orders",
        "1234abcd-12ab-34cd-56ef-1234567890ab",
    ] {
        let cmk = json!({"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": unlisted});
        let (status, kind, message) = error(call(
            &endpoint,
            "UpdateStateMachine",
            &json!({"stateMachineArn": machine, "encryptionConfiguration": cmk}),
        ));
        assert_eq!(
            (status, kind.as_str()),
            (400, "InvalidEncryptionConfiguration"),
            "{message}"
        );
        assert!(message.contains("[encryption] kms_key_ids"), "{message}");
    }
    assert_eq!(described(&endpoint), by_arn);
    let short = json!({"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": "alias/orders",
                       "kmsDataKeyReusePeriodSeconds": 59});
    let (status, kind, _) = error(call(
        &endpoint,
        "CreateStateMachine",
        &json!({"name": "short", "definition": definition, "roleArn": role,
                "encryptionConfiguration": short}),
    ));
    assert_eq!((status, kind.as_str()), (400, "ValidationException"));
    // Kept across a restart, and an update goes back to AWS's default.
    server.kill();
    let server = Server::start(data.path(), Some(&config));
    assert_eq!(described(&server.endpoint), by_arn);
    let owned = json!({"type": "AWS_OWNED_KEY"});
    let (status, _) = call(
        &server.endpoint,
        "UpdateStateMachine",
        &json!({"stateMachineArn": machine, "encryptionConfiguration": owned}),
    );
    assert_eq!(status, 200);
    assert_eq!(described(&server.endpoint), owned);
}

/// An activity keeps a customer managed key the operator listed and DescribeActivity
/// describes it, also after a restart; a key not listed is refused.
#[test]
fn activities_keep_the_customer_managed_keys_the_operator_listed() {
    let config_dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let config = configured(config_dir.path(), "kms_key_ids = [\"alias/orders\"]\n");
    let server = Server::start(data.path(), Some(&config));
    let alias = json!({"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": "alias/orders"});
    let (status, created) = call(
        &server.endpoint,
        "CreateActivity",
        &json!({"name": "cmk", "encryptionConfiguration": alias}),
    );
    assert_eq!(status, 200, "{created}");
    let activity = created["activityArn"].as_str().unwrap().to_string();
    let described =
        |endpoint: &str| encryption_of(endpoint, "DescribeActivity", "activityArn", &activity);
    let with_default = json!({"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": "alias/orders",
                              "kmsDataKeyReusePeriodSeconds": 300});
    assert_eq!(described(&server.endpoint), with_default);
    let unlisted = json!({"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": "alias/other"});
    let (status, refused) = call(
        &server.endpoint,
        "CreateActivity",
        &json!({"name": "other", "encryptionConfiguration": unlisted}),
    );
    assert_eq!(status, 400, "{refused}");
    assert_eq!(
        common::error_type(&refused),
        "InvalidEncryptionConfiguration"
    );
    // The same name again: the same key is the same activity, another key is refused.
    let (status, again) = call(
        &server.endpoint,
        "CreateActivity",
        &json!({"name": "cmk", "encryptionConfiguration": alias}),
    );
    assert_eq!(status, 200, "{again}");
    let (status, changed) = call(&server.endpoint, "CreateActivity", &json!({"name": "cmk"}));
    assert_eq!(status, 400, "{changed}");
    assert_eq!(common::error_type(&changed), "ActivityAlreadyExists");
    server.kill();
    let server = Server::start(data.path(), Some(&config));
    assert_eq!(described(&server.endpoint), with_default);
}

/// The same on PostgreSQL: `fluxo server --database` with the key seals (a server without the
/// key refuses the database, which it can only do if the key's check was stored there), and
/// reads back with it.
#[test]
fn a_postgres_database_is_sealed_with_the_key_too() {
    let Some(database) = fluxo_store_postgres::testing::TestServer::start() else {
        return;
    };
    let url = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(database.database("sealed_server"));
    let config_dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let config = configured(config_dir.path(), "");
    let arn = {
        let server = Server::start_with(data.path(), Some(&config), &["--database", &url]);
        let definition = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}});
        let (_, created) = call(
            &server.endpoint,
            "CreateStateMachine",
            &json!({"name": "sealed", "definition": definition.to_string(),
                    "roleArn": "arn:aws:iam::123456789012:role/r"}),
        );
        let input = json!({"account": SECRET}).to_string();
        let (status, started) = call(
            &server.endpoint,
            "StartExecution",
            &json!({"stateMachineArn": created["stateMachineArn"], "input": input}),
        );
        assert_eq!(status, 200, "{started}");
        let arn = started["executionArn"].as_str().unwrap().to_string();
        assert_eq!(ended(&server.endpoint, &arn)["output"], input);
        server.kill();
        arn
    };
    let refused = fluxo(&[
        "server",
        "--listen",
        "127.0.0.1:0",
        "--database",
        &url,
        "--data-dir",
        data.path().to_str().unwrap(),
    ]);
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("set [encryption] key_file in fluxo.toml"),
        "{stderr}"
    );
    let server = Server::start_with(data.path(), Some(&config), &["--database", &url]);
    let events = history(&server.endpoint, &arn);
    let input = events[0]["executionStartedEventDetails"]["input"]
        .as_str()
        .unwrap();
    assert!(input.contains(SECRET), "{input}");
}
