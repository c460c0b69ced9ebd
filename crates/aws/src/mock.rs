//! TestState's check of a mocked service-integration result against the integration's API
//! model (API reference, `MockInput.fieldValidationMode`): `STRICT` (the default) requires the
//! output shape's required members and checks every present member, `PRESENT` checks only the
//! present members, `NONE` checks nothing.
//!
//! What is checked follows the recorded AWS answers (`conformance-api/cases/test_state/
//! field_validation_mode*`): member names are Step Functions' (PascalCase, as results show
//! them: `ExecutionArn`, not the model's `executionArn`); a key the model does not have is
//! ignored, whatever its case; strings, timestamps and (in AWS SDK integrations) blobs must be
//! JSON strings, numbers JSON numbers, lists arrays; an enum string must be one of its values;
//! numbers keep the model's `min`/`max`, strings and blobs its length bounds. AWS's words:
//! `Mock result schema validation error: Field 'X' must be a string`, `... is not an expected
//! value`, `... is less than the minimum value`, `... exceeds the maximum value`,
//! `... is smaller than the minimum length`.
//!
//! Which results are checked: request-response calls of AWS SDK integrations and of the
//! optimized integrations whose results are an API operation's output (`lambda:invoke`,
//! `sqs:sendMessage`, `sns:publish`, `events:putEvents`, DynamoDB's item actions,
//! `states:startExecution`). A `.waitForTaskToken` result is what `SendTaskSuccess` sends and a
//! `.sync` result the job's description, so neither has the call's output shape; those, and
//! services whose model Fluxo lacks, pass unchecked.

use crate::model::{ModelRegistry, ServiceModel, Shape, ShapeKind};
use crate::naming;
use crate::resource::{IntegrationKind, IntegrationPattern, ServiceResource};
use serde_json::Value;

/// How strictly a mocked result is checked (`MockInput.fieldValidationMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FieldValidationMode {
    /// Required members present, present members well-typed (AWS's default).
    #[default]
    Strict,
    /// Present members well-typed.
    Present,
    /// No check.
    None,
}

impl FieldValidationMode {
    /// The mode the API names (`STRICT`, `PRESENT`, `NONE`); `None` for any other text.
    pub fn parse(text: &str) -> Option<FieldValidationMode> {
        match text {
            "STRICT" => Some(FieldValidationMode::Strict),
            "PRESENT" => Some(FieldValidationMode::Present),
            "NONE" => Some(FieldValidationMode::None),
            _ => None,
        }
    }
}

/// Why a mocked result does not fit its API model; displays as AWS's `ValidationException`
/// message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Mock result schema validation error: {0}")]
pub struct MockResultProblem(String);

/// Checks a mocked `result` of a Task whose resource is `resource` (see the module docs for
/// what is checked and what passes unchecked).
pub fn check_mock_result(
    resource: &ServiceResource,
    result: &Value,
    mode: FieldValidationMode,
) -> Result<(), MockResultProblem> {
    if mode == FieldValidationMode::None || resource.pattern != IntegrationPattern::RequestResponse
    {
        return Ok(());
    }
    let (service, action) = match resource.kind {
        IntegrationKind::AwsSdk => (resource.service.as_str(), resource.action.as_str()),
        IntegrationKind::Optimized => match optimized_operation(resource) {
            Some(found) => found,
            None => return Ok(()),
        },
    };
    let Ok(model) = ModelRegistry::embedded().model(service) else {
        return Ok(());
    };
    let Some(output) = model
        .operation(action)
        .and_then(|operation| operation.output.as_ref())
    else {
        return Ok(());
    };
    let checker = Checker {
        model: &model,
        strict: mode == FieldValidationMode::Strict,
        // Optimized integrations give JSON where the API has a blob (Lambda's `Payload`).
        blob_is_json: resource.kind == IntegrationKind::Optimized,
    };
    checker.value(result, &output.shape, None)
}

/// The model service and operation an optimized integration's result comes from.
fn optimized_operation(resource: &ServiceResource) -> Option<(&'static str, &str)> {
    let service = match resource.service.as_str() {
        "lambda" if resource.action == "invoke" => "lambda",
        "sqs" if resource.action == "sendMessage" => "sqs",
        "sns" if resource.action == "publish" => "sns",
        "events" if resource.action == "putEvents" => "eventbridge",
        "dynamodb" => "dynamodb",
        "states" if resource.action == "startExecution" => "sfn",
        _ => return None,
    };
    Some((service, resource.action.as_str()))
}

