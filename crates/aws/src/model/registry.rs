//! Where API models come from: the models embedded in Fluxo (the services of the optimized
//! integrations: Athena, Batch, Bedrock Runtime, DynamoDB, ECS, EventBridge, Glue, Lambda,
//! MediaConvert, SNS, SQS; plus KMS, S3, STS, Secrets Manager and Step Functions), and any
//! other service's model read at run time from a botocore data directory the operator configures
//! (`[aws] models_dir`), laid out as botocore ships it: `<dir>/<service>/<version>/service-2.json.gz`.
//!
//! Services are found by the name a Task resource uses (`aws-sdk:cloudwatchlogs:...` finds
//! botocore's `logs`): the directory is indexed once, on the first miss, by reading only the
//! head of each model (its `metadata.serviceId`, from which `naming` derives the name).

use super::ServiceModel;
use crate::naming;
use flate2::read::GzDecoder;
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// The embedded models: botocore's directory name and the `service-2.json.gz` file as shipped
/// (botocore 1.44.8, Apache-2.0; see `models/README.md`).
const EMBEDDED: &[(&str, &[u8])] = &[
    (
        "athena",
        include_bytes!("../../models/athena/2017-05-18/service-2.json.gz"),
    ),
    (
        "batch",
        include_bytes!("../../models/batch/2016-08-10/service-2.json.gz"),
    ),
    (
        "bedrock-runtime",
        include_bytes!("../../models/bedrock-runtime/2023-09-30/service-2.json.gz"),
    ),
    (
        "dynamodb",
        include_bytes!("../../models/dynamodb/2012-08-10/service-2.json.gz"),
    ),
    (
        "ecs",
        include_bytes!("../../models/ecs/2014-11-13/service-2.json.gz"),
    ),
    (
        "events",
        include_bytes!("../../models/events/2015-10-07/service-2.json.gz"),
    ),
    (
        "glue",
        include_bytes!("../../models/glue/2017-03-31/service-2.json.gz"),
    ),
    (
        "kms",
        include_bytes!("../../models/kms/2014-11-01/service-2.json.gz"),
    ),
    (
        "lambda",
        include_bytes!("../../models/lambda/2015-03-31/service-2.json.gz"),
    ),
    (
        "mediaconvert",
        include_bytes!("../../models/mediaconvert/2017-08-29/service-2.json.gz"),
    ),
    (
        "s3",
        include_bytes!("../../models/s3/2006-03-01/service-2.json.gz"),
    ),
    (
        "secretsmanager",
        include_bytes!("../../models/secretsmanager/2017-10-17/service-2.json.gz"),
    ),
    (
        "sns",
        include_bytes!("../../models/sns/2010-03-31/service-2.json.gz"),
    ),
    (
        "sqs",
        include_bytes!("../../models/sqs/2012-11-05/service-2.json.gz"),
    ),
    (
        "stepfunctions",
        include_bytes!("../../models/stepfunctions/2016-11-23/service-2.json.gz"),
    ),
    (
        "sts",
        include_bytes!("../../models/sts/2011-06-15/service-2.json.gz"),
    ),
];

/// The largest model botocore ships is under 8 MB uncompressed; anything past this is not a model.
const MAX_MODEL_BYTES: u64 = 64 * 1024 * 1024;
/// `metadata` opens every botocore model; its `serviceId` lies within the first few hundred bytes.
const HEAD_BYTES: u64 = 16 * 1024;

/// Why a model could not be had.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ModelError {
    #[error("{0}")]
    Missing(String),
    #[error("the API model of '{service}' could not be read from {path}: {reason}")]
    Unreadable {
        service: String,
        path: String,
        reason: String,
    },
    #[error("the API model is broken: {0}")]
    Broken(String),
}

#[derive(Debug, Clone)]
enum Source {
    Embedded(&'static [u8]),
    File(PathBuf),
}

/// See [`ModelRegistry::for_definitions`].
static DEFINITIONS: OnceLock<ModelRegistry> = OnceLock::new();

/// Finds, loads and caches API models.
pub struct ModelRegistry {
    models_dir: Option<PathBuf>,
    /// Task-resource service name → source; built on first use.
    index: OnceLock<HashMap<String, Source>>,
    loaded: Mutex<HashMap<String, Arc<ServiceModel>>>,
}

impl ModelRegistry {
    /// A registry of the embedded models and, when given, a botocore data directory's, which
    /// take precedence (an operator who points Fluxo at a newer botocore gets its models).
    pub fn new(models_dir: Option<PathBuf>) -> ModelRegistry {
        ModelRegistry {
            models_dir,
            index: OnceLock::new(),
            loaded: Mutex::new(HashMap::new()),
        }
    }

