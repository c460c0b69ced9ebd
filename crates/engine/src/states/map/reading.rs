//! An `ItemReader` that reads several objects: the data files of an S3 inventory or an
//! Athena manifest, or every object a `listObjectsV2` with `Transformation:
//! LOAD_AND_FLATTEN` lists (developer guide, "ItemReader (Map)"). The items of each object
//! follow those of the one before, up to `MaxItems`, and all the text read counts against
//! one budget ([`MAX_READ_BYTES`]), each item too ([`ITEM_BYTES`]). A failure in one of
//! several objects names it (`s3://bucket/key: ...`).

use super::reader::{failed, s3, text_of};
use super::{compression, formats, manifests};
use crate::attempt::Attempt;
use crate::failure::Failure;
use fluxo_asl::model::distributed::{CsvHeaders, InputType, ReaderConfig};
use serde_json::{Map, Value};

/// Bytes one Map Run's reader reads at most, text (decompressed) and items together: a Fluxo
/// limit (AWS reads up to 100,000,000 items), so that a manifest of many files or a small
/// compressed object cannot fill the server's memory.
pub(super) const MAX_READ_BYTES: usize = 256 * 1024 * 1024;

/// What each item read counts against [`MAX_READ_BYTES`] besides its text: about what a
/// small item costs in memory once parsed, so that a file of a million `{}` lines is not
/// read for the price of its 3 MB.
pub(super) const ITEM_BYTES: usize = 256;

/// One reader's progress: the items read so far and what it may still read.
pub(super) struct Reading<'s, 'a> {
    attempt: &'s Attempt<'a>,
    config: &'s ReaderConfig,
    /// `MaxItems` (0: all).
    max: usize,
    /// Bytes of text it may still read.
    budget: usize,
    pub items: Vec<Value>,
}

impl<'s, 'a> Reading<'s, 'a> {
    pub fn new(attempt: &'s Attempt<'a>, config: &'s ReaderConfig, max: usize) -> Self {
        Reading {
            attempt,
            config,
            max,
            budget: MAX_READ_BYTES,
            items: Vec::new(),
        }
    }

    pub fn is_full(&self) -> bool {
        self.max != 0 && self.items.len() >= self.max
    }

    /// The text of the object `parameters` (`Bucket`, `Key`, ...) names, decompressed as its
    /// key's extension says.
    pub async fn text(&mut self, parameters: Map<String, Value>) -> Result<String, Failure> {
        let key = text_of(&parameters, "Key");
        let mut answer = s3(self.attempt, "getObject", parameters, None)
            .await
            .map_err(not_read)?;
        let body = answer["Body"].take();
        let text = compression::text(&key, body, self.budget).map_err(failed)?;
        self.budget -= text.len();
        Ok(text)
    }

    /// Adds the items of `text`, read as `input_type` (CSV with `headers`).
    pub fn add(
        &mut self,
        text: &str,
        input_type: InputType,
        headers: &CsvHeaders,
    ) -> Result<(), Failure> {
        let max = match self.max {
            0 => 0,
            max => max - self.items.len(),
        };
        let config = self.config;
        let items = match input_type {
            InputType::Csv => formats::csv(text, headers, config.csv_delimiter, max),
            InputType::Jsonl => formats::jsonl(text, max),
            InputType::Json => formats::json(text, config.items_pointer.as_deref(), max),
            // Refused when the definition is created (`fluxo_runtime::prepare`); a definition
            // run without that check fails here rather than reading the file as something else.
            InputType::Parquet => Err("Fluxo does not read InputType PARQUET".into()),
        }
        .map_err(failed)?;
        let cost = items.len().saturating_mul(ITEM_BYTES);
        if cost > self.budget {
            return Err(failed(format!(
                "The items read pass the {} MiB Fluxo reads for one Map Run.",
                MAX_READ_BYTES >> 20
            )));
        }
        self.budget -= cost;
        self.items.extend(items);
        Ok(())
    }

    /// Reads one object of several as `input_type`: a failure names it.
    async fn add_object(
        &mut self,
        bucket: &str,
        key: &str,
        input_type: InputType,
        headers: &CsvHeaders,
    ) -> Result<(), Failure> {
        let read = match self.text(object(bucket, key)).await {
            Ok(text) => self.add(&text, input_type, headers),
            Err(failure) => Err(failure),
        };
        read.map_err(|failure| {
            let cause = failure.cause.unwrap_or_default();
            failed(format!("s3://{bucket}/{key}: {cause}"))
        })
    }

    /// The rows of every data file of the S3 inventory whose `manifest.json` `parameters`
    /// names, keyed by its `fileSchema` (or by `CSVHeaders` when they are `GIVEN`).
    pub async fn s3_inventory(&mut self, parameters: Map<String, Value>) -> Result<(), Failure> {
        let bucket = text_of(&parameters, "Bucket");
        let manifest = self.text(parameters).await?;
        let inventory = manifests::inventory(&manifest, &bucket).map_err(failed)?;
        let headers = match &self.config.csv_headers {
            CsvHeaders::Given(names) => CsvHeaders::Given(names.clone()),
            CsvHeaders::FirstRow => CsvHeaders::Given(inventory.columns),
        };
        for key in inventory.keys {
            if self.is_full() {
                break;
            }
            self.add_object(&inventory.bucket, &key, InputType::Csv, &headers)
                .await?;
        }
        Ok(())
    }

    /// The items of every data file the Athena manifest `parameters` names lists, read as
    /// `InputType`. Athena's CSV files have no header row: `CSVHeaderLocation: GIVEN` names
    /// the columns (with `FIRST_ROW`, each file's first row is taken as its header).
    pub async fn athena(&mut self, parameters: Map<String, Value>) -> Result<(), Failure> {
        let manifest = self.text(parameters).await?;
        let files = manifests::athena(&manifest).map_err(failed)?;
        self.read_all(files).await
    }

    /// The items of every object listed (`listObjectsV2` answers' `Contents`), read as
    /// `InputType`; folders (keys that end with `/`) hold none.
    pub async fn flattened(&mut self, bucket: &str, listed: &[Value]) -> Result<(), Failure> {
        let files = listed
            .iter()
            .filter_map(|object| object["Key"].as_str())
            .filter(|key| !key.ends_with('/'))
            .map(|key| (bucket.to_string(), key.to_string()))
            .collect();
        self.read_all(files).await
    }

    async fn read_all(&mut self, files: Vec<(String, String)>) -> Result<(), Failure> {
        let config = self.config;
        let input_type = config.input_type.unwrap_or(InputType::Json);
        for (bucket, key) in files {
            if self.is_full() {
                break;
            }
            self.add_object(&bucket, &key, input_type, &config.csv_headers)
                .await?;
        }
        Ok(())
    }
}

/// `getObject`'s parameters for one object.
fn object(bucket: &str, key: &str) -> Map<String, Value> {
    let mut parameters = Map::new();
    parameters.insert("Bucket".into(), Value::String(bucket.to_string()));
    parameters.insert("Key".into(), Value::String(key.to_string()));
    parameters
}

/// An S3 call's failure as the reader's: `States.ItemReaderFailed`, naming the error.
pub(super) fn not_read(failure: Failure) -> Failure {
    failed(format!(
        "{}: {}",
        failure.error,
        failure.cause.unwrap_or_default()
    ))
}
