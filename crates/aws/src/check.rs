//! What AWS checks about a service integration when a state machine is created, beyond the
//! resource's form (which [`ServiceResource::parse`] checks): that an AWS SDK integration's
//! action exists, and that the static keys of `Parameters` name request members
//! (`SCHEMA_VALIDATION_FAILED: The field "static" is not supported by Step Functions at
//! /States/X/Parameters`, as AWS answers; aws/aws-cdk issue 29968).
//!
//! Whether the integration is enabled is not checked: AWS accepts a definition whatever its
//! role may call, and so does Fluxo; the call fails at run time.

use crate::model::{ModelRegistry, ShapeKind};
use crate::naming;
use crate::optimized;
use crate::resource::{IntegrationKind, ServiceResource, UnrecognizedResource};
use serde_json::Value;

/// A problem AWS reports when the definition is created.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DefinitionProblem {
    /// The service has no such action: reported at the state's `Resource`.
    #[error(transparent)]
    Resource(#[from] UnrecognizedResource),
    /// A key of `Parameters` that the request does not have: reported at `Parameters`.
    #[error("The field \"{field}\" is not supported by Step Functions")]
    Field {
        /// The key, without a `.$` suffix.
        field: String,
    },
}

/// [`check`] against the embedded models and `[aws] models_dir`
/// ([`ModelRegistry::for_definitions`]), whether or not the integration is enabled: what
/// `CreateStateMachine`, `UpdateStateMachine` and `ValidateStateMachineDefinition` check of
/// each Task (`fluxo_runtime::prepare_new`, `fluxo_runtime::integration_diagnostics`). Services without a model pass.
pub fn check_definition_task(
    resource: &ServiceResource,
    parameters: Option<&Value>,
) -> Result<(), DefinitionProblem> {
    check(ModelRegistry::for_definitions(), resource, parameters)
}

/// Checks a resource and its `Parameters` template (keys ending in `.$` name their member
/// without the suffix). A service whose model Fluxo does not have cannot be checked and passes;
/// the call then fails at run time with the reason.
pub(crate) fn check(
    registry: &ModelRegistry,
    resource: &ServiceResource,
    parameters: Option<&Value>,
) -> Result<(), DefinitionProblem> {
    if resource.kind == IntegrationKind::Optimized {
        let supported = optimized::supported_parameters(&resource.service, &resource.action);
        let Some(optimized::Accepted::Listed(supported)) = supported else {
            // Not called, or called with its API's request: checked below, as an AWS SDK
            // integration's parameters are.
            return match supported {
                Some(optimized::Accepted::Api) => check_api(registry, resource, parameters),
                _ => Ok(()),
            };
        };
        for key in template_keys(parameters) {
            if !supported.contains(&key) {
                return Err(DefinitionProblem::Field {
                    field: key.to_string(),
                });
            }
        }
        return Ok(());
    }
    check_api(registry, resource, parameters)
}

/// Checks `parameters` against the request of the resource's API action.
fn check_api(
    registry: &ModelRegistry,
    resource: &ServiceResource,
    parameters: Option<&Value>,
) -> Result<(), DefinitionProblem> {
    let Ok(model) = registry.model(&resource.service) else {
        return Ok(());
    };
    let Some(operation) = model.operation(&resource.action) else {
        return Err(UnrecognizedResource {
            arn: resource.arn.clone(),
        }
        .into());
    };
    let Some(parameters) = parameters else {
        return Ok(());
    };
    match &operation.input {
        Some(input) => check_fields(&model, &input.shape, parameters, 0),
        None => match template_keys(Some(parameters)).next() {
            Some(key) => Err(DefinitionProblem::Field {
                field: key.to_string(),
            }),
            None => Ok(()),
        },
    }
}

/// The member names a template's keys give (`Bucket.$` → `Bucket`).
fn template_keys(parameters: Option<&Value>) -> impl Iterator<Item = &str> {
    parameters
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|object| object.keys())
        .map(|key| key.strip_suffix(".$").unwrap_or(key))
}

/// Static objects are checked against structure shapes, recursively; values from paths and
/// intrinsics are only known at run time.
fn check_fields(
    model: &crate::model::ServiceModel,
    shape: &str,
    template: &Value,
    depth: usize,
) -> Result<(), DefinitionProblem> {
    let Ok(shape) = model.shape(shape) else {
        return Ok(());
    };
    if shape.kind != ShapeKind::Structure || shape.document || depth > crate::params::MAX_DEPTH {
        return Ok(());
    }
    let Some(object) = template.as_object() else {
        return Ok(());
    };
    for (key, value) in object {
        let dynamic = key.ends_with(".$");
        let name = key.strip_suffix(".$").unwrap_or(key);
        let Some((_, member)) = shape
            .members
            .iter()
            .find(|(member, _)| naming::parameter_matches(name, member))
        else {
            return Err(DefinitionProblem::Field {
                field: name.to_string(),
            });
        };
        if !dynamic {
            check_fields(model, &member.shape, value, depth + 1)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn checked(arn: &str, parameters: Value) -> Result<(), DefinitionProblem> {
        let resource = ServiceResource::parse(arn).unwrap().unwrap();
        check(&ModelRegistry::new(None), &resource, Some(&parameters))
    }

    #[test]
    fn sdk_actions_and_fields_are_checked_against_the_model() {
        assert_eq!(
            checked(
                "arn:aws:states:::aws-sdk:s3:getObject",
                json!({"Bucket.$": "$.b", "Key": "k"})
            ),
            Ok(())
        );
        let unknown = checked("arn:aws:states:::aws-sdk:s3:getObjekt", json!({})).unwrap_err();
        assert!(
            matches!(unknown, DefinitionProblem::Resource(_)),
            "{unknown}"
        );
        assert_eq!(
            checked(
                "arn:aws:states:::aws-sdk:s3:getObject",
                json!({"Bucket": "b", "Nope.$": "$.x"})
            )
            .unwrap_err()
            .to_string(),
            "The field \"Nope\" is not supported by Step Functions"
        );
        let nested = checked(
            "arn:aws:states:::aws-sdk:sqs:sendMessage",
            json!({"QueueUrl": "q", "MessageBody": "m", "MessageAttributes": {"a": {"DataType": "String"}}}),
        );
        assert_eq!(nested, Ok(()), "map keys are the caller's");
        // A service without a model here cannot be checked.
        assert_eq!(
            checked(
                "arn:aws:states:::aws-sdk:transcribe:getVocabulary",
                json!({"Anything": 1})
            ),
            Ok(())
        );
    }

    #[test]
    fn optimized_parameters_are_the_documented_ones() {
        assert_eq!(
            checked(
                "arn:aws:states:::sqs:sendMessage",
                json!({"QueueUrl": "q", "MessageBody.$": "$"})
            ),
            Ok(())
        );
        assert_eq!(
            checked(
                "arn:aws:states:::sqs:sendMessage",
                json!({"QueueUrl": "q", "MessageSystemAttributes": {}})
            ),
            Err(DefinitionProblem::Field {
                field: "MessageSystemAttributes".into()
            })
        );
    }
}