    /// The embedded models only, shared: what the checks that do not depend on `[aws]` read
    /// (a TestState mock's shape), since AWS makes them whether or not the role could call
    /// the service.
    pub fn embedded() -> &'static ModelRegistry {
        static REGISTRY: OnceLock<ModelRegistry> = OnceLock::new();
        REGISTRY.get_or_init(|| ModelRegistry::new(None))
    }

    /// What a new definition's Task fields are checked against: the embedded models and the
    /// first `[aws] models_dir` this process was configured with
    /// ([`ModelRegistry::use_models_dir_for_definitions`]), whose newer models must not have
    /// their new request members refused at creation when the call itself would take them.
    pub fn for_definitions() -> &'static ModelRegistry {
        // Without a `models_dir`, the embedded registry itself: no second copy of its models.
        DEFINITIONS.get().unwrap_or_else(ModelRegistry::embedded)
    }

    /// Makes `dir` part of [`ModelRegistry::for_definitions`]; only the first call counts, as
    /// a process serves one `[aws]`.
    pub fn use_models_dir_for_definitions(dir: PathBuf) {
        let _ = DEFINITIONS.set(ModelRegistry::new(Some(dir)));
    }

    /// The model of the service a Task resource names (`s3`, `sfn`, `cloudwatchlogs`...).
    pub fn model(&self, service: &str) -> Result<Arc<ServiceModel>, ModelError> {
        if let Some(model) = self.cached(service) {
            return Ok(model);
        }
        let source = self
            .index()
            .get(service)
            .cloned()
            .ok_or_else(|| self.missing(service))?;
        let text = read_source(service, &source)?;
        let model = ServiceModel::from_json(&text).map_err(|error| ModelError::Unreadable {
            service: service.to_string(),
            path: describe(&source),
            reason: error.to_string(),
        })?;
        let model = Arc::new(model);
        self.loaded
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(service.to_string(), model.clone());
        Ok(model)
    }

    fn cached(&self, service: &str) -> Option<Arc<ServiceModel>> {
        self.loaded
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(service)
            .cloned()
    }

    fn missing(&self, service: &str) -> ModelError {
        let hint = match &self.models_dir {
            Some(dir) => format!(
                "neither Fluxo nor the models directory {} has it",
                dir.display()
            ),
            None => "Fluxo embeds only the models of athena, batch, bedrockruntime, dynamodb, \
                     ecs, eventbridge, glue, kms, lambda, mediaconvert, s3, secretsmanager, sfn, \
                     sns, sqs and sts; set [aws] models_dir in fluxo.toml to a botocore data directory (the `botocore/data` folder of a botocore \
                     installation, or a copy) for the others"
                .to_string(),
        };
        ModelError::Missing(format!(
            "The API model of the service '{service}' is not available: {hint}"
        ))
    }

    fn index(&self) -> &HashMap<String, Source> {
        self.index.get_or_init(|| {
            let mut index = HashMap::new();
            for (_, bytes) in EMBEDDED {
                let source = Source::Embedded(bytes);
                if let Some(service_id) = service_id_of(&source) {
                    index.insert(naming::sdk_service_name(&service_id), source);
                }
            }
            if let Some(dir) = &self.models_dir {
                for file in model_files(dir) {
                    let source = Source::File(file);
                    if let Some(service_id) = service_id_of(&source) {
                        index.insert(naming::sdk_service_name(&service_id), source);
                    }
                }
            }
            index
        })
    }
}

