//! The every-action walk (issue 16): every action of the Step Functions API model, called
//! through boto3, the AWS CLI and the AWS SDK for JavaScript v3 (`@aws-sdk/client-sfn`, pinned
//! in `package-lock.json` here) against a real `fluxo server` on loopback, each client on its
//! own server, in the order of `walk.json` so that later actions use what earlier ones made
//! (state machines, versions, aliases, an activity and its task tokens, executions, tags, a
//! Distributed Map's map run).
//!
//! The action list comes from the API model (`crates/api-model/model/`): an action without a
//! step in `walk.json` fails the walk. `FLUXO_WALK_EXCLUDE=ActionA,ActionB` leaves those actions
//! out (with the steps that need them) and says so in the printed table. A client that is
//! missing is skipped with a notice, or fails the test under CI / `FLUXO_REQUIRE_CLIENTS`.
//!
//! `cargo test -p fluxo --test walk -- --nocapture` prints, per action and per client, which
//! passed, and the walk's run time.

#[path = "../common/mod.rs"]
mod common;

mod clients;
mod matcher;
mod run;
mod table;

use clients::{Cli, Client, LineClient};
use run::StepResult;
use serde_json::Value;
use std::collections::{BTreeSet, HashSet};
use std::process::Command;
use std::time::Instant;

/// Every action of the API model, by name.
fn model_actions() -> BTreeSet<String> {
    let path = common::root().join("crates/api-model/model/stepfunctions-2016-11-23.json");
    let model: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("the model")).expect("JSON");
    let operations = model["operations"].as_object().expect("operations");
    operations.keys().cloned().collect()
}

#[test]
fn the_table_has_a_step_for_every_action_of_the_model() {
    let actions = model_actions();
    assert_eq!(actions.len(), 37, "the model's actions: {actions:?}");
    let steps = table::load("boto3");
    let walked: BTreeSet<String> = steps.iter().map(|s| s.action.clone()).collect();
    let missing: Vec<_> = actions.difference(&walked).collect();
    assert!(
        missing.is_empty(),
        "actions without a step in walk.json: {missing:?}"
    );
    let unknown: Vec<_> = walked.difference(&actions).collect();
    assert!(
        unknown.is_empty(),
        "steps of actions the model lacks: {unknown:?}"
    );
    // Ids are unique, `needs` point back, and every value used was kept by an earlier step.
    let mut ids = HashSet::new();
    let mut kept = HashSet::new();
    for step in &steps {
        for need in &step.needs {
            assert!(
                ids.contains(need),
                "{}: needs {need}, not an earlier step",
                step.id
            );
        }
        let mut used = Vec::new();
        table::uses(&step.request, &mut used);
        if let table::Outcome::Answer(expected) = &step.outcome {
            table::uses(expected, &mut used);
        }
        for name in used {
            assert!(
                kept.contains(&name),
                "{}: uses ${{{name}}}, kept by no earlier step",
                step.id
            );
        }
        assert!(
            ids.insert(step.id.clone()),
            "{}: a second step with this id",
            step.id
        );
        kept.extend(step.save.iter().map(|(name, _)| name.clone()));
    }
}

/// The actions `FLUXO_WALK_EXCLUDE` names (comma-separated), each checked against the model.
fn excluded_actions() -> HashSet<String> {
    let actions = model_actions();
    let named = std::env::var("FLUXO_WALK_EXCLUDE").unwrap_or_default();
    let excluded: HashSet<String> = named
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(str::to_string)
        .collect();
    for name in &excluded {
        assert!(
            actions.contains(name),
            "FLUXO_WALK_EXCLUDE names {name}, not an action"
        );
    }
    excluded
}

