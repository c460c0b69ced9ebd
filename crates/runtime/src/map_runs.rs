//! Map Runs left RUNNING by an execution that ended without them: stopped (`StopExecution`),
//! timed out, or failed by another branch while a distributed Map's children ran. Their
//! driver is gone, so nothing else would end them; AWS shows them `ABORTED`
//! ("DescribeMapRun": a Map Run's status follows its parent's end), and their running child
//! executions too ("Distributed Map state child workflow executions").

use crate::Runtime;
use fluxo_engine::ChildExecution;
use fluxo_store::Page;
use fluxo_types::map_run::MapRunStatus;
use std::collections::HashMap;
use std::sync::Mutex;

/// Map Runs read per page.
const PAGE: usize = 100;

/// The Standard child executions of distributed Maps that run on this node, by parent
/// execution ARN then child ARN, each as told at its start
/// (`Environment::child_execution_started`): what [`Runtime::close_map_runs`] records as
/// ABORTED when their parent ends without them. A child leaves when it ends.
#[derive(Default)]
pub(crate) struct RunningChildren(Mutex<HashMap<String, HashMap<String, ChildExecution>>>);

impl RunningChildren {
    pub(crate) fn started(&self, parent: &str, child: ChildExecution) {
        let mut running = self.0.lock().unwrap_or_else(|e| e.into_inner());
        running
            .entry(parent.to_string())
            .or_default()
            .insert(child.execution_arn.clone(), child);
    }

    pub(crate) fn ended(&self, parent: &str, child_arn: &str) {
        let mut running = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(children) = running.get_mut(parent) {
            children.remove(child_arn);
            if children.is_empty() {
                running.remove(parent);
            }
        }
    }

    /// The children of `parent` still running, which leave.
    fn take(&self, parent: &str) -> Vec<ChildExecution> {
        let mut running = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let mut children: Vec<ChildExecution> = running
            .remove(parent)
            .map(|children| children.into_values().collect())
            .unwrap_or_default();
        children.sort_by(|a, b| a.start.cmp(&b.start).then(a.name.cmp(&b.name)));
        children
    }
}

impl Runtime {
    /// The child executions `parent` left running become ABORTED at `now_ms`, with
    /// `ExecutionStarted` and `ExecutionAborted` (their events in between went with their
    /// parent's driver). A store error costs only their records (logged).
    async fn abort_running_children(&self, parent: &str, now_ms: i64) {
        let stop =
            jiff::Timestamp::from_millisecond(now_ms).unwrap_or_else(|_| jiff::Timestamp::now());
        for child in self.map_children.take(parent) {
            let (record, events) = crate::durable::child_record(child.aborted_at(stop));
            if let Err(error) = self.store.record_child_execution(record, events).await {
                tracing::warn!(%error, parent, "an aborted child execution could not be stored");
            }
        }
    }

    /// Marks every Map Run of `execution_arn` still RUNNING as ABORTED at `now_ms`, with the
    /// child executions it left running. A store error costs only the records (logged).
    pub(crate) async fn close_map_runs(&self, execution_arn: &str, now_ms: i64) {
        self.abort_running_children(execution_arn, now_ms).await;
        let mut token = None;
        loop {
            let listed = match self
                .store
                .list_map_runs(execution_arn, Page::new(PAGE, token))
                .await
            {
                Ok(listed) => listed,
                Err(error) => {
                    tracing::warn!(%error, execution_arn, "cannot read an execution's Map Runs");
                    return;
                }
            };
            for mut record in listed.items {
                if record.status != MapRunStatus::Running {
                    continue;
                }
                record.status = MapRunStatus::Aborted;
                record.stop_ms = Some(now_ms);
                // The children that were running are aborted with their parent.
                for counts in [&mut record.item_counts, &mut record.execution_counts] {
                    counts.aborted += counts.running;
                    counts.running = 0;
                }
                if let Err(error) = self.store.report_map_run(record).await {
                    tracing::warn!(%error, execution_arn, "cannot end a Map Run");
                }
            }
            match listed.next_token {
                Some(next) => token = Some(next),
                None => return,
            }
        }
    }
}
