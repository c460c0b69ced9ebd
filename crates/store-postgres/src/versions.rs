//! Versions and aliases in PostgreSQL ([`VersionStore`]): the rules of the reference store.
//! A publish locks its state machine's row, so concurrent publishes on several nodes number
//! their versions one after the other; an alias locks the versions it routes to (`FOR SHARE`)
//! and a version delete locks the version (`FOR UPDATE`), so that no alias can come to route to
//! a version being deleted.

use crate::sql::{execute, query, query_opt};
use crate::{backend, fetch, rows, PostgresStore};
use deadpool_postgres::GenericClient;
use fluxo_store::*;
use tokio_postgres::Row;

fn version(row: &Row) -> StoreResult<VersionRecord> {
    let get = |column: &str| row.try_get::<_, i64>(column).map_err(backend);
    Ok(VersionRecord {
        arn: row.try_get("arn").map_err(backend)?,
        state_machine_arn: row.try_get("state_machine_arn").map_err(backend)?,
        number: get("number")? as u64,
        revision: get("revision")? as u64,
        revision_id: row.try_get("revision_id").map_err(backend)?,
        description: row.try_get("description").map_err(backend)?,
        created_ms: get("created_ms")?,
    })
}

fn alias(row: &Row) -> StoreResult<AliasRecord> {
    let routing: String = row.try_get("routing").map_err(backend)?;
    Ok(AliasRecord {
        arn: row.try_get("arn").map_err(backend)?,
        state_machine_arn: row.try_get("state_machine_arn").map_err(backend)?,
        name: row.try_get("name").map_err(backend)?,
        description: row.try_get("description").map_err(backend)?,
        routing: routes_from_text(&routing).unwrap_or_default(),
        created_ms: row.try_get("created_ms").map_err(backend)?,
        updated_ms: row.try_get("updated_ms").map_err(backend)?,
    })
}

async fn version_by_arn(
    c: &impl GenericClient,
    sql: &str,
    arn: &str,
) -> StoreResult<Option<VersionRecord>> {
    query_opt(c, sql, &[&arn])
        .await?
        .as_ref()
        .map(version)
        .transpose()
}

async fn alias_by_arn(
    c: &impl GenericClient,
    arn: &str,
    lock: bool,
) -> StoreResult<Option<AliasRecord>> {
    let sql = match lock {
        true => "SELECT * FROM aliases WHERE arn = $1 FOR UPDATE",
        false => "SELECT * FROM aliases WHERE arn = $1",
    };
    query_opt(c, sql, &[&arn])
        .await?
        .as_ref()
        .map(alias)
        .transpose()
}

async fn check_routes(c: &impl GenericClient, routes: &[Route]) -> StoreResult<()> {
    for route in routes {
        let sql = "SELECT * FROM versions WHERE arn = $1 FOR SHARE";
        if version_by_arn(c, sql, &route.version_arn).await?.is_none() {
            return Err(StoreError::NotFound(route.version_arn.clone()));
        }
    }
    Ok(())
}

async fn publish(c: &impl GenericClient, publish: Publish) -> StoreResult<Made<VersionRecord>> {
    let machine = query_opt(
        c,
        "SELECT * FROM state_machines WHERE arn = $1 FOR UPDATE",
        &[&publish.state_machine_arn],
    )
    .await?
    .as_ref()
    .map(rows::state_machine)
    .transpose()?
    .ok_or_else(|| StoreError::NotFound(publish.state_machine_arn.clone()))?;
    revision_check(&publish, &machine)?;
    let latest = version_by_arn(
        c,
        "SELECT * FROM versions WHERE state_machine_arn = $1 ORDER BY number DESC LIMIT 1",
        &machine.arn,
    )
    .await?;
    if let Some(existing) = republished(latest.as_ref(), &machine) {
        return Ok(Made::Existing(existing.clone()));
    }
    // The state machine's row is locked: concurrent publishes count one after the other.
    let count: i64 = query(
        c,
        "SELECT count(*) FROM versions WHERE state_machine_arn = $1",
        &[&machine.arn],
    )
    .await?[0]
        .get(0);
    if count as usize >= MAX_VERSIONS {
        return Err(versions_exceeded(&machine.arn));
    }
    let number: i64 = query(
        c,
        "UPDATE state_machines SET last_version = last_version + 1 WHERE arn = $1 RETURNING last_version",
        &[&machine.arn],
    )
    .await?[0]
        .get(0);
    let record = VersionRecord {
        arn: fluxo_types::arn::state_machine_version(&machine.arn, number as u64),
        state_machine_arn: machine.arn.clone(),
        number: number as u64,
        revision: machine.revision,
        revision_id: machine.revision_id.clone(),
        description: publish.description,
        created_ms: publish.created_ms,
    };
    execute(
        c,
        "INSERT INTO versions (arn, state_machine_arn, number, revision, revision_id, description, created_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &record.arn,
            &record.state_machine_arn,
            &number,
            &(record.revision as i64),
            &record.revision_id,
            &record.description,
            &record.created_ms,
        ],
    )
    .await?;
    Ok(Made::Created(record))
}

