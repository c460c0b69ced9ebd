//! CreateStateMachine, DescribeStateMachine, UpdateStateMachine, DeleteStateMachine,
//! ListStateMachines, DescribeStateMachineForExecution (API reference).

use super::{execution, server_options, state_machine, versions};
use crate::paging::page;
use crate::wire::{body, check_name, now_ms, parse, seconds};
use crate::{Api, ApiError, ErrorCode};
use fluxo_runtime::{LoggingConfig, LoggingError};
use fluxo_store::{Created, StateMachineRecord, StateMachineUpdate};
use fluxo_types::{arn, StateMachineType};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateInput {
    name: String,
    definition: String,
    role_arn: String,
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    tags: Vec<super::tags::Tag>,
    logging_configuration: Option<Value>,
    tracing_configuration: Option<Value>,
    encryption_configuration: Option<Value>,
    #[serde(default)]
    publish: bool,
    version_description: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreateOutput {
    state_machine_arn: String,
    creation_date: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    state_machine_version_arn: Option<String>,
}

/// The state machine type a request names (`STANDARD` when absent).
fn kind_of(text: Option<&str>) -> Result<StateMachineType, ApiError> {
    let text = text.unwrap_or("STANDARD");
    text.parse().map_err(|_| {
        ApiError::validation(format!(
            "1 validation error detected: Value '{text}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]"
        ))
    })
}

/// A `loggingConfiguration` as stored: checked as AWS checks it.
fn logging(value: Option<&Value>) -> Result<Option<String>, ApiError> {
    let Some(value) = value else { return Ok(None) };
    let config = LoggingConfig::parse(value).map_err(|error| match error {
        LoggingError::Validation(message) => ApiError::validation(message),
        LoggingError::Serialization(message) => ApiError::serialization(message),
    })?;
    let destinations = value
        .get("destinations")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    if config.level != fluxo_runtime::Level::Off && destinations != 1 {
        return Err(ApiError::new(
            ErrorCode::InvalidLoggingConfiguration,
            "Invalid Logging Configuration: Must specify exactly one Log Destination.",
        ));
    }
    Ok(Some(config.raw.to_string()))
}

pub async fn create(api: &Api, input: Value) -> Result<Vec<u8>, ApiError> {
    let input: CreateInput = parse(input)?;
    check_name(&input.name)?;
    versions::check_publish(input.publish, input.version_description.as_deref())?;
    let kind = kind_of(input.kind.as_deref())?;
    let logging = logging(input.logging_configuration.as_ref())?;
    server_options::check_tracing(input.tracing_configuration.as_ref())?;
    let encryption = server_options::check_encryption(
        input.encryption_configuration.as_ref(),
        &api.kms_key_ids,
    )?;
    let compiled = fluxo_runtime::prepare_new(&input.definition, kind)
        .map_err(fluxo_runtime::RuntimeError::from)?;
    super::tags::check_count(input.tags.len())?;
    let now = now_ms();
    let record = StateMachineRecord {
        arn: arn::state_machine(api.runtime.region(), api.runtime.account(), &input.name),
        name: input.name,
        kind,
        definition: input.definition,
        role_arn: input.role_arn,
        created_ms: now,
        updated_ms: now,
        revision: 1,
        logging,
        revision_id: None,
        encryption: encryption.created(),
    };
    let tags = input.tags.into_iter().map(|t| (t.key, t.value)).collect();
    let created = api
        .runtime
        .create_state_machine(record, tags, compiled)
        .await?;
    let record = match &created {
        Created::Created(record) | Created::Existing(record) => record,
    };
    let version = match input.publish {
        true => Some(
            versions::publish_current(api, &record.arn, None, input.version_description).await?,
        ),
        false => None,
    };
    body(&CreateOutput {
        state_machine_arn: record.arn.clone(),
        creation_date: seconds(record.created_ms),
        state_machine_version_arn: version.map(|v| v.arn),
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ArnInput {
    state_machine_arn: String,
}

#[derive(Serialize)]
struct Tracing {
    enabled: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Description<'a> {
    state_machine_arn: &'a str,
    name: &'a str,
    status: &'static str,
    definition: &'a str,
    role_arn: &'a str,
    #[serde(rename = "type")]
    kind: StateMachineType,
    creation_date: f64,
    logging_configuration: Value,
    tracing_configuration: Tracing,
    encryption_configuration: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    revision_id: Option<&'a str>,
    /// A version's `description`.
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    /// State name → the workflow variables it reads; absent when no state reads any.
    #[serde(skip_serializing_if = "Option::is_none")]
    variable_references: Option<std::collections::BTreeMap<String, Vec<String>>>,
}

/// `variableReferences`, from the stored definition (validated when it was stored, so its
/// nesting is bounded).
fn variable_references(
    definition: &str,
) -> Option<std::collections::BTreeMap<String, Vec<String>>> {
    let definition: Value = serde_json::from_str(definition).ok()?;
    Some(fluxo_asl::variable_references(&definition)).filter(|references| !references.is_empty())
}

fn description(record: &StateMachineRecord) -> Description<'_> {
    Description {
        state_machine_arn: &record.arn,
        name: &record.name,
        status: "ACTIVE",
        definition: &record.definition,
        role_arn: &record.role_arn,
        kind: record.kind,
        creation_date: seconds(record.created_ms),
        logging_configuration: LoggingConfig::stored(record.logging.as_deref()).raw,
        tracing_configuration: Tracing { enabled: false },
        encryption_configuration: server_options::described_encryption(
            record.encryption.as_deref(),
        ),
        revision_id: record.revision_id.as_deref(),
        description: None,
        variable_references: variable_references(&record.definition),
    }
}

/// A state machine, or (given a version ARN) that version: its own definition, role,
/// `revisionId`, `description` and creation date (recorded cases
/// `api_versioning/sfn_api_versioning__test_publish_state_machine_version`).
pub async fn describe(api: &Api, input: Value) -> Result<Vec<u8>, ApiError> {
    let input: ArnInput = parse(input)?;
    let given = &input.state_machine_arn;
    let parsed = crate::wire::check_arn(given, arn::ResourceType::StateMachine)?;
    if !matches!(parsed.qualifier(), Some(arn::Qualifier::Version(_))) {
        return body(&description(&state_machine(api, given).await?));
    }
    let store = api.runtime.store();
    let missing = || {
        ApiError::new(
            ErrorCode::StateMachineDoesNotExist,
            format!("State Machine Does Not Exist: '{given}'"),
        )
    };
    let version = store.get_version(given).await?.ok_or_else(missing)?;
    let machine = store
        .get_state_machine(&version.state_machine_arn)
        .await?
        .ok_or_else(missing)?;
    let revision = store
        .get_revision(&machine.arn, version.revision)
        .await?
        .ok_or_else(missing)?;
    let mut shown = description(&machine);
    shown.state_machine_arn = &version.arn;
    shown.definition = &revision.definition;
    shown.role_arn = &revision.role_arn;
    shown.creation_date = seconds(version.created_ms);
    shown.revision_id = version.revision_id.as_deref();
    shown.description = version.description.as_deref();
    shown.variable_references = variable_references(&revision.definition);
    body(&shown)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateInput {
    state_machine_arn: String,
    definition: Option<String>,
    role_arn: Option<String>,
    logging_configuration: Option<Value>,
    tracing_configuration: Option<Value>,
    encryption_configuration: Option<Value>,
    #[serde(default)]
    publish: bool,
    version_description: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UpdateOutput {
    update_date: f64,
    /// Absent while the state machine has never changed (recorded case
    /// `api_versioning/sfn_api_versioning__test_empty_revision_with_publish_and_publish_on_creation`).
    #[serde(skip_serializing_if = "Option::is_none")]
    revision_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    state_machine_version_arn: Option<String>,
}

pub async fn update(api: &Api, input: Value) -> Result<Vec<u8>, ApiError> {
    let input: UpdateInput = parse(input)?;
    let current = state_machine(api, &input.state_machine_arn).await?;
    if input.definition.is_none()
        && input.role_arn.is_none()
        && input.logging_configuration.is_none()
        && input.tracing_configuration.is_none()
        && input.encryption_configuration.is_none()
    {
        return Err(ApiError::new(
            ErrorCode::MissingRequiredParameter,
            "Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified",
        ));
    }
    versions::check_publish(input.publish, input.version_description.as_deref())?;
    if input.publish {
        versions::check_room_for_version(api, &input.state_machine_arn).await?;
    }
    let logging = logging(input.logging_configuration.as_ref())?;
    server_options::check_tracing(input.tracing_configuration.as_ref())?;
    let encryption = match input.encryption_configuration.as_ref() {
        None => None,
        Some(value) => match server_options::check_encryption(Some(value), &api.kms_key_ids)? {
            // AWS's default on a state machine that has it changes nothing (the revision id
            // stays, as for any update with the same parameters).
            server_options::Encryption::AwsOwned if current.encryption.is_none() => None,
            encryption => Some(encryption.updated()),
        },
    };
    let compiled = match &input.definition {
        Some(definition) => Some(
            fluxo_runtime::prepare_new(definition, current.kind)
                .map_err(fluxo_runtime::RuntimeError::from)?,
        ),
        None => None,
    };
    let updated = api
        .runtime
        .update_state_machine(
            StateMachineUpdate {
                arn: input.state_machine_arn,
                definition: input.definition,
                role_arn: input.role_arn,
                logging,
                encryption,
                updated_ms: now_ms(),
                revision_id: uuid::Uuid::new_v4().to_string(),
            },
            compiled,
        )
        .await?;
    let version = match input.publish {
        true => Some(
            versions::publish_current(
                api,
                &updated.arn,
                updated.revision_id.clone(),
                input.version_description,
            )
            .await?,
        ),
        false => None,
    };
    body(&UpdateOutput {
        update_date: seconds(updated.updated_ms),
        revision_id: updated.revision_id,
        state_machine_version_arn: version.map(|v| v.arn),
    })
}

pub async fn delete(api: &Api, input: Value) -> Result<Vec<u8>, ApiError> {
    let input: ArnInput = parse(input)?;
    let parsed = crate::wire::check_arn(&input.state_machine_arn, arn::ResourceType::StateMachine)?;
    // API reference, DeleteStateMachine: a version or alias ARN fails with a validation error
    // (DeleteStateMachineVersion and DeleteStateMachineAlias delete those).
    if parsed.qualifier().is_some() {
        return Err(ApiError::validation(format!(
            "Invalid Arn: '{}': use DeleteStateMachineVersion or DeleteStateMachineAlias for a qualified state machine ARN",
            input.state_machine_arn
        )));
    }
    api.runtime
        .delete_state_machine(&input.state_machine_arn)
        .await?;
    body(&serde_json::json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Paging {
    pub max_results: Option<i64>,
    pub next_token: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ListItem<'a> {
    state_machine_arn: &'a str,
    name: &'a str,
    #[serde(rename = "type")]
    kind: StateMachineType,
    creation_date: f64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ListOutput<'a> {
    state_machines: Vec<ListItem<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

pub async fn list(api: &Api, input: Value) -> Result<Vec<u8>, ApiError> {
    let input: Paging = parse(input)?;
    let listed = api
        .runtime
        .store()
        .list_state_machines(page(input.max_results, input.next_token)?)
        .await?;
    body(&ListOutput {
        state_machines: listed
            .items
            .iter()
            .map(|m| ListItem {
                state_machine_arn: &m.arn,
                name: &m.name,
                kind: m.kind,
                creation_date: seconds(m.created_ms),
            })
            .collect(),
        next_token: listed.next_token,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExecutionArnInput {
    execution_arn: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ForExecution {
    state_machine_arn: String,
    name: String,
    definition: String,
    role_arn: String,
    update_date: f64,
    logging_configuration: Value,
    tracing_configuration: Tracing,
    encryption_configuration: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    revision_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    variable_references: Option<std::collections::BTreeMap<String, Vec<String>>>,
}

/// The definition the execution runs: the revision it started with, even after an update or
/// a delete of its state machine.
pub async fn describe_for_execution(api: &Api, input: Value) -> Result<Vec<u8>, ApiError> {
    let input: ExecutionArnInput = parse(input)?;
    let execution = execution(api, &input.execution_arn).await?;
    if let Some(map_run_arn) = &execution.map_run_arn {
        return super::child_machine::describe(api, &execution, map_run_arn).await;
    }
    let store = api.runtime.store();
    let revision = store
        .get_revision(&execution.state_machine_arn, execution.revision)
        .await?
        .ok_or_else(|| ApiError::internal("the execution's revision is missing"))?;
    let current = store
        .get_state_machine(&execution.state_machine_arn)
        .await?;
    let name = arn::Arn::parse(&execution.state_machine_arn)
        .ok()
        .and_then(|parsed| parsed.state_machine_name().map(str::to_string))
        .unwrap_or_default();
    let same_revision = current
        .as_ref()
        .filter(|c| c.revision == execution.revision);
    // An execution of a version shows the revision that version published.
    let version = match &execution.version_arn {
        Some(version_arn) => store.get_version(version_arn).await?,
        None => None,
    };
    let revision_id = match version {
        Some(version) => version.revision_id,
        None => same_revision.and_then(|c| c.revision_id.clone()),
    };
    body(&ForExecution {
        state_machine_arn: execution.state_machine_arn.clone(),
        name,
        variable_references: variable_references(&revision.definition),
        definition: revision.definition,
        role_arn: revision.role_arn,
        update_date: seconds(
            current
                .as_ref()
                .map_or(execution.started_ms, |c| c.updated_ms),
        ),
        logging_configuration: LoggingConfig::stored(
            current.as_ref().and_then(|c| c.logging.as_deref()),
        )
        .raw,
        tracing_configuration: Tracing { enabled: false },
        encryption_configuration: server_options::described_encryption(
            current.as_ref().and_then(|c| c.encryption.as_deref()),
        ),
        revision_id,
    })
}
