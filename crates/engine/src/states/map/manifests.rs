//! Manifests an `ItemReader` reads to find its data files (developer guide, "ItemReader
//! (Map)"): an S3 inventory report's `manifest.json` ("Amazon S3 inventory (process multiple
//! items)"; its shape is S3's, "Locating your inventory list") and the CSV manifest an
//! Athena `UNLOAD` query writes ("Athena manifest (process multiple items)").

use super::formats::ReadError;
use serde_json::Value;

/// What an S3 inventory's `manifest.json` says.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Inventory {
    /// The bucket the data files are in: `destinationBucket` (an S3 ARN), or the manifest's
    /// own bucket when it names none.
    pub bucket: String,
    /// `fileSchema`'s columns, which key every row's item ("Bucket, Key, Size, ...").
    pub columns: Vec<String>,
    /// `files[].key`: the data files, in order.
    pub keys: Vec<String>,
}

/// Reads an S3 inventory `manifest.json` found in `manifest_bucket`. Step Functions reads
/// CSV inventories only ("The output format of your Amazon S3 inventory report must be
/// CSV").
pub(super) fn inventory(text: &str, manifest_bucket: &str) -> Result<Inventory, ReadError> {
    let manifest: Value = serde_json::from_str(text)
        .map_err(|error| format!("The S3 inventory manifest could not be read: {error}"))?;
    match manifest["fileFormat"].as_str() {
        Some("CSV") => {}
        other => {
            let format = other.unwrap_or("none");
            return Err(format!(
                "The output format of your Amazon S3 inventory report must be CSV, not {format}."
            ));
        }
    }
    let Some(schema) = manifest["fileSchema"].as_str() else {
        return Err("The S3 inventory manifest has no fileSchema.".into());
    };
    let columns = schema.split(',').map(|c| c.trim().to_string()).collect();
    // `arn:PARTITION:s3:::BUCKET`, in any partition.
    let bucket = match manifest["destinationBucket"].as_str() {
        Some(arn) => arn
            .rsplit_once(":::")
            .map_or(arn, |(_, name)| name)
            .to_string(),
        None => manifest_bucket.to_string(),
    };
    let Some(files) = manifest["files"].as_array() else {
        return Err("The S3 inventory manifest has no files.".into());
    };
    let keys = files
        .iter()
        .map(|file| file["key"].as_str().map(str::to_string))
        .collect::<Option<Vec<_>>>()
        .ok_or("Every file of the S3 inventory manifest needs a key.")?;
    Ok(Inventory {
        bucket,
        columns,
        keys,
    })
}

/// The data files an Athena manifest lists: one `s3://bucket/key` URI per line, as bucket and
/// key.
pub(super) fn athena(text: &str) -> Result<Vec<(String, String)>, ReadError> {
    text.lines()
        .map(|line| line.trim().trim_matches('"'))
        .filter(|line| !line.is_empty())
        .map(|uri| {
            uri.strip_prefix("s3://")
                .and_then(|rest| rest.split_once('/'))
                .filter(|(bucket, key)| !bucket.is_empty() && !key.is_empty())
                .map(|(bucket, key)| (bucket.to_string(), key.to_string()))
                .ok_or_else(|| {
                    format!("The Athena manifest lists '{uri}', which is no s3:// object URI.")
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The developer guide's example manifest.
    const MANIFEST: &str = r#"{
        "sourceBucket" : "amzn-s3-demo-source-bucket",
        "destinationBucket" : "arn:aws:s3:::amzn-s3-demo-inventory",
        "version" : "2016-11-30",
        "creationTimestamp" : "1668560400000",
        "fileFormat" : "CSV",
        "fileSchema" : "Bucket, Key, Size, LastModifiedDate",
        "files" : [ {
            "key" : "amzn-s3-demo-bucket/destination-prefix/data/20e55de8-9c21-45d4-99b9-46c732000228.csv.gz",
            "size" : 7300,
            "MD5checksum" : "a7ff4a1d4164c3cd55851055ec8f6b20"
        } ]
    }"#;

    #[test]
    fn an_inventory_manifest_names_its_files_and_columns() {
        let read = inventory(MANIFEST, "elsewhere").unwrap();
        assert_eq!(
            read,
            Inventory {
                bucket: "amzn-s3-demo-inventory".into(),
                columns: vec![
                    "Bucket".into(),
                    "Key".into(),
                    "Size".into(),
                    "LastModifiedDate".into()
                ],
                keys: vec!["amzn-s3-demo-bucket/destination-prefix/data/20e55de8-9c21-45d4-99b9-46c732000228.csv.gz".into()],
            }
        );
        let orc = MANIFEST.replace("\"CSV\"", "\"ORC\"");
        assert!(inventory(&orc, "b")
            .unwrap_err()
            .contains("must be CSV, not ORC"));
        let no_schema = MANIFEST.replace("fileSchema", "schema");
        assert!(inventory(&no_schema, "b").is_err());
        assert!(inventory("[", "b").is_err());
        let unnamed = MANIFEST.replace("\"key\"", "\"name\"");
        assert!(inventory(&unnamed, "b").is_err());
        let local = MANIFEST.replace("destinationBucket", "destination");
        assert_eq!(inventory(&local, "here").unwrap().bucket, "here");
        let china = MANIFEST.replace("arn:aws:s3:::", "arn:aws-cn:s3:::");
        assert_eq!(
            inventory(&china, "b").unwrap().bucket,
            "amzn-s3-demo-inventory"
        );
        let no_files = MANIFEST.replace("\"files\"", "\"parts\"");
        assert!(inventory(&no_files, "b").unwrap_err().contains("no files"));
    }

    #[test]
    fn an_athena_manifest_lists_object_uris() {
        let text = "s3://results/unload/20241020_1_00000_a.gz\ns3://results/unload/20241020_1_00001_a.gz\n\n";
        assert_eq!(
            athena(text).unwrap(),
            vec![
                ("results".into(), "unload/20241020_1_00000_a.gz".into()),
                ("results".into(), "unload/20241020_1_00001_a.gz".into())
            ]
        );
        assert!(athena("https://example.com/x\n")
            .unwrap_err()
            .contains("no s3:// object URI"));
        assert!(athena("s3://bucket-only\n").is_err());
        assert_eq!(athena("").unwrap(), vec![]);
    }
}
