//! The [`Store`] implementation: reads inline, multi-statement writes in `writes.rs`, leases
//! in `leases.rs`.

use crate::*;

impl Store for PostgresStore {
    fn create_state_machine(
        &self,
        record: StateMachineRecord,
        tags: Vec<(String, String)>,
    ) -> StoreFuture<'_, Created> {
        Box::pin(async move {
            let mut c = self.client().await?;
            writes::create_state_machine(&mut c, &self.at_rest, record, tags).await
        })
    }

    fn get_state_machine<'a>(
        &'a self,
        arn: &'a str,
    ) -> StoreFuture<'a, Option<StateMachineRecord>> {
        Box::pin(async move {
            #[allow(unused_mut)]
            let mut c = self.client().await?;
            let row = query_opt(&c, "SELECT * FROM state_machines WHERE arn = $1", &[&arn]).await?;
            row.as_ref()
                .map(|row| self.at_rest.open_state_machine(rows::state_machine(row)?))
                .transpose()
        })
    }

    fn update_state_machine(
        &self,
        update: StateMachineUpdate,
    ) -> StoreFuture<'_, StateMachineRecord> {
        Box::pin(async move {
            let mut c = self.client().await?;
            writes::update_state_machine(&mut c, &self.at_rest, update).await
        })
    }

    fn delete_state_machine<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            #[allow(unused_mut)]
            let mut c = self.client().await?;
            let t = c.transaction().await.map_err(backend)?;
            execute(&t, "DELETE FROM state_machines WHERE arn = $1", &[&arn]).await?;
            execute(&t, "DELETE FROM tags WHERE arn = $1", &[&arn]).await?;
            crate::versions::drop_versions(&t, arn).await?;
            t.commit().await.map_err(backend)
        })
    }

    fn list_state_machines(&self, page: Page) -> StoreFuture<'_, Listed<StateMachineRecord>> {
        Box::pin(async move {
            #[allow(unused_mut)]
            let mut c = self.client().await?;
            let after = page.after(Listing::StateMachines)?;
            let rows = query(
                    &c,
                    "SELECT * FROM state_machines WHERE $1::text IS NULL OR name > $1 ORDER BY name LIMIT $2",
                    &[&after, &fetch(&page)],
                )
                .await?;
            let machines = rows::all(&rows, |row| {
                self.at_rest.open_state_machine(rows::state_machine(row)?)
            })?;
            Ok(listed(
                machines,
                page.limit(),
                Listing::StateMachines,
                |m| m.name.clone(),
            ))
        })
    }

    fn get_revision<'a>(
        &'a self,
        state_machine_arn: &'a str,
        revision: u64,
    ) -> StoreFuture<'a, Option<Revision>> {
        Box::pin(async move {
            #[allow(unused_mut)]
            let mut c = self.client().await?;
            let row = query_opt(
                &c,
                "SELECT * FROM revisions WHERE state_machine_arn = $1 AND revision = $2",
                &[&state_machine_arn, &(revision as i64)],
            )
            .await?;
            row.as_ref()
                .map(|row| self.at_rest.open_revision(rows::revision(row)?))
                .transpose()
        })
    }

    fn start_execution(&self, record: ExecutionRecord) -> StoreFuture<'_, Started> {
        Box::pin(async move {
            let c = self.client().await?;
            let record = self.at_rest.seal_execution(record);
            Ok(match writes::start_execution(&c, record).await? {
                Started::Created(r) => Started::Created(self.at_rest.open_execution(r)?),
                Started::Existing(r) => Started::Existing(self.at_rest.open_execution(r)?),
            })
        })
    }

    fn record_child_execution(
        &self,
        record: ExecutionRecord,
        events: Vec<EventRecord>,
    ) -> StoreFuture<'_, ()> {
        let record = self.at_rest.seal_execution(record);
        let events = self.at_rest.seal_events(events);
        Box::pin(async move {
            let mut c = self.client().await?;
            let t = c.transaction().await.map_err(backend)?;
            writes::record_child_execution(&t, record, events).await?;
            t.commit().await.map_err(backend)
        })
    }

    fn get_execution<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, Option<ExecutionRecord>> {
        Box::pin(async move {
            #[allow(unused_mut)]
            let mut c = self.client().await?;
            let row = query_opt(&c, "SELECT * FROM executions WHERE arn = $1", &[&arn]).await?;
            row.as_ref()
                .map(|row| self.at_rest.open_execution(rows::execution(row)?))
                .transpose()
        })
    }

    fn list_executions<'a>(
        &'a self,
        state_machine_arn: &'a str,
        filter: ExecutionFilter,
        page: Page,
    ) -> StoreFuture<'a, Listed<ExecutionRecord>> {
        let status = filter.status.map(ExecutionStatus::as_str);
        let redriven = filter.redriven;
        Box::pin(async move {
            #[allow(unused_mut)]
            let mut c = self.client().await?;
            let before = position(page.after_number(Listing::Executions)?, i64::MAX);
            // The column is one of three fixed names, chosen by the ARN's form.
            let sql = format!(
                "SELECT * FROM executions WHERE {} = $1 AND seq < $2 \
                     AND ($3::text IS NULL OR status = $3) \
                     AND ($5::boolean IS NULL OR (redrive_count > 0) = $5) ORDER BY seq DESC LIMIT $4",
                ListedBy::of(state_machine_arn).column()
            );
            let rows = query(
                &c,
                &sql,
                &[
                    &state_machine_arn,
                    &before,
                    &status,
                    &fetch(&page),
                    &redriven,
                ],
            )
            .await?;
            execution_page(
                &self.at_rest,
                rows::all(&rows, rows::keyed_execution)?,
                &page,
            )
        })
    }

    fn executions_to_resume(&self, page: Page) -> StoreFuture<'_, Listed<ExecutionRecord>> {
        Box::pin(async move {
            #[allow(unused_mut)]
            let mut c = self.client().await?;
            let after = position(page.after_number(Listing::Executions)?, 0);
            let rows = query(
                &c,
                "SELECT * FROM executions e WHERE status = 'RUNNING' AND seq > $1 \
                     AND NOT EXISTS (SELECT 1 FROM timers t WHERE t.execution_arn = e.arn) \
                     ORDER BY seq LIMIT $2",
                &[&after, &fetch(&page)],
            )
            .await?;
            execution_page(
                &self.at_rest,
                rows::all(&rows, rows::keyed_execution)?,
                &page,
            )
        })
    }

    fn commit(&self, transition: Transition) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            let mut c = self.client().await?;
            writes::commit(&mut c, self.at_rest.seal_transition(transition)).await
        })
    }

    fn abort_execution(&self, abort: Abort) -> StoreFuture<'_, ExecutionRecord> {
        Box::pin(async move {
            let mut c = self.client().await?;
            let abort = self.at_rest.seal_abort(abort);
            let record = writes::abort_execution(&mut c, abort).await?;
            self.at_rest.open_execution(record)
        })
    }

    fn redrive_execution(&self, redrive: Redrive) -> StoreFuture<'_, Redriven> {
        Box::pin(async move {
            let mut c = self.client().await?;
            crate::redrive::redrive_execution(&mut c, &self.at_rest, redrive).await
        })
    }

    fn events<'a>(
        &'a self,
        execution_arn: &'a str,
        reverse: bool,
        page: Page,
    ) -> StoreFuture<'a, Listed<EventRecord>> {
        Box::pin(async move {
            #[allow(unused_mut)]
            let mut c = self.client().await?;
            let after = page.after_number(Listing::Events)?;
            let sql = match reverse {
                    false => "SELECT * FROM events WHERE execution_arn = $1 AND id > $2 ORDER BY id ASC LIMIT $3",
                    true => "SELECT * FROM events WHERE execution_arn = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
                };
            let from = position(after, if reverse { i64::MAX } else { 0 });
            let rows = query(&c, sql, &[&execution_arn, &from, &fetch(&page)]).await?;
            let events = rows::all(&rows, |row| self.at_rest.open_event(rows::event(row)?))?;
            Ok(listed(events, page.limit(), Listing::Events, |e| {
                e.id.to_string()
            }))
        })
    }

    fn due_timers(&self, now_ms: i64, limit: usize) -> StoreFuture<'_, Vec<Timer>> {
        Box::pin(async move {
            #[allow(unused_mut)]
            let mut c = self.client().await?;
            let rows = query(
                &c,
                "SELECT execution_arn, fire_at_ms FROM timers WHERE fire_at_ms <= $1 \
                     ORDER BY fire_at_ms, execution_arn LIMIT $2",
                &[&now_ms, &(limit as i64)],
            )
            .await?;
            Ok(rows
                .iter()
                .map(|row| Timer {
                    execution_arn: row.get(0),
                    fire_at_ms: row.get(1),
                })
                .collect())
        })
    }

    fn claim_execution<'a>(
        &'a self,
        arn: &'a str,
        claim: Claim,
    ) -> StoreFuture<'a, Option<Claimed>> {
        Box::pin(async move {
            let c = self.client().await?;
            let claimed = leases::claim_execution(&c, arn, &claim).await?;
            Ok(open_claimed(&self.at_rest, claimed.into_iter().collect())?.pop())
        })
    }

    fn claim_orphans(&self, claim: Claim, limit: usize) -> StoreFuture<'_, Vec<Claimed>> {
        Box::pin(async move {
            let c = self.client().await?;
            open_claimed(
                &self.at_rest,
                leases::claim_orphans(&c, &claim, limit).await?,
            )
        })
    }

    fn claim_due(&self, claim: Claim, limit: usize) -> StoreFuture<'_, Vec<Claimed>> {
        Box::pin(async move {
            let c = self.client().await?;
            open_claimed(&self.at_rest, leases::claim_due(&c, &claim, limit).await?)
        })
    }

    fn renew_leases(&self, claim: Claim) -> StoreFuture<'_, Vec<Lease>> {
        Box::pin(async move {
            let c = self.client().await?;
            leases::renew(&c, &claim).await
        })
    }

    fn release_lease<'a>(&'a self, execution_arn: &'a str, fence: Fence) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let c = self.client().await?;
            leases::release(&c, execution_arn, &fence).await
        })
    }

    fn release_node<'a>(&'a self, owner: &'a str) -> StoreFuture<'a, usize> {
        Box::pin(async move {
            let c = self.client().await?;
            leases::release_node(&c, owner).await
        })
    }

    fn tag_resource(&self, arn: String, tags: Vec<(String, String)>) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            let c = self.client().await?;
            writes::tag(&c, &arn, tags).await
        })
    }

    fn untag_resource(&self, arn: String, keys: Vec<String>) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            #[allow(unused_mut)]
            let mut c = self.client().await?;
            execute(
                &c,
                "DELETE FROM tags WHERE arn = $1 AND key = ANY($2)",
                &[&arn, &keys],
            )
            .await?;
            Ok(())
        })
    }

    fn list_tags<'a>(&'a self, arn: &'a str) -> StoreFuture<'a, Vec<(String, String)>> {
        Box::pin(async move {
            #[allow(unused_mut)]
            let mut c = self.client().await?;
            let rows = query(
                &c,
                "SELECT key, value FROM tags WHERE arn = $1 ORDER BY key",
                &[&arn],
            )
            .await?;
            Ok(rows.iter().map(|row| (row.get(0), row.get(1))).collect())
        })
    }

    fn notices(&self) -> Option<Notices> {
        Some(crate::notices::listen(
            self.config.clone(),
            self.tls.clone(),
        ))
    }
}
