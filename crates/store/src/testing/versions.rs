//! The suite's part for versions and aliases ([`VersionStore`]).

use super::{execution, machine, page};
use crate::*;

fn publish(arn: &str, revision_id: Option<&str>, description: Option<&str>) -> Publish {
    Publish {
        state_machine_arn: arn.into(),
        revision_id: revision_id.map(str::to_string),
        description: description.map(str::to_string),
        created_ms: 5,
    }
}

fn alias(machine: &StateMachineRecord, name: &str, routes: &[(&str, u32)]) -> AliasRecord {
    AliasRecord {
        arn: fluxo_types::arn::state_machine_alias(&machine.arn, name),
        state_machine_arn: machine.arn.clone(),
        name: name.into(),
        description: Some("d".into()),
        routing: routes
            .iter()
            .map(|(version_arn, weight)| Route {
                version_arn: version_arn.to_string(),
                weight: *weight,
            })
            .collect(),
        created_ms: 7,
        updated_ms: 7,
    }
}

fn update(arn: &str, definition: &str, revision_id: &str) -> StateMachineUpdate {
    StateMachineUpdate {
        arn: arn.into(),
        definition: Some(definition.into()),
        role_arn: None,
        logging: None,
        updated_ms: 3,
        revision_id: revision_id.into(),
        encryption: None,
    }
}

pub async fn run(store: &dyn Store) {
    publishing(store).await;
    aliases(store).await;
    executions_of_versions(store).await;
    quotas(store).await;
}

/// [`MAX_VERSIONS`] versions and [`MAX_ALIASES`] aliases per state machine: the next is
/// refused, a repeated request is still answered, and deleting one frees a place.
async fn quotas(store: &dyn Store) {
    let owner = machine("quotas");
    store
        .create_state_machine(owner.clone(), vec![])
        .await
        .unwrap();
    let mut last = None;
    for n in 0..MAX_VERSIONS {
        let definition = format!("{{\"Comment\": \"{n}\"}}");
        let revision = format!("r{n}");
        store
            .update_state_machine(update(&owner.arn, &definition, &revision))
            .await
            .unwrap();
        let made = store.publish_version(publish(&owner.arn, None, None)).await;
        last = Some(made.unwrap().into_record());
    }
    let last = last.unwrap();
    // Publishing the current revision again gives its version, quota or not.
    let again = store.publish_version(publish(&owner.arn, None, None)).await;
    assert_eq!(again.unwrap(), Made::Existing(last.clone()));
    store
        .update_state_machine(update(&owner.arn, "{}", "past"))
        .await
        .unwrap();
    let refused = store.publish_version(publish(&owner.arn, None, None)).await;
    assert!(
        matches!(&refused, Err(StoreError::QuotaExceeded(m)) if m.contains("1000 published versions")),
        "{refused:?}"
    );
    let first = fluxo_types::arn::state_machine_version(&owner.arn, 1);
    store.delete_version(&first).await.unwrap();
    let made = store.publish_version(publish(&owner.arn, None, None)).await;
    assert_eq!(made.unwrap().record().number, MAX_VERSIONS as u64 + 1);

    let route = [(last.arn.as_str(), 100)];
    for n in 0..MAX_ALIASES {
        let made = store.create_alias(alias(&owner, &format!("a{n}"), &route));
        assert!(matches!(made.await.unwrap(), Made::Created(_)));
    }
    let refused = store.create_alias(alias(&owner, "one-more", &route)).await;
    assert!(
        matches!(&refused, Err(StoreError::QuotaExceeded(m)) if m.contains("100 aliases")),
        "{refused:?}"
    );
    let repeated = store.create_alias(alias(&owner, "a0", &route)).await;
    assert!(matches!(repeated.unwrap(), Made::Existing(_)));
    let a0 = fluxo_types::arn::state_machine_alias(&owner.arn, "a0");
    store.delete_alias(&a0).await.unwrap();
    let made = store.create_alias(alias(&owner, "one-more", &route)).await;
    assert!(matches!(made.unwrap(), Made::Created(_)));
}

