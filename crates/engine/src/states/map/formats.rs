//! The object an `ItemReader` read, split into items (developer guide, "ItemReader (Map)"),
//! with AWS's errors as the recorded cases show them (`scenarios/base_scenarios__test_map_item_reader_*`
//! of the API corpus): every CSV value is a string, a short row gets `""` for its missing
//! columns and a long one loses its extra fields, duplicate headers fail the run.

use fluxo_asl::model::distributed::CsvHeaders;
use serde_json::{Map, Value};

/// Why the items could not be read: the cause of `States.ItemReaderFailed`.
pub(super) type ReadError = String;

/// Items of a CSV text: one object per row, keyed by the headers, at most `max` (0: all).
pub(super) fn csv(
    text: &str,
    headers: &CsvHeaders,
    delimiter: u8,
    max: usize,
) -> Result<Vec<Value>, ReadError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let names: Vec<String> = match headers {
        CsvHeaders::Given(names) => names.clone(),
        CsvHeaders::FirstRow => match records.next() {
            Some(Ok(row)) => row.iter().map(str::to_string).collect(),
            Some(Err(error)) => return Err(format!("The CSV file could not be read: {error}")),
            None => Vec::new(),
        },
    };
    let mut seen = std::collections::HashSet::new();
    if !names.iter().all(|name| seen.insert(name.as_str())) {
        return Err("CSV headers cannot contain duplicates.".into());
    }
    let mut items = Vec::new();
    for row in records {
        if max != 0 && items.len() >= max {
            break;
        }
        let row = row.map_err(|error| format!("The CSV file could not be read: {error}"))?;
        let mut item = Map::new();
        for (index, name) in names.iter().enumerate() {
            let value = row.get(index).unwrap_or("");
            item.insert(name.clone(), Value::String(value.to_string()));
        }
        items.push(Value::Object(item));
    }
    Ok(items)
}

/// Items of a JSON document: the array itself, or the one `pointer` names inside it.
pub(super) fn json(text: &str, pointer: Option<&str>, max: usize) -> Result<Vec<Value>, ReadError> {
    let document: Value = serde_json::from_str(text)
        .map_err(|error| format!("The JSON file could not be read: {error}"))?;
    let selected = match pointer {
        Some(pointer) => document
            .pointer(pointer)
            .cloned()
            .ok_or_else(|| format!("The ItemsPointer '{pointer}' selects nothing in the file."))?,
        None => document,
    };
    match selected {
        Value::Array(mut items) => {
            if max != 0 {
                items.truncate(max);
            }
            Ok(items)
        }
        _ => Err("Attempting to map over non-iterable node.".into()),
    }
}

/// Items of a JSON Lines text: one per non-blank line.
pub(super) fn jsonl(text: &str, max: usize) -> Result<Vec<Value>, ReadError> {
    let mut items = Vec::new();
    for (number, line) in text.lines().enumerate() {
        if max != 0 && items.len() >= max {
            break;
        }
        if line.trim().is_empty() {
            continue;
        }
        let item = serde_json::from_str(line).map_err(|error| {
            format!(
                "The JSONL file could not be read at line {}: {error}",
                number + 1
            )
        })?;
        items.push(item);
    }
    Ok(items)
}

