//! The live event stream of one Standard execution, as server-sent events.
//!
//! `GET /console/events?executionArn=ARN[&after=N]` answers `text/event-stream`:
//! - `event: events`, `data: {"events": [...]}` — the next stored events (up to
//!   [`BATCH`] at a time) in the shape `GetExecutionHistory` returns them, `id:` the last one's id.
//!   `after` (or the `Last-Event-ID` header of a reconnecting `EventSource`) is the id of the last
//!   event the page already has; ids are contiguous from 1, so it is also how many it has.
//! - `event: end`, `data: {"status": "SUCCEEDED"}` — the execution is over and every event was
//!   sent; the stream closes.
//! - errors before the stream starts are AWS-shaped JSON (`ExecutionDoesNotExist`, 404;
//!   `InvalidArn`, 400; `ThrottlingException`, 503 past [`crate::MAX_STREAMS`]).
//!
//! New events are read from the store after the runtime's notice that the execution changed
//! (`Runtime::subscribe`), never by a polling loop in the page. A slow re-read every
//! [`RECHECK`] covers a lagging subscriber and executions that another process drives.

use crate::Console;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use fluxo_store::{Listing, Page, StoreError};
use serde::Deserialize;
use serde_json::json;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::OwnedSemaphorePermit;

/// Events sent in one message at most.
pub const BATCH: usize = 1000;

/// How often a stream re-reads the store without a notice.
pub const RECHECK: Duration = Duration::from_secs(5);

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StreamQuery {
    execution_arn: String,
    after: Option<u64>,
}

/// `GET /console/events`.
pub(crate) async fn stream(
    State(console): State<Console>,
    headers: HeaderMap,
    Query(query): Query<StreamQuery>,
) -> Response {
    if !query.execution_arn.starts_with("arn:") || query.execution_arn.len() > 2048 {
        return error(StatusCode::BAD_REQUEST, "InvalidArn", "Invalid Arn");
    }
    let Ok(permit) = console.streams.clone().try_acquire_owned() else {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "ThrottlingException",
            "Too many open event streams",
        );
    };
    // Subscribed before the first read: a commit between that read and the wait is not missed.
    let notices = console.runtime.subscribe();
    match console
        .runtime
        .store()
        .get_execution(&query.execution_arn)
        .await
    {
        Ok(Some(_)) => {}
        Ok(None) => {
            return error(
                StatusCode::BAD_REQUEST,
                "ExecutionDoesNotExist",
                &format!("Execution Does Not Exist: '{}'", query.execution_arn),
            )
        }
        Err(store) => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalFailure",
                &store.to_string(),
            )
        }
    }
    let resumed = headers
        .get("last-event-id")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse().ok());
    let watch = Watch {
        console,
        arn: query.execution_arn.into(),
        sent: resumed.or(query.after).unwrap_or(0),
        notices,
        ended: false,
        _permit: permit,
    };
    let events = futures::stream::unfold(watch, |mut watch| async move {
        let event = watch.next().await?;
        Some((Ok::<_, Infallible>(event), watch))
    });
    Sse::new(events)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

/// One open stream: what it has sent, and its place in the stream budget.
struct Watch {
    console: Console,
    arn: Arc<str>,
    /// The id of the last event sent (ids run from 1 without gaps).
    sent: u64,
    notices: tokio::sync::broadcast::Receiver<Arc<str>>,
    ended: bool,
    _permit: OwnedSemaphorePermit,
}

impl Watch {
    /// The next message, waiting for the execution to change when there is nothing new.
    async fn next(&mut self) -> Option<Event> {
        if self.ended {
            return None;
        }
        loop {
            match self.read().await {
                Ok(Some(event)) => return Some(event),
                Ok(None) => {}
                Err(error) => {
                    self.ended = true;
                    return Some(
                        Event::default().event("error").data(
                            json!({"__type": "InternalFailure", "message": error.to_string()})
                                .to_string(),
                        ),
                    );
                }
            }
            self.changed().await;
        }
    }

    /// New events if there are any, the end if the execution is over, or `None`.
    async fn read(&mut self) -> Result<Option<Event>, StoreError> {
        let store = self.console.runtime.store();
        // The status is read before the events: a closed status seen here means its last events
        // were committed before it, so the read below returns them and `end` follows them. Read
        // after the events, the execution could close in between and `end` would overtake its
        // last events (the page then showed FAILED with the Fail state not marked).
        let closed = store
            .get_execution(&self.arn)
            .await?
            .ok_or_else(|| StoreError::NotFound(self.arn.to_string()))?
            .status;
        let page = Page::new(
            BATCH,
            (self.sent > 0).then(|| Page::token(Listing::Events, &self.sent.to_string())),
        );
        let listed = store.events(&self.arn, false, page).await?;
        if let Some(last) = listed.items.last() {
            self.sent = last.id;
            let events: Vec<_> = listed
                .items
                .iter()
                .map(|record| {
                    let details = record
                        .details
                        .as_deref()
                        .and_then(|text| serde_json::from_str(text).ok());
                    fluxo_runtime::render_event(
                        record.timestamp_ms,
                        record.kind,
                        record.id,
                        record.previous_event_id,
                        details,
                    )
                })
                .collect();
            return Ok(Some(
                Event::default()
                    .event("events")
                    .id(self.sent.to_string())
                    .data(json!({ "events": events }).to_string()),
            ));
        }
        if !closed.is_closed() {
            return Ok(None);
        }
        self.ended = true;
        Ok(Some(
            Event::default()
                .event("end")
                .data(json!({ "status": closed.as_str() }).to_string()),
        ))
    }

    /// Returns when the runtime says this execution changed, when notices were lost, or after
    /// [`RECHECK`].
    async fn changed(&mut self) {
        let deadline = tokio::time::sleep(RECHECK);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                notice = self.notices.recv() => match notice {
                    Ok(arn) if arn == self.arn => return,
                    Ok(_) => continue,
                    Err(RecvError::Lagged(_)) => return,
                    Err(RecvError::Closed) => return deadline.await,
                },
                () = &mut deadline => return,
            }
        }
    }
}

fn error(status: StatusCode, kind: &str, message: &str) -> Response {
    (
        status,
        [("content-type", "application/x-amz-json-1.0")],
        json!({"__type": kind, "message": message}).to_string(),
    )
        .into_response()
}
