//! The behavioural suite every store backend must pass. Each check panics with what differed.

use crate::*;
use fluxo_types::{EventType, ExecutionStatus, StateMachineType};
use std::sync::Arc;

mod child_executions;
mod leases;
mod map_runs;
mod redrive;
pub mod secrets;
mod tasks;
mod transitions;
mod versions;

fn machine(name: &str) -> StateMachineRecord {
    StateMachineRecord {
        arn: format!("arn:aws:states:us-east-1:123456789012:stateMachine:{name}"),
        name: name.into(),
        kind: StateMachineType::Standard,
        definition: r#"{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}"#.into(),
        role_arn: "arn:aws:iam::123456789012:role/r".into(),
        created_ms: 1,
        updated_ms: 1,
        revision: 1,
        logging: None,
        revision_id: None,
        encryption: None,
    }
}

fn execution(machine: &StateMachineRecord, name: &str, started_ms: i64) -> ExecutionRecord {
    ExecutionRecord {
        arn: format!(
            "{}:{name}",
            machine.arn.replace(":stateMachine:", ":execution:")
        ),
        state_machine_arn: machine.arn.clone(),
        name: name.into(),
        status: ExecutionStatus::Running,
        input: "{}".into(),
        output: None,
        error: None,
        cause: None,
        started_ms,
        stopped_ms: None,
        seed: 42,
        revision: 1,
        version_arn: None,
        alias_arn: None,
        redrive_count: 0,
        redrive_ms: None,
        map_run_arn: None,
    }
}

