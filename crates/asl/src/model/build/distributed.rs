//! The builder of a distributed Map's `ItemReader`, `ItemBatcher` and `ResultWriter`; the
//! validator has checked their shapes (`validate/states/map.rs`).

use super::{Builder, Fields};
use crate::model::distributed::{
    CsvHeaders, InputType, ItemBatcher, ItemReader, ReaderAction, ReaderConfig, ResultWriter,
    Transformation,
};
use crate::model::{QueryLanguage, Template};
use serde_json::{Map, Value};

impl Builder {
    /// `Parameters` (JSONPath) or `Arguments` (JSONata) of a reader or writer.
    fn arguments(&mut self, fields: &Fields, language: QueryLanguage) -> Option<Template> {
        match language {
            QueryLanguage::JsonPath => self.any_template(fields, "Parameters", language),
            QueryLanguage::Jsonata => self.any_template(fields, "Arguments", language),
        }
    }

    pub(super) fn item_reader(
        &mut self,
        fields: &Fields,
        language: QueryLanguage,
    ) -> Option<ItemReader> {
        let object = fields.get("ItemReader")?.as_object()?;
        let reader = Fields {
            object,
            pointer: fields.at("ItemReader"),
        };
        let resource = object.get("Resource").and_then(Value::as_str).unwrap_or("");
        let Some(action) = ReaderAction::parse(resource) else {
            self.error(
                reader.at("Resource"),
                format!("An ItemReader reads with arn:aws:states:::s3:getObject or arn:aws:states:::s3:listObjectsV2, not '{resource}'"),
            );
            return None;
        };
        let empty = Map::new();
        let config_object = object
            .get("ReaderConfig")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let config = Fields {
            object: config_object,
            pointer: reader.at("ReaderConfig"),
        };
        let text = |key: &str| config_object.get(key).and_then(Value::as_str);
        let input_type = match text("InputType") {
            Some("CSV") => Some(InputType::Csv),
            Some("JSON") => Some(InputType::Json),
            Some("JSONL") => Some(InputType::Jsonl),
            Some("MANIFEST") => Some(InputType::Manifest),
            Some("PARQUET") => Some(InputType::Parquet),
            None if action == ReaderAction::ListObjectsV2 => None,
            other => {
                self.error(
                    config.at("InputType"),
                    format!("InputType is one of CSV, JSON, JSONL, PARQUET or MANIFEST with s3:getObject, not {other:?}"),
                );
                return None;
            }
        };
        let csv_headers = match text("CSVHeaderLocation") {
            Some("GIVEN") => CsvHeaders::Given(
                config_object
                    .get("CSVHeaders")
                    .and_then(Value::as_array)
                    .map(|headers| {
                        headers
                            .iter()
                            .filter_map(Value::as_str)
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default(),
            ),
            _ => CsvHeaders::FirstRow,
        };
        let csv_delimiter = match text("CSVDelimiter") {
            Some("PIPE") => b'|',
            Some("SEMICOLON") => b';',
            Some("SPACE") => b' ',
            Some("TAB") => b'\t',
            _ => b',',
        };
        let max_items = self.value_or_path(&config, "MaxItems", "MaxItemsPath", language);
        Some(ItemReader {
            action,
            parameters: self.arguments(&reader, language),
            config: ReaderConfig {
                input_type,
                csv_headers,
                csv_delimiter,
                max_items,
                items_pointer: text("ItemsPointer").map(str::to_string),
            },
        })
    }

    pub(super) fn item_batcher(
        &mut self,
        fields: &Fields,
        language: QueryLanguage,
    ) -> Option<ItemBatcher> {
        let object = fields.get("ItemBatcher")?.as_object()?;
        let batcher = Fields {
            object,
            pointer: fields.at("ItemBatcher"),
        };
        Some(ItemBatcher {
            max_items: self.value_or_path(
                &batcher,
                "MaxItemsPerBatch",
                "MaxItemsPerBatchPath",
                language,
            ),
            max_bytes: self.value_or_path(
                &batcher,
                "MaxInputBytesPerBatch",
                "MaxInputBytesPerBatchPath",
                language,
            ),
            batch_input: self.any_template(&batcher, "BatchInput", language),
        })
    }

    pub(super) fn result_writer(
        &mut self,
        fields: &Fields,
        language: QueryLanguage,
    ) -> Option<ResultWriter> {
        let object = fields.get("ResultWriter")?.as_object()?;
        let writer = Fields {
            object,
            pointer: fields.at("ResultWriter"),
        };
        let to_s3 = match object.get("Resource").and_then(Value::as_str) {
            None => false,
            Some(resource) if resource.ends_with(":::s3:putObject") => true,
            Some(resource) => {
                self.error(
                    writer.at("Resource"),
                    format!("A ResultWriter writes with arn:aws:states:::s3:putObject, not '{resource}'"),
                );
                return None;
            }
        };
        let config = object.get("WriterConfig");
        let text = |key: &str| config.and_then(|c| c.get(key)).and_then(Value::as_str);
        let transformation = match text("Transformation") {
            Some("COMPACT") => Transformation::Compact,
            Some("FLATTEN") => Transformation::Flatten,
            _ => Transformation::None,
        };
        Some(ResultWriter {
            to_s3,
            parameters: self.arguments(&writer, language),
            jsonl: text("OutputType") == Some("JSONL"),
            transformation,
        })
    }
}
