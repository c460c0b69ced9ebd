//! Distributed Map readers that read several S3 objects, end to end against moto's S3
//! (developer guide, "ItemReader (Map)"): an S3 inventory's `manifest.json` and its gzipped
//! CSV files (`InputType: MANIFEST`, `ManifestType: S3_INVENTORY`), an Athena `UNLOAD`
//! manifest and its data files (`ManifestType: ATHENA_DATA`), and `listObjectsV2` with
//! `Transformation: LOAD_AND_FLATTEN`, with objects compressed as their keys say (`.gz`,
//! `.zst`).

mod common;

use common::aws::{create, output, run, with_moto, MotoSetup};
use serde_json::{json, Value};

fn setup(test: &str) -> Option<MotoSetup> {
    with_moto(test, "enabled = [\"s3\"]\nendpoint_url = \"ENDPOINT\"")
}

/// A Standard machine whose distributed Map reads with `reader` and passes every item on.
fn machine(reader: Value) -> Value {
    json!({"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": true, "ItemReader": reader,
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}})
}

fn get_object(bucket: &str, key: &str, config: Value) -> Value {
    json!({"Resource": "arn:aws:states:::s3:getObject",
           "Parameters": {"Bucket": bucket, "Key": key}, "ReaderConfig": config})
}

/// Runs each `(name, reader)` and returns its execution's description.
fn run_all(setup: &MotoSetup, cases: Vec<(&str, Value)>) -> Vec<Value> {
    let endpoint = &setup.server.endpoint;
    cases
        .into_iter()
        .map(|(name, reader)| {
            let arn = create(endpoint, name, &machine(reader), "STANDARD");
            run(endpoint, &arn, &json!({}))
        })
        .collect()
}

fn succeeded(described: &Value) -> Value {
    assert_eq!(described["status"], "SUCCEEDED", "{described}");
    output(described)
}

/// Python that writes `text` gzipped as `key` in `bucket`.
const GZIP: &str = r#"import gzip
def put_gz(bucket, key, text):
    aws('s3').put_object(Bucket=bucket, Key=key, Body=gzip.compress(text.encode()))
"#;

