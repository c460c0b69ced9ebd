//! What a distributed Map may say that Fluxo does not run, refused when the definition is
//! created rather than accepted and ignored (developer guide, "ItemReader (Map)",
//! "ResultWriter (Map)", "ItemProcessor (Map)"): readers of Parquet files, `listObjectsV2`
//! with an `InputType` but no `Transformation: LOAD_AND_FLATTEN`, writer
//! options other than `OutputType` (`JSON`, `JSONL`) and `Transformation` (`NONE`,
//! `COMPACT`, `FLATTEN`). `EXPRESS` child executions run (five minutes each, no history
//! kept); what an Express machine may not call is refused in them by the validator.

use fluxo_asl::model::distributed::ReaderAction;
use serde_json::{Map, Value};

/// The `ReaderConfig` fields Fluxo reads.
const READER_FIELDS: [&str; 9] = [
    "InputType",
    "ManifestType",
    "Transformation",
    "CSVHeaderLocation",
    "CSVHeaders",
    "CSVDelimiter",
    "MaxItems",
    "MaxItemsPath",
    "ItemsPointer",
];

/// What `unsupported` returns: a JSON pointer and the message.
type Refusal = (String, String);

fn refuse(at: String, message: String) -> Option<Refusal> {
    Some((at, format!("UNSUPPORTED_FEATURE: {message}")))
}

/// The first part of the Map state `state` (at `at`) that Fluxo would not run as written.
pub(super) fn unsupported_in_map(state: &Value, at: &str) -> Option<Refusal> {
    let processor = state.get("ItemProcessor").or_else(|| state.get("Iterator"));
    let config = processor.and_then(|p| p.get("ProcessorConfig"));
    if config.and_then(|c| c.get("Mode")).and_then(Value::as_str) != Some("DISTRIBUTED") {
        return None;
    }
    if let Some(reader) = state.get("ItemReader").and_then(Value::as_object) {
        if let Some(found) = reader_refusal(reader, &format!("{at}/ItemReader")) {
            return Some(found);
        }
    }
    let writer = state.get("ResultWriter").and_then(Value::as_object);
    let config = writer
        .and_then(|w| w.get("WriterConfig"))
        .and_then(Value::as_object);
    config.and_then(|config| writer_refusal(config, &format!("{at}/ResultWriter/WriterConfig")))
}

fn reader_refusal(reader: &Map<String, Value>, at: &str) -> Option<Refusal> {
    let empty = Map::new();
    let config = reader
        .get("ReaderConfig")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let at = format!("{at}/ReaderConfig");
    if let Some(field) = config.keys().find(|k| !READER_FIELDS.contains(&k.as_str())) {
        return refuse(
            format!("{at}/{field}"),
            format!("Fluxo does not run an ItemReader's ReaderConfig.{field} yet"),
        );
    }
    let resource = reader.get("Resource").and_then(Value::as_str).unwrap_or("");
    let input_type = config.get("InputType").and_then(Value::as_str);
    let flattened =
        config.get("Transformation").and_then(Value::as_str) == Some("LOAD_AND_FLATTEN");
    match (ReaderAction::parse(resource), input_type) {
        (_, Some("PARQUET")) => {
            return refuse(
                format!("{at}/InputType"),
                "Fluxo reads InputType CSV, JSON, JSONL and MANIFEST, not PARQUET yet".into(),
            );
        }
        (Some(ReaderAction::ListObjectsV2), Some(input_type)) if !flattened => {
            return refuse(
                format!("{at}/InputType"),
                format!("s3:listObjectsV2 reads its objects as {input_type} only with Transformation LOAD_AND_FLATTEN"),
            );
        }
        _ => {}
    }
    let one_of = |field: &str, allowed: &[&str]| {
        let value = config.get(field)?;
        match value.as_str() {
            Some(text) if allowed.contains(&text) => None,
            _ => refuse(
                format!("{at}/{field}"),
                format!("{field} is one of {}, not {value}", allowed.join(", ")),
            ),
        }
    };
    one_of("CSVHeaderLocation", &["FIRST_ROW", "GIVEN"]).or_else(|| {
        one_of(
            "CSVDelimiter",
            &["COMMA", "PIPE", "SEMICOLON", "SPACE", "TAB"],
        )
    })
}

fn writer_refusal(config: &Map<String, Value>, at: &str) -> Option<Refusal> {
    if let Some(field) = config
        .keys()
        .find(|k| !matches!(k.as_str(), "OutputType" | "Transformation"))
    {
        return refuse(
            format!("{at}/{field}"),
            format!("Fluxo does not run a ResultWriter's WriterConfig.{field} yet"),
        );
    }
    let one_of = |field: &str, allowed: &[&str]| {
        let value = config.get(field)?;
        match value.as_str() {
            Some(text) if allowed.contains(&text) => None,
            _ => refuse(
                format!("{at}/{field}"),
                format!("{field} is one of {}, not {value}", allowed.join(", ")),
            ),
        }
    };
    one_of("OutputType", &["JSON", "JSONL"])
        .or_else(|| one_of("Transformation", &["NONE", "COMPACT", "FLATTEN"]))
}

