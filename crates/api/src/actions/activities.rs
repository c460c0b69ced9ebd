//! CreateActivity, DescribeActivity, DeleteActivity, ListActivities, GetActivityTask (API
//! reference), with the answers the recorded cases `api_activities/*` show.

use super::state_machines::Paging;
use crate::paging::page;
use crate::wire::{body, check_arn, check_name, now_ms, parse, seconds};
use crate::{Api, ApiError, ErrorCode};
use fluxo_types::arn::ResourceType;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateInput {
    name: String,
    #[serde(default)]
    tags: Vec<super::tags::Tag>,
    encryption_configuration: Option<Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreateOutput {
    activity_arn: String,
    creation_date: f64,
}

pub async fn create(api: &Api, input: Value) -> Result<Vec<u8>, ApiError> {
    let input: CreateInput = parse(input)?;
    check_name(&input.name)?;
    super::tags::check_count(input.tags.len())?;
    let encryption = super::server_options::check_encryption(
        input.encryption_configuration.as_ref(),
        &api.kms_key_ids,
    )?;
    let requested = encryption.created();
    let record = api
        .runtime
        .create_activity(&input.name, requested.clone(), now_ms())
        .await?;
    // Idempotent by name, but an activity's encryption is not changed by a repeated creation
    // (API reference, CreateActivity: ActivityAlreadyExists, "EncryptionConfiguration may
    // not be updated").
    if record.encryption != requested {
        return Err(ApiError::new(
            ErrorCode::ActivityAlreadyExists,
            format!(
                "Activity already exists. EncryptionConfiguration may not be updated: '{}'",
                record.arn
            ),
        ));
    }
    if !input.tags.is_empty() {
        let tags = input.tags.into_iter().map(|t| (t.key, t.value)).collect();
        api.runtime
            .store()
            .tag_resource(record.arn.clone(), tags)
            .await?;
    }
    body(&CreateOutput {
        activity_arn: record.arn,
        creation_date: seconds(record.created_ms),
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ActivityArnInput {
    activity_arn: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DescribeOutput {
    activity_arn: String,
    name: String,
    creation_date: f64,
    encryption_configuration: Value,
}

pub async fn describe(api: &Api, input: Value) -> Result<Vec<u8>, ApiError> {
    let input: ActivityArnInput = parse(input)?;
    check_arn(&input.activity_arn, ResourceType::Activity)?;
    let record = api.runtime.activity(&input.activity_arn).await?;
    body(&DescribeOutput {
        activity_arn: record.arn,
        name: record.name,
        creation_date: seconds(record.created_ms),
        encryption_configuration: super::server_options::described_encryption(
            record.encryption.as_deref(),
        ),
    })
}

pub async fn delete(api: &Api, input: Value) -> Result<Vec<u8>, ApiError> {
    let input: ActivityArnInput = parse(input)?;
    check_arn(&input.activity_arn, ResourceType::Activity)?;
    api.runtime.delete_activity(&input.activity_arn).await?;
    body(&json!({}))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ListItem<'a> {
    activity_arn: &'a str,
    name: &'a str,
    creation_date: f64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ListOutput<'a> {
    activities: Vec<ListItem<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

pub async fn list(api: &Api, input: Value) -> Result<Vec<u8>, ApiError> {
    let input: Paging = parse(input)?;
    let listed = api
        .runtime
        .list_activities(page(input.max_results, input.next_token)?)
        .await?;
    body(&ListOutput {
        activities: listed
            .items
            .iter()
            .map(|a| ListItem {
                activity_arn: &a.arn,
                name: &a.name,
                creation_date: seconds(a.created_ms),
            })
            .collect(),
        next_token: listed.next_token,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PollInput {
    activity_arn: String,
    worker_name: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PollOutput {
    #[serde(skip_serializing_if = "Option::is_none")]
    task_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    input: Option<String>,
}

/// Long-polls up to 60 s; with no task, the answer has neither a token nor an input.
pub async fn get_task(api: &Api, input: Value) -> Result<Vec<u8>, ApiError> {
    let input: PollInput = parse(input)?;
    check_arn(&input.activity_arn, ResourceType::Activity)?;
    let task = api
        .runtime
        .poll_activity(
            &input.activity_arn,
            input.worker_name,
            fluxo_runtime::MAX_POLL,
        )
        .await?;
    body(&PollOutput {
        task_token: task.as_ref().map(|t| t.token.clone()),
        input: task.map(|t| t.input),
    })
}