struct Checker<'a> {
    model: &'a ServiceModel,
    strict: bool,
    blob_is_json: bool,
}

impl Checker<'_> {
    fn shape(&self, name: &str) -> Result<&Shape, MockResultProblem> {
        // A model that names a shape it lacks is broken; it cannot judge the mock.
        self.model
            .shape(name)
            .map_err(|error| MockResultProblem(error.to_string()))
    }

    /// Checks `value` against the shape `name`; `field` is the member it is (or, for list
    /// elements and map values, the member that holds it), `None` at the top.
    fn value(
        &self,
        value: &Value,
        name: &str,
        field: Option<&str>,
    ) -> Result<(), MockResultProblem> {
        let shape = self.shape(name)?;
        if shape.document {
            return Ok(());
        }
        let field_name = field.unwrap_or("result");
        let must_be = |what: &str| {
            Err(MockResultProblem(format!(
                "Field '{field_name}' must be {what}"
            )))
        };
        match shape.kind {
            ShapeKind::Structure => match value.as_object() {
                Some(object) => self.structure(object, shape),
                None => must_be("an object"),
            },
            ShapeKind::List => match value.as_array() {
                Some(items) => {
                    let member = shape.member.as_ref().map(|m| m.shape.as_str());
                    for item in items {
                        if let Some(member) = member {
                            self.value(item, member, field)?;
                        }
                    }
                    Ok(())
                }
                None => must_be("an array"),
            },
            ShapeKind::Map => match value.as_object() {
                Some(entries) => {
                    let member = shape.value.as_ref().map(|m| m.shape.as_str());
                    for item in entries.values() {
                        if let Some(member) = member {
                            self.value(item, member, field)?;
                        }
                    }
                    Ok(())
                }
                None => must_be("an object"),
            },
            ShapeKind::String | ShapeKind::Timestamp => match value.as_str() {
                Some(text) => self.text(text, shape, field_name),
                None => must_be("a string"),
            },
            ShapeKind::Blob if self.blob_is_json => Ok(()),
            ShapeKind::Blob => match value.as_str() {
                Some(text) => self.text(text, shape, field_name),
                None => must_be("a string"),
            },
            ShapeKind::Integer | ShapeKind::Long | ShapeKind::Float | ShapeKind::Double => {
                match value.as_f64() {
                    Some(number) => bounds(number, shape, field_name),
                    None => must_be("a number"),
                }
            }
            ShapeKind::Boolean => match value.is_boolean() {
                true => Ok(()),
                false => must_be("a boolean"),
            },
        }
    }

    fn structure(
        &self,
        object: &serde_json::Map<String, Value>,
        shape: &Shape,
    ) -> Result<(), MockResultProblem> {
        if self.strict {
            for required in &shape.required {
                let key = naming::output_key(required);
                if !object.contains_key(&key) {
                    return Err(MockResultProblem(format!(
                        "Required field '{key}' is missing"
                    )));
                }
            }
        }
        for (key, item) in object {
            // Keys the model does not have pass: AWS ignores them (recorded case
            // `..._mock_result_field_not_in_api_spec_field_not_part_of_api_spec`).
            let member = shape
                .members
                .iter()
                .find(|(name, _)| naming::output_key(name) == *key);
            if let Some((_, member)) = member {
                self.value(item, &member.shape, Some(key))?;
            }
        }
        Ok(())
    }

    fn text(&self, text: &str, shape: &Shape, field: &str) -> Result<(), MockResultProblem> {
        if shape.kind == ShapeKind::String
            && !shape.allowed.is_empty()
            && !shape.allowed.iter().any(|allowed| allowed == text)
        {
            return Err(MockResultProblem(format!(
                "Field '{field}' is not an expected value"
            )));
        }
        if shape.kind == ShapeKind::Timestamp {
            return Ok(());
        }
        let length = text.chars().count() as f64;
        if shape.min.is_some_and(|min| length < min) {
            return Err(MockResultProblem(format!(
                "Field '{field}' is smaller than the minimum length"
            )));
        }
        if shape.max.is_some_and(|max| length > max) {
            return Err(MockResultProblem(format!(
                "Field '{field}' exceeds the maximum length"
            )));
        }
        Ok(())
    }
}

