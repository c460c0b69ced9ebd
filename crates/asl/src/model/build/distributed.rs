//! The builder of a distributed Map's `ItemReader`, `ItemBatcher` and `ResultWriter`; the
//! validator has checked their shapes (`validate/states/map.rs`).

use super::{Builder, Fields};
use crate::model::distributed::{
    CsvHeaders, InputType, ItemBatcher, ItemReader, ManifestType, ReaderAction, ReaderConfig,
    ResultWriter, Transformation,
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
        let (input_type, manifest, load_and_flatten) = self.reader_kind(action, &config)?;
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
                manifest,
                load_and_flatten,
                csv_headers,
                csv_delimiter,
                max_items,
                items_pointer: text("ItemsPointer").map(str::to_string),
            },
        })
    }

    /// What the reader reads (developer guide, "ItemReader (Map)", `ReaderConfig`): its
    /// `InputType`, whether the object is a manifest (`ManifestType`, or the older
    /// `InputType: MANIFEST` for an S3 inventory) and whether a listing's objects are read
    /// (`Transformation: LOAD_AND_FLATTEN`).
    fn reader_kind(
        &mut self,
        action: ReaderAction,
        config: &Fields,
    ) -> Option<(Option<InputType>, Option<ManifestType>, bool)> {
        for key in ["InputType", "ManifestType", "Transformation"] {
            if config
                .object
                .get(key)
                .is_some_and(|value| !value.is_string())
            {
                self.error(config.at(key), format!("{key} must be a string"));
                return None;
            }
        }
        let text = |key: &str| config.object.get(key).and_then(Value::as_str);
        let listing = action == ReaderAction::ListObjectsV2;
        let manifest = match text("ManifestType") {
            None => None,
            Some(_) if listing => {
                return self.refuse(
                    config,
                    "ManifestType",
                    "ManifestType is read with s3:getObject, not s3:listObjectsV2",
                );
            }
            Some("S3_INVENTORY") => Some(ManifestType::S3Inventory),
            Some("ATHENA_DATA") => Some(ManifestType::AthenaData),
            Some(other) => {
                let message = format!("ManifestType is ATHENA_DATA or S3_INVENTORY, not '{other}'");
                return self.refuse(config, "ManifestType", &message);
            }
        };
        let load_and_flatten = match text("Transformation") {
            None | Some("NONE") => false,
            Some("LOAD_AND_FLATTEN") if listing => true,
            Some("LOAD_AND_FLATTEN") => {
                return self.refuse(config, "Transformation", "Transformation LOAD_AND_FLATTEN reads the objects s3:listObjectsV2 lists, not s3:getObject's");
            }
            Some(other) => {
                let message = format!("Transformation is NONE or LOAD_AND_FLATTEN, not '{other}'");
                return self.refuse(config, "Transformation", &message);
            }
        };
        let input_type = match (text("InputType"), manifest) {
            (Some(_), Some(ManifestType::S3Inventory)) => {
                return self.refuse(config, "InputType", "InputType must not be specified when ManifestType is S3_INVENTORY (its files are CSV)");
            }
            (None, Some(ManifestType::S3Inventory)) => Some(InputType::Csv),
            (Some("MANIFEST"), _) if listing => {
                return self.refuse(
                    config,
                    "InputType",
                    "InputType MANIFEST is read with s3:getObject, not s3:listObjectsV2",
                );
            }
            (Some("MANIFEST"), None) => {
                return Some((Some(InputType::Csv), Some(ManifestType::S3Inventory), false))
            }
            (Some("CSV"), _) => Some(InputType::Csv),
            (Some("JSON"), None) => Some(InputType::Json),
            (Some("JSONL"), _) => Some(InputType::Jsonl),
            (Some("PARQUET"), _) => Some(InputType::Parquet),
            (None, None) if listing && !load_and_flatten => None,
            (other, Some(ManifestType::AthenaData)) => {
                let message = match other {
                    Some(other) => format!("With ManifestType ATHENA_DATA, InputType is one of CSV, JSONL or PARQUET, not '{other}'"),
                    None => "With ManifestType ATHENA_DATA, InputType is required: one of CSV, JSONL or PARQUET".to_string(),
                };
                return self.refuse(config, "InputType", &message);
            }
            (None, None) if listing => {
                return self.refuse(config, "InputType", "InputType is required with Transformation LOAD_AND_FLATTEN: one of CSV, JSON, JSONL or PARQUET");
            }
            (None, None) => {
                return self.refuse(config, "InputType", "InputType is required with s3:getObject: one of CSV, JSON, JSONL, PARQUET or MANIFEST");
            }
            (Some(other), None) => {
                let message = format!(
                    "InputType is one of CSV, JSON, JSONL, PARQUET or MANIFEST, not '{other}'"
                );
                return self.refuse(config, "InputType", &message);
            }
        };
        Some((input_type, manifest, load_and_flatten))
    }

    /// Reports `message` at `ReaderConfig.field`; the reader is not built.
    fn refuse<T>(&mut self, config: &Fields, field: &str, message: &str) -> Option<T> {
        self.error(config.at(field), message.to_string());
        None
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

#[cfg(test)]
mod tests {
    use crate::model::distributed::{InputType, ManifestType};
    use serde_json::{json, Value};

    /// What a distributed Map reading with `resource` and `config` reads, or where and why it
    /// is refused.
    type Kind = (Option<InputType>, Option<ManifestType>, bool);

    fn reader(resource: &str, config: Value) -> Result<Kind, (String, String)> {
        let definition = json!({"StartAt": "M", "States": {"M": {
            "Type": "Map", "End": true,
            "ItemReader": {"Resource": format!("arn:aws:states:::s3:{resource}"),
                "Parameters": {"Bucket": "b", "Key": "k"}, "ReaderConfig": config},
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}});
        match crate::compile(&definition) {
            Ok(machine) => {
                let crate::model::StateKind::Map(map) = &machine.states["M"].kind else {
                    panic!("not a Map")
                };
                let config = &map.item_reader.as_ref().unwrap().config;
                Ok((config.input_type, config.manifest, config.load_and_flatten))
            }
            Err(diagnostics) => Err((
                diagnostics[0].location.clone(),
                diagnostics[0].message.clone(),
            )),
        }
    }

    #[test]
    fn manifests_and_flattened_listings_are_read_as_the_guide_describes() {
        let inventory = (Some(InputType::Csv), Some(ManifestType::S3Inventory), false);
        let read = reader("getObject", json!({"InputType": "MANIFEST"})).unwrap();
        assert_eq!(read, inventory);
        let read = reader("getObject", json!({"ManifestType": "S3_INVENTORY"})).unwrap();
        assert_eq!(read, inventory);
        let read = reader(
            "getObject",
            json!({"ManifestType": "ATHENA_DATA", "InputType": "JSONL"}),
        );
        assert_eq!(
            read.unwrap(),
            (
                Some(InputType::Jsonl),
                Some(ManifestType::AthenaData),
                false
            )
        );
        let read = reader(
            "listObjectsV2",
            json!({"Transformation": "LOAD_AND_FLATTEN", "InputType": "CSV"}),
        );
        assert_eq!(read.unwrap(), (Some(InputType::Csv), None, true));
        let read = reader("listObjectsV2", json!({"Transformation": "NONE"})).unwrap();
        assert_eq!(read, (None, None, false));
    }

    #[test]
    fn readers_that_contradict_themselves_are_refused_where_they_do() {
        let at = "/States/M/ItemReader/ReaderConfig";
        let cases = [
            (
                "getObject",
                json!({"ManifestType": "S3_INVENTORY", "InputType": "CSV"}),
                "InputType",
                "must not be specified",
            ),
            (
                "getObject",
                json!({"ManifestType": "ATHENA_DATA", "InputType": "JSON"}),
                "InputType",
                "CSV, JSONL or PARQUET",
            ),
            (
                "getObject",
                json!({"ManifestType": "ATHENA_DATA"}),
                "InputType",
                "CSV, JSONL or PARQUET",
            ),
            (
                "getObject",
                json!({"ManifestType": "OTHER", "InputType": "CSV"}),
                "ManifestType",
                "'OTHER'",
            ),
            (
                "listObjectsV2",
                json!({"ManifestType": "S3_INVENTORY"}),
                "ManifestType",
                "with s3:getObject",
            ),
            (
                "getObject",
                json!({"Transformation": "LOAD_AND_FLATTEN", "InputType": "CSV"}),
                "Transformation",
                "not s3:getObject's",
            ),
            (
                "listObjectsV2",
                json!({"Transformation": "LOAD_AND_FLATTEN"}),
                "InputType",
                "LOAD_AND_FLATTEN",
            ),
            (
                "listObjectsV2",
                json!({"InputType": "MANIFEST"}),
                "InputType",
                "MANIFEST is read with s3:getObject",
            ),
            (
                "getObject",
                json!({}),
                "InputType",
                "is required with s3:getObject",
            ),
            (
                "getObject",
                json!({"ManifestType": 1, "InputType": "CSV"}),
                "ManifestType",
                "must be a string",
            ),
            (
                "getObject",
                json!({"InputType": "XML"}),
                "InputType",
                "not 'XML'",
            ),
        ];
        for (resource, config, field, words) in cases {
            let (location, message) = reader(resource, config.clone())
                .err()
                .unwrap_or_else(|| panic!("{resource} {config} accepted"));
            assert_eq!(location, format!("{at}/{field}"), "{config}: {message}");
            assert!(message.contains(words), "{config}: {message}");
        }
    }
}