async fn publishing(store: &dyn Store) {
    let owner = machine("published");
    store
        .create_state_machine(owner.clone(), vec![])
        .await
        .unwrap();
    assert!(matches!(
        store
            .publish_version(publish(
                "arn:aws:states:us-east-1:123456789012:stateMachine:none",
                None,
                None
            ))
            .await,
        Err(StoreError::NotFound(_))
    ));
    let first = store
        .publish_version(publish(&owner.arn, None, Some("one")))
        .await
        .unwrap();
    let Made::Created(first) = first else {
        panic!("a first publish creates")
    };
    assert_eq!(
        (first.number, first.revision, first.revision_id.as_deref()),
        (1, 1, None)
    );
    assert_eq!(first.arn, format!("{}:1", owner.arn));
    assert_eq!(
        store
            .publish_version(publish(&owner.arn, None, None))
            .await
            .unwrap(),
        Made::Existing(first.clone()),
        "an unchanged revision gives back its version"
    );
    store
        .update_state_machine(update(
            &owner.arn,
            r#"{"StartAt":"B","States":{"B":{"Type":"Succeed"}}}"#,
            "r2",
        ))
        .await
        .unwrap();
    assert_eq!(
        store
            .publish_version(publish(&owner.arn, Some("r1"), None))
            .await,
        Err(StoreError::RevisionConflict {
            requested: "r1".into(),
            current: "r2".into()
        })
    );
    let second = store
        .publish_version(publish(&owner.arn, Some("r2"), None))
        .await
        .unwrap()
        .into_record();
    assert_eq!(
        (
            second.number,
            second.revision,
            second.revision_id.as_deref()
        ),
        (2, 2, Some("r2"))
    );
    assert_eq!(
        store.get_version(&second.arn).await.unwrap(),
        Some(second.clone())
    );
    store.delete_version(&second.arn).await.unwrap();
    store.delete_version(&second.arn).await.unwrap();
    assert_eq!(store.get_version(&second.arn).await.unwrap(), None);
    numbering_and_listing(store, &owner, &first).await;
}

/// After `publishing`: numbers are never reused, listing is newest first and paged, and a
/// deleted state machine takes its versions with it.
async fn numbering_and_listing(
    store: &dyn Store,
    owner: &StateMachineRecord,
    first: &VersionRecord,
) {
    let third = store
        .publish_version(publish(&owner.arn, None, None))
        .await
        .unwrap()
        .into_record();
    assert_eq!(third.number, 3, "numbers are never given twice");
    store
        .update_state_machine(update(
            &owner.arn,
            r#"{"StartAt":"C","States":{"C":{"Type":"Succeed"}}}"#,
            "r3",
        ))
        .await
        .unwrap();
    let fourth = store
        .publish_version(publish(&owner.arn, None, None))
        .await
        .unwrap()
        .into_record();
    let listed = store
        .list_versions(&owner.arn, page(2, None))
        .await
        .unwrap();
    assert_eq!(
        listed.items,
        [fourth.clone(), third.clone()],
        "newest first"
    );
    let rest = store
        .list_versions(&owner.arn, page(2, listed.next_token))
        .await
        .unwrap();
    assert_eq!((rest.items, rest.next_token), (vec![first.clone()], None));
    assert!(matches!(
        store
            .list_versions(&owner.arn, page(2, Some("junk".into())))
            .await,
        Err(StoreError::InvalidPageToken(_))
    ));
    store.delete_state_machine(&owner.arn).await.unwrap();
    assert_eq!(store.get_version(&first.arn).await.unwrap(), None);
    assert!(store
        .list_versions(&owner.arn, page(0, None))
        .await
        .unwrap()
        .items
        .is_empty());
    store
        .create_state_machine(owner.clone(), vec![])
        .await
        .unwrap();
    let again = store
        .publish_version(publish(&owner.arn, None, None))
        .await
        .unwrap()
        .into_record();
    assert_eq!(
        again.number, 1,
        "a new state machine of that name counts from 1"
    );
    store.delete_state_machine(&owner.arn).await.unwrap();
}

