//! Step Functions parameters → the request members of the API model.
//!
//! Step Functions passes a Task's effective parameters to the AWS SDK for Java 2.x, which binds
//! them to the operation's request by the model (developer guide, "supported-services-awssdk"):
//! - keys are the members' names in PascalCase (`JobTemplate` for a `jobTemplate` member) and
//!   `EqualsValue` for `Equals` ([`naming::parameter_matches`]);
//! - a JSON value given for a string member is sent as its JSON text (recorded case
//!   `aws_sdk_task_service__test_sfn_start_execution_implicit_json_serialisation`: an object as
//!   `sfn:startExecution`'s `Input`);
//! - a blob member receives the JSON text of the value (recorded `s3:putObject` cases: the body
//!   of `{"Dict": "Value"}` is `{"Dict":"Value"}`, the body of `"text data"` is `"text data"`
//!   with its quotes);
//! - a null leaves the member out, and the service reports the missing member itself (recorded
//!   `aws_sdk__test_dynamodb_invalid_param`: "Value null at 'item' ...").
//!
//! A key that is not a member fails the call: AWS rejects such a definition when it is created.

use crate::model::{ServiceModel, ShapeKind};
use crate::naming;
use serde_json::{Map, Value};

/// Nesting deeper than this is refused before any work: recursive shapes (DynamoDB's
/// `AttributeValue`) would otherwise let a parameter document drive the recursion.
pub(crate) const MAX_DEPTH: usize = 64;

/// A parameter that does not fit the request; the text is the cause of the failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParameterError(pub String);

/// Binds `value` to the shape `shape`: keys become member names and values take the types the
/// wire serializers expect (blobs as their bytes in a string).
pub(crate) fn bind(
    model: &ServiceModel,
    shape: &str,
    value: Value,
    path: &str,
    depth: usize,
) -> Result<Value, ParameterError> {
    if depth > MAX_DEPTH {
        return Err(ParameterError(format!(
            "The parameters nest deeper than {MAX_DEPTH} levels at '{path}'"
        )));
    }
    let shape_def = model
        .shape(shape)
        .map_err(|error| ParameterError(error.to_string()))?;
    if shape_def.document {
        return Ok(value);
    }
    match shape_def.kind {
        ShapeKind::Structure => {
            let Value::Object(object) = value else {
                return Err(ParameterError(format!(
                    "The field '{path}' must be an object, as the {shape} of the API is"
                )));
            };
            let mut bound = Map::new();
            for (key, item) in object {
                let Some((name, member)) = shape_def
                    .members
                    .iter()
                    .find(|(name, _)| naming::parameter_matches(&key, name))
                else {
                    return Err(ParameterError(format!(
                        "The field \"{}\" is not supported by Step Functions",
                        join(path, &key)
                    )));
                };
                if item.is_null() {
                    continue;
                }
                let item = bind(model, &member.shape, item, &join(path, &key), depth + 1)?;
                bound.insert(name.clone(), item);
            }
            for (name, member) in &shape_def.members {
                if member.idempotency_token && !bound.contains_key(name) {
                    bound.insert(
                        name.clone(),
                        Value::String(uuid::Uuid::new_v4().to_string()),
                    );
                }
            }
            Ok(Value::Object(bound))
        }
        ShapeKind::List => {
            let Value::Array(items) = value else {
                return Err(ParameterError(format!(
                    "The field '{path}' must be a list, as the {shape} of the API is"
                )));
            };
            let element = &shape_def
                .member
                .as_ref()
                .ok_or_else(|| broken(shape))?
                .shape;
            items
                .into_iter()
                .enumerate()
                .map(|(index, item)| {
                    bind(model, element, item, &format!("{path}[{index}]"), depth + 1)
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array)
        }
        ShapeKind::Map => {
            let Value::Object(entries) = value else {
                return Err(ParameterError(format!(
                    "The field '{path}' must be an object, as the {shape} of the API is"
                )));
            };
            let element = &shape_def.value.as_ref().ok_or_else(|| broken(shape))?.shape;
            entries
                .into_iter()
                .map(|(key, item)| {
                    let item = bind(model, element, item, &join(path, &key), depth + 1)?;
                    Ok((key, item))
                })
                .collect::<Result<Map<_, _>, _>>()
                .map(Value::Object)
        }
        ShapeKind::String => Ok(match value {
            Value::String(text) => Value::String(text),
            other => Value::String(other.to_string()),
        }),
        ShapeKind::Blob => Ok(Value::String(value.to_string())),
        _ => Ok(value),
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn broken(shape: &str) -> ParameterError {
    ParameterError(format!("the API model's shape '{shape}' is incomplete"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ModelRegistry;
    use serde_json::json;

    fn bound(service: &str, input: &str, value: Value) -> Result<Value, ParameterError> {
        let model = ModelRegistry::new(None).model(service).unwrap();
        bind(&model, input, value, "", 0)
    }

    #[test]
    fn members_strings_and_blobs_take_the_api_types() {
        let value = bound(
            "s3",
            "PutObjectRequest",
            json!({"Bucket": "b", "Key": "k", "Body": {"Dict": "Value"}, "ContentType": null}),
        )
        .unwrap();
        assert_eq!(
            value,
            json!({"Bucket": "b", "Key": "k", "Body": "{\"Dict\":\"Value\"}"})
        );
        let text = bound(
            "s3",
            "PutObjectRequest",
            json!({"Bucket": "b", "Key": "k", "Body": "text data"}),
        );
        assert_eq!(text.unwrap()["Body"], json!("\"text data\""));
        let input = bound(
            "sfn",
            "StartExecutionInput",
            json!({"StateMachineArn": "arn", "Input": {"key": "value"}}),
        )
        .unwrap();
        // The model's member is `input`; the PascalCase key reaches it.
        assert_eq!(input["input"], json!("{\"key\":\"value\"}"));
    }

    #[test]
    fn unknown_fields_and_wrong_types_are_refused() {
        let error = bound(
            "sqs",
            "SendMessageRequest",
            json!({"QueueUrl": "q", "Nope": 1}),
        )
        .unwrap_err();
        assert_eq!(
            error.0,
            "The field \"Nope\" is not supported by Step Functions"
        );
        let error = bound(
            "sqs",
            "SendMessageRequest",
            json!({"MessageAttributes": []}),
        )
        .unwrap_err();
        assert!(
            error.0.contains("'MessageAttributes' must be an object"),
            "{}",
            error.0
        );
    }

    #[test]
    fn deep_recursive_shapes_are_bounded() {
        let mut value = json!({"S": "x"});
        for _ in 0..100 {
            value = json!({"M": {"a": value}});
        }
        let error = bound(
            "dynamodb",
            "PutItemInput",
            json!({"TableName": "t", "Item": {"a": value}}),
        )
        .unwrap_err();
        assert!(error.0.contains("nest deeper"), "{}", error.0);
    }
}
