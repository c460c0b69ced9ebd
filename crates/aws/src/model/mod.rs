//! AWS API models as botocore ships them (`botocore/data/<service>/<version>/service-2.json`):
//! the metadata (protocol, endpoint prefix, signing name, target prefix, JSON version), the
//! operations (HTTP binding, input and output shapes, errors) and the shapes.
//!
//! Only the fields that decide how a request is built and a response is read are kept, plus
//! the constraints TestState checks mocked results against (`required`, `min`, `max`, `enum`);
//! requests are not validated here: the service validates its input and answers with its own
//! error, as it does for the AWS SDKs.

mod registry;

pub use registry::{ModelError, ModelRegistry};

use serde::Deserialize;
use std::collections::HashMap;

/// One service's API model.
#[derive(Debug, Deserialize)]
pub struct ServiceModel {
    pub metadata: Metadata,
    pub operations: HashMap<String, Operation>,
    pub shapes: HashMap<String, Shape>,
}

/// The model's `metadata` object.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    pub api_version: String,
    pub endpoint_prefix: String,
    /// `json`, `rest-json`, `rest-xml`, `query`, `ec2` or `smithy-rpc-v2-cbor`.
    pub protocol: String,
    /// The protocols the service accepts, preferred first (newer models only).
    #[serde(default)]
    pub protocols: Vec<String>,
    #[serde(default)]
    pub json_version: Option<String>,
    #[serde(default)]
    pub target_prefix: Option<String>,
    #[serde(default)]
    pub signing_name: Option<String>,
    /// The Smithy service id, e.g. `DynamoDB`, `SFN`, `CloudWatch Logs`: the source of the
    /// names Step Functions uses (see `naming`).
    pub service_id: String,
    /// Set for services that moved from the Query protocol to JSON and still report the
    /// Query error codes in the `x-amzn-query-error` header (SQS).
    #[serde(default)]
    pub aws_query_compatible: Option<serde_json::Value>,
    /// Global services (IAM, Route 53, CloudFront...) sign with this region.
    #[serde(default)]
    pub global_endpoint: Option<String>,
}

impl Metadata {
    /// The name requests are signed for (`signingName`, else the endpoint prefix).
    pub fn signing_name(&self) -> &str {
        self.signing_name
            .as_deref()
            .unwrap_or(&self.endpoint_prefix)
    }
}

/// An API operation.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    pub name: String,
    pub http: HttpBinding,
    #[serde(default)]
    pub input: Option<ShapeRef>,
    #[serde(default)]
    pub output: Option<ShapeRef>,
    /// The errors the operation documents.
    #[serde(default)]
    pub errors: Vec<ShapeRef>,
    /// Host prefix template such as `{AccountId}.` (S3 Control) or `data.` (IoT).
    #[serde(default)]
    pub endpoint: Option<EndpointTrait>,
    /// Flexible checksums: the member that selects the algorithm, and whether one is required.
    #[serde(default)]
    pub http_checksum: Option<HttpChecksum>,
    /// The legacy form of "a checksum is required" (S3 operations that once needed Content-MD5).
    #[serde(default)]
    pub http_checksum_required: Option<bool>,
    /// `none` for operations called without credentials (older models' form).
    #[serde(default)]
    pub authtype: Option<String>,
    /// `smithy.api#noAuth` for operations called without credentials (newer models' form).
    #[serde(default)]
    pub auth: Vec<String>,
}

impl Operation {
    /// Whether the operation is called unsigned (STS `AssumeRoleWithWebIdentity`, Cognito
    /// `GetId`...).
    pub fn unsigned(&self) -> bool {
        self.authtype.as_deref() == Some("none")
            || self.auth.iter().any(|scheme| scheme == "smithy.api#noAuth")
    }
}

/// `http` of an operation.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpBinding {
    pub method: String,
    pub request_uri: String,
}

/// `input` / `output` of an operation.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShapeRef {
    pub shape: String,
    /// REST-XML: the request body's root element.
    #[serde(default)]
    pub location_name: Option<String>,
    #[serde(default)]
    pub xml_namespace: Option<XmlNamespace>,
    /// Query: the element that wraps the result (`PublishResult`).
    #[serde(default)]
    pub result_wrapper: Option<String>,
}