async fn delete_version(c: &impl GenericClient, arn: &str) -> StoreResult<()> {
    let sql = "SELECT * FROM versions WHERE arn = $1 FOR UPDATE";
    let Some(found) = version_by_arn(c, sql, arn).await? else {
        return Ok(());
    };
    let rows = query(
        c,
        "SELECT * FROM aliases WHERE state_machine_arn = $1 ORDER BY name",
        &[&found.state_machine_arn],
    )
    .await?;
    let mut aliases = Vec::new();
    for row in &rows {
        let alias = alias(row)?;
        if alias.routing.iter().any(|r| r.version_arn == arn) {
            aliases.push(alias.name);
        }
    }
    if !aliases.is_empty() {
        return Err(StoreError::VersionInUse { aliases });
    }
    execute(c, "DELETE FROM versions WHERE arn = $1", &[&arn]).await?;
    Ok(())
}

async fn create_alias(
    c: &impl GenericClient,
    record: AliasRecord,
) -> StoreResult<Made<AliasRecord>> {
    check_routes(c, &record.routing).await?;
    // Locking the state machine's row makes concurrent creations count one after the other;
    // a repeated creation of an existing alias is answered below, whatever the count.
    query(
        c,
        "SELECT 1 FROM state_machines WHERE arn = $1 FOR UPDATE",
        &[&record.state_machine_arn],
    )
    .await?;
    let counted = query(
        c,
        "SELECT count(*), count(*) FILTER (WHERE arn = $2) FROM aliases WHERE state_machine_arn = $1",
        &[&record.state_machine_arn, &record.arn],
    )
    .await?;
    let (count, existing): (i64, i64) = (counted[0].get(0), counted[0].get(1));
    if existing == 0 && count as usize >= MAX_ALIASES {
        return Err(aliases_exceeded(&record.state_machine_arn));
    }
    let inserted = execute(
        c,
        "INSERT INTO aliases (arn, state_machine_arn, name, description, routing, created_ms, updated_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (arn) DO NOTHING",
        &[
            &record.arn,
            &record.state_machine_arn,
            &record.name,
            &record.description,
            &routes_to_text(&record.routing),
            &record.created_ms,
            &record.updated_ms,
        ],
    )
    .await?;
    if inserted == 1 {
        return Ok(Made::Created(record));
    }
    let existing = alias_by_arn(c, &record.arn, false)
        .await?
        .ok_or_else(|| StoreError::NotFound(record.arn.clone()))?;
    if existing.same_creation(&record) {
        Ok(Made::Existing(existing))
    } else {
        Err(StoreError::NameConflict(record.arn))
    }
}

async fn update_alias(c: &impl GenericClient, update: AliasUpdate) -> StoreResult<AliasRecord> {
    let mut record = alias_by_arn(c, &update.arn, true)
        .await?
        .ok_or_else(|| StoreError::NotFound(update.arn.clone()))?;
    if let Some(routing) = update.routing {
        check_routes(c, &routing).await?;
        record.routing = routing;
    }
    if let Some(description) = update.description {
        record.description = Some(description);
    }
    record.updated_ms = update.updated_ms;
    execute(
        c,
        "UPDATE aliases SET description = $2, routing = $3, updated_ms = $4 WHERE arn = $1",
        &[
            &record.arn,
            &record.description,
            &routes_to_text(&record.routing),
            &record.updated_ms,
        ],
    )
    .await?;
    Ok(record)
}

