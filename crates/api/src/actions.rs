//! One function per API action: wire input in, wire output out.

use crate::execution_log::LoggingConfig;
use crate::wire::{check_arn, check_name, event, now_ms, seconds, state_machine_arn};
use crate::{Api, ApiError};
use fluxo_store::{Page, StateMachineRecord, StateMachineUpdate, StoreError};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// AWS's limit on execution input, in bytes.
const MAX_INPUT_BYTES: usize = 256 * 1024;

/// Runs one action; the answer is its JSON body.
pub async fn run(api: &Api, action: &str, input: Value) -> Result<Vec<u8>, ApiError> {
    if action == "StartSyncExecution" {
        let answer = start_sync_execution(api, parse(input)?).await?;
        return serde_json::to_vec(&answer).map_err(|e| ApiError::internal(e.to_string()));
    }
    let answer = match action {
        "CreateStateMachine" => create_state_machine(api, parse(input)?).await,
        "DescribeStateMachine" => describe_state_machine(api, parse(input)?).await,
        "UpdateStateMachine" => update_state_machine(api, parse(input)?).await,
        "DeleteStateMachine" => delete_state_machine(api, parse(input)?).await,
        "ListStateMachines" => list_state_machines(api, parse(input)?).await,
        "StartExecution" => start_execution(api, parse(input)?).await,
        "StopExecution" => stop_execution(api, parse(input)?).await,
        "DescribeExecution" => describe_execution(api, parse(input)?).await,
        "ListExecutions" => list_executions(api, parse(input)?).await,
        "GetExecutionHistory" => get_execution_history(api, parse(input)?).await,
        "DescribeStateMachineForExecution" => {
            describe_state_machine_for_execution(api, parse(input)?).await
        }
        "ValidateStateMachineDefinition" => validate_definition(parse(input)?),
        "TagResource" => tag_resource(api, parse(input)?).await,
        "UntagResource" => untag_resource(api, parse(input)?).await,
        "ListTagsForResource" => list_tags(api, parse(input)?).await,
        other => Err(ApiError::unknown_operation(&format!(
            "The action {other} is not supported by Fluxo"
        ))),
    }?;
    serde_json::to_vec(&answer).map_err(|e| ApiError::internal(e.to_string()))
}

fn parse<T: DeserializeOwned>(input: Value) -> Result<T, ApiError> {
    serde_json::from_value(input).map_err(|error| {
        let message = error.to_string();
        if message.starts_with("invalid type") {
            ApiError::serialization(&format!("A field has the wrong type: {message}"))
        } else {
            ApiError::validation(&format!("1 validation error detected: {message}"))
        }
    })
}

fn page(max_results: Option<i64>, next_token: Option<String>) -> Result<Page, ApiError> {
    let max_results = match max_results {
        None => 0,
        Some(n) if (0..=1000).contains(&n) => n as usize,
        Some(n) => {
            return Err(ApiError::validation(&format!(
                "1 validation error detected: Value '{n}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000"
            )))
        }
    };
    Ok(Page {
        max_results,
        next_token,
    })
}

fn invalid_token(error: StoreError) -> ApiError {
    match error {
        StoreError::Conflict(message) => ApiError::new("InvalidToken", message),
        other => other.into(),
    }
}

pub(crate) async fn machine(api: &Api, arn: &str) -> Result<StateMachineRecord, ApiError> {
    check_arn(arn, "stateMachine")?;
    api.runtime
        .store()
        .get_state_machine(arn)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                "StateMachineDoesNotExist",
                format!("State Machine Does Not Exist: '{arn}'"),
            )
        })
}

async fn execution(api: &Api, arn: &str) -> Result<fluxo_store::ExecutionRecord, ApiError> {
    check_arn(arn, "execution")?;
    api.runtime
        .store()
        .get_execution(arn)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                "ExecutionDoesNotExist",
                format!("Execution Does Not Exist: '{arn}'"),
            )
        })
}

