//! GetExecutionHistory (API reference): the stored events, a page at a time, rendered by the
//! engine's one renderer of history events.

use super::execution;
use crate::paging::page;
use crate::wire::{body, parse};
use crate::{Api, ApiError};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HistoryInput {
    execution_arn: String,
    max_results: Option<i64>,
    next_token: Option<String>,
    #[serde(default)]
    reverse_order: bool,
    include_execution_data: Option<bool>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct HistoryOutput {
    events: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

pub async fn get(api: &Api, input: Value) -> Result<Vec<u8>, ApiError> {
    let input: HistoryInput = parse(input)?;
    execution(api, &input.execution_arn).await?;
    let listed = api
        .runtime
        .store()
        .events(
            &input.execution_arn,
            input.reverse_order,
            page(input.max_results, input.next_token)?,
        )
        .await?;
    let include = input.include_execution_data.unwrap_or(true);
    let events = listed
        .items
        .iter()
        .map(|record| {
            let mut details: Option<Map<String, Value>> = record
                .details
                .as_deref()
                .and_then(|text| serde_json::from_str(text).ok());
            if !include {
                if let Some(details) = details.as_mut() {
                    fluxo_runtime::without_execution_data(details);
                }
            }
            fluxo_runtime::render_event(
                record.timestamp_ms,
                record.kind,
                record.id,
                record.previous_event_id,
                details,
            )
        })
        .collect();
    body(&HistoryOutput {
        events,
        next_token: listed.next_token,
    })
}