/// `<dir>/<service>/<latest version>/service-2.json(.gz)` for every service directory.
fn model_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(services) = std::fs::read_dir(dir) else {
        tracing::warn!(dir = %dir.display(), "the AWS models directory cannot be read");
        return Vec::new();
    };
    let mut files = Vec::new();
    for service in services.flatten() {
        let Ok(versions) = std::fs::read_dir(service.path()) else {
            continue;
        };
        let mut versions: Vec<PathBuf> = versions
            .flatten()
            .map(|version| version.path())
            .filter(|path| path.is_dir())
            .collect();
        // Versions are dates (`2012-11-05`): the greatest is the newest.
        versions.sort();
        let newest = versions.iter().rev().find_map(|version| {
            ["service-2.json.gz", "service-2.json"]
                .iter()
                .map(|name| version.join(name))
                .find(|path| path.is_file())
        });
        files.extend(newest);
    }
    files
}

fn describe(source: &Source) -> String {
    match source {
        Source::Embedded(_) => "the models embedded in Fluxo".to_string(),
        Source::File(path) => path.display().to_string(),
    }
}

fn open(source: &Source) -> std::io::Result<Box<dyn Read + '_>> {
    Ok(match source {
        Source::Embedded(bytes) => Box::new(GzDecoder::new(*bytes)),
        Source::File(path) => {
            let file = std::fs::File::open(path)?;
            if path.extension().is_some_and(|extension| extension == "gz") {
                Box::new(GzDecoder::new(file))
            } else {
                Box::new(file)
            }
        }
    })
}

fn read_source(service: &str, source: &Source) -> Result<Vec<u8>, ModelError> {
    let unreadable = |reason: String| ModelError::Unreadable {
        service: service.to_string(),
        path: describe(source),
        reason,
    };
    let mut text = Vec::new();
    open(source)
        .and_then(|reader| reader.take(MAX_MODEL_BYTES + 1).read_to_end(&mut text))
        .map_err(|error| unreadable(error.to_string()))?;
    if text.len() as u64 > MAX_MODEL_BYTES {
        return Err(unreadable(format!("larger than {MAX_MODEL_BYTES} bytes")));
    }
    Ok(text)
}

/// The `serviceId` of a model, read from its first bytes.
fn service_id_of(source: &Source) -> Option<String> {
    let mut head = Vec::new();
    open(source)
        .and_then(|reader| reader.take(HEAD_BYTES).read_to_end(&mut head))
        .ok()?;
    let head = String::from_utf8_lossy(&head);
    let start = head.find("\"serviceId\"")? + "\"serviceId\"".len();
    let rest = head[start..].trim_start().strip_prefix(':')?.trim_start();
    let rest = rest.strip_prefix('"')?;
    Some(rest[..rest.find('"')?].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_models_are_found_by_their_task_resource_names() {
        let registry = ModelRegistry::new(None);
        for (service, protocol) in [
            ("s3", "rest-xml"),
            ("sqs", "json"),
            ("sns", "query"),
            ("dynamodb", "json"),
            ("lambda", "rest-json"),
            ("eventbridge", "json"),
            ("sfn", "json"),
            ("sts", "query"),
            ("secretsmanager", "json"),
            ("kms", "json"),
        ] {
            let model = registry.model(service).unwrap();
            assert_eq!(model.protocol(), protocol, "{service}");
        }
    }

    #[test]
    fn a_missing_model_names_the_setting() {
        let registry = ModelRegistry::new(None);
        let error = registry.model("transcribe").unwrap_err().to_string();
        assert!(error.contains("'transcribe'"), "{error}");
        assert!(error.contains("[aws] models_dir"), "{error}");
    }

    #[test]
    fn a_models_directory_is_indexed_by_service_id() {
        let dir = std::env::temp_dir().join(format!("fluxo-models-{}", std::process::id()));
        let version = dir.join("logs").join("2014-03-28");
        std::fs::create_dir_all(&version).unwrap();
        let model = r#"{"version":"2.0","metadata":{"apiVersion":"2014-03-28","endpointPrefix":"logs",
            "protocol":"json","jsonVersion":"1.1","serviceId":"CloudWatch Logs","targetPrefix":"Logs_20140328"},
            "operations":{},"shapes":{}}"#;
        std::fs::write(version.join("service-2.json"), model).unwrap();
        let registry = ModelRegistry::new(Some(dir.clone()));
        let loaded = registry.model("cloudwatchlogs").unwrap();
        assert_eq!(loaded.metadata.endpoint_prefix, "logs");
        // The embedded models stay available beside the directory's.
        assert!(registry.model("sqs").is_ok());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
