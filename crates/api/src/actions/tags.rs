//! TagResource, UntagResource, ListTagsForResource (API reference), with AWS's quota of 50
//! tags per resource.

use super::state_machine;
use crate::wire::{body, check_arn, parse};
use crate::{Api, ApiError, ErrorCode};
use fluxo_types::arn::ResourceType;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Tags a resource may have at most ("Step Functions service quotas": 50 tags per resource).
pub const MAX_TAGS: usize = 50;

#[derive(Deserialize, Serialize)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// `TooManyTags` past the quota.
pub fn check_count(count: usize) -> Result<(), ApiError> {
    if count > MAX_TAGS {
        return Err(ApiError::new(
            ErrorCode::TooManyTags,
            format!("Too many tags: a resource can have at most {MAX_TAGS} tags"),
        ));
    }
    Ok(())
}

/// Tag actions report a missing resource as `ResourceNotFound`. The resource is a state
/// machine or an activity ("TagResource": "the ARN for the Step Functions state machine or
/// activity"; CreateActivity takes tags too).
async fn resource(api: &Api, arn: &str) -> Result<(), ApiError> {
    let not_found = || {
        ApiError::new(
            ErrorCode::ResourceNotFound,
            format!("Resource not found: '{arn}'"),
        )
    };
    if check_arn(arn, ResourceType::Activity).is_ok() {
        return match api.runtime.store().get_activity(arn).await? {
            Some(_) => Ok(()),
            None => Err(not_found()),
        };
    }
    match state_machine(api, arn).await {
        Ok(_) => Ok(()),
        Err(error)
            if matches!(
                error.code,
                ErrorCode::StateMachineDoesNotExist | ErrorCode::InvalidArn
            ) =>
        {
            Err(not_found())
        }
        Err(error) => Err(error),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TagInput {
    resource_arn: String,
    tags: Vec<Tag>,
}

pub async fn tag(api: &Api, input: Value) -> Result<Vec<u8>, ApiError> {
    let input: TagInput = parse(input)?;
    resource(api, &input.resource_arn).await?;
    let store = api.runtime.store();
    let mut keys: std::collections::BTreeSet<String> = store
        .list_tags(&input.resource_arn)
        .await?
        .into_iter()
        .map(|(key, _)| key)
        .collect();
    keys.extend(input.tags.iter().map(|t| t.key.clone()));
    check_count(keys.len())?;
    let tags = input.tags.into_iter().map(|t| (t.key, t.value)).collect();
    store.tag_resource(input.resource_arn, tags).await?;
    body(&serde_json::json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UntagInput {
    resource_arn: String,
    tag_keys: Vec<String>,
}

pub async fn untag(api: &Api, input: Value) -> Result<Vec<u8>, ApiError> {
    let input: UntagInput = parse(input)?;
    resource(api, &input.resource_arn).await?;
    api.runtime
        .store()
        .untag_resource(input.resource_arn, input.tag_keys)
        .await?;
    body(&serde_json::json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResourceInput {
    resource_arn: String,
}

#[derive(Serialize)]
struct TagsOutput {
    tags: Vec<Tag>,
}

pub async fn list(api: &Api, input: Value) -> Result<Vec<u8>, ApiError> {
    let input: ResourceInput = parse(input)?;
    resource(api, &input.resource_arn).await?;
    let tags = api
        .runtime
        .store()
        .list_tags(&input.resource_arn)
        .await?
        .into_iter()
        .map(|(key, value)| Tag { key, value })
        .collect();
    body(&TagsOutput { tags })
}