/// One object of a `listObjectsV2` answer as a Map item: `Etag`, `Key`, `LastModified` (epoch
/// seconds), `Size`, `StorageClass` (developer guide, "ItemReader (Map)", "Objects in an
/// Amazon S3 bucket").
pub(super) fn listed_object(object: &Value) -> Value {
    let last_modified = match &object["LastModified"] {
        Value::String(text) => text
            .parse::<jiff::Timestamp>()
            .map(|time| Value::from(time.as_second()))
            .unwrap_or_else(|_| Value::String(text.clone())),
        other => other.clone(),
    };
    let mut item = Map::new();
    item.insert("Etag".into(), object["ETag"].clone());
    item.insert("Key".into(), object["Key"].clone());
    item.insert("LastModified".into(), last_modified);
    item.insert("Size".into(), object["Size"].clone());
    item.insert("StorageClass".into(), object["StorageClass"].clone());
    Value::Object(item)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const FILE: &str = "Col1,Col2,Col3\nValue1,Value2,Value3\nValue4,Value5,Value6\n,,,\ntrue,1,'HelloWorld'\nNull,None,\n   \n";

    #[test]
    fn csv_rows_as_aws_reads_them() {
        // Recorded: `base_scenarios__test_map_item_reader_base_csv_headers_first_line`.
        let items = csv(FILE, &CsvHeaders::FirstRow, b',', 0).unwrap();
        assert_eq!(
            Value::Array(items),
            json!([{"Col1": "Value1", "Col2": "Value2", "Col3": "Value3"},
                   {"Col1": "Value4", "Col2": "Value5", "Col3": "Value6"},
                   {"Col1": "", "Col2": "", "Col3": ""},
                   {"Col1": "true", "Col2": "1", "Col3": "'HelloWorld'"},
                   {"Col1": "Null", "Col2": "None", "Col3": ""},
                   {"Col1": "   ", "Col2": "", "Col3": ""}])
        );
        // `…_csv_headers_decl_extra_fields`: given headers, extra fields dropped.
        let body = FILE.split_once('\n').unwrap().1;
        let given = CsvHeaders::Given(vec!["H1".into()]);
        let items = csv(body, &given, b',', 0).unwrap();
        assert_eq!(items.len(), 6);
        assert_eq!(items[0], json!({"H1": "Value1"}));
        assert_eq!(items[5], json!({"H1": "   "}));
        let duplicate = CsvHeaders::Given(vec!["H1".into(), "H1".into()]);
        assert_eq!(
            csv(body, &duplicate, b',', 0).unwrap_err(),
            "CSV headers cannot contain duplicates."
        );
        // `…_csv_max_items_2`.
        assert_eq!(csv(FILE, &CsvHeaders::FirstRow, b',', 2).unwrap().len(), 2);
    }

    #[test]
    fn other_delimiters_and_quotes() {
        let items = csv("a|b\n\"x|y\"|2\n", &CsvHeaders::FirstRow, b'|', 0).unwrap();
        assert_eq!(items, vec![json!({"a": "x|y", "b": "2"})]);
        let items = csv("a\tb\n1\t2\n", &CsvHeaders::FirstRow, b'\t', 0).unwrap();
        assert_eq!(items, vec![json!({"a": "1", "b": "2"})]);
    }

    #[test]
    fn json_and_jsonl() {
        assert_eq!(json("[1,2,3]", None, 2).unwrap(), vec![json!(1), json!(2)]);
        // Recorded: `…_json_no_json_list_object`.
        assert_eq!(
            json("{\"Hello\": \"world\"}", None, 0).unwrap_err(),
            "Attempting to map over non-iterable node."
        );
        assert_eq!(
            json("{\"a\": {\"b\": [1]}}", Some("/a/b"), 0).unwrap(),
            vec![json!(1)]
        );
        assert!(json("{\"a\": 1}", Some("/x"), 0).is_err());
        assert_eq!(
            jsonl("{\"a\":1}\n\n[2]\n", 0).unwrap(),
            vec![json!({"a": 1}), json!([2])]
        );
        assert!(jsonl("{\"a\":1}\nnope\n", 0).is_err());
    }

    #[test]
    fn listed_objects_take_aws_field_names() {
        let object = json!({"ETag": "\"e\"", "Key": "k", "LastModified": "2024-01-01T00:00:00Z",
                            "Size": 3, "StorageClass": "STANDARD"});
        assert_eq!(
            listed_object(&object),
            json!({"Etag": "\"e\"", "Key": "k", "LastModified": 1704067200, "Size": 3, "StorageClass": "STANDARD"})
        );
    }
}
