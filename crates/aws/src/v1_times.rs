//! Timestamps in the results of the job services' optimized integrations (Athena, Glue,
//! Batch, ECS, MediaConvert) as the SDK for Java 1.x gives them to Step Functions: epoch
//! milliseconds as numbers (a Glue job run's `"CompletedOn": 1638296059130`), where the AWS SDK
//! integrations show ISO 8601 text. The output is walked along its API shape.

use crate::model::{ServiceModel, ShapeKind};
use crate::naming;
use serde_json::Value;

/// Converts the timestamps of `value`, the output of `service`'s `action`, in place (a service
/// or action the registry does not have leaves it as it is).
pub(crate) fn convert_output(
    registry: &crate::model::ModelRegistry,
    service: &str,
    action: &str,
    value: &mut Value,
) {
    let Ok(model) = registry.model(service) else {
        return;
    };
    if let Some(output) = model.operation(action).and_then(|o| o.output.as_ref()) {
        to_epoch_millis(&model, &output.shape, value, 0);
    }
}

/// Nesting past this is left as it is (no API output nests this deep).
const MAX_DEPTH: usize = 64;

/// Converts, in place, the timestamps of `value` (a result of `shape`) to epoch milliseconds.
pub(crate) fn to_epoch_millis(model: &ServiceModel, shape: &str, value: &mut Value, depth: usize) {
    let Ok(shape_def) = model.shape(shape) else {
        return;
    };
    if depth > MAX_DEPTH || shape_def.document {
        return;
    }
    match (shape_def.kind, value) {
        (ShapeKind::Structure, Value::Object(object)) => {
            for (name, member) in &shape_def.members {
                if let Some(item) = object.get_mut(&naming::output_key(name)) {
                    to_epoch_millis(model, &member.shape, item, depth + 1);
                }
            }
        }
        (ShapeKind::List, Value::Array(items)) => {
            if let Some(member) = &shape_def.member {
                for item in items {
                    to_epoch_millis(model, &member.shape, item, depth + 1);
                }
            }
        }
        (ShapeKind::Map, Value::Object(entries)) => {
            if let Some(member) = &shape_def.value {
                for item in entries.values_mut() {
                    to_epoch_millis(model, &member.shape, item, depth + 1);
                }
            }
        }
        (ShapeKind::Timestamp, value @ Value::String(_)) => {
            let parsed = value
                .as_str()
                .and_then(|text| text.parse::<jiff::Timestamp>().ok());
            if let Some(time) = parsed {
                *value = Value::from(time.as_millisecond());
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ModelRegistry;
    use serde_json::json;

    #[test]
    fn a_glue_job_runs_times_become_epoch_milliseconds() {
        let registry = ModelRegistry::new(None);
        let glue = registry.model("glue").unwrap();
        let mut output = json!({"JobRun": {"Id": "jr_1", "StartedOn": "2021-11-30T18:13:25.295Z",
            "CompletedOn": "2021-11-30T18:14:19.130Z", "JobRunState": "SUCCEEDED",
            "PredecessorRuns": []}});
        to_epoch_millis(&glue, "GetJobRunResponse", &mut output, 0);
        assert_eq!(
            output,
            json!({"JobRun": {"Id": "jr_1", "StartedOn": 1638296005295_i64,
                "CompletedOn": 1638296059130_i64, "JobRunState": "SUCCEEDED",
                "PredecessorRuns": []}})
        );
    }
}
