//! The pure expression layer of the Amazon States Language (JSONPath query language).
//!
//! Everything here is a function of its inputs: no I/O, no clock. Randomness (for
//! `States.MathRandom` and `States.UUID`) is passed in by the caller so the engine can make
//! executions reproducible in tests.
//!
//! Public surface (other crates code against exactly this):
//! - [`Scope`]: what an expression can read: the effective input (`$`), the context object (`$$`)
//!   and the workflow variables (`$name`, set by `Assign`).
//! - [`Path`]: a compiled JSONPath used to *read* (`InputPath`, `OutputPath`, `ItemsPath`, `.$` values,
//!   Choice `Variable`, `…Path` fields). Starts with `$`, `$$` or `$varName`.
//! - [`ReferencePath`]: a compiled reference path used to *write* (`ResultPath`): definite, only
//!   `.name`, `['name']` and `[index]` steps.
//! - [`PayloadTemplate`]: a compiled `Parameters` / `ResultSelector` / `ItemSelector` / `Assign` object.
//! - [`Intrinsic`]: a compiled intrinsic function call such as `States.Format('{}', $.a)`.
//! - [`EvalError`]: a runtime failure with the AWS error name and the message tail that the engine
//!   prefixes with "An error occurred while executing the state 'X' (entered at the event id #N). ".
//! - [`check_depth`], [`MAX_JSON_DEPTH`], [`MAX_PATH_STEPS`], [`MAX_BUILT_BYTES`]: the bounds that
//!   keep every expression within a 2 MiB stack and bounded memory.
//!
//! Bounds: paths are parsed without recursion (a filter's paths hold no filter), intrinsic calls
//! nest at most 64 deep, templates at most [`MAX_JSON_DEPTH`]. Values given to this crate (a
//! [`Scope`]'s input, context and variables) are expected within [`MAX_JSON_DEPTH`], as parsed
//! JSON always is: serde_json copies and drops values one stack frame per level. Whatever an
//! expression builds (a selection, a template's output, an intrinsic's result, a `ResultPath`
//! write) is checked against that depth and [`MAX_BUILT_BYTES`] before it is built; values the
//! engine builds by other means must be checked with [`check_depth`].

use serde_json::{Map, Value};

/// What an expression may read while it is evaluated.
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    /// The value `$` refers to.
    pub input: &'a Value,
    /// The context object `$$` refers to.
    pub context: &'a Value,
    /// Workflow variables (`$name`), when the state can see any.
    pub variables: Option<&'a Map<String, Value>>,
}

/// A syntax error found when compiling an expression; `message` is AWS-style text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SyntaxError {
    pub message: String,
}

/// A runtime failure. `error` is the AWS error name (`States.Runtime`, `States.IntrinsicFailure`, ...).
/// `message` is the part of the cause that follows the engine's
/// "An error occurred while executing the state '…' (entered at the event id #N). " prefix,
/// e.g. "The JSONPath '$.x' specified for the field 'a.$' could not be found in the input '{}'".
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{error}: {message}")]
pub struct EvalError {
    pub error: String,
    pub message: String,
}

mod intrinsic;
mod jsonpath;
mod limits;
mod path;
mod reference_path;
mod template;

pub use intrinsic::Intrinsic;
pub use limits::{check_depth, TooDeep, MAX_BUILT_BYTES, MAX_JSON_DEPTH, MAX_PATH_STEPS};
pub use path::Path;
pub use reference_path::ReferencePath;
pub use template::{PayloadTemplate, TemplateError};
