//! The suite's part for Map Runs ([`MapRunStore`]).

use super::page;
use crate::*;
use fluxo_types::map_run::{MapRunCounts, MapRunLimits, MapRunRecord, MapRunStatus};

fn record(execution: &str, id: &str) -> MapRunRecord {
    MapRunRecord {
        arn: format!("arn:aws:states:us-east-1:123456789012:mapRun:m/label:{id}"),
        execution_arn: execution.into(),
        state_machine_arn: "arn:aws:states:us-east-1:123456789012:stateMachine:m/label".into(),
        status: MapRunStatus::Running,
        start_ms: 10,
        stop_ms: None,
        limits: MapRunLimits {
            max_concurrency: 5,
            tolerated_failure_count: 1,
            tolerated_failure_percentage: 2.5,
        },
        item_counts: MapRunCounts::default(),
        execution_counts: MapRunCounts::default(),
        outcome: None,
        redrive_count: 0,
        redrive_ms: None,
    }
}

pub(super) async fn run(store: &dyn Store) {
    let execution = "arn:aws:states:us-east-1:123456789012:execution:m:map-runs";
    let first = record(execution, "a");
    assert_eq!(
        store.report_map_run(first.clone()).await.unwrap(),
        first.limits
    );
    assert_eq!(
        store.get_map_run(&first.arn).await.unwrap(),
        Some(first.clone())
    );
    assert_eq!(store.get_map_run("arn:none").await.unwrap(), None);

    // UpdateMapRun changes what it names; a later report keeps the limits it set.
    let update = MapRunUpdate {
        max_concurrency: Some(50),
        tolerated_failure_count: None,
        tolerated_failure_percentage: Some(10.0),
    };
    let updated = store
        .update_map_run(&first.arn, update)
        .await
        .unwrap()
        .unwrap();
    let limits = MapRunLimits {
        max_concurrency: 50,
        tolerated_failure_count: 1,
        tolerated_failure_percentage: 10.0,
    };
    assert_eq!(updated.limits, limits);
    assert_eq!(
        store.update_map_run("arn:none", update).await.unwrap(),
        None
    );
    let mut ended = first.clone();
    ended.status = MapRunStatus::Succeeded;
    ended.stop_ms = Some(20);
    ended.item_counts = MapRunCounts::from_array([0, 0, 7, 1, 0, 0, 8, 7, 0, 0]);
    ended.execution_counts = MapRunCounts::from_array([0, 0, 2, 1, 0, 0, 3, 2, 0, 0]);
    ended.outcome = Some(r#"{"output":[1,"two"]}"#.into());
    ended.redrive_count = 2;
    ended.redrive_ms = Some(15);
    assert_eq!(store.report_map_run(ended.clone()).await.unwrap(), limits);
    let stored = store.get_map_run(&first.arn).await.unwrap().unwrap();
    assert_eq!(stored, MapRunRecord { limits, ..ended });

    // Listed per execution, a page at a time, every run once.
    for id in ["b", "c", "d"] {
        store.report_map_run(record(execution, id)).await.unwrap();
    }
    store
        .report_map_run(record(
            "arn:aws:states:us-east-1:123456789012:execution:m:other",
            "e",
        ))
        .await
        .unwrap();
    let mut seen = Vec::new();
    let mut token = None;
    loop {
        let listed = store
            .list_map_runs(execution, page(3, token))
            .await
            .unwrap();
        assert!(listed.items.len() <= 3);
        seen.extend(listed.items.into_iter().map(|run| run.arn));
        token = listed.next_token;
        if token.is_none() {
            break;
        }
    }
    let mut expected: Vec<String> = ["a", "b", "c", "d"]
        .iter()
        .map(|id| record(execution, id).arn)
        .collect();
    expected.sort();
    seen.sort();
    assert_eq!(seen, expected);
}