#[test]
fn inventories_and_athena_manifests_name_the_files_items_come_from() {
    let Some(setup) = setup("inventories_and_athena_manifests_name_the_files_items_come_from")
    else {
        return;
    };
    setup.moto.boto3(
        None,
        &format!(
            r#"{GZIP}
s3 = aws('s3')
for bucket in ['inventory', 'results']:
    s3.create_bucket(Bucket=bucket)
put_gz('inventory', 'data/a.csv.gz', '"src","csvDataset/","0","2022-11-16T00:27:19.000Z"\n"src","csvDataset/titles.csv","3399671","2022-11-16T00:29:32.000Z"\n')
put_gz('inventory', 'data/b.csv.gz', '"src","imageDataset/n02085620_10074.jpg","27034","2022-11-15T20:02:16.000Z"\n')
manifest = {{"sourceBucket": "src", "destinationBucket": "arn:aws:s3:::inventory", "version": "2016-11-30",
    "creationTimestamp": "1668560400000", "fileFormat": "CSV", "fileSchema": "Bucket, Key, Size, LastModifiedDate",
    "files": [{{"key": "data/a.csv.gz", "size": 1, "MD5checksum": "x"}}, {{"key": "data/b.csv.gz", "size": 1, "MD5checksum": "y"}}]}}
s3.put_object(Bucket='inventory', Key='src/config/2022-11-16T00-00Z/manifest.json', Body=json.dumps(manifest))
manifest['files'].append({{"key": "data/missing.csv.gz", "size": 1, "MD5checksum": "z"}})
s3.put_object(Bucket='inventory', Key='missing/manifest.json', Body=json.dumps(manifest))
manifest['fileFormat'] = 'ORC'
s3.put_object(Bucket='inventory', Key='orc/manifest.json', Body=json.dumps(manifest))
put_gz('results', 'unload/p0.gz', '{{"id": 1}}\n{{"id": 2}}\n')
put_gz('results', 'unload/p1.gz', '{{"id": 3}}\n')
s3.put_object(Bucket='results', Key='unload/q1-manifest.csv', Body='s3://results/unload/p0.gz\ns3://results/unload/p1.gz\n')
put_gz('results', 'csv/p0.gz', '1,one\n2,two\n')
s3.put_object(Bucket='results', Key='csv/q2-manifest.csv', Body='s3://results/csv/p0.gz\n')
print('{{}}')"#
        ),
    );
    let inventory = "src/config/2022-11-16T00-00Z/manifest.json";
    let described = run_all(
        &setup,
        vec![
            (
                "inventory",
                get_object("inventory", inventory, json!({"InputType": "MANIFEST"})),
            ),
            (
                "inventory-typed",
                get_object(
                    "inventory",
                    inventory,
                    json!({"ManifestType": "S3_INVENTORY", "MaxItems": 2}),
                ),
            ),
            (
                "athena-jsonl",
                get_object(
                    "results",
                    "unload/q1-manifest.csv",
                    json!({"ManifestType": "ATHENA_DATA", "InputType": "JSONL"}),
                ),
            ),
            (
                "athena-csv",
                get_object(
                    "results",
                    "csv/q2-manifest.csv",
                    json!({"ManifestType": "ATHENA_DATA", "InputType": "CSV",
                           "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["n", "name"]}),
                ),
            ),
            (
                "inventory-orc",
                get_object(
                    "inventory",
                    "orc/manifest.json",
                    json!({"InputType": "MANIFEST"}),
                ),
            ),
        ],
    );
    let row = |key: &str, size: &str, date: &str| json!({"Bucket": "src", "Key": key, "Size": size, "LastModifiedDate": date});
    // The developer guide's child input: every column of `fileSchema`, as text.
    let rows = vec![
        row("csvDataset/", "0", "2022-11-16T00:27:19.000Z"),
        row(
            "csvDataset/titles.csv",
            "3399671",
            "2022-11-16T00:29:32.000Z",
        ),
        row(
            "imageDataset/n02085620_10074.jpg",
            "27034",
            "2022-11-15T20:02:16.000Z",
        ),
    ];
    assert_eq!(succeeded(&described[0]), Value::Array(rows.clone()));
    assert_eq!(succeeded(&described[1]), Value::Array(rows[..2].to_vec()));
    assert_eq!(
        succeeded(&described[2]),
        json!([{"id": 1}, {"id": 2}, {"id": 3}])
    );
    assert_eq!(
        succeeded(&described[3]),
        json!([{"n": "1", "name": "one"}, {"n": "2", "name": "two"}])
    );
    let orc = &described[4];
    assert_eq!(orc["status"], "FAILED", "{orc}");
    assert_eq!(orc["error"], "States.ItemReaderFailed", "{orc}");
    assert!(
        orc["cause"]
            .as_str()
            .unwrap()
            .contains("must be CSV, not ORC"),
        "{orc}"
    );
}

#[test]
fn a_listing_with_load_and_flatten_reads_every_object_it_lists() {
    let Some(setup) = setup("a_listing_with_load_and_flatten_reads_every_object_it_lists") else {
        return;
    };
    // `day/3.jsonl.zst`: one Zstandard frame of one raw block (Python has no zstd encoder
    // here); `day/` is a folder as the S3 console makes them.
    setup.moto.boto3(
        None,
        &format!(
            r#"{GZIP}
s3 = aws('s3')
s3.create_bucket(Bucket='logs')
s3.put_object(Bucket='logs', Key='day/', Body=b'')
s3.put_object(Bucket='logs', Key='day/1.jsonl', Body='{{"n": 1}}\n{{"n": 2}}\n')
put_gz('logs', 'day/2.jsonl.gz', '{{"n": 3}}\n')
text = b'{{"n": 4}}\n'
frame = bytes([0x28, 0xb5, 0x2f, 0xfd, 0x20, len(text)]) + (1 | len(text) << 3).to_bytes(3, 'little') + text
s3.put_object(Bucket='logs', Key='day/3.jsonl.zst', Body=frame)
s3.put_object(Bucket='logs', Key='other/4.jsonl', Body='{{"n": 5}}\n')
s3.put_object(Bucket='logs', Key='bad/1.jsonl.gz', Body='not gzip')
print('{{}}')"#
        ),
    );
    let listing = |prefix: &str, config: Value| {
        json!({"Resource": "arn:aws:states:::s3:listObjectsV2",
               "Parameters": {"Bucket": "logs", "Prefix": prefix}, "ReaderConfig": config})
    };
    let flatten = json!({"Transformation": "LOAD_AND_FLATTEN", "InputType": "JSONL"});
    let mut limited = flatten.clone();
    limited["MaxItems"] = json!(3);
    let described = run_all(
        &setup,
        vec![
            ("flattened", listing("day/", flatten.clone())),
            ("flattened-limited", listing("day/", limited)),
            (
                "metadata",
                listing("day/", json!({"Transformation": "NONE"})),
            ),
            ("flattened-bad", listing("bad/", flatten)),
        ],
    );
    assert_eq!(
        succeeded(&described[0]),
        json!([{"n": 1}, {"n": 2}, {"n": 3}, {"n": 4}])
    );
    assert_eq!(
        succeeded(&described[1]),
        json!([{"n": 1}, {"n": 2}, {"n": 3}])
    );
    // Without the transformation the items are the listing's metadata, folder included.
    let keys: Vec<Value> = succeeded(&described[2])
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["Key"].clone())
        .collect();
    assert_eq!(
        keys,
        vec![
            json!("day/"),
            json!("day/1.jsonl"),
            json!("day/2.jsonl.gz"),
            json!("day/3.jsonl.zst")
        ]
    );
    let bad = &described[3];
    assert_eq!(bad["error"], "States.ItemReaderFailed", "{bad}");
    assert!(
        bad["cause"]
            .as_str()
            .unwrap()
            .starts_with("s3://logs/bad/1.jsonl.gz: "),
        "{bad}"
    );
}
