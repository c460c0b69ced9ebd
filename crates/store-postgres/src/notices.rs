//! The notification channel between nodes: transactions that commit work another node may
//! have to act on `NOTIFY` on [`CHANNEL`] (see [`notify`]; PostgreSQL delivers a notification
//! only when its transaction commits, and drops it when it rolls back), and each node
//! `LISTEN`s on a connection of its own, outside the pool ([`listen`]). A dropped listening
//! connection is opened again after [`RECONNECT_AFTER`]; each (re)opening sends
//! [`Notice::Resync`], since notifications sent while it was closed are lost.

use crate::sql::execute;
use deadpool_postgres::GenericClient;
use fluxo_store::{Notice, Notices, StoreResult, NOTICE_QUEUE};
use futures::channel::mpsc;
use futures::StreamExt;
use std::time::Duration;
use tokio_postgres::AsyncMessage;
use tokio_postgres_rustls::MakeRustlsConnect;

/// The PostgreSQL channel every node listens on (spelled out in the statements too).
pub const CHANNEL: &str = "fluxo";

/// How long a node waits before it opens a dropped listening connection again.
pub const RECONNECT_AFTER: Duration = Duration::from_secs(1);

/// Sends `notice` to every listening node when the transaction `c` commits: one statement.
pub async fn notify(c: &impl GenericClient, notice: &Notice) -> StoreResult<()> {
    let payload = notice.to_payload();
    execute(c, "SELECT pg_notify('fluxo', $1)", &[&payload]).await?;
    Ok(())
}

/// Starts listening (a background task on the current tokio runtime) until the returned
/// receiver is dropped.
pub fn listen(mut config: tokio_postgres::Config, tls: MakeRustlsConnect) -> Notices {
    // A connection that only listens sends nothing: keepalives find a dead peer sooner than
    // the system's two hours.
    config.keepalives_idle(Duration::from_secs(30));
    let (sender, receiver) = mpsc::channel(NOTICE_QUEUE);
    tokio::spawn(async move {
        let mut sender = sender;
        loop {
            match session(&config, &tls, &mut sender).await {
                Ok(Ended::ReceiverGone) => return,
                Ok(Ended::ConnectionClosed) => {
                    tracing::warn!("the notification connection closed; opening it again")
                }
                Err(error) => {
                    tracing::warn!(%error, "the notification connection failed; opening it again")
                }
            }
            if sender.is_closed() {
                return;
            }
            tokio::time::sleep(RECONNECT_AFTER).await;
        }
    });
    receiver
}

enum Ended {
    ReceiverGone,
    ConnectionClosed,
}

/// One listening connection, from `LISTEN` until it closes.
async fn session(
    config: &tokio_postgres::Config,
    tls: &MakeRustlsConnect,
    sender: &mut mpsc::Sender<Notice>,
) -> Result<Ended, tokio_postgres::Error> {
    let (client, mut connection) = config.connect(tls.clone()).await?;
    // The connection's messages (notifications among them) are read by polling it, which
    // also carries the `LISTEN` statement through.
    let mut messages = futures::stream::poll_fn(move |cx| connection.poll_message(cx));
    let mut early = Vec::new();
    {
        let listening = client.batch_execute("LISTEN fluxo");
        tokio::pin!(listening);
        loop {
            tokio::select! {
                done = &mut listening => { done?; break; }
                message = messages.next() => match message {
                    Some(Ok(message)) => early.push(message),
                    Some(Err(error)) => return Err(error),
                    None => return Ok(Ended::ConnectionClosed),
                }
            }
        }
    }
    if !forward(sender, Notice::Resync) {
        return Ok(Ended::ReceiverGone);
    }
    for message in early {
        if !forward_message(sender, message) {
            return Ok(Ended::ReceiverGone);
        }
    }
    while let Some(message) = messages.next().await {
        if !forward_message(sender, message?) {
            return Ok(Ended::ReceiverGone);
        }
    }
    // The client lives until here: dropping it would close the connection.
    drop(client);
    Ok(Ended::ConnectionClosed)
}

/// Passes a notification on; false when nobody listens any more.
fn forward_message(sender: &mut mpsc::Sender<Notice>, message: AsyncMessage) -> bool {
    match message {
        AsyncMessage::Notification(notification) if notification.channel() == CHANNEL => {
            match Notice::from_payload(notification.payload()) {
                Some(notice) => forward(sender, notice),
                None => true,
            }
        }
        _ => true,
    }
}

fn forward(sender: &mut mpsc::Sender<Notice>, notice: Notice) -> bool {
    match sender.try_send(notice) {
        Ok(()) => true,
        // A hint dropped: the node's polling finds the work.
        Err(error) if error.is_full() => true,
        Err(_) => false,
    }
}
