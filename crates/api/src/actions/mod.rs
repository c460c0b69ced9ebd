//! The actions, grouped by resource as the API reference groups them: state machines,
//! versions, aliases, executions, execution history, tags, validation. Each action reads its request struct and
//! answers with its response struct.

mod activities;
mod aliases;
mod child_machine;
mod executions;
mod history;
mod map_runs;
mod redrive;
mod server_options;
mod state_machines;
mod tags;
mod task_tokens;
mod test_state;
mod validation;
mod versions;

use crate::protocol::{Action, Request};
use crate::wire::check_arn;
use crate::{Api, ApiError, ErrorCode};
use fluxo_store::{ExecutionRecord, StateMachineRecord};
use fluxo_types::arn::ResourceType;

/// Runs one action; the answer is its JSON body.
pub async fn run(api: &Api, request: Request) -> Result<Vec<u8>, ApiError> {
    let input = request.input;
    match request.action {
        Action::CreateStateMachine => state_machines::create(api, input).await,
        Action::DescribeStateMachine => state_machines::describe(api, input).await,
        Action::UpdateStateMachine => state_machines::update(api, input).await,
        Action::DeleteStateMachine => state_machines::delete(api, input).await,
        Action::ListStateMachines => state_machines::list(api, input).await,
        Action::DescribeStateMachineForExecution => {
            state_machines::describe_for_execution(api, input).await
        }
        Action::ValidateStateMachineDefinition => validation::validate(input),
        Action::StartExecution => executions::start(api, input).await,
        Action::StartSyncExecution => executions::start_sync(api, input).await,
        Action::StopExecution => executions::stop(api, input).await,
        Action::DescribeExecution => executions::describe(api, input).await,
        Action::ListExecutions => executions::list(api, input).await,
        Action::RedriveExecution => redrive::redrive(api, input).await,
        Action::GetExecutionHistory => history::get(api, input).await,
        Action::TagResource => tags::tag(api, input).await,
        Action::UntagResource => tags::untag(api, input).await,
        Action::ListTagsForResource => tags::list(api, input).await,
        Action::CreateActivity => activities::create(api, input).await,
        Action::DescribeActivity => activities::describe(api, input).await,
        Action::DeleteActivity => activities::delete(api, input).await,
        Action::ListActivities => activities::list(api, input).await,
        Action::GetActivityTask => activities::get_task(api, input).await,
        Action::SendTaskSuccess => task_tokens::success(api, input).await,
        Action::SendTaskFailure => task_tokens::failure(api, input).await,
        Action::SendTaskHeartbeat => task_tokens::heartbeat(api, input).await,
        Action::TestState => test_state::test_state(api, input).await,
        Action::PublishStateMachineVersion => versions::publish(api, input).await,
        Action::ListStateMachineVersions => versions::list(api, input).await,
        Action::DeleteStateMachineVersion => versions::delete(api, input).await,
        Action::CreateStateMachineAlias => aliases::create(api, input).await,
        Action::DescribeStateMachineAlias => aliases::describe(api, input).await,
        Action::UpdateStateMachineAlias => aliases::update(api, input).await,
        Action::DeleteStateMachineAlias => aliases::delete(api, input).await,
        Action::ListStateMachineAliases => aliases::list(api, input).await,
        Action::DescribeMapRun => map_runs::describe(api, input).await,
        Action::ListMapRuns => map_runs::list(api, input).await,
        Action::UpdateMapRun => map_runs::update(api, input).await,
    }
}

/// The stored state machine an ARN names.
async fn state_machine(api: &Api, arn: &str) -> Result<StateMachineRecord, ApiError> {
    check_arn(arn, ResourceType::StateMachine)?;
    api.runtime
        .store()
        .get_state_machine(arn)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::StateMachineDoesNotExist,
                format!("State Machine Does Not Exist: '{arn}'"),
            )
        })
}

/// The stored execution an ARN names.
async fn execution(api: &Api, arn: &str) -> Result<ExecutionRecord, ApiError> {
    check_arn(arn, ResourceType::Execution)?;
    api.runtime
        .store()
        .get_execution(arn)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::ExecutionDoesNotExist,
                format!("Execution Does Not Exist: '{arn}'"),
            )
        })
}
