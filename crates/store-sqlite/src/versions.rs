//! Versions and aliases in SQLite ([`VersionStore`]): the rules of the reference store, each
//! write checked and applied inside the writer's savepoint.

use crate::{backend, query_all, SqliteStore};
use fluxo_store::*;
use rusqlite::{params, Connection, OptionalExtension, Row};

fn version(row: &Row) -> rusqlite::Result<VersionRecord> {
    Ok(VersionRecord {
        arn: row.get("arn")?,
        state_machine_arn: row.get("state_machine_arn")?,
        number: row.get::<_, i64>("number")? as u64,
        revision: row.get::<_, i64>("revision")? as u64,
        revision_id: row.get("revision_id")?,
        description: row.get("description")?,
        created_ms: row.get("created_ms")?,
    })
}

fn alias(row: &Row) -> rusqlite::Result<AliasRecord> {
    let routing: String = row.get("routing")?;
    Ok(AliasRecord {
        arn: row.get("arn")?,
        state_machine_arn: row.get("state_machine_arn")?,
        name: row.get("name")?,
        description: row.get("description")?,
        routing: routes_from_text(&routing).unwrap_or_default(),
        created_ms: row.get("created_ms")?,
        updated_ms: row.get("updated_ms")?,
    })
}

fn version_by_arn(c: &Connection, arn: &str) -> StoreResult<Option<VersionRecord>> {
    c.query_row("SELECT * FROM versions WHERE arn = ?1", [arn], version)
        .optional()
        .map_err(backend)
}

fn alias_by_arn(c: &Connection, arn: &str) -> StoreResult<Option<AliasRecord>> {
    c.query_row("SELECT * FROM aliases WHERE arn = ?1", [arn], alias)
        .optional()
        .map_err(backend)
}

fn check_routes(c: &Connection, routes: &[Route]) -> StoreResult<()> {
    for route in routes {
        if version_by_arn(c, &route.version_arn)?.is_none() {
            return Err(StoreError::NotFound(route.version_arn.clone()));
        }
    }
    Ok(())
}

fn publish(c: &Connection, publish: Publish) -> StoreResult<Made<VersionRecord>> {
    let machine = c
        .query_row(
            "SELECT * FROM state_machines WHERE arn = ?1",
            [&publish.state_machine_arn],
            crate::rows::state_machine,
        )
        .optional()
        .map_err(backend)?
        .ok_or_else(|| StoreError::NotFound(publish.state_machine_arn.clone()))?;
    revision_check(&publish, &machine)?;
    let latest = c
        .query_row(
            "SELECT * FROM versions WHERE state_machine_arn = ?1 ORDER BY number DESC LIMIT 1",
            [&machine.arn],
            version,
        )
        .optional()
        .map_err(backend)?;
    if let Some(existing) = republished(latest.as_ref(), &machine) {
        return Ok(Made::Existing(existing.clone()));
    }
    let count: i64 = c
        .query_row(
            "SELECT count(*) FROM versions WHERE state_machine_arn = ?1",
            [&machine.arn],
            |row| row.get(0),
        )
        .map_err(backend)?;
    if count as usize >= MAX_VERSIONS {
        return Err(versions_exceeded(&machine.arn));
    }
    let number: i64 = c
        .query_row(
            "UPDATE state_machines SET last_version = last_version + 1 WHERE arn = ?1 \
             RETURNING last_version",
            [&machine.arn],
            |row| row.get(0),
        )
        .map_err(backend)?;
    let record = VersionRecord {
        arn: fluxo_types::arn::state_machine_version(&machine.arn, number as u64),
        state_machine_arn: machine.arn.clone(),
        number: number as u64,
        revision: machine.revision,
        revision_id: machine.revision_id.clone(),
        description: publish.description,
        created_ms: publish.created_ms,
    };
    c.execute(
        "INSERT INTO versions (arn, state_machine_arn, number, revision, revision_id, description, created_ms) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            record.arn,
            record.state_machine_arn,
            number,
            record.revision as i64,
            record.revision_id,
            record.description,
            record.created_ms
        ],
    )
    .map_err(backend)?;
    Ok(Made::Created(record))
}

fn delete_version(c: &Connection, arn: &str) -> StoreResult<()> {
    let Some(found) = version_by_arn(c, arn)? else {
        return Ok(());
    };
    let aliases: Vec<String> = query_all(
        c,
        "SELECT * FROM aliases WHERE state_machine_arn = ?1 ORDER BY name",
        [&found.state_machine_arn],
        alias,
    )?
    .into_iter()
    .filter(|a| a.routing.iter().any(|r| r.version_arn == arn))
    .map(|a| a.name)
    .collect();
    if !aliases.is_empty() {
        return Err(StoreError::VersionInUse { aliases });
    }
    c.execute("DELETE FROM versions WHERE arn = ?1", [arn])
        .map_err(backend)?;
    Ok(())
}

