//! `ItemReader`: the items of a distributed Map read from S3 through the environment's
//! service integrations (`Environment::call_service`, so that `[aws]`'s enable list and
//! credentials apply), as `aws-sdk:s3:getObject` / `aws-sdk:s3:listObjectsV2` calls.

use super::formats;
use super::reading::{not_read, Reading};
use super::tolerance::{as_number, path_of, quoted};
use crate::attempt::Attempt;
use crate::environment::ServiceRequest;
use crate::failure::Failure;
use crate::jsonata::StateValues;
use fluxo_asl::model::distributed::{InputType, ItemReader, ManifestType, ReaderAction};
use fluxo_asl::model::Template;
use serde_json::{Map, Value};

/// AWS's limit on `MaxItems`.
const MAX_ITEMS: u64 = 100_000_000;

/// Pages of a listing read at most: 100,000,000 objects at 1,000 a page.
const MAX_PAGES: usize = 100_000;

/// `States.ItemReaderFailed` with this cause.
pub(super) fn failed(cause: String) -> Failure {
    Failure::new("States.ItemReaderFailed", Some(cause))
}

/// `MaxItems` / `MaxItemsPath` resolved (0: all). A value that is no integer fails the state
/// before its Map Run starts (`States.Runtime`); a negative one fails the run
/// (`States.ItemReaderFailed`, "field MaxItems must be positive"), as recorded in
/// `base_scenarios__test_map_item_reader_csv_max_items_paths_*`.
pub(super) fn max_items(
    attempt: &Attempt<'_>,
    reader: &ItemReader,
    effective: &Value,
) -> Result<Result<usize, Failure>, Failure> {
    let Some(field) = &reader.config.max_items else {
        return Ok(Ok(0));
    };
    let value = attempt.resolve(field, "MaxItemsPath", effective)?;
    match as_number(&value).and_then(|n| n.as_i64()) {
        Some(n) if n < 0 => Ok(Err(failed("field MaxItems must be positive".into()))),
        Some(n) => Ok(Ok(n.min(MAX_ITEMS as i64) as usize)),
        None => Err(attempt.runtime_error(format!(
            "The MaxItemsPath field refers to value {} which is not a valid integer: {}",
            quoted(&value),
            path_of(field)
        ))),
    }
}

/// `Parameters` / `Arguments` of a reader or writer, evaluated over the state's input.
pub(super) fn arguments(
    attempt: &Attempt<'_>,
    template: Option<&Template>,
    effective: &Value,
    field: &str,
) -> Result<Map<String, Value>, Failure> {
    let value = match template {
        None => return Ok(Map::new()),
        Some(Template::JsonPath(template)) => attempt.template(template, effective)?,
        Some(Template::Jsonata(template)) => {
            attempt.jsonata(template, field, StateValues::input(effective))?
        }
    };
    match value {
        Value::Object(map) => Ok(map),
        other => Err(attempt.runtime_error(format!("{field} must be an object, not {other}"))),
    }
}

/// Calls an S3 action through the environment's service integrations.
pub(super) async fn s3(
    attempt: &Attempt<'_>,
    action: &str,
    parameters: Map<String, Value>,
    raw_body: Option<String>,
) -> Result<Value, Failure> {
    let context = &attempt.run.context;
    let request = ServiceRequest {
        resource: format!("arn:aws:states:::aws-sdk:s3:{action}"),
        parameters: Value::Object(parameters),
        region: context.region().to_string(),
        state_machine_arn: context.state_machine_arn().to_string(),
        execution_arn: context.execution_arn().to_string(),
        raw_body,
    };
    attempt
        .run
        .env
        .call_service(request)
        .await
        .map_err(|failure| Failure::new(failure.error, failure.cause))
}

/// Reads every item (at most `max`, 0: all). Any failure is `States.ItemReaderFailed`.
pub(super) async fn read(
    attempt: &Attempt<'_>,
    reader: &ItemReader,
    effective: &Value,
    max: usize,
) -> Result<Vec<Value>, Failure> {
    let parameters = arguments(attempt, reader.parameters.as_ref(), effective, "Arguments")?;
    let config = &reader.config;
    let mut reading = Reading::new(attempt, config, max);
    match (reader.action, config.manifest) {
        (ReaderAction::ListObjectsV2, _) => {
            let bucket = text_of(&parameters, "Bucket");
            let mut listing = Listing::new(parameters);
            let mut items = Vec::new();
            while let Some(objects) = listing.next(attempt).await.map_err(not_read)? {
                if config.load_and_flatten {
                    // Page by page, so that `MaxItems` also stops the listing.
                    reading.flattened(&bucket, &objects).await?;
                    if reading.is_full() {
                        break;
                    }
                    continue;
                }
                for object in &objects {
                    if max != 0 && items.len() >= max {
                        return Ok(items);
                    }
                    items.push(formats::listed_object(object));
                }
            }
            if !config.load_and_flatten {
                return Ok(items);
            }
        }
        (ReaderAction::GetObject, Some(ManifestType::S3Inventory)) => {
            reading.s3_inventory(parameters).await?
        }
        (ReaderAction::GetObject, Some(ManifestType::AthenaData)) => {
            reading.athena(parameters).await?
        }
        (ReaderAction::GetObject, None) => {
            let text = reading.text(parameters).await?;
            let input_type = config.input_type.unwrap_or(InputType::Json);
            reading.add(&text, input_type, &config.csv_headers)?;
        }
    }
    Ok(reading.items)
}

/// `listObjectsV2` page after page (at most [`MAX_PAGES`]).
struct Listing {
    parameters: Map<String, Value>,
    token: Option<Value>,
    pages: usize,
    ended: bool,
}

impl Listing {
    fn new(parameters: Map<String, Value>) -> Listing {
        Listing {
            parameters,
            token: None,
            pages: 0,
            ended: false,
        }
    }

    /// The next page's objects (its `Contents`), or `None` once the listing has ended.
    async fn next(&mut self, attempt: &Attempt<'_>) -> Result<Option<Vec<Value>>, Failure> {
        if self.ended || self.pages >= MAX_PAGES {
            return Ok(None);
        }
        self.pages += 1;
        let mut request = self.parameters.clone();
        if let Some(token) = self.token.take() {
            request.insert("ContinuationToken".into(), token);
        }
        let mut page = s3(attempt, "listObjectsV2", request, None).await?;
        match (&page["IsTruncated"], &page["NextContinuationToken"]) {
            (Value::Bool(true), Value::String(next)) => {
                self.token = Some(Value::String(next.clone()))
            }
            _ => self.ended = true,
        }
        match page["Contents"].take() {
            Value::Array(objects) => Ok(Some(objects)),
            _ => Ok(Some(Vec::new())),
        }
    }
}

/// A text field of a reader's parameters (`""` when it has none).
pub(super) fn text_of(parameters: &Map<String, Value>, field: &str) -> String {
    parameters
        .get(field)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}
