//! DescribeStateMachineForExecution of a distributed Map's child execution (API reference,
//! "DescribeStateMachineForExecution": for a child started by a Distributed Map state the
//! answer is its item processor, named `MACHINE/LABEL`, with `mapRunArn` and `label`). The
//! processor is found in the definition the parent execution started with, by the Map Run's
//! label; a Map without a `Label` gets a generated one, so when no Map has the label, the
//! distributed Map without a `Label` is taken (the first, if there are several).

use super::{execution, map_runs, server_options};
use crate::wire::{body, seconds};
use crate::{Api, ApiError};
use fluxo_store::ExecutionRecord;
use fluxo_types::arn::{Arn, Resource};
use serde::Serialize;
use serde_json::Value;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ChildMachine {
    state_machine_arn: String,
    name: String,
    definition: String,
    role_arn: String,
    update_date: f64,
    logging_configuration: Value,
    tracing_configuration: Value,
    encryption_configuration: Value,
    map_run_arn: String,
    label: String,
}

/// The answer for `child`, whose `map_run_arn` is set.
pub(super) async fn describe(
    api: &Api,
    child: &ExecutionRecord,
    map_run_arn: &str,
) -> Result<Vec<u8>, ApiError> {
    let run = map_runs::map_run(api, map_run_arn).await?;
    let parent = execution(api, &run.execution_arn).await?;
    let revision = api
        .runtime
        .store()
        .get_revision(&parent.state_machine_arn, parent.revision)
        .await?
        .ok_or_else(|| ApiError::internal("the parent execution's revision is missing"))?;
    // The parent's state machine's encryption (also after it was deleted: AWS's default).
    let parent_machine = api
        .runtime
        .store()
        .get_state_machine(&parent.state_machine_arn)
        .await?;
    let encryption = parent_machine.and_then(|machine| machine.encryption);
    // The Map Run's ARN (`…:mapRun:MACHINE/LABEL:ID`) names the child's machine.
    let (machine, label) = match Arn::parse(map_run_arn).map(|arn| arn.resource) {
        Ok(Resource::MapRun {
            state_machine,
            label,
            ..
        }) => (state_machine, label),
        _ => {
            return Err(ApiError::internal(
                "a child execution's Map Run ARN is malformed",
            ))
        }
    };
    let name = format!("{machine}/{label}");
    let definition: Value = serde_json::from_str(&revision.definition)
        .map_err(|_| ApiError::internal("the parent execution's definition is not JSON"))?;
    let processor = processor(&definition, &label).ok_or_else(|| {
        ApiError::internal("the Map state of this Map Run is not in its definition")
    })?;
    body(&ChildMachine {
        state_machine_arn: child.state_machine_arn.clone(),
        name,
        definition: processor.to_string(),
        role_arn: revision.role_arn,
        update_date: seconds(parent.started_ms),
        logging_configuration: fluxo_runtime::LoggingConfig::stored(None).raw,
        tracing_configuration: serde_json::json!({"enabled": false}),
        encryption_configuration: server_options::described_encryption(encryption.as_deref()),
        map_run_arn: map_run_arn.to_string(),
        label,
    })
}

/// The item processor of the distributed Map labelled `label`, else of the first distributed
/// Map without a `Label`, anywhere in `definition`.
fn processor<'d>(definition: &'d Value, label: &str) -> Option<&'d Value> {
    let mut unlabelled = None;
    for (_, state) in fluxo_asl::walk::states(definition) {
        let Some(processor) = state.get("ItemProcessor").or_else(|| state.get("Iterator")) else {
            continue;
        };
        let mode = processor.pointer("/ProcessorConfig/Mode");
        if mode.and_then(Value::as_str) != Some("DISTRIBUTED") {
            continue;
        }
        match state.get("Label").and_then(Value::as_str) {
            Some(found) if found == label => return Some(processor),
            None if unlabelled.is_none() => unlabelled = Some(processor),
            _ => {}
        }
    }
    unlabelled
}

#[cfg(test)]
mod tests {
    use super::processor;
    use serde_json::json;

    #[test]
    fn the_processor_is_found_by_label_then_as_the_unlabelled_one() {
        let map = |label: Option<&str>, start: &str| {
            let mut state = json!({"Type": "Map", "End": true, "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": start, "States": {start: {"Type": "Succeed"}}}});
            if let Some(label) = label {
                state["Label"] = json!(label);
            }
            state
        };
        let definition = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true,
            "Branches": [
                {"StartAt": "A", "States": {"A": map(Some("first"), "X")}},
                {"StartAt": "B", "States": {"B": map(None, "Y")}}]}}});
        assert_eq!(processor(&definition, "first").unwrap()["StartAt"], "X");
        assert_eq!(
            processor(&definition, "generated-id").unwrap()["StartAt"],
            "Y"
        );
        let inline = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
            "ItemProcessor": {"StartAt": "Z", "States": {"Z": {"Type": "Succeed"}}}}}});
        assert!(processor(&inline, "x").is_none());
    }
}
