//! Map Runs in SQLite ([`MapRunStore`]): one row per run, its mutable part as JSON text.

use crate::{backend, query_all, SqliteStore};
use fluxo_store::*;
use fluxo_types::map_run::{MapRunLimits, MapRunRecord};
use rusqlite::{params, Connection, OptionalExtension, Row};

fn row(row: &Row) -> rusqlite::Result<(String, String, i64, String)> {
    Ok((
        row.get("arn")?,
        row.get("execution_arn")?,
        row.get("start_ms")?,
        row.get("body")?,
    ))
}

fn by_arn(c: &Connection, at: &AtRest, arn: &str) -> StoreResult<Option<MapRunRecord>> {
    let found = c
        .query_row("SELECT * FROM map_runs WHERE arn = ?1", [arn], row)
        .optional()
        .map_err(backend)?;
    found
        .map(|(arn, execution, start, body)| {
            at.open_map_run(record_from(arn, execution, start, &body)?)
        })
        .transpose()
}

fn save(c: &Connection, at: &AtRest, record: &MapRunRecord) -> StoreResult<()> {
    c.execute(
        "INSERT INTO map_runs (arn, execution_arn, start_ms, body) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (arn) DO UPDATE SET body = excluded.body",
        params![
            record.arn,
            record.execution_arn,
            record.start_ms,
            body_of(&at.seal_map_run(record.clone()))
        ],
    )
    .map_err(backend)?;
    Ok(())
}

impl MapRunStore for SqliteStore {
    fn report_map_run(&self, record: MapRunRecord) -> StoreFuture<'_, MapRunLimits> {
        let at = self.at_rest.clone();
        self.write(move |c| {
            let limits = match by_arn(c, &at, &record.arn)? {
                Some(existing) => existing.limits,
                None => record.limits,
            };
            save(c, &at, &MapRunRecord { limits, ..record })?;
            Ok(limits)
        })
    }

    fn get_map_run<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, Option<MapRunRecord>> {
        let arn = arn.to_string();
        let at = self.at_rest.clone();
        self.read(move |c| by_arn(c, &at, &arn))
    }

    fn list_map_runs<'a>(
        &'a self,
        execution_arn: &'a str,
        page: Page,
    ) -> StoreFuture<'a, Listed<MapRunRecord>> {
        let execution = execution_arn.to_string();
        let at = self.at_rest.clone();
        self.read(move |c| {
            let after = page.after(Listing::MapRuns)?;
            let rows = query_all(
                c,
                "SELECT * FROM map_runs WHERE execution_arn = ?1 AND (?2 IS NULL OR arn > ?2) \
                 ORDER BY arn LIMIT ?3",
                params![execution, after, page.limit() as i64 + 1],
                row,
            )?;
            let records = rows
                .into_iter()
                .map(|(arn, execution, start, body)| {
                    at.open_map_run(record_from(arn, execution, start, &body)?)
                })
                .collect::<StoreResult<Vec<_>>>()?;
            Ok(listed(records, page.limit(), Listing::MapRuns, |run| {
                run.arn.clone()
            }))
        })
    }

    fn update_map_run<'a>(
        &'a self,
        arn: &'a str,
        update: MapRunUpdate,
    ) -> StoreFuture<'a, Option<MapRunRecord>> {
        let arn = arn.to_string();
        let at = self.at_rest.clone();
        self.write(move |c| {
            let Some(mut record) = by_arn(c, &at, &arn)? else {
                return Ok(None);
            };
            record.limits = update.apply(&record.limits);
            save(c, &at, &record)?;
            Ok(Some(record))
        })
    }
}