async fn aliases(store: &dyn Store) {
    let owner = machine("aliased");
    store
        .create_state_machine(owner.clone(), vec![])
        .await
        .unwrap();
    let one = store
        .publish_version(publish(&owner.arn, None, None))
        .await
        .unwrap()
        .into_record();
    store
        .update_state_machine(update(
            &owner.arn,
            r#"{"StartAt":"B","States":{"B":{"Type":"Succeed"}}}"#,
            "r2",
        ))
        .await
        .unwrap();
    let two = store
        .publish_version(publish(&owner.arn, None, None))
        .await
        .unwrap()
        .into_record();
    let missing = format!("{}:9", owner.arn);
    assert_eq!(
        store
            .create_alias(alias(&owner, "bad", &[(&missing, 100)]))
            .await,
        Err(StoreError::NotFound(missing.clone()))
    );
    let prod = alias(&owner, "prod", &[(&one.arn, 80), (&two.arn, 20)]);
    assert_eq!(
        store.create_alias(prod.clone()).await.unwrap(),
        Made::Created(prod.clone())
    );
    assert_eq!(
        store.create_alias(prod.clone()).await.unwrap(),
        Made::Existing(prod.clone())
    );
    let other = alias(&owner, "prod", &[(&one.arn, 100)]);
    assert!(matches!(
        store.create_alias(other).await,
        Err(StoreError::NameConflict(_))
    ));
    let beta = alias(&owner, "beta", &[(&two.arn, 100)]);
    store.create_alias(beta.clone()).await.unwrap();
    assert_eq!(
        store.delete_version(&two.arn).await,
        Err(StoreError::VersionInUse {
            aliases: vec!["beta".into(), "prod".into()]
        })
    );
    let listed = store.list_aliases(&owner.arn, page(1, None)).await.unwrap();
    assert_eq!(listed.items, std::slice::from_ref(&beta), "by name");
    let rest = store
        .list_aliases(&owner.arn, page(1, listed.next_token))
        .await
        .unwrap();
    assert_eq!((rest.items, rest.next_token), (vec![prod.clone()], None));
    let updated = store
        .update_alias(AliasUpdate {
            arn: prod.arn.clone(),
            description: None,
            routing: Some(vec![Route {
                version_arn: one.arn.clone(),
                weight: 100,
            }]),
            updated_ms: 9,
        })
        .await
        .unwrap();
    assert_eq!(
        (
            updated.description.as_deref(),
            updated.updated_ms,
            updated.created_ms
        ),
        (Some("d"), 9, 7)
    );
    assert_eq!(store.get_alias(&prod.arn).await.unwrap(), Some(updated));
    assert!(matches!(
        store
            .update_alias(AliasUpdate {
                arn: prod.arn.clone(),
                description: None,
                routing: Some(vec![Route {
                    version_arn: missing.clone(),
                    weight: 100
                }]),
                updated_ms: 9
            })
            .await,
        Err(StoreError::NotFound(_))
    ));
    store.delete_alias(&beta.arn).await.unwrap();
    store.delete_alias(&beta.arn).await.unwrap();
    store.delete_version(&two.arn).await.unwrap();
    assert!(matches!(
        store
            .update_alias(AliasUpdate {
                arn: beta.arn.clone(),
                description: Some("x".into()),
                routing: None,
                updated_ms: 9
            })
            .await,
        Err(StoreError::NotFound(_))
    ));
    store.delete_state_machine(&owner.arn).await.unwrap();
    assert_eq!(store.get_alias(&prod.arn).await.unwrap(), None);
    assert!(store
        .list_aliases(&owner.arn, page(0, None))
        .await
        .unwrap()
        .items
        .is_empty());
}

async fn executions_of_versions(store: &dyn Store) {
    let owner = machine("runs-versions");
    store
        .create_state_machine(owner.clone(), vec![])
        .await
        .unwrap();
    let version = format!("{}:1", owner.arn);
    let alias = format!("{}:live", owner.arn);
    let plain = execution(&owner, "plain", 1);
    let mut through_version = execution(&owner, "through-version", 2);
    through_version.version_arn = Some(version.clone());
    let mut through_alias = execution(&owner, "through-alias", 3);
    through_alias.version_arn = Some(version.clone());
    through_alias.alias_arn = Some(alias.clone());
    for record in [&plain, &through_version, &through_alias] {
        store.start_execution(record.clone()).await.unwrap();
    }
    assert_eq!(
        store.get_execution(&through_alias.arn).await.unwrap(),
        Some(through_alias.clone())
    );
    let names = |listed: Listed<ExecutionRecord>| {
        listed.items.into_iter().map(|e| e.name).collect::<Vec<_>>()
    };
    assert_eq!(
        names(
            store
                .list_executions(&owner.arn, Default::default(), page(0, None))
                .await
                .unwrap()
        ),
        ["through-alias", "through-version", "plain"]
    );
    assert_eq!(
        names(
            store
                .list_executions(&version, Default::default(), page(0, None))
                .await
                .unwrap()
        ),
        ["through-alias", "through-version"]
    );
    assert_eq!(
        names(
            store
                .list_executions(&alias, Default::default(), page(0, None))
                .await
                .unwrap()
        ),
        ["through-alias"]
    );
}