fn event(id: u64, kind: EventType) -> EventRecord {
    EventRecord {
        id,
        previous_event_id: id.saturating_sub(1),
        timestamp_ms: 1000 + id as i64,
        kind,
        details: Some(format!(r#"{{"n":{id}}}"#)),
        thread: String::new(),
        seq: id as u32 - 1,
    }
}

fn page(max_results: usize, next_token: Option<String>) -> Page {
    Page::new(max_results, next_token)
}

fn step(arn: &str, events: Vec<EventRecord>) -> Transition {
    Transition {
        execution_arn: arn.to_string(),
        events,
        update: None,
        timer: TimerChange::Keep,
        fence: None,
    }
}

fn ending(arn: &str, id: u64, status: ExecutionStatus) -> Transition {
    Transition {
        execution_arn: arn.to_string(),
        events: vec![event(id, EventType::ExecutionSucceeded)],
        update: Some(ExecutionUpdate {
            status,
            output: Some("{}".into()),
            error: None,
            cause: None,
            stopped_ms: Some(30),
        }),
        timer: TimerChange::Clear,
        fence: None,
    }
}

pub async fn run_suite(store: Arc<dyn Store>) {
    state_machines(store.as_ref()).await;
    options(store.as_ref()).await;
    revisions(store.as_ref()).await;
    executions(store.as_ref()).await;
    pages_do_not_shift(store.as_ref()).await;
    transitions::commits(store.as_ref()).await;
    transitions::closed_executions_take_no_transition(store.as_ref()).await;
    transitions::aborts(store.as_ref()).await;
    transitions::timers(store.as_ref()).await;
    tags(store.as_ref()).await;
    tasks::run(store.as_ref()).await;
    versions::run(store.as_ref()).await;
    redrive::run(store.as_ref()).await;
    map_runs::run(store.as_ref()).await;
    child_executions::run(store.as_ref()).await;
    leases::run(store).await;
}

async fn state_machines(store: &dyn Store) {
    let first = store
        .create_state_machine(machine("alpha"), vec![("k".into(), "v".into())])
        .await
        .unwrap();
    let Created::Created(first) = first else {
        panic!("a new name creates")
    };
    let mut other_role = machine("alpha");
    other_role.role_arn = "arn:aws:iam::123456789012:role/other".into();
    assert_eq!(
        store
            .create_state_machine(other_role, vec![("k".into(), "changed".into())])
            .await
            .unwrap(),
        Created::Existing(first.clone()),
        "the same creation with another role and tags is idempotent and changes nothing"
    );
    assert_eq!(
        store.list_tags(&first.arn).await.unwrap(),
        [("k".to_string(), "v".to_string())]
    );
    let mut changed = machine("alpha");
    changed.definition = "{}".into();
    assert!(matches!(
        store.create_state_machine(changed, vec![]).await,
        Err(StoreError::NameConflict(_))
    ));
    let mut express = machine("alpha");
    express.kind = StateMachineType::Express;
    assert!(matches!(
        store.create_state_machine(express, vec![]).await,
        Err(StoreError::NameConflict(_))
    ));
    for name in ["delta", "bravo", "charlie"] {
        store
            .create_state_machine(machine(name), vec![])
            .await
            .unwrap();
    }
    let updated = store
        .update_state_machine(StateMachineUpdate {
            arn: first.arn.clone(),
            definition: Some("{\"v\":2}".into()),
            role_arn: None,
            logging: Some("{\"level\":\"ALL\"}".into()),
            updated_ms: 5,
            revision_id: "r-1".into(),
            encryption: None,
        })
        .await
        .unwrap();
    assert_eq!(updated.definition, "{\"v\":2}");
    assert_eq!(updated.revision, first.revision + 1);
    assert_eq!(updated.role_arn, first.role_arn);
    assert_eq!(updated.logging.as_deref(), Some("{\"level\":\"ALL\"}"));
    assert_eq!(
        first.revision_id, None,
        "no revision id before the first update"
    );
    assert_eq!(updated.revision_id.as_deref(), Some("r-1"));
    let missing = StateMachineUpdate {
        arn: "arn:aws:states:us-east-1:123456789012:stateMachine:none".into(),
        definition: None,
        role_arn: None,
        logging: None,
        updated_ms: 5,
        revision_id: "r-x".into(),
        encryption: None,
    };
    assert!(matches!(
        store.update_state_machine(missing).await,
        Err(StoreError::NotFound(_))
    ));

    // Pages cover every machine once, by name.
    let mut names = Vec::new();
    let mut token = None;
    loop {
        let listed = store.list_state_machines(page(3, token)).await.unwrap();
        names.extend(listed.items.into_iter().map(|m| m.name));
        match listed.next_token {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    assert_eq!(names, ["alpha", "bravo", "charlie", "delta"]);
    assert!(matches!(
        store
            .list_state_machines(page(2, Some("garbage".into())))
            .await,
        Err(StoreError::InvalidPageToken(_))
    ));

    let delta = machine("delta");
    store.delete_state_machine(&delta.arn).await.unwrap();
    assert_eq!(store.get_state_machine(&delta.arn).await.unwrap(), None);
}

async fn revisions(store: &dyn Store) {
    let mut record = machine("versioned");
    record.definition = "{\"v\":1}".into();
    let created = store.create_state_machine(record, vec![]).await.unwrap();
    let arn = created.record().arn.clone();
    let first = created.record().revision;
    let logging_only = store
        .update_state_machine(StateMachineUpdate {
            arn: arn.clone(),
            definition: None,
            role_arn: None,
            logging: Some("{}".into()),
            updated_ms: 2,
            revision_id: "r-2".into(),
            encryption: None,
        })
        .await
        .unwrap();
    assert_eq!(
        logging_only.revision, first,
        "logging does not change what runs"
    );
    let second = store
        .update_state_machine(StateMachineUpdate {
            arn: arn.clone(),
            definition: Some("{\"v\":2}".into()),
            role_arn: None,
            logging: None,
            updated_ms: 3,
            revision_id: "r-3".into(),
            encryption: None,
        })
        .await
        .unwrap()
        .revision;
    assert!(second > first);
    let unchanged = store
        .update_state_machine(StateMachineUpdate {
            arn: arn.clone(),
            definition: Some("{\"v\":2}".into()),
            role_arn: None,
            logging: None,
            updated_ms: 4,
            revision_id: "r-4".into(),
            encryption: None,
        })
        .await
        .unwrap();
    assert_eq!(
        (unchanged.revision, unchanged.revision_id.as_deref()),
        (second, Some("r-3")),
        "an update that changes nothing keeps the revision"
    );
    store.delete_state_machine(&arn).await.unwrap();
    let kept = store.get_revision(&arn, first).await.unwrap().unwrap();
    assert_eq!(kept.definition, "{\"v\":1}", "revisions outlive updates");
    assert_eq!(
        store
            .get_revision(&arn, second)
            .await
            .unwrap()
            .unwrap()
            .definition,
        "{\"v\":2}",
        "and deletes"
    );
    let mut again = machine("versioned");
    again.definition = "{\"v\":3}".into();
    let recreated = store.create_state_machine(again, vec![]).await.unwrap();
    assert!(
        recreated.record().revision > second,
        "a recreated state machine never reuses a revision"
    );
    assert_eq!(store.get_revision(&arn, 999).await.unwrap(), None);
}

async fn executions(store: &dyn Store) {
    let owner = machine("bravo");
    let first = execution(&owner, "one", 10);
    let started = store.start_execution(first.clone()).await.unwrap();
    assert_eq!(started, Started::Created(first.clone()));
    let mut again = first.clone();
    again.input = "{\"x\":1}".into();
    assert_eq!(
        store.start_execution(again).await.unwrap(),
        Started::Existing(first.clone()),
        "the existing execution, whatever the input: the caller decides"
    );

    for (index, name) in ["two", "three", "four", "five"].into_iter().enumerate() {
        store
            .start_execution(execution(&owner, name, 20 + index as i64))
            .await
            .unwrap();
    }
    store
        .commit(ending(
            &execution(&owner, "three", 0).arn,
            1,
            ExecutionStatus::Succeeded,
        ))
        .await
        .unwrap();

    let mut names = Vec::new();
    let mut token = None;
    loop {
        let listed = store
            .list_executions(&owner.arn, Default::default(), page(2, token))
            .await
            .unwrap();
        names.extend(listed.items.into_iter().map(|e| e.name));
        match listed.next_token {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    assert_eq!(
        names,
        ["five", "four", "three", "two", "one"],
        "newest first"
    );
    let succeeded = store
        .list_executions(
            &owner.arn,
            Some(ExecutionStatus::Succeeded).into(),
            Page::default(),
        )
        .await
        .unwrap();
    assert_eq!(succeeded.items.len(), 1);
    assert_eq!(succeeded.items[0].output.as_deref(), Some("{}"));
    assert_eq!(store.get_execution("arn:nope").await.unwrap(), None);

    // Parked executions (with a timer) are not resumed at start-up: their timer wakes them.
    store
        .commit(Transition {
            timer: TimerChange::Set(5_000),
            ..step(&execution(&owner, "two", 0).arn, vec![])
        })
        .await
        .unwrap();
    let mut resumable = Vec::new();
    let mut token = None;
    loop {
        let listed = store.executions_to_resume(page(1, token)).await.unwrap();
        resumable.extend(listed.items.into_iter().map(|e| e.name));
        match listed.next_token {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    assert_eq!(
        resumable,
        ["one", "four", "five"],
        "running without a timer, in start order"
    );
}

async fn pages_do_not_shift(store: &dyn Store) {
    let owner = machine("pages");
    for n in 0..4 {
        store
            .start_execution(execution(&owner, &format!("p{n}"), n))
            .await
            .unwrap();
    }
    let first = store
        .list_executions(&owner.arn, Default::default(), page(2, None))
        .await
        .unwrap();
    assert_eq!(
        first
            .items
            .iter()
            .map(|e| e.name.as_str())
            .collect::<Vec<_>>(),
        ["p3", "p2"]
    );
    // Executions that start between two pages do not push items of the first page onto the
    // second.
    for n in 4..7 {
        store
            .start_execution(execution(&owner, &format!("p{n}"), n))
            .await
            .unwrap();
    }
    let second = store
        .list_executions(&owner.arn, Default::default(), page(2, first.next_token))
        .await
        .unwrap();
    assert_eq!(
        second
            .items
            .iter()
            .map(|e| e.name.as_str())
            .collect::<Vec<_>>(),
        ["p1", "p0"]
    );
    assert_eq!(second.next_token, None);
}

async fn tags(store: &dyn Store) {
    let arn = machine("alpha").arn;
    store
        .tag_resource(
            arn.clone(),
            vec![("team".into(), "docs".into()), ("env".into(), "dev".into())],
        )
        .await
        .unwrap();
    store
        .tag_resource(arn.clone(), vec![("env".into(), "prod".into())])
        .await
        .unwrap();
    store
        .untag_resource(
            arn.clone(),
            vec!["team".into(), "absent".into(), "k".into()],
        )
        .await
        .unwrap();
    assert_eq!(
        store.list_tags(&arn).await.unwrap(),
        [("env".to_string(), "prod".to_string())]
    );
}

/// The logging and encryption configurations are kept apart: each is read back as given, an
/// update of one keeps the other, and either change gives a new `revisionId` but no revision.
async fn options(store: &dyn Store) {
    let logging = r#"{"level":"OFF","includeExecutionData":false}"#;
    let key = |id: &str| {
        format!(
            r#"{{"type":"CUSTOMER_MANAGED_KMS_KEY","kmsKeyId":"{id}","kmsDataKeyReusePeriodSeconds":300}}"#
        )
    };
    let mut record = machine("options");
    record.logging = Some(logging.into());
    record.encryption = Some(key("alias/one"));
    store
        .create_state_machine(record.clone(), vec![])
        .await
        .unwrap();
    let read = store.get_state_machine(&record.arn).await.unwrap().unwrap();
    assert_eq!(
        (read.logging.as_deref(), read.encryption.clone()),
        (Some(logging), record.encryption.clone())
    );
    let mut other = record.clone();
    other.encryption = None;
    assert!(
        matches!(
            store.create_state_machine(other, vec![]).await,
            Err(StoreError::NameConflict(_))
        ),
        "another encryption configuration is another creation"
    );
    let update = |encryption: Option<String>, logging: Option<&str>, id: &str| StateMachineUpdate {
        arn: record.arn.clone(),
        definition: None,
        role_arn: None,
        logging: logging.map(str::to_string),
        encryption,
        updated_ms: 5,
        revision_id: id.into(),
    };
    let updated = store
        .update_state_machine(update(Some(key("alias/two")), None, "o-1"))
        .await
        .unwrap();
    assert_eq!(updated.encryption, Some(key("alias/two")));
    assert_eq!(updated.logging.as_deref(), Some(logging), "logging kept");
    assert_eq!(
        (updated.revision, updated.revision_id.as_deref()),
        (read.revision, Some("o-1"))
    );
    let all = r#"{"level":"ALL","includeExecutionData":true}"#;
    let updated = store
        .update_state_machine(update(None, Some(all), "o-2"))
        .await
        .unwrap();
    assert_eq!(
        updated.encryption,
        Some(key("alias/two")),
        "encryption kept"
    );
    assert_eq!(updated.logging.as_deref(), Some(all));
    let same = store
        .update_state_machine(update(Some(key("alias/two")), None, "o-3"))
        .await
        .unwrap();
    assert_eq!(same.revision_id.as_deref(), Some("o-2"), "nothing changed");
    assert_eq!(
        store.get_state_machine(&record.arn).await.unwrap(),
        Some(same)
    );
    store.delete_state_machine(&record.arn).await.unwrap();
}
