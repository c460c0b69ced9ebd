//! What configures a distributed Map's run, compiled once: where its items come from
//! (`ItemReader`), how they are grouped into child executions (`ItemBatcher`) and where the
//! child executions' results go (`ResultWriter`). Developer guide: "ItemReader (Map)",
//! "ItemBatcher (Map)", "ResultWriter (Map)".

use super::{Template, ValueOrPath};
use serde_json::Value;

/// `ItemReader`: the dataset a distributed Map reads instead of its state input.
#[derive(Debug)]
pub struct ItemReader {
    /// The S3 action that reads it.
    pub action: ReaderAction,
    /// `Parameters` (JSONPath) or `Arguments` (JSONata): `Bucket`, `Key` (`VersionId`), or
    /// `Bucket` and `Prefix` for a listing.
    pub parameters: Option<Template>,
    pub config: ReaderConfig,
}

/// `arn:aws:states:::s3:getObject` or `arn:aws:states:::s3:listObjectsV2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReaderAction {
    GetObject,
    ListObjectsV2,
}

impl ReaderAction {
    /// The action of a resource ARN, or `None` for one an `ItemReader` cannot use.
    pub fn parse(resource: &str) -> Option<ReaderAction> {
        // `arn:PARTITION:states:::s3:ACTION`
        let parts: Vec<&str> = resource.split(':').collect();
        match parts.as_slice() {
            ["arn", _, "states", "", "", "s3", "getObject"] => Some(ReaderAction::GetObject),
            ["arn", _, "states", "", "", "s3", "listObjectsV2"] => {
                Some(ReaderAction::ListObjectsV2)
            }
            _ => None,
        }
    }
}

/// `ReaderConfig.InputType`: how an object read is split into items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputType {
    /// Text delimited rows; each row an object of strings keyed by the headers.
    Csv,
    /// A JSON array (or, with `ItemsPointer`, an array inside the document).
    Json,
    /// JSON Lines: one item per line.
    Jsonl,
    /// Apache Parquet files (not run by Fluxo: refused when a definition is created,
    /// `fluxo_runtime::prepare`).
    Parquet,
}

/// `ReaderConfig.ManifestType` (or the older `InputType: MANIFEST`): the object read is a
/// manifest that lists the data files the items come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManifestType {
    /// An S3 inventory report's `manifest.json`: its `files` are gzipped CSV files whose
    /// columns its `fileSchema` names; every row is an item (`InputType` is CSV).
    S3Inventory,
    /// The `*-manifest.csv` an Athena `UNLOAD` query writes: one `s3://` URI per line, each
    /// a data file read as `InputType` (CSV, JSONL or PARQUET).
    AthenaData,
}

/// `CSVHeaderLocation`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CsvHeaders {
    /// `FIRST_ROW`: the first row names the columns.
    FirstRow,
    /// `GIVEN`: `CSVHeaders` names them, and every row is data.
    Given(Vec<String>),
}

/// `ReaderConfig`.
#[derive(Debug)]
pub struct ReaderConfig {
    /// Absent for a plain `listObjectsV2`; CSV for an S3 inventory.
    pub input_type: Option<InputType>,
    /// Set when the object `getObject` reads is a manifest of data files.
    pub manifest: Option<ManifestType>,
    /// `Transformation: LOAD_AND_FLATTEN` of a `listObjectsV2` reader: every object listed is
    /// read as `input_type`, and its items are the Map's items (instead of the listing's
    /// metadata).
    pub load_and_flatten: bool,
    /// `CSVHeaderLocation` (`FIRST_ROW` when absent; an S3 inventory takes its columns from
    /// its manifest's `fileSchema` unless they are `GIVEN`).
    pub csv_headers: CsvHeaders,
    /// `CSVDelimiter` (`COMMA`, `PIPE`, `SEMICOLON`, `SPACE`, `TAB`) as the byte.
    pub csv_delimiter: u8,
    /// `MaxItems` / `MaxItemsPath`: at most this many items are read (0: all).
    pub max_items: Option<ValueOrPath<Value>>,
    /// `ItemsPointer`: a JSON Pointer to the array inside a JSON object read.
    pub items_pointer: Option<String>,
}

/// `ItemBatcher`: child executions get `{"BatchInput": …, "Items": [...]}` instead of one
/// item each.
#[derive(Debug)]
pub struct ItemBatcher {
    /// `MaxItemsPerBatch` / `MaxItemsPerBatchPath`.
    pub max_items: Option<ValueOrPath<Value>>,
    /// `MaxInputBytesPerBatch` / `MaxInputBytesPerBatchPath` (at most 256 KiB).
    pub max_bytes: Option<ValueOrPath<Value>>,
    /// `BatchInput`: the same for every batch, evaluated over the state's input.
    pub batch_input: Option<Template>,
}

/// `ResultWriter`.
#[derive(Debug)]
pub struct ResultWriter {
    /// Whether results go to S3 (`arn:aws:states:::s3:putObject`); without it only
    /// `WriterConfig` shapes the Map state's output.
    pub to_s3: bool,
    /// `Parameters` / `Arguments`: `Bucket` and `Prefix`.
    pub parameters: Option<Template>,
    /// `WriterConfig.OutputType`: `JSON` (default) or `JSONL`.
    pub jsonl: bool,
    pub transformation: Transformation,
}

/// `WriterConfig.Transformation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transformation {
    /// `NONE` (default): every child execution's metadata with its input and output.
    None,
    /// `COMPACT`: the child executions' outputs.
    Compact,
    /// `FLATTEN`: the outputs, arrays among them spread into one array.
    Flatten,
}
