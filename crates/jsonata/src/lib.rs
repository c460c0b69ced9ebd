//! JSONata for Step Functions states (`QueryLanguage: "JSONata"`, `{% ... %}` in state
//! fields), as a pure module: no I/O, and the clock and randomness are handed in.
//!
//! Public surface (the engine codes against exactly this; the third-party evaluator,
//! jsonata-core, stays behind it):
//! - [`Expression`]: `compile(text)` once, `evaluate(input, bindings, env, limits)` many times,
//!   on serde_json values; `Ok(None)` is `undefined`.
//! - [`Bindings`] / [`States`]: `$states` (input, result, errorOutput, context) and the
//!   workflow variables by name.
//! - [`EvalEnv`] (and [`FixedEnv`]): the time for `$now`/`$millis` and the seed for
//!   `$random`/`$uuid`, asked at most once per evaluation.
//! - [`Template`]: a whole field value with `{% %}` expressions anywhere in it, compiled
//!   once and evaluated into a value or a located [`EvaluationError`].
//! - [`Limits`]: time, depth, sequence length, string bytes, result depth and size; a hostile
//!   expression gets an error ([`ErrorKind::Limit`]) and the process stays up, with no stack
//!   overflow even on a 2 MiB thread stack.
//! - [`JsonataError`] with JSONata's code and message, and the `States.QueryEvaluationError`
//!   cause texts AWS gives: [`error_cause`], [`undefined_cause`], [`unexpected_type_cause`].
//!
//! Semantics are JSONata 2.0.6, the version AWS documents, plus the functions Step Functions
//! adds (`$partition`, `$range`, `$hash`, `$random(seed)`, `$uuid`, `$parse`; `$eval` is not
//! available). Where jsonata-core and jsonata-js 2.0.6 differ, see `DIFFERENCES.md`.

mod aws;
mod convert;
mod error;
mod expression;
mod guards;
mod java_random;
mod js_messages;
mod rewrite;
mod scope;
mod session;
mod template;

pub use error::{
    error_cause, json_type_name, undefined_cause, unexpected_type_cause, ErrorKind, JsonataError,
};
pub use expression::{Expression, MAX_EXPRESSION_BYTES};
pub use scope::{Bindings, EvalEnv, FixedEnv, Limits, States};
pub use template::{expression_text, CompileError, EvaluationError, Template};