/// `endpoint` of an operation.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointTrait {
    pub host_prefix: String,
}

/// `httpChecksum` of an operation.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpChecksum {
    #[serde(default)]
    pub request_algorithm_member: Option<String>,
    #[serde(default)]
    pub request_checksum_required: Option<bool>,
}

/// An XML namespace (`{"uri": ...}` with an optional `prefix`).
#[derive(Debug, Clone, Deserialize)]
pub struct XmlNamespace {
    pub uri: String,
    #[serde(default)]
    pub prefix: Option<String>,
}

/// A shape: the type of a value.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Shape {
    #[serde(rename = "type")]
    pub kind: ShapeKind,
    /// Structure members, in model order (XML bodies follow it).
    #[serde(default, deserialize_with = "ordered_members")]
    pub members: Vec<(String, Member)>,
    /// List element.
    #[serde(default)]
    pub member: Option<Box<Member>>,
    /// Map key and value.
    #[serde(default)]
    pub key: Option<Box<Member>>,
    #[serde(default)]
    pub value: Option<Box<Member>>,
    #[serde(default)]
    pub flattened: bool,
    /// The member that is the whole HTTP body (REST protocols).
    #[serde(default)]
    pub payload: Option<String>,
    #[serde(default)]
    pub streaming: bool,
    #[serde(default)]
    pub exception: bool,
    /// `error.code` / `error.httpStatusCode` of an exception shape.
    #[serde(default)]
    pub error: Option<ErrorTrait>,
    #[serde(default)]
    pub timestamp_format: Option<String>,
    #[serde(default)]
    pub xml_namespace: Option<XmlNamespace>,
    /// A Smithy document: free-form JSON.
    #[serde(default)]
    pub document: bool,
    #[serde(default)]
    pub eventstream: bool,
    /// Structure members that must be present (TestState's STRICT mock validation).
    #[serde(default)]
    pub required: Vec<String>,
    /// Least value (numbers) or length (strings, blobs); only mock validation reads it.
    #[serde(default)]
    pub min: Option<f64>,
    /// Greatest value (numbers) or length (strings, blobs); only mock validation reads it.
    #[serde(default)]
    pub max: Option<f64>,
    /// The values a string may take, when the model lists them.
    #[serde(default, rename = "enum")]
    pub allowed: Vec<String>,
}

/// The kinds of shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ShapeKind {
    Structure,
    List,
    Map,
    String,
    Integer,
    Long,
    Float,
    Double,
    Boolean,
    Timestamp,
    Blob,
}

/// `error` of an exception shape.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorTrait {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub http_status_code: Option<u16>,
}

/// A structure member, list element or map key/value.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub shape: String,
    /// `uri`, `querystring`, `header`, `headers`, `statusCode`; absent for the body.
    #[serde(default)]
    pub location: Option<String>,
    /// The wire name (JSON key, XML element, header, query or URI label).
    #[serde(default)]
    pub location_name: Option<String>,
    /// EC2 query name.
    #[serde(default)]
    pub query_name: Option<String>,
    #[serde(default)]
    pub flattened: bool,
    #[serde(default)]
    pub xml_attribute: bool,
    #[serde(default)]
    pub xml_namespace: Option<XmlNamespace>,
    /// A header whose value is base64-encoded JSON.
    #[serde(default)]
    pub jsonvalue: bool,
    /// Filled with a fresh UUID when the caller leaves it out (`ClientRequestToken`...).
    #[serde(default)]
    pub idempotency_token: bool,
    #[serde(default)]
    pub streaming: bool,
}

impl Member {
    /// The member's wire name: `locationName` when the model gives one, else `name`.
    pub fn wire_name<'a>(&'a self, name: &'a str) -> &'a str {
        self.location_name.as_deref().unwrap_or(name)
    }
}

