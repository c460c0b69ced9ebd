//! What an evaluation sees from outside: the variables ([`Bindings`]), the clock and the
//! randomness ([`EvalEnv`]), and the [`Limits`] it must stay within.

use serde_json::{Map, Value};
use std::time::Duration;

/// The `$states` reserved variable of a JSONata state (AWS developer guide, "Transforming data
/// with JSONata in Step Functions": `$states.input`, `$states.result`, `$states.errorOutput`,
/// `$states.context`). A part that is `None` is absent from the object, so reading it gives
/// `undefined` as on AWS (for example `$states.result` outside `Output` and `Assign`).
#[derive(Debug, Clone, Copy, Default)]
pub struct States<'a> {
    /// The state's raw input.
    pub input: Option<&'a Value>,
    /// The task, Parallel or Map result (only where AWS makes it visible).
    pub result: Option<&'a Value>,
    /// The error output, in a `Catch`.
    pub error_output: Option<&'a Value>,
    /// The context object (`$$` of JSONPath).
    pub context: Option<&'a Value>,
}

/// The variables an expression can read: `$states` and the workflow variables (set by
/// `Assign`) by name. Borrowed, so building one per evaluation copies nothing; only the
/// variables an expression mentions are converted for it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Bindings<'a> {
    pub states: States<'a>,
    /// Workflow variables: `$name` reads `variables["name"]`.
    pub variables: Option<&'a Map<String, Value>>,
}

impl<'a> Bindings<'a> {
    /// Bindings with only `$states`.
    pub fn states(states: States<'a>) -> Bindings<'a> {
        Bindings {
            states,
            variables: None,
        }
    }

    /// The value bound to `$name`: `$states` when it has any part, else the workflow variable.
    /// `states` is the reserved name and hides a workflow variable of that name, as the
    /// validator forbids defining one (`$states` is reserved by AWS).
    pub(crate) fn lookup(&self, name: &str) -> Option<Bound<'a>> {
        if name == "states" {
            return Some(Bound::States(self.states));
        }
        self.variables?.get(name).map(Bound::Value)
    }
}

/// A bound variable, before conversion.
pub(crate) enum Bound<'a> {
    States(States<'a>),
    Value(&'a Value),
}

/// The outside world of an evaluation. Fluxo evaluates with no clock and no randomness of its
/// own, so that the engine can record what it hands over and replay an execution exactly.
pub trait EvalEnv {
    /// Milliseconds since the Unix epoch, for `$now()` and `$millis()`. Asked at most once per
    /// evaluation: every `$now()` of one evaluation gives the same instant, as JSONata requires.
    fn now_millis(&self) -> i64;
    /// A seed for the evaluation's pseudo-random numbers: unseeded `$random()` and `$uuid()`
    /// (version 4) draw from a generator seeded with it. Asked at most once per evaluation,
    /// and only by expressions that use those functions.
    fn random_seed(&self) -> u64;
}

/// An [`EvalEnv`] with fixed answers, for tests and for expressions that use neither clock
/// nor randomness.
#[derive(Debug, Clone, Copy, Default)]
pub struct FixedEnv {
    /// What [`EvalEnv::now_millis`] answers.
    pub now_millis: i64,
    /// What [`EvalEnv::random_seed`] answers.
    pub random_seed: u64,
}

impl EvalEnv for FixedEnv {
    fn now_millis(&self) -> i64 {
        self.now_millis
    }
    fn random_seed(&self) -> u64 {
        self.random_seed
    }
}

/// Bounds on one evaluation, so that a hostile expression gets an error (the engine reports it
/// as `States.QueryEvaluationError`) and the process stays up. AWS documents none of these;
/// the defaults are far above what a Step Functions payload (256 KiB) needs.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Evaluation time, checked by the evaluator at every node it evaluates and in its loops
    /// (`D1012`). Default 1 s.
    pub timeout: Duration,
    /// Nesting of the evaluation (about three levels per non-tail recursive call), `D1011`.
    /// Deep levels run on heap-allocated stack segments, so this bounds memory, not the
    /// native stack. Default 3,000.
    pub max_depth: usize,
    /// Items of one sequence (a range, a `$map` result, a flattened path), `D2015`; also the
    /// most items `$range` and `$partition` make. Default 1,000,000.
    pub max_sequence_length: usize,
    /// Bytes of the strings one evaluation may build with `&`, `$pad`, `$join`, `$string` and
    /// `$replace`, added up over the evaluation (so a string doubled in a loop is stopped at
    /// once, not when it no longer fits in memory). Default 32 MiB.
    pub max_string_bytes: usize,
    /// Size of a value an array or object constructor builds or a function of the expression
    /// receives: string bytes plus one per item, a part shared in several places counted each
    /// time (so a value cannot double at each step of a recursion while taking no memory, to
    /// be walked for hours by one comparison). Default 16,000,000.
    pub max_value_size: usize,
    /// Nesting depth of the result: deeper results are refused, as serde_json refuses to read
    /// back JSON nested more than 128 levels. Default 128.
    pub max_result_depth: usize,
    /// Size of the result as JSON text, counted while it is converted. Default 8 MiB.
    pub max_result_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            timeout: Duration::from_secs(1),
            max_depth: 3_000,
            max_sequence_length: 1_000_000,
            max_string_bytes: 32 << 20,
            max_value_size: 16_000_000,
            max_result_depth: 128,
            max_result_bytes: 8 << 20,
        }
    }
}
