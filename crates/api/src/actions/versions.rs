//! PublishStateMachineVersion, ListStateMachineVersions, DeleteStateMachineVersion (API
//! reference), and publishing on CreateStateMachine / UpdateStateMachine.

use super::state_machine;
use crate::paging::page;
use crate::wire::{body, check_arn, now_ms, parse, seconds};
use crate::{Api, ApiError, ErrorCode};
use fluxo_store::{versions_exceeded, Page, Publish, StoreError, VersionRecord, MAX_VERSIONS};
use fluxo_types::arn::{Arn, Qualifier, ResourceType};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `versionDescription` without `publish` (recorded case
/// `api_versioning/sfn_api_versioning__test_create_with_version_description_no_publish`).
pub fn check_publish(publish: bool, description: Option<&str>) -> Result<(), ApiError> {
    if description.is_some() && !publish {
        return Err(ApiError::validation(
            "Version description can only be set when publish is true",
        ));
    }
    Ok(())
}

/// Publishes the current revision of a stored state machine (or finds its version).
pub async fn publish_current(
    api: &Api,
    state_machine_arn: &str,
    revision_id: Option<String>,
    description: Option<String>,
) -> Result<VersionRecord, ApiError> {
    let published = api
        .runtime
        .store()
        .publish_version(Publish {
            state_machine_arn: state_machine_arn.to_string(),
            revision_id,
            description,
            created_ms: now_ms(),
        })
        .await
        .map_err(|error| match error {
            StoreError::NotFound(_) => does_not_exist(state_machine_arn),
            other => other.into(),
        })?;
    Ok(published.into_record())
}

/// Refuses an `UpdateStateMachine` with `publish` on a state machine that has
/// [`MAX_VERSIONS`] versions before anything changes: every update makes a new revision, so
/// its publish would be refused after the update was stored.
pub async fn check_room_for_version(api: &Api, state_machine_arn: &str) -> Result<(), ApiError> {
    let listed = api
        .runtime
        .store()
        .list_versions(state_machine_arn, Page::new(MAX_VERSIONS, None))
        .await?;
    match listed.items.len() >= MAX_VERSIONS {
        true => Err(versions_exceeded(state_machine_arn).into()),
        false => Ok(()),
    }
}

fn does_not_exist(arn: &str) -> ApiError {
    ApiError::new(
        ErrorCode::StateMachineDoesNotExist,
        format!("State Machine Does Not Exist: '{arn}'"),
    )
}

/// A bad `nextToken` of the version and alias listings, in AWS's words (recorded case
/// `api_aliasing/sfn_api_aliasing__test_list_state_machine_aliases_pagination_invalid_next_token`).
pub fn token_error(error: StoreError) -> ApiError {
    match error {
        StoreError::InvalidPageToken(_) => {
            ApiError::new(ErrorCode::InvalidToken, "Invalid Token: 'Invalid token'")
        }
        other => other.into(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PublishInput {
    state_machine_arn: String,
    revision_id: Option<String>,
    description: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PublishOutput {
    creation_date: f64,
    state_machine_version_arn: String,
}

pub async fn publish(api: &Api, input: Value) -> Result<Vec<u8>, ApiError> {
    let input: PublishInput = parse(input)?;
    let machine = state_machine(api, &input.state_machine_arn).await?;
    let version = publish_current(api, &machine.arn, input.revision_id, input.description).await?;
    body(&PublishOutput {
        creation_date: seconds(version.created_ms),
        state_machine_version_arn: version.arn,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListInput {
    state_machine_arn: String,
    max_results: Option<i64>,
    next_token: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ListItem {
    state_machine_version_arn: String,
    creation_date: f64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ListOutput {
    state_machine_versions: Vec<ListItem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

pub async fn list(api: &Api, input: Value) -> Result<Vec<u8>, ApiError> {
    let input: ListInput = parse(input)?;
    let machine = state_machine(api, &input.state_machine_arn).await?;
    let listed = api
        .runtime
        .store()
        .list_versions(&machine.arn, page(input.max_results, input.next_token)?)
        .await
        .map_err(token_error)?;
    body(&ListOutput {
        state_machine_versions: listed
            .items
            .into_iter()
            .map(|v| ListItem {
                creation_date: seconds(v.created_ms),
                state_machine_version_arn: v.arn,
            })
            .collect(),
        next_token: listed.next_token,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeleteInput {
    state_machine_version_arn: String,
}

/// Checks that `arn` is a version ARN (`…:stateMachine:NAME:NUMBER`).
pub fn check_version_arn(arn: &str) -> Result<Arn, ApiError> {
    let parsed = check_arn(arn, ResourceType::StateMachine)?;
    match parsed.qualifier() {
        Some(Qualifier::Version(_)) => Ok(parsed),
        _ => Err(ApiError::new(
            ErrorCode::InvalidArn,
            format!("Invalid Arn: '{arn}'"),
        )),
    }
}

/// Deleting a version that does not exist succeeds (recorded case
/// `api_versioning/sfn_api_versioning__test_list_delete_version`).
pub async fn delete(api: &Api, input: Value) -> Result<Vec<u8>, ApiError> {
    let input: DeleteInput = parse(input)?;
    check_version_arn(&input.state_machine_version_arn)?;
    api.runtime
        .store()
        .delete_version(&input.state_machine_version_arn)
        .await?;
    body(&serde_json::json!({}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_arns_and_descriptions_are_checked() {
        assert!(check_version_arn("arn:aws:states:r:1:stateMachine:m:3").is_ok());
        for bad in [
            "arn:aws:states:r:1:stateMachine:m",
            "arn:aws:states:r:1:stateMachine:m:live",
            "arn:aws:states:r:1:activity:m",
        ] {
            assert_eq!(
                check_version_arn(bad).unwrap_err().code,
                ErrorCode::InvalidArn
            );
        }
        assert!(check_publish(true, Some("d")).is_ok());
        assert!(check_publish(false, None).is_ok());
        assert_eq!(
            check_publish(false, Some("d")).unwrap_err().message,
            "Version description can only be set when publish is true"
        );
    }
}