fn bounds(number: f64, shape: &Shape, field: &str) -> Result<(), MockResultProblem> {
    if shape.min.is_some_and(|min| number < min) {
        return Err(MockResultProblem(format!(
            "Field '{field}' is less than the minimum value"
        )));
    }
    if shape.max.is_some_and(|max| number > max) {
        return Err(MockResultProblem(format!(
            "Field '{field}' exceeds the maximum value"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(resource: &str, result: Value, mode: FieldValidationMode) -> Result<(), String> {
        let resource = ServiceResource::parse(resource).unwrap().unwrap();
        check_mock_result(&resource, &result, mode).map_err(|problem| problem.to_string())
    }

    const START: &str = "arn:aws:states:::states:startExecution";

    #[test]
    fn strict_requires_the_required_members_in_step_functions_naming() {
        let strict = FieldValidationMode::Strict;
        assert_eq!(
            check(START, json!({"ExecutionArn": "a"}), strict),
            Err(
                "Mock result schema validation error: Required field 'StartDate' is missing".into()
            )
        );
        let whole = json!({"ExecutionArn": "a", "StartDate": "2025-01-01T12:00:00"});
        assert_eq!(check(START, whole, strict), Ok(()));
        let present = FieldValidationMode::Present;
        assert_eq!(check(START, json!({}), present), Ok(()));
        // The model's own casing is not Step Functions' and is ignored like any unknown key.
        assert_eq!(check(START, json!({"startDate": 1}), present), Ok(()));
        assert_eq!(
            check(START, json!({"StartDate": 1}), present),
            Err("Mock result schema validation error: Field 'StartDate' must be a string".into())
        );
        assert_eq!(
            check(START, json!({"StartDate": 1}), FieldValidationMode::None),
            Ok(())
        );
    }

    #[test]
    fn types_enums_and_bounds_follow_the_model() {
        let present = FieldValidationMode::Present;
        let events = "arn:aws:states:::events:putEvents";
        let nested = json!({"Entries": [{"EventId": "x"}, {"EventId": ["y"]}]});
        assert_eq!(
            check(events, nested, present).unwrap_err(),
            "Mock result schema validation error: Field 'EventId' must be a string"
        );
        let s3 = "arn:aws:states:::aws-sdk:s3:getObject";
        let enum_error = check(s3, json!({"StorageClass": "Papyrus"}), present).unwrap_err();
        assert!(enum_error.ends_with("Field 'StorageClass' is not an expected value"));
        assert_eq!(
            check(s3, json!({"StorageClass": "GLACIER"}), present),
            Ok(())
        );
        let lambda = "arn:aws:states:::aws-sdk:lambda:getFunction";
        let low = check(
            lambda,
            json!({"Configuration": {"MemorySize": 127}}),
            present,
        );
        assert!(low.unwrap_err().ends_with("is less than the minimum value"));
        // The embedded model (botocore 1.44.8) allows 32,768 MB; AWS allowed 10,240 when the
        // recorded cases were made.
        let high = check(
            lambda,
            json!({"Configuration": {"MemorySize": 32769}}),
            present,
        );
        assert!(high.unwrap_err().ends_with("exceeds the maximum value"));
        let kms = "arn:aws:states:::aws-sdk:kms:encrypt";
        let empty = check(kms, json!({"CiphertextBlob": ""}), present).unwrap_err();
        assert!(empty.ends_with("Field 'CiphertextBlob' is smaller than the minimum length"));
        let number = check(kms, json!({"CiphertextBlob": 123}), present).unwrap_err();
        assert!(number.ends_with("Field 'CiphertextBlob' must be a string"));
    }

    #[test]
    fn optimized_blobs_are_json_and_callbacks_pass() {
        let strict = FieldValidationMode::Strict;
        let invoke = "arn:aws:states:::lambda:invoke";
        assert_eq!(check(invoke, json!({"Payload": {"a": 1}}), strict), Ok(()));
        assert!(check(invoke, json!({"StatusCode": "200"}), strict).is_err());
        let callback = "arn:aws:states:::lambda:invoke.waitForTaskToken";
        assert_eq!(
            check(callback, json!({"StatusCode": "200"}), strict),
            Ok(())
        );
        // A service whose model Fluxo lacks cannot be checked.
        let transcribe = "arn:aws:states:::aws-sdk:transcribe:getVocabulary";
        assert_eq!(check(transcribe, json!({"Job": 1}), strict), Ok(()));
    }
}
