//! Map Runs in PostgreSQL ([`MapRunStore`]): one row per run, its mutable part as JSON text;
//! a report or an update locks the row, so an `UpdateMapRun` on one node is never lost to a
//! report from another.

use crate::sql::{execute, query, query_opt};
use crate::{backend, fetch, PostgresStore};
use deadpool_postgres::GenericClient;
use fluxo_store::*;
use fluxo_types::map_run::{MapRunLimits, MapRunRecord};
use tokio_postgres::Row;

fn record(at: &AtRest, row: &Row) -> StoreResult<MapRunRecord> {
    let body: String = row.try_get("body").map_err(backend)?;
    at.open_map_run(record_from(
        row.try_get("arn").map_err(backend)?,
        row.try_get("execution_arn").map_err(backend)?,
        row.try_get("start_ms").map_err(backend)?,
        &body,
    )?)
}

async fn by_arn(
    c: &impl GenericClient,
    at: &AtRest,
    arn: &str,
    lock: bool,
) -> StoreResult<Option<MapRunRecord>> {
    let sql = match lock {
        true => "SELECT * FROM map_runs WHERE arn = $1 FOR UPDATE",
        false => "SELECT * FROM map_runs WHERE arn = $1",
    };
    query_opt(c, sql, &[&arn])
        .await?
        .as_ref()
        .map(|row| record(at, row))
        .transpose()
}

async fn save(c: &impl GenericClient, at: &AtRest, record: &MapRunRecord) -> StoreResult<()> {
    execute(
        c,
        "INSERT INTO map_runs (arn, execution_arn, start_ms, body) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (arn) DO UPDATE SET body = excluded.body",
        &[
            &record.arn,
            &record.execution_arn,
            &record.start_ms,
            &body_of(&at.seal_map_run(record.clone())),
        ],
    )
    .await?;
    Ok(())
}

impl MapRunStore for PostgresStore {
    fn report_map_run(&self, record: MapRunRecord) -> StoreFuture<'_, MapRunLimits> {
        Box::pin(async move {
            let mut c = self.client().await?;
            let t = c.transaction().await.map_err(backend)?;
            let limits = match by_arn(&t, &self.at_rest, &record.arn, true).await? {
                Some(existing) => existing.limits,
                None => record.limits,
            };
            save(&t, &self.at_rest, &MapRunRecord { limits, ..record }).await?;
            t.commit().await.map_err(backend)?;
            Ok(limits)
        })
    }

    fn get_map_run<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, Option<MapRunRecord>> {
        Box::pin(async move {
            let c = self.client().await?;
            by_arn(&c, &self.at_rest, arn, false).await
        })
    }

    fn list_map_runs<'a>(
        &'a self,
        execution_arn: &'a str,
        page: Page,
    ) -> StoreFuture<'a, Listed<MapRunRecord>> {
        Box::pin(async move {
            let c = self.client().await?;
            let after = page.after(Listing::MapRuns)?;
            let found = query(
                &c,
                "SELECT * FROM map_runs WHERE execution_arn = $1 AND ($2::text IS NULL OR arn > $2) \
                 ORDER BY arn LIMIT $3",
                &[&execution_arn, &after, &fetch(&page)],
            )
            .await?;
            let runs = found
                .iter()
                .map(|row| record(&self.at_rest, row))
                .collect::<StoreResult<Vec<_>>>()?;
            Ok(listed(runs, page.limit(), Listing::MapRuns, |run| {
                run.arn.clone()
            }))
        })
    }

    fn update_map_run<'a>(
        &'a self,
        arn: &'a str,
        update: MapRunUpdate,
    ) -> StoreFuture<'a, Option<MapRunRecord>> {
        Box::pin(async move {
            let mut c = self.client().await?;
            let t = c.transaction().await.map_err(backend)?;
            let Some(mut record) = by_arn(&t, &self.at_rest, arn, true).await? else {
                return Ok(None);
            };
            record.limits = update.apply(&record.limits);
            save(&t, &self.at_rest, &record).await?;
            t.commit().await.map_err(backend)?;
            Ok(Some(record))
        })
    }
}