/// Deletes what a deleted state machine had: its versions and aliases.
pub async fn drop_versions(c: &impl GenericClient, state_machine_arn: &str) -> StoreResult<()> {
    execute(
        c,
        "DELETE FROM aliases WHERE state_machine_arn = $1",
        &[&state_machine_arn],
    )
    .await?;
    execute(
        c,
        "DELETE FROM versions WHERE state_machine_arn = $1",
        &[&state_machine_arn],
    )
    .await?;
    Ok(())
}

/// Runs `work` in one transaction, committed when it succeeds.
macro_rules! transaction {
    ($store:expr, |$t:ident| $work:expr) => {{
        let mut c = $store.client().await?;
        let $t = c.transaction().await.map_err(backend)?;
        let result = $work;
        $t.commit().await.map_err(backend)?;
        Ok(result)
    }};
}

impl VersionStore for PostgresStore {
    fn publish_version(&self, request: Publish) -> StoreFuture<'_, Made<VersionRecord>> {
        Box::pin(async move { transaction!(self, |t| publish(&t, request).await?) })
    }

    fn get_version<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, Option<VersionRecord>> {
        Box::pin(async move {
            let c = self.client().await?;
            version_by_arn(&c, "SELECT * FROM versions WHERE arn = $1", arn).await
        })
    }

    fn list_versions<'a>(
        &'a self,
        state_machine_arn: &'a str,
        page: Page,
    ) -> StoreFuture<'a, Listed<VersionRecord>> {
        Box::pin(async move {
            let c = self.client().await?;
            let before = page.after_number(Listing::Versions)?.unwrap_or(u64::MAX);
            let before = i64::try_from(before).unwrap_or(i64::MAX);
            let found = query(
                &c,
                "SELECT * FROM versions WHERE state_machine_arn = $1 AND number < $2 \
                 ORDER BY number DESC LIMIT $3",
                &[&state_machine_arn, &before, &fetch(&page)],
            )
            .await?;
            let versions = found.iter().map(version).collect::<StoreResult<Vec<_>>>()?;
            Ok(listed(versions, page.limit(), Listing::Versions, |v| {
                v.number.to_string()
            }))
        })
    }

    fn delete_version<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move { transaction!(self, |t| delete_version(&t, arn).await?) })
    }

    fn create_alias(&self, record: AliasRecord) -> StoreFuture<'_, Made<AliasRecord>> {
        Box::pin(async move { transaction!(self, |t| create_alias(&t, record).await?) })
    }

    fn get_alias<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, Option<AliasRecord>> {
        Box::pin(async move {
            let c = self.client().await?;
            alias_by_arn(&c, arn, false).await
        })
    }

    fn update_alias(&self, update: AliasUpdate) -> StoreFuture<'_, AliasRecord> {
        Box::pin(async move { transaction!(self, |t| update_alias(&t, update).await?) })
    }

    fn delete_alias<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let c = self.client().await?;
            execute(&c, "DELETE FROM aliases WHERE arn = $1", &[&arn]).await?;
            Ok(())
        })
    }

    fn list_aliases<'a>(
        &'a self,
        state_machine_arn: &'a str,
        page: Page,
    ) -> StoreFuture<'a, Listed<AliasRecord>> {
        Box::pin(async move {
            let c = self.client().await?;
            let after = page.after(Listing::Aliases)?;
            let found = query(
                &c,
                "SELECT * FROM aliases WHERE state_machine_arn = $1 AND ($2::text IS NULL OR name > $2) \
                 ORDER BY name LIMIT $3",
                &[&state_machine_arn, &after, &fetch(&page)],
            )
            .await?;
            let aliases = found.iter().map(alias).collect::<StoreResult<Vec<_>>>()?;
            Ok(listed(aliases, page.limit(), Listing::Aliases, |a| {
                a.name.clone()
            }))
        })
    }
}
