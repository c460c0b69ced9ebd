//! Map Runs in the in-memory store: the reference rules of [`MapRunStore`].

use super::MemoryStore;
use crate::*;
use fluxo_types::map_run::{MapRunLimits, MapRunRecord};

impl MapRunStore for MemoryStore {
    fn report_map_run(&self, record: MapRunRecord) -> StoreFuture<'_, MapRunLimits> {
        self.with(move |tables| {
            let limits = match tables.map_runs.get(&record.arn) {
                Some(existing) => existing.limits,
                None => record.limits,
            };
            tables
                .map_runs
                .insert(record.arn.clone(), MapRunRecord { limits, ..record });
            Ok(limits)
        })
    }

    fn get_map_run<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, Option<MapRunRecord>> {
        self.with(move |tables| Ok(tables.map_runs.get(arn).cloned()))
    }

    fn list_map_runs<'a>(
        &'a self,
        execution_arn: &'a str,
        page: Page,
    ) -> StoreFuture<'a, Listed<MapRunRecord>> {
        self.with(move |tables| {
            let after = page.after(Listing::MapRuns)?;
            let items: Vec<MapRunRecord> = tables
                .map_runs
                .values()
                .filter(|run| run.execution_arn == execution_arn)
                .filter(|run| after.as_ref().is_none_or(|after| &run.arn > after))
                .take(page.limit() + 1)
                .cloned()
                .collect();
            Ok(listed(items, page.limit(), Listing::MapRuns, |run| {
                run.arn.clone()
            }))
        })
    }

    fn update_map_run<'a>(
        &'a self,
        arn: &'a str,
        update: MapRunUpdate,
    ) -> StoreFuture<'a, Option<MapRunRecord>> {
        self.with(move |tables| {
            Ok(tables.map_runs.get_mut(arn).map(|run| {
                run.limits = update.apply(&run.limits);
                run.clone()
            }))
        })
    }
}