fn check_definition(definition: &str) -> Result<(), ApiError> {
    let diagnostics = fluxo_asl::validate::validate_text(definition);
    let errors: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.severity == fluxo_asl::Severity::Error)
        .map(|d| format!("{}: {} at {}", d.code, d.message, d.location))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::new(
            "InvalidDefinition",
            format!("Invalid State Machine Definition: '{}'", errors.join(", ")),
        ))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateStateMachine {
    name: String,
    definition: String,
    role_arn: String,
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    tags: Vec<Tag>,
    logging_configuration: Option<Value>,
}

#[derive(Deserialize)]
struct Tag {
    key: String,
    value: String,
}

async fn create_state_machine(api: &Api, input: CreateStateMachine) -> Result<Value, ApiError> {
    check_name(&input.name, "state machine name")?;
    let kind = input.kind.unwrap_or_else(|| "STANDARD".into());
    if kind != "STANDARD" && kind != "EXPRESS" {
        return Err(ApiError::validation(&format!(
            "1 validation error detected: Value '{kind}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]"
        )));
    }
    check_definition(&input.definition)?;
    let logging = match &input.logging_configuration {
        Some(value) => Some(LoggingConfig::parse(value)?.raw.to_string()),
        None => None,
    };
    let now = now_ms();
    let record = StateMachineRecord {
        arn: state_machine_arn(&api.region, &api.account, &input.name),
        name: input.name,
        kind,
        definition: input.definition,
        role_arn: input.role_arn,
        created_ms: now,
        updated_ms: now,
        revision: 1,
        logging,
    };
    let stored = api
        .runtime
        .store()
        .create_state_machine(record)
        .await
        .map_err(|error| match error {
            StoreError::AlreadyExists(arn) => ApiError::new(
                "StateMachineAlreadyExists",
                format!("State Machine Already Exists: '{arn}'"),
            ),
            other => other.into(),
        })?;
    if !input.tags.is_empty() {
        let tags = input.tags.into_iter().map(|t| (t.key, t.value)).collect();
        api.runtime
            .store()
            .tag_resource(stored.arn.clone(), tags)
            .await?;
    }
    Ok(json!({"stateMachineArn": stored.arn, "creationDate": seconds(stored.created_ms)}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StateMachineArn {
    state_machine_arn: String,
}

fn describe(record: &StateMachineRecord) -> Value {
    json!({
        "stateMachineArn": record.arn,
        "name": record.name,
        "status": "ACTIVE",
        "definition": record.definition,
        "roleArn": record.role_arn,
        "type": record.kind,
        "creationDate": seconds(record.created_ms),
        "revisionId": record.revision.to_string(),
        "loggingConfiguration": LoggingConfig::stored(record.logging.as_deref()).raw,
    })
}

async fn describe_state_machine(api: &Api, input: StateMachineArn) -> Result<Value, ApiError> {
    Ok(describe(&machine(api, &input.state_machine_arn).await?))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateStateMachine {
    state_machine_arn: String,
    definition: Option<String>,
    role_arn: Option<String>,
    logging_configuration: Option<Value>,
}

async fn update_state_machine(api: &Api, input: UpdateStateMachine) -> Result<Value, ApiError> {
    machine(api, &input.state_machine_arn).await?;
    let logging = match &input.logging_configuration {
        Some(value) => Some(LoggingConfig::parse(value)?.raw.to_string()),
        None => None,
    };
    if input.definition.is_none() && input.role_arn.is_none() && logging.is_none() {
        return Err(ApiError::new(
            "MissingRequiredParameter",
            "Either the definition or the roleArn must be specified",
        ));
    }
    if let Some(definition) = &input.definition {
        check_definition(definition)?;
    }
    let updated = api
        .runtime
        .store()
        .update_state_machine(StateMachineUpdate {
            arn: input.state_machine_arn,
            definition: input.definition,
            role_arn: input.role_arn,
            logging,
            updated_ms: now_ms(),
        })
        .await?;
    // After the store has the change, so that no concurrent start caches the old one again.
    api.forget(&updated.arn);
    Ok(
        json!({"updateDate": seconds(updated.updated_ms), "revisionId": updated.revision.to_string()}),
    )
}

async fn delete_state_machine(api: &Api, input: StateMachineArn) -> Result<Value, ApiError> {
    check_arn(&input.state_machine_arn, "stateMachine")?;
    api.runtime
        .store()
        .delete_state_machine(&input.state_machine_arn)
        .await?;
    api.forget(&input.state_machine_arn);
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Paging {
    max_results: Option<i64>,
    next_token: Option<String>,
}

async fn list_state_machines(api: &Api, input: Paging) -> Result<Value, ApiError> {
    let listed = api
        .runtime
        .store()
        .list_state_machines(page(input.max_results, input.next_token)?)
        .await
        .map_err(invalid_token)?;
    let machines: Vec<Value> = listed
        .items
        .iter()
        .map(|m| {
            json!({"stateMachineArn": m.arn, "name": m.name, "type": m.kind, "creationDate": seconds(m.created_ms)})
        })
        .collect();
    let mut output = json!({ "stateMachines": machines });
    if let Some(token) = listed.next_token {
        output["nextToken"] = json!(token);
    }
    Ok(output)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StartExecution {
    state_machine_arn: String,
    name: Option<String>,
    input: Option<String>,
}

/// The execution name (given or generated) and its input, checked as AWS checks them.
fn name_and_input(input: &StartExecution) -> Result<(String, String, Value), ApiError> {
    let name = input
        .name
        .clone()
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    check_name(&name, "execution name")?;
    let text = input.input.clone().unwrap_or_else(|| "{}".into());
    if text.len() > MAX_INPUT_BYTES {
        return Err(ApiError::validation(
            "1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have length less than or equal to 262144",
        ));
    }
    let value = serde_json::from_str::<Value>(&text).map_err(|_| {
        ApiError::new(
            "InvalidExecutionInput",
            format!("Invalid State Machine Execution Input: '{text}'"),
        )
    })?;
    Ok((name, text, value))
}

/// Express executions run in memory only.
/// Where an Express execution's records go, and which: only when its state machine's
/// `loggingConfiguration` asks for some and the operator configured an execution log.
type ExecutionLogging = Option<(
    std::sync::Arc<crate::execution_log::ExecutionLog>,
    LoggingConfig,
)>;

fn execution_logging(api: &Api, record: &StateMachineRecord) -> ExecutionLogging {
    let log = api.execution_log.clone()?;
    let config = LoggingConfig::stored(record.logging.as_deref());
    (config.level != crate::execution_log::Level::Off).then_some((log, config))
}

fn express_request(
    api: &Api,
    record: &StateMachineRecord,
    name: &str,
    input: Value,
    logging: &ExecutionLogging,
) -> fluxo_engine::ExecutionRequest {
    let mut request = fluxo_engine::ExecutionRequest::express(
        &api.region,
        &api.account,
        &record.name,
        name,
        &uuid::Uuid::new_v4().to_string(),
        input,
    );
    request.role_arn = record.role_arn.clone();
    // AWS keeps no history of Express executions: only the execution log reads their events.
    request.history_details = logging.is_some();
    request
}

/// AWS ends an Express execution after five minutes.
const EXPRESS_LIMIT: std::time::Duration = std::time::Duration::from_secs(300);

async fn run_express(
    api: &Api,
    logging: &ExecutionLogging,
    machine: std::sync::Arc<fluxo_asl::model::StateMachine>,
    request: fluxo_engine::ExecutionRequest,
) -> Result<Option<fluxo_engine::ExecutionOutcome>, ApiError> {
    let env = std::sync::Arc::new(fluxo_engine::SystemEnvironment::new(
        api.runtime.functions(),
    ));
    let arn = request.execution_arn.clone();
    let run = fluxo_engine::execute(machine, request, env);
    let outcome = tokio::time::timeout(EXPRESS_LIMIT, run).await.ok();
    if let Some(outcome) = &outcome {
        log_execution(logging, &arn, outcome);
    }
    Ok(outcome)
}

/// Writes an Express execution's records to the operator's execution log, as its state
/// machine's `loggingConfiguration` asks.
fn log_execution(logging: &ExecutionLogging, arn: &str, outcome: &fluxo_engine::ExecutionOutcome) {
    if let Some((log, config)) = logging {
        log.write(config, arn, &outcome.history);
    }
}

/// `StartSyncExecution`'s answer, serialized straight from its fields: it is the one response
/// on the hot path.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SyncExecution {
    execution_arn: String,
    state_machine_arn: String,
    name: String,
    start_date: f64,
    stop_date: f64,
    status: &'static str,
    input: String,
    input_details: Included,
    #[serde(skip_serializing_if = "Option::is_none")]
    output: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    output_details: Option<Included>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cause: Option<String>,
    billing_details: BillingDetails,
}

#[derive(Serialize)]
struct Included {
    included: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BillingDetails {
    #[serde(rename = "billedMemoryUsedInMB")]
    billed_memory_used_in_mb: u64,
    billed_duration_in_milliseconds: i64,
}

async fn start_sync_execution(api: &Api, input: StartExecution) -> Result<SyncExecution, ApiError> {
    let (record, compiled) = api.express_machine(&input.state_machine_arn).await?;
    if record.kind != "EXPRESS" {
        return Err(ApiError::new(
            "StateMachineTypeNotSupported",
            "This operation is not supported by this type of state machine",
        ));
    }
    let (name, text, value) = name_and_input(&input)?;
    let logging = execution_logging(api, &record);
    let request = express_request(api, &record, &name, value, &logging);
    let execution_arn = request.execution_arn.clone();
    let started = now_ms();
    let outcome = run_express(api, &logging, compiled, request).await?;
    let stopped = now_ms();
    let mut answer = SyncExecution {
        execution_arn,
        state_machine_arn: record.arn.clone(),
        name,
        start_date: started as f64 / 1000.0,
        stop_date: stopped as f64 / 1000.0,
        status: "TIMED_OUT",
        input: text,
        input_details: Included { included: true },
        output: None,
        output_details: None,
        error: None,
        cause: None,
        billing_details: BillingDetails {
            billed_memory_used_in_mb: 64,
            // Express executions are billed in 100 ms increments.
            billed_duration_in_milliseconds: ((stopped - started).max(1) + 99) / 100 * 100,
        },
    };
    if let Some(outcome) = outcome {
        answer.status = outcome.status.as_aws_str();
        answer.output_details = outcome
            .output
            .is_some()
            .then_some(Included { included: true });
        answer.output = outcome.output;
        answer.error = outcome.error;
        answer.cause = outcome.cause;
    }
    Ok(answer)
}

async fn start_execution(api: &Api, input: StartExecution) -> Result<Value, ApiError> {
    let record = machine(api, &input.state_machine_arn).await?;
    let (name, text, value) = name_and_input(&input)?;
    if record.kind == "EXPRESS" {
        // At least once, in memory: nothing of it is stored.
        let logging = execution_logging(api, &record);
        let request = express_request(api, &record, &name, value, &logging);
        let arn = request.execution_arn.clone();
        // The record was just read from the store: compile that one (once per revision).
        let machine = api
            .runtime
            .compiled(&record)
            .map_err(|_| ApiError::internal("the stored definition no longer compiles"))?;
        let env = std::sync::Arc::new(fluxo_engine::SystemEnvironment::new(
            api.runtime.functions(),
        ));
        let execution_arn = arn.clone();
        tokio::spawn(async move {
            let run = fluxo_engine::execute(machine, request, env);
            if let Ok(outcome) = tokio::time::timeout(EXPRESS_LIMIT, run).await {
                log_execution(&logging, &execution_arn, &outcome);
            }
        });
        return Ok(json!({"executionArn": arn, "startDate": seconds(now_ms())}));
    }
    let started = api
        .runtime
        .start(&record, &name, &text, now_ms())
        .await
        .map_err(|error| match error {
            fluxo_runtime::RuntimeError::Store(StoreError::Conflict(arn)) => ApiError::new(
                "ExecutionAlreadyExists",
                format!("Execution Already Exists: '{arn}'"),
            ),
            other => other.into(),
        })?;
    Ok(json!({"executionArn": started.record.arn, "startDate": seconds(started.record.started_ms)}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StopExecution {
    execution_arn: String,
    error: Option<String>,
    cause: Option<String>,
}

async fn stop_execution(api: &Api, input: StopExecution) -> Result<Value, ApiError> {
    execution(api, &input.execution_arn).await?;
    let stopped = api
        .runtime
        .stop(&input.execution_arn, input.error, input.cause, now_ms())
        .await?;
    Ok(json!({"stopDate": seconds(stopped.stopped_ms.unwrap_or_else(now_ms))}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExecutionArn {
    execution_arn: String,
}

async fn describe_execution(api: &Api, input: ExecutionArn) -> Result<Value, ApiError> {
    let record = execution(api, &input.execution_arn).await?;
    let mut output = Map::new();
    output.insert("executionArn".into(), json!(record.arn));
    output.insert("stateMachineArn".into(), json!(record.state_machine_arn));
    output.insert("name".into(), json!(record.name));
    output.insert("status".into(), json!(record.status));
    output.insert("startDate".into(), seconds(record.started_ms));
    if let Some(stopped) = record.stopped_ms {
        output.insert("stopDate".into(), seconds(stopped));
    }
    output.insert("input".into(), json!(record.input));
    output.insert("inputDetails".into(), json!({"included": true}));
    if let Some(text) = &record.output {
        output.insert("output".into(), json!(text));
        output.insert("outputDetails".into(), json!({"included": true}));
    }
    if let Some(error) = &record.error {
        output.insert("error".into(), json!(error));
    }
    if let Some(cause) = &record.cause {
        output.insert("cause".into(), json!(cause));
    }
    output.insert("redriveCount".into(), json!(0));
    output.insert("redriveStatus".into(), json!("NOT_REDRIVABLE"));
    Ok(Value::Object(output))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListExecutions {
    state_machine_arn: String,
    status_filter: Option<String>,
    max_results: Option<i64>,
    next_token: Option<String>,
}

async fn list_executions(api: &Api, input: ListExecutions) -> Result<Value, ApiError> {
    if machine(api, &input.state_machine_arn).await?.kind == "EXPRESS" {
        return Err(ApiError::new(
            "StateMachineTypeNotSupported",
            "This operation is not supported by this type of state machine",
        ));
    }
    if let Some(status) = &input.status_filter {
        let known = [
            "RUNNING",
            "SUCCEEDED",
            "FAILED",
            "TIMED_OUT",
            "ABORTED",
            "PENDING_REDRIVE",
        ];
        if !known.contains(&status.as_str()) {
            return Err(ApiError::validation(&format!(
                "1 validation error detected: Value '{status}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: {known:?}"
            )));
        }
    }
    let listed = api
        .runtime
        .store()
        .list_executions(
            &input.state_machine_arn,
            input.status_filter.as_deref(),
            page(input.max_results, input.next_token)?,
        )
        .await
        .map_err(invalid_token)?;
    let executions: Vec<Value> = listed
        .items
        .iter()
        .map(|e| {
            let mut item = json!({
                "executionArn": e.arn,
                "stateMachineArn": e.state_machine_arn,
                "name": e.name,
                "status": e.status,
                "startDate": seconds(e.started_ms),
            });
            if let Some(stopped) = e.stopped_ms {
                item["stopDate"] = seconds(stopped);
            }
            item
        })
        .collect();
    let mut output = json!({ "executions": executions });
    if let Some(token) = listed.next_token {
        output["nextToken"] = json!(token);
    }
    Ok(output)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetExecutionHistory {
    execution_arn: String,
    max_results: Option<i64>,
    next_token: Option<String>,
    #[serde(default)]
    reverse_order: bool,
    include_execution_data: Option<bool>,
}

async fn get_execution_history(api: &Api, input: GetExecutionHistory) -> Result<Value, ApiError> {
    execution(api, &input.execution_arn).await?;
    let listed = api
        .runtime
        .store()
        .events(
            &input.execution_arn,
            input.reverse_order,
            page(input.max_results, input.next_token)?,
        )
        .await
        .map_err(invalid_token)?;
    let include = input.include_execution_data.unwrap_or(true);
    let events: Vec<Value> = listed.items.iter().map(|e| event(e, include)).collect();
    let mut output = json!({ "events": events });
    if let Some(token) = listed.next_token {
        output["nextToken"] = json!(token);
    }
    Ok(output)
}

async fn describe_state_machine_for_execution(
    api: &Api,
    input: ExecutionArn,
) -> Result<Value, ApiError> {
    let record = execution(api, &input.execution_arn).await?;
    let owner = machine(api, &record.state_machine_arn).await?;
    Ok(json!({
        "stateMachineArn": owner.arn,
        "name": owner.name,
        "definition": owner.definition,
        "roleArn": owner.role_arn,
        "updateDate": seconds(owner.updated_ms),
        "revisionId": owner.revision.to_string(),
        "loggingConfiguration": LoggingConfig::stored(owner.logging.as_deref()).raw,
    }))
}

#[derive(Deserialize)]
struct ValidateDefinition {
    definition: String,
}

fn validate_definition(input: ValidateDefinition) -> Result<Value, ApiError> {
    let diagnostics = fluxo_asl::validate::validate_text(&input.definition);
    let failed = !fluxo_asl::validate::is_valid(&diagnostics);
    Ok(json!({
        "result": if failed { "FAIL" } else { "OK" },
        "diagnostics": diagnostics,
        "truncated": false,
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TagResource {
    resource_arn: String,
    tags: Vec<Tag>,
}

async fn tag_resource(api: &Api, input: TagResource) -> Result<Value, ApiError> {
    machine(api, &input.resource_arn).await.map_err(not_found)?;
    let tags = input.tags.into_iter().map(|t| (t.key, t.value)).collect();
    api.runtime
        .store()
        .tag_resource(input.resource_arn, tags)
        .await?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UntagResource {
    resource_arn: String,
    tag_keys: Vec<String>,
}

async fn untag_resource(api: &Api, input: UntagResource) -> Result<Value, ApiError> {
    machine(api, &input.resource_arn).await.map_err(not_found)?;
    api.runtime
        .store()
        .untag_resource(input.resource_arn, input.tag_keys)
        .await?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResourceArn {
    resource_arn: String,
}

async fn list_tags(api: &Api, input: ResourceArn) -> Result<Value, ApiError> {
    machine(api, &input.resource_arn).await.map_err(not_found)?;
    let tags: Vec<Value> = api
        .runtime
        .store()
        .list_tags(&input.resource_arn)
        .await?
        .into_iter()
        .map(|(key, value)| json!({"key": key, "value": value}))
        .collect();
    Ok(json!({ "tags": tags }))
}

/// Tag actions report a missing resource as `ResourceNotFound`.
fn not_found(error: ApiError) -> ApiError {
    if error.kind == "StateMachineDoesNotExist" {
        ApiError::new("ResourceNotFound", error.message)
    } else {
        error
    }
}
