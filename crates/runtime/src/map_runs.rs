//! Map Runs left RUNNING by an execution that ended without them: stopped (`StopExecution`),
//! timed out, or failed by another branch while a distributed Map's children ran. Their
//! driver is gone, so nothing else would end them; AWS shows them `ABORTED`
//! ("DescribeMapRun": a Map Run's status follows its parent's end).

use crate::Runtime;
use fluxo_store::Page;
use fluxo_types::map_run::MapRunStatus;

/// Map Runs read per page.
const PAGE: usize = 100;

impl Runtime {
    /// Marks every Map Run of `execution_arn` still RUNNING as ABORTED at `now_ms`. A store
    /// error costs only the records (logged).
    pub(crate) async fn close_map_runs(&self, execution_arn: &str, now_ms: i64) {
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
