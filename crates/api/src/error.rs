use axum::http::StatusCode;
use serde_json::{json, Value};

/// An error in AWS's shape: the SDKs pick the exception class from `__type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub kind: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(kind: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            kind,
            message: message.into(),
        }
    }

    pub fn validation(message: &str) -> Self {
        Self::new("ValidationException", message)
    }

    pub fn serialization(message: &str) -> Self {
        Self::new("SerializationException", message)
    }

    pub fn unknown_operation(message: &str) -> Self {
        Self::new("UnknownOperationException", message)
    }

    pub fn internal(message: impl std::fmt::Display) -> Self {
        Self::new("InternalFailure", message.to_string())
    }

    /// Client errors are 400 as on AWS; only our own failures are 500.
    pub fn status(&self) -> StatusCode {
        match self.kind {
            "InternalFailure" => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    pub fn body(&self) -> Value {
        json!({"__type": format!("com.amazonaws.swf.service.v2.model#{}", self.kind), "message": self.message})
    }
}

impl From<fluxo_store::StoreError> for ApiError {
    fn from(error: fluxo_store::StoreError) -> Self {
        ApiError::internal(error)
    }
}

impl From<fluxo_runtime::RuntimeError> for ApiError {
    fn from(error: fluxo_runtime::RuntimeError) -> Self {
        ApiError::internal(error)
    }
}
