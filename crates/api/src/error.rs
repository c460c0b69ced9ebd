//! API errors as AWS shapes them: `{"__type", "message"}`, the `__type` naming one of the
//! error shapes of the Step Functions API model, and the HTTP status that makes each SDK raise
//! its exception class.

use axum::http::StatusCode;
use fluxo_runtime::{DefinitionError, RuntimeError};
use fluxo_store::StoreError;
use serde_json::{json, Value};

macro_rules! error_codes {
    ($( $code:ident ),* $(,)?) => {
        /// The error names of the Step Functions API (the model's error shapes, plus the
        /// protocol's own).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ErrorCode {
            $( $code, )*
        }

        impl ErrorCode {
            pub fn as_str(self) -> &'static str {
                match self {
                    $( ErrorCode::$code => stringify!($code), )*
                }
            }
        }
    };
}

error_codes! {
    ActivityAlreadyExists, ActivityDoesNotExist, ActivityLimitExceeded,
    ActivityWorkerLimitExceeded, ConflictException, ExecutionAlreadyExists,
    ExecutionDoesNotExist, ExecutionLimitExceeded, ExecutionNotRedrivable, InvalidArn,
    InvalidDefinition, InvalidEncryptionConfiguration, InvalidExecutionInput,
    InvalidLoggingConfiguration, InvalidName, InvalidOutput, InvalidToken,
    InvalidTracingConfiguration, KmsAccessDeniedException, KmsInvalidStateException,
    KmsThrottlingException, MissingRequiredParameter, ResourceNotFound,
    ServiceQuotaExceededException, StateMachineAlreadyExists, StateMachineDeleting,
    StateMachineDoesNotExist, StateMachineLimitExceeded, StateMachineTypeNotSupported,
    TaskDoesNotExist, TaskTimedOut, TooManyTags, ValidationException,
    // The protocol's own.
    SerializationException, UnknownOperationException, InternalFailure,
}

/// An error in AWS's shape: the SDKs pick the exception class from `__type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
        }
    }

    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::ValidationException, message)
    }

    pub fn serialization(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::SerializationException, message)
    }

    pub fn internal(message: impl std::fmt::Display) -> Self {
        Self::new(ErrorCode::InternalFailure, message.to_string())
    }

    /// Client errors are 400 as on AWS; only our own failures are 500.
    pub fn status(&self) -> StatusCode {
        match self.code {
            ErrorCode::InternalFailure => StatusCode::INTERNAL_SERVER_ERROR,
            // API reference, ServiceQuotaExceededException: "HTTP Status Code: 402".
            ErrorCode::ServiceQuotaExceededException => StatusCode::PAYMENT_REQUIRED,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    pub fn body(&self) -> Value {
        json!({
            "__type": format!("com.amazonaws.swf.service.v2.model#{}", self.code.as_str()),
            "message": self.message,
        })
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::InvalidPageToken(token) => {
                ApiError::new(ErrorCode::InvalidToken, format!("Invalid Token: '{token}'"))
            }
            StoreError::RevisionConflict { .. } | StoreError::VersionInUse { .. } => {
                ApiError::new(ErrorCode::ConflictException, error.to_string())
            }
            StoreError::QuotaExceeded(message) => {
                ApiError::new(ErrorCode::ServiceQuotaExceededException, message)
            }
            other => {
                tracing::error!(error = %other, "store failure");
                ApiError::internal(other)
            }
        }
    }
}

impl From<RuntimeError> for ApiError {
    fn from(error: RuntimeError) -> Self {
        let message = error.to_string();
        match error {
            RuntimeError::Store(store) => store.into(),
            RuntimeError::Definition(DefinitionError::Invalid(_))
            | RuntimeError::Definition(DefinitionError::Unsupported { .. }) => ApiError::new(
                ErrorCode::InvalidDefinition,
                format!("Invalid State Machine Definition: '{message}'"),
            ),
            RuntimeError::StateMachineDoesNotExist(_) => {
                ApiError::new(ErrorCode::StateMachineDoesNotExist, message)
            }
            RuntimeError::ExecutionDoesNotExist(_) => {
                ApiError::new(ErrorCode::ExecutionDoesNotExist, message)
            }
            RuntimeError::ExecutionAlreadyExists(_) => {
                ApiError::new(ErrorCode::ExecutionAlreadyExists, message)
            }
            RuntimeError::StateMachineAlreadyExists(_) => {
                ApiError::new(ErrorCode::StateMachineAlreadyExists, message)
            }
            RuntimeError::ActivityDoesNotExist(_) => {
                ApiError::new(ErrorCode::ActivityDoesNotExist, message)
            }
            RuntimeError::ActivityWorkerLimitExceeded => {
                ApiError::new(ErrorCode::ActivityWorkerLimitExceeded, message)
            }
            RuntimeError::InvalidToken => ApiError::new(ErrorCode::InvalidToken, message),
            RuntimeError::TaskDoesNotExist => ApiError::new(ErrorCode::TaskDoesNotExist, message),
            RuntimeError::TaskTimedOut => ApiError::new(ErrorCode::TaskTimedOut, message),
            RuntimeError::ExecutionNotRedrivable(_) => {
                ApiError::new(ErrorCode::ExecutionNotRedrivable, message)
            }
            RuntimeError::InvalidRestart(_) => ApiError::validation(message),
            RuntimeError::StoredDefinition(_) => {
                tracing::error!(%message, "a stored definition no longer compiles");
                ApiError::internal(message)
            }
        }
    }
}