#[cfg(test)]
mod tests {
    use super::super::{prepare, DefinitionError};
    use fluxo_types::StateMachineType;
    use serde_json::{json, Value};

    /// A distributed Map with `fields` added to the state and `config` as ProcessorConfig.
    fn map(fields: Value, config: Value) -> String {
        let mut state = json!({"Type": "Map", "End": true, "ItemProcessor": {
            "ProcessorConfig": config,
            "StartAt": "X", "States": {"X": {"Type": "Pass", "End": true}}}});
        for (key, value) in fields.as_object().unwrap() {
            state[key] = value.clone();
        }
        json!({"StartAt": "M", "States": {"M": state}}).to_string()
    }

    fn standard(fields: Value) -> String {
        map(
            fields,
            json!({"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}),
        )
    }

    /// Where and why the definition is refused, or `None` when it runs.
    fn refusal(text: &str) -> Option<(String, String)> {
        match prepare(text, StateMachineType::Standard) {
            Err(DefinitionError::Unsupported { location, message }) => Some((location, message)),
            Err(other) => panic!("{other}"),
            Ok(_) => None,
        }
    }

    fn get_object(config: Value) -> Value {
        json!({"ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
            "Parameters": {"Bucket": "b", "Key": "k"}, "ReaderConfig": config}})
    }

    #[test]
    fn readers_fluxo_does_not_run_are_refused() {
        let cases = [
            (json!({"InputType": "PARQUET"}), "InputType", "not PARQUET"),
            (
                json!({"ManifestType": "ATHENA_DATA", "InputType": "PARQUET"}),
                "InputType",
                "not PARQUET",
            ),
            (
                json!({"InputType": "CSV", "CSVDelimiter": "COLON"}),
                "CSVDelimiter",
                "not \"COLON\"",
            ),
            (
                json!({"InputType": "CSV", "CSVHeaderLocation": "LAST_ROW"}),
                "CSVHeaderLocation",
                "not \"LAST_ROW\"",
            ),
        ];
        for (config, field, words) in cases {
            let (location, message) = refusal(&standard(get_object(config.clone())))
                .unwrap_or_else(|| panic!("{config} runs"));
            assert_eq!(
                location,
                format!("/States/M/ItemReader/ReaderConfig/{field}")
            );
            assert!(message.starts_with("UNSUPPORTED_FEATURE: "), "{message}");
            assert!(message.contains(words), "{message}");
        }
        let listing = |config: Value| {
            json!({"ItemReader": {"Resource": "arn:aws:states:::s3:listObjectsV2",
                "Parameters": {"Bucket": "b"}, "ReaderConfig": config}})
        };
        let (location, _) = refusal(&standard(listing(
            json!({"Transformation": "LOAD_AND_FLATTEN", "InputType": "PARQUET"}),
        )))
        .unwrap();
        assert_eq!(location, "/States/M/ItemReader/ReaderConfig/InputType");
        // What Fluxo reads runs.
        let runs = [
            get_object(json!({"InputType": "JSON", "ItemsPointer": "/a", "MaxItems": 2})),
            get_object(json!({"InputType": "CSV", "CSVHeaderLocation": "GIVEN",
                              "CSVHeaders": ["a"], "CSVDelimiter": "TAB"})),
            get_object(json!({"InputType": "JSONL"})),
            get_object(json!({"InputType": "MANIFEST"})),
            get_object(json!({"ManifestType": "S3_INVENTORY", "MaxItems": 3})),
            get_object(json!({"ManifestType": "ATHENA_DATA", "InputType": "CSV",
                              "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["a"]})),
            get_object(json!({"ManifestType": "ATHENA_DATA", "InputType": "JSONL"})),
            listing(json!({"MaxItems": 5})),
            listing(json!({"Transformation": "NONE"})),
            listing(json!({"Transformation": "LOAD_AND_FLATTEN", "InputType": "JSON"})),
        ];
        for fields in runs {
            assert_eq!(refusal(&standard(fields.clone())), None, "{fields}");
        }
    }

    #[test]
    fn writer_options_and_express_children_fluxo_does_not_run_are_refused() {
        let writer = |config: Value| {
            json!({"ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                "Parameters": {"Bucket": "b", "Prefix": "p"}, "WriterConfig": config}})
        };
        let at = "/States/M/ResultWriter/WriterConfig";
        for (config, field) in [
            (json!({"OutputType": "CSV"}), "OutputType"),
            (json!({"Transformation": "GZIP"}), "Transformation"),
            (json!({"Compression": "GZIP"}), "Compression"),
        ] {
            let (location, message) = refusal(&standard(writer(config))).unwrap();
            assert_eq!(location, format!("{at}/{field}"));
            assert!(message.starts_with("UNSUPPORTED_FEATURE: "), "{message}");
        }
        let config = json!({"OutputType": "JSONL", "Transformation": "FLATTEN"});
        assert_eq!(refusal(&standard(writer(config))), None);
        let express = map(
            json!({}),
            json!({"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}),
        );
        assert_eq!(refusal(&express), None);
        // An inline Map is none of this module's business.
        let inline = map(json!({}), json!({"Mode": "INLINE"}));
        assert_eq!(refusal(&inline), None);
    }
}
