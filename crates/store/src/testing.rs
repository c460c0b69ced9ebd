//! The behavioural suite every store backend must pass. Each check panics with what differed.

use crate::*;
use std::collections::HashSet;
use std::sync::Arc;

fn machine(name: &str) -> StateMachineRecord {
    StateMachineRecord {
        arn: format!("arn:aws:states:us-east-1:123456789012:stateMachine:{name}"),
        name: name.into(),
        kind: "STANDARD".into(),
        definition: r#"{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}"#.into(),
        role_arn: "arn:aws:iam::123456789012:role/r".into(),
        created_ms: 1,
        updated_ms: 1,
        revision: 1,
        logging: None,
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
        status: "RUNNING".into(),
        input: "{}".into(),
        output: None,
        error: None,
        cause: None,
        started_ms,
        stopped_ms: None,
        seed: 42,
    }
}

fn event(id: u64, kind: &str) -> EventRecord {
    EventRecord {
        id,
        previous_event_id: id.saturating_sub(1),
        timestamp_ms: 1000 + id as i64,
        kind: kind.into(),
        details: Some(format!(r#"{{"n":{id}}}"#)),
        thread: String::new(),
        seq: id as u32 - 1,
    }
}

fn page(max_results: usize, next_token: Option<String>) -> Page {
    Page {
        max_results,
        next_token,
    }
}

pub async fn run_suite(store: Arc<dyn Store>) {
    state_machines(store.as_ref()).await;
    executions(store.as_ref()).await;
    commits(store.as_ref()).await;
    timers(store.as_ref()).await;
    tags(store.as_ref()).await;
}

async fn state_machines(store: &dyn Store) {
    let first = store.create_state_machine(machine("alpha")).await.unwrap();
    assert_eq!(
        store.create_state_machine(machine("alpha")).await.unwrap(),
        first,
        "identical create is idempotent"
    );
    let mut changed = machine("alpha");
    changed.definition = "{}".into();
    assert!(matches!(
        store.create_state_machine(changed).await,
        Err(StoreError::AlreadyExists(_))
    ));
    for name in ["delta", "bravo", "charlie"] {
        store.create_state_machine(machine(name)).await.unwrap();
    }
    let updated = store
        .update_state_machine(StateMachineUpdate {
            arn: first.arn.clone(),
            definition: Some("{\"v\":2}".into()),
            role_arn: None,
            logging: Some("{\"level\":\"ALL\"}".into()),
            updated_ms: 5,
        })
        .await
        .unwrap();
    assert_eq!(updated.definition, "{\"v\":2}");
    assert_eq!(updated.revision, first.revision + 1);
    assert_eq!(updated.role_arn, first.role_arn);
    assert_eq!(updated.logging.as_deref(), Some("{\"level\":\"ALL\"}"));
    let missing = StateMachineUpdate {
        arn: "arn:aws:states:us-east-1:123456789012:stateMachine:none".into(),
        definition: None,
        role_arn: None,
        logging: None,
        updated_ms: 5,
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
    assert!(store
        .list_state_machines(page(2, Some("garbage".into())))
        .await
        .is_err());

    let delta = machine("delta");
    store.delete_state_machine(&delta.arn).await.unwrap();
    assert_eq!(store.get_state_machine(&delta.arn).await.unwrap(), None);
}

async fn executions(store: &dyn Store) {
    let owner = machine("bravo");
    let first = execution(&owner, "one", 10);
    let started = store
        .start_execution(first.clone(), vec![event(1, "ExecutionStarted")])
        .await
        .unwrap();
    assert!(started.created);
    let again = store
        .start_execution(first.clone(), vec![event(1, "ExecutionStarted")])
        .await
        .unwrap();
    assert!(
        !again.created,
        "same name and input: the existing execution"
    );
    let mut other_input = first.clone();
    other_input.input = "{\"x\":1}".into();
    assert!(matches!(
        store.start_execution(other_input, vec![]).await,
        Err(StoreError::Conflict(_))
    ));

    for (index, name) in ["two", "three", "four", "five"].into_iter().enumerate() {
        store
            .start_execution(
                execution(&owner, name, 20 + index as i64),
                vec![event(1, "ExecutionStarted")],
            )
            .await
            .unwrap();
    }
    store
        .commit(Transition {
            execution_arn: execution(&owner, "three", 0).arn,
            events: vec![event(2, "ExecutionSucceeded")],
            update: Some(ExecutionUpdate {
                status: "SUCCEEDED".into(),
                output: Some("{}".into()),
                error: None,
                cause: None,
                stopped_ms: Some(30),
            }),
            timer: TimerChange::Keep,
        })
        .await
        .unwrap();

    let mut names = Vec::new();
    let mut token = None;
    loop {
        let listed = store
            .list_executions(&owner.arn, None, page(2, token))
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
        .list_executions(&owner.arn, Some("SUCCEEDED"), Page::default())
        .await
        .unwrap();
    assert_eq!(succeeded.items.len(), 1);
    assert_eq!(succeeded.items[0].output.as_deref(), Some("{}"));
    let running: HashSet<String> = store
        .running_executions()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(
        running,
        ["one", "two", "four", "five"].map(String::from).into()
    );
    assert_eq!(store.get_execution("arn:nope").await.unwrap(), None);
}

async fn commits(store: &dyn Store) {
    let owner = machine("charlie");
    let record = execution(&owner, "history", 50);
    store
        .start_execution(record.clone(), vec![event(1, "ExecutionStarted")])
        .await
        .unwrap();
    for id in 2..=7 {
        store
            .commit(Transition {
                execution_arn: record.arn.clone(),
                events: vec![event(id, "PassStateEntered")],
                update: None,
                timer: TimerChange::Keep,
            })
            .await
            .unwrap();
    }
    // A transition that repeats an event fails whole: neither its new event nor its update.
    let repeated = store
        .commit(Transition {
            execution_arn: record.arn.clone(),
            events: vec![event(8, "PassStateExited"), event(3, "Duplicate")],
            update: Some(ExecutionUpdate {
                status: "FAILED".into(),
                output: None,
                error: Some("E".into()),
                cause: None,
                stopped_ms: Some(60),
            }),
            timer: TimerChange::Set(99),
        })
        .await;
    assert!(repeated.is_err());
    assert_eq!(
        store
            .get_execution(&record.arn)
            .await
            .unwrap()
            .unwrap()
            .status,
        "RUNNING"
    );
    assert!(store
        .due_timers(1000, 10)
        .await
        .unwrap()
        .iter()
        .all(|t| t.execution_arn != record.arn));

    let all = store
        .events(&record.arn, false, Page::default())
        .await
        .unwrap();
    let ids: Vec<u64> = all.items.iter().map(|e| e.id).collect();
    assert_eq!(ids, (1..=7).collect::<Vec<_>>());
    assert_eq!(
        all.items[2],
        event(3, "PassStateEntered"),
        "stored as given"
    );
    let reversed = store
        .events(&record.arn, true, page(3, None))
        .await
        .unwrap();
    assert_eq!(
        reversed.items.iter().map(|e| e.id).collect::<Vec<_>>(),
        [7, 6, 5]
    );
    let rest = store
        .events(&record.arn, true, page(10, reversed.next_token))
        .await
        .unwrap();
    assert_eq!(
        rest.items.iter().map(|e| e.id).collect::<Vec<_>>(),
        [4, 3, 2, 1]
    );
    assert_eq!(rest.next_token, None);

    let unknown = Transition {
        execution_arn: "arn:missing".into(),
        events: vec![],
        update: None,
        timer: TimerChange::Keep,
    };
    assert!(matches!(
        store.commit(unknown).await,
        Err(StoreError::NotFound(_))
    ));
}

async fn timers(store: &dyn Store) {
    let owner = machine("alpha");
    let mut arns = Vec::new();
    for (name, at) in [("t1", 300), ("t2", 100), ("t3", 200)] {
        let record = execution(&owner, name, 70);
        store.start_execution(record.clone(), vec![]).await.unwrap();
        store
            .commit(Transition {
                execution_arn: record.arn.clone(),
                events: vec![],
                update: None,
                timer: TimerChange::Set(at),
            })
            .await
            .unwrap();
        arns.push(record.arn);
    }
    let due = store.due_timers(250, 10).await.unwrap();
    assert_eq!(
        due.iter().map(|t| t.fire_at_ms).collect::<Vec<_>>(),
        [100, 200],
        "earliest first"
    );
    assert_eq!(store.due_timers(1000, 1).await.unwrap().len(), 1);
    store
        .commit(Transition {
            execution_arn: arns[1].clone(),
            events: vec![],
            update: None,
            timer: TimerChange::Clear,
        })
        .await
        .unwrap();
    let due = store.due_timers(250, 10).await.unwrap();
    assert_eq!(due.iter().map(|t| t.fire_at_ms).collect::<Vec<_>>(), [200]);
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
        .untag_resource(arn.clone(), vec!["team".into(), "absent".into()])
        .await
        .unwrap();
    assert_eq!(
        store.list_tags(&arn).await.unwrap(),
        [("env".to_string(), "prod".to_string())]
    );
}
