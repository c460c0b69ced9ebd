//! This node hears what other nodes commit (the store's [`Notice`]s: PostgreSQL's
//! `LISTEN`/`NOTIFY`) and acts at once instead of at its next look at the store: a worker
//! polling here for an activity whose task another node scheduled gets it, a driver
//! waiting on a task that another node's `SendTaskSuccess` ended wakes, a driver of an
//! execution that another node stopped ends, the console's live views hear of the stop, and
//! a reopened channel makes the node look for due and orphaned work. The polling of
//! `nodes.rs` stays as the fallback for a notice that was lost.

use crate::Runtime;
use fluxo_store::Notice;
use futures::StreamExt;
use std::sync::Arc;
use tokio::task::JoinHandle;

impl Runtime {
    /// Listens to the store's notices (a background task); `None` when the store has none
    /// (one node owns it: its own wake-ups are in process).
    pub fn spawn_listener(self: &Arc<Self>) -> Option<JoinHandle<()>> {
        let mut notices = self.store.notices()?;
        let runtime = self.clone();
        Some(tokio::spawn(async move {
            while let Some(notice) = notices.next().await {
                runtime.on_notice(notice);
            }
        }))
    }

    fn on_notice(&self, notice: Notice) {
        match notice {
            // The driver, if it runs here, reads its task again. An execution unloaded from
            // every node was claimed by the node that ended the task (`Runtime::wake`).
            Notice::TaskEnded { token, .. } => self.hub.notify_all(&token),
            // A worker polling here may take it.
            Notice::TaskScheduled { activity_arn } => self.hub.notify_one(&activity_arn),
            Notice::Stopped { execution_arn } => {
                let driver = self
                    .running
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(&execution_arn);
                if let Some(driver) = driver {
                    tracing::info!(arn = %execution_arn, "stopped on another node; this node stops driving it");
                    driver.handle.abort();
                }
                let _ = self.changes.send(execution_arn.as_str().into());
                // A `.sync` parent waiting here on this execution looks again.
                self.hub.notify_all(&execution_arn);
            }
            Notice::Resync => self.poke.notify_one(),
        }
    }
}