/// `node` with the pinned `@aws-sdk/client-sfn` installed beside `sdk_client.mjs`.
fn node_with_the_sdk() -> Option<Command> {
    let dir = clients::walk_dir();
    let pinned: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("package.json")).expect("package.json"),
    )
    .expect("JSON");
    let pinned = pinned["devDependencies"]["@aws-sdk/client-sfn"]
        .as_str()
        .expect("pinned");
    let installed =
        std::fs::read_to_string(dir.join("node_modules/@aws-sdk/client-sfn/package.json"))
            .ok()
            .and_then(|text| serde_json::from_str::<Value>(&text).ok())
            .and_then(|package| package["version"].as_str().map(str::to_string));
    let node = Command::new("node").arg("--version").output();
    let problem = if !node.is_ok_and(|output| output.status.success()) {
        Some("node does not run".to_string())
    } else if installed.as_deref() != Some(pinned) {
        Some(format!(
            "@aws-sdk/client-sfn {pinned} is not installed in {} (found {installed:?}; run `npm ci` there)",
            dir.display()
        ))
    } else {
        None
    };
    if let Some(problem) = problem {
        assert!(
            !common::clients_required(),
            "{problem}, and FLUXO_REQUIRE_CLIENTS (or CI) is set"
        );
        eprintln!("notice: {problem}: the JavaScript SDK's walk is skipped");
        return None;
    }
    let mut command = Command::new("node");
    // The SDK warns about node versions it will drop; the walk's output is its own.
    command.arg("--no-warnings").arg(dir.join("sdk_client.mjs"));
    Some(command)
}

/// How to start each client that is installed, by name.
type Starter = Box<dyn FnOnce(&str) -> Box<dyn Client> + Send>;

fn clients() -> Vec<(&'static str, Starter)> {
    let mut found: Vec<(&'static str, Starter)> = Vec::new();
    match common::python_with_boto3() {
        Some(python) => found.push((
            "boto3",
            Box::new(move |endpoint: &str| {
                let mut command = Command::new(&python);
                command.arg(clients::walk_dir().join("boto3_client.py"));
                Box::new(LineClient::start("boto3", command, endpoint)) as Box<dyn Client>
            }),
        )),
        None => eprintln!("notice: boto3 is missing: its walk is skipped"),
    }
    match common::aws_cli() {
        Some(aws) => found.push((
            "cli",
            Box::new(move |endpoint: &str| {
                let home = tempfile::tempdir().expect("a temporary folder");
                Box::new(Cli {
                    aws,
                    endpoint: endpoint.to_string(),
                    home,
                }) as Box<dyn Client>
            }),
        )),
        None => eprintln!("notice: the AWS CLI is missing: its walk is skipped"),
    }
    if let Some(command) = node_with_the_sdk() {
        found.push((
            "js",
            Box::new(move |endpoint: &str| {
                Box::new(LineClient::start("js", command, endpoint)) as Box<dyn Client>
            }),
        ));
    }
    found
}

#[test]
fn every_action_through_boto3_the_aws_cli_and_the_javascript_sdk() {
    let excluded = excluded_actions();
    let started = Instant::now();
    let walks: Vec<_> = clients()
        .into_iter()
        .map(|(name, start)| {
            let excluded = excluded.clone();
            let walk = std::thread::spawn(move || {
                let data = tempfile::tempdir().expect("a temporary folder");
                let mut server = common::Server::start(data.path(), None);
                let mut client = start(&server.endpoint);
                let began = Instant::now();
                let results = run::walk(client.as_mut(), &table::load(name), &excluded);
                println!(
                    "{name}: its walk took {:.1} s",
                    began.elapsed().as_secs_f64()
                );
                let failed = results.iter().any(|r| r.status.is_failure());
                let log = if failed {
                    server.report()
                } else {
                    String::new()
                };
                (results, log)
            });
            (name, walk)
        })
        .collect();
    let walks: Vec<(&str, Vec<StepResult>, String)> = walks
        .into_iter()
        .map(|(name, walk)| {
            let (results, log) = walk
                .join()
                .unwrap_or_else(|_| panic!("the {name} walk panicked"));
            (name, results, log)
        })
        .collect();
    let elapsed = started.elapsed();
    let report = run::report(&model_actions(), &walks, &excluded);
    println!("{report}");
    println!(
        "the walk took {:.1} s ({} clients in parallel)",
        elapsed.as_secs_f64(),
        walks.len()
    );
    let failures: Vec<String> = walks
        .iter()
        .flat_map(|(name, results, _)| {
            results
                .iter()
                .filter(|r| r.status.is_failure())
                .map(move |r| {
                    format!(
                        "{name} {} ({}): {:?} {}",
                        r.id, r.action, r.status, r.detail
                    )
                })
        })
        .collect();
    let logs: String = walks.iter().map(|(_, _, log)| log.as_str()).collect();
    assert!(
        failures.is_empty(),
        "{report}\n{}\n{logs}",
        failures.join("\n")
    );
    assert!(
        !walks.is_empty() || !common::clients_required(),
        "no client ran the walk"
    );
}