/// Reads `members` keeping the model's order, which XML bodies follow.
fn ordered_members<'de, D>(deserializer: D) -> Result<Vec<(String, Member)>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct Visitor;
    impl<'de> serde::de::Visitor<'de> for Visitor {
        type Value = Vec<(String, Member)>;
        fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
            formatter.write_str("a map of members")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut members = Vec::new();
            while let Some((name, member)) = map.next_entry::<String, Member>()? {
                members.push((name, member));
            }
            Ok(members)
        }
    }
    deserializer.deserialize_map(Visitor)
}

impl Shape {
    /// The member called `name`.
    pub fn member(&self, name: &str) -> Option<&Member> {
        self.members
            .iter()
            .find(|(member, _)| member == name)
            .map(|(_, member)| member)
    }
}

impl ServiceModel {
    /// Parses a `service-2.json` document.
    pub fn from_json(text: &[u8]) -> Result<ServiceModel, serde_json::Error> {
        serde_json::from_slice(text)
    }

    /// The shape called `name`; models are closed, so a missing one is a broken model.
    pub fn shape(&self, name: &str) -> Result<&Shape, ModelError> {
        self.shapes
            .get(name)
            .ok_or_else(|| ModelError::Broken(format!("the model has no shape '{name}'")))
    }

    /// The operation an action of a Task resource names: `getObject` is `GetObject`. Step
    /// Functions writes the action in camelCase; the match ignores case so that acronyms
    /// (`listObjectsV2`, `getBucketAcl`) need no table.
    pub fn operation(&self, action: &str) -> Option<&Operation> {
        self.operations
            .values()
            .find(|operation| operation.name.eq_ignore_ascii_case(action))
    }

    /// The protocol Fluxo speaks to this service: the model's own, or for services whose
    /// preferred protocol is Smithy RPC v2 CBOR, the next one they list.
    pub fn protocol(&self) -> &str {
        let supported = ["json", "rest-json", "rest-xml", "query", "ec2"];
        if supported.contains(&self.metadata.protocol.as_str()) {
            return &self.metadata.protocol;
        }
        self.metadata
            .protocols
            .iter()
            .find(|protocol| supported.contains(&protocol.as_str()))
            .map(String::as_str)
            .unwrap_or(&self.metadata.protocol)
    }

    /// The error an operation documents for an HTTP status: what an error without a body (the
    /// answer to a `HEAD`) is, as the SDK for Java 2.x reads it (S3 `HeadObject`'s 404 is
    /// `NoSuchKey`).
    pub fn exception_for_status<'a>(
        &self,
        operation: &'a Operation,
        status: u16,
    ) -> Option<&'a str> {
        operation
            .errors
            .iter()
            .map(|error| error.shape.as_str())
            .find(|name| {
                self.shapes
                    .get(*name)
                    .and_then(|shape| shape.error.as_ref())
                    .and_then(|error| error.http_status_code)
                    == Some(status)
            })
    }

    /// The exception shape for a wire error code: the shape whose `error.code` is the code,
    /// else the shape of that name.
    pub fn exception_shape(&self, code: &str) -> Option<&str> {
        let by_code = self.shapes.iter().find(|(_, shape)| {
            shape.exception
                && shape.error.as_ref().and_then(|error| error.code.as_deref()) == Some(code)
        });
        if let Some((name, _)) = by_code {
            return Some(name);
        }
        self.shapes
            .get_key_value(code)
            .filter(|(_, shape)| shape.exception)
            .map(|(name, _)| name.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_are_found_by_their_camel_case_action() {
        let registry = ModelRegistry::new(None);
        let s3 = registry.model("s3").unwrap();
        assert_eq!(s3.operation("listObjectsV2").unwrap().name, "ListObjectsV2");
        assert!(s3.operation("listObjectz").is_none());
        let sts = registry.model("sts").unwrap();
        assert!(sts
            .operation("assumeRoleWithWebIdentity")
            .unwrap()
            .unsigned());
        assert!(!sts.operation("getCallerIdentity").unwrap().unsigned());
        let head = s3.operation("headObject").unwrap();
        assert_eq!(s3.exception_for_status(head, 404), Some("NoSuchKey"));
    }
}
