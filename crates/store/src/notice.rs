//! Notices between the nodes sharing a store: a hint that another node committed work this
//! node may have to act on, sent in the transaction that commits it (PostgreSQL's
//! `NOTIFY`, delivered only once that transaction commits). Only a hint: the store holds the
//! truth, a notice may be lost (a dropped listening connection, a full queue), and every node
//! keeps polling the store as the fallback.

use futures::channel::mpsc;

/// What another node committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// A task of this execution ended (answered with `SendTaskSuccess`/`SendTaskFailure`,
    /// or completed from a nested execution): the execution's driver, on whichever node it
    /// runs, looks at its task again, and an unloaded execution's timer is now due.
    TaskEnded {
        execution_arn: String,
        token: String,
    },
    /// A task of this activity was scheduled: a worker polling (`GetActivityTask`) on any
    /// node may take it.
    TaskScheduled { activity_arn: String },
    /// This execution was stopped (`StopExecution`): its driver, wherever it runs, ends.
    Stopped { execution_arn: String },
    /// The channel was opened or opened again: notices may have been missed meanwhile, so
    /// the node looks at the store (due timers, orphaned executions).
    Resync,
}

/// Notices as a store delivers them, in commit order.
pub type Notices = mpsc::Receiver<Notice>;

/// Notices a listener queues at most before it drops new ones (they are hints).
pub const NOTICE_QUEUE: usize = 4096;

impl Notice {
    /// The notice as a `NOTIFY` payload (tab-separated: ARNs and task tokens hold no tab).
    pub fn to_payload(&self) -> String {
        match self {
            Notice::TaskEnded {
                execution_arn,
                token,
            } => format!("task\t{execution_arn}\t{token}"),
            Notice::TaskScheduled { activity_arn } => format!("scheduled\t{activity_arn}"),
            Notice::Stopped { execution_arn } => format!("stop\t{execution_arn}"),
            Notice::Resync => "resync".to_string(),
        }
    }

    /// Reads a payload written by [`Notice::to_payload`]; `None` for anything else (a newer
    /// node's notice this one does not know).
    pub fn from_payload(payload: &str) -> Option<Notice> {
        let mut parts = payload.split('\t');
        let notice = match (parts.next()?, parts.next(), parts.next()) {
            ("task", Some(arn), Some(token)) => Notice::TaskEnded {
                execution_arn: arn.to_string(),
                token: token.to_string(),
            },
            ("scheduled", Some(arn), None) => Notice::TaskScheduled {
                activity_arn: arn.to_string(),
            },
            ("stop", Some(arn), None) => Notice::Stopped {
                execution_arn: arn.to_string(),
            },
            ("resync", None, None) => Notice::Resync,
            _ => return None,
        };
        parts.next().is_none().then_some(notice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip_and_unknown_ones_are_ignored() {
        let notices = [
            Notice::TaskEnded {
                execution_arn: "arn:aws:states:us-east-1:1:execution:m:e".into(),
                token: "abc.def".into(),
            },
            Notice::TaskScheduled {
                activity_arn: "arn:aws:states:us-east-1:1:activity:a".into(),
            },
            Notice::Stopped {
                execution_arn: "arn:aws:states:us-east-1:1:execution:m:e".into(),
            },
            Notice::Resync,
        ];
        for notice in notices {
            assert_eq!(Notice::from_payload(&notice.to_payload()), Some(notice));
        }
        for unknown in ["", "task\tonly-arn", "stop\ta\tb", "later\tx", "resync\tx"] {
            assert_eq!(Notice::from_payload(unknown), None, "{unknown:?}");
        }
    }
}