fn create_alias(c: &Connection, record: AliasRecord) -> StoreResult<Made<AliasRecord>> {
    if let Some(existing) = alias_by_arn(c, &record.arn)? {
        return if existing.same_creation(&record) {
            Ok(Made::Existing(existing))
        } else {
            Err(StoreError::NameConflict(record.arn))
        };
    }
    check_routes(c, &record.routing)?;
    let count: i64 = c
        .query_row(
            "SELECT count(*) FROM aliases WHERE state_machine_arn = ?1",
            [&record.state_machine_arn],
            |row| row.get(0),
        )
        .map_err(backend)?;
    if count as usize >= MAX_ALIASES {
        return Err(aliases_exceeded(&record.state_machine_arn));
    }
    c.execute(
        "INSERT INTO aliases (arn, state_machine_arn, name, description, routing, created_ms, updated_ms) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            record.arn,
            record.state_machine_arn,
            record.name,
            record.description,
            routes_to_text(&record.routing),
            record.created_ms,
            record.updated_ms
        ],
    )
    .map_err(backend)?;
    Ok(Made::Created(record))
}

fn update_alias(c: &Connection, update: AliasUpdate) -> StoreResult<AliasRecord> {
    let mut record =
        alias_by_arn(c, &update.arn)?.ok_or_else(|| StoreError::NotFound(update.arn.clone()))?;
    if let Some(routing) = update.routing {
        check_routes(c, &routing)?;
        record.routing = routing;
    }
    if let Some(description) = update.description {
        record.description = Some(description);
    }
    record.updated_ms = update.updated_ms;
    c.execute(
        "UPDATE aliases SET description = ?2, routing = ?3, updated_ms = ?4 WHERE arn = ?1",
        params![
            record.arn,
            record.description,
            routes_to_text(&record.routing),
            record.updated_ms
        ],
    )
    .map_err(backend)?;
    Ok(record)
}

/// Deletes what a deleted state machine had: its versions and aliases.
pub fn drop_versions(c: &Connection, state_machine_arn: &str) -> StoreResult<()> {
    c.execute(
        "DELETE FROM versions WHERE state_machine_arn = ?1",
        [state_machine_arn],
    )
    .map_err(backend)?;
    c.execute(
        "DELETE FROM aliases WHERE state_machine_arn = ?1",
        [state_machine_arn],
    )
    .map_err(backend)?;
    Ok(())
}

impl VersionStore for SqliteStore {
    fn publish_version(&self, request: Publish) -> StoreFuture<'_, Made<VersionRecord>> {
        self.write(move |c| publish(c, request))
    }

    fn get_version<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, Option<VersionRecord>> {
        let arn = arn.to_string();
        self.read(move |c| version_by_arn(c, &arn))
    }

    fn list_versions<'a>(
        &'a self,
        state_machine_arn: &'a str,
        page: Page,
    ) -> StoreFuture<'a, Listed<VersionRecord>> {
        let machine = state_machine_arn.to_string();
        self.read(move |c| {
            let before = page.after_number(Listing::Versions)?.unwrap_or(u64::MAX);
            let before = i64::try_from(before).unwrap_or(i64::MAX);
            let rows = query_all(
                c,
                "SELECT * FROM versions WHERE state_machine_arn = ?1 AND number < ?2 \
                 ORDER BY number DESC LIMIT ?3",
                params![machine, before, page.limit() as i64 + 1],
                version,
            )?;
            Ok(listed(rows, page.limit(), Listing::Versions, |v| {
                v.number.to_string()
            }))
        })
    }

    fn delete_version<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, ()> {
        let arn = arn.to_string();
        self.write(move |c| delete_version(c, &arn))
    }

    fn create_alias(&self, record: AliasRecord) -> StoreFuture<'_, Made<AliasRecord>> {
        self.write(move |c| create_alias(c, record))
    }

    fn get_alias<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, Option<AliasRecord>> {
        let arn = arn.to_string();
        self.read(move |c| alias_by_arn(c, &arn))
    }

    fn update_alias(&self, update: AliasUpdate) -> StoreFuture<'_, AliasRecord> {
        self.write(move |c| update_alias(c, update))
    }

    fn delete_alias<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, ()> {
        let arn = arn.to_string();
        self.write(move |c| {
            c.execute("DELETE FROM aliases WHERE arn = ?1", [arn])
                .map_err(backend)?;
            Ok(())
        })
    }

    fn list_aliases<'a>(
        &'a self,
        state_machine_arn: &'a str,
        page: Page,
    ) -> StoreFuture<'a, Listed<AliasRecord>> {
        let machine = state_machine_arn.to_string();
        self.read(move |c| {
            let after = page.after(Listing::Aliases)?;
            let rows = query_all(
                c,
                "SELECT * FROM aliases WHERE state_machine_arn = ?1 AND (?2 IS NULL OR name > ?2) \
                 ORDER BY name LIMIT ?3",
                params![machine, after, page.limit() as i64 + 1],
                alias,
            )?;
            Ok(listed(rows, page.limit(), Listing::Aliases, |a| {
                a.name.clone()
            }))
        })
    }
}
