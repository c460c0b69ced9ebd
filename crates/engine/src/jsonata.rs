//! The JSONata data flow of a state (Step Functions developer guide, "Transforming data with
//! JSONata in Step Functions"): `Arguments` make the input of a Task's call or a Parallel's
//! branches, `Output` the state output, `Assign` the variables, every expression reading
//! `$states.input` (the raw state input), `$states.result` (the work's result, in `Output`
//! and `Assign`), `$states.errorOutput` (in a `Catch`), `$states.context` and the variables as
//! they were when the state was entered. An expression that fails, or gives nothing, fails the
//! state with `States.QueryEvaluationError` and AWS's cause.

use crate::attempt::{next_of, Attempt, Completed};
use crate::failure::Failure;
use fluxo_asl::model::{DataFlow, JsonataTemplate, Template};
use fluxo_jsonata::{Bindings, EvalEnv, Limits, States};
use rand::Rng;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::sync::OnceLock;

/// What an evaluation reads of the world: the time is the state's entered time (one reading
/// per state, so a replay computes the same `$now()`), the seed a draw from the thread's own
/// random source (so `$random()` and `$uuid()` replay too).
struct AttemptEnv<'a, 'b>(&'a Attempt<'b>);

impl EvalEnv for AttemptEnv<'_, '_> {
    fn now_millis(&self) -> i64 {
        self.0.info.entered_time.as_millisecond()
    }
    fn random_seed(&self) -> u64 {
        self.0.frame.with_rng(|rng| rng.random())
    }
}

/// The bounds of every evaluation (fluxo-jsonata's defaults: 1 s, depth, sizes).
fn limits() -> &'static Limits {
    static LIMITS: OnceLock<Limits> = OnceLock::new();
    LIMITS.get_or_init(Limits::default)
}

/// The parts of `$states` an evaluation sees besides the context object.
#[derive(Clone, Copy, Default)]
pub(crate) struct StateValues<'v> {
    pub input: Option<&'v Value>,
    pub result: Option<&'v Value>,
    pub error_output: Option<&'v Value>,
}

impl StateValues<'_> {
    pub fn input(input: &Value) -> StateValues<'_> {
        StateValues {
            input: Some(input),
            ..StateValues::default()
        }
    }
}

impl Attempt<'_> {
    /// Evaluates a JSONata template of the field `field` (`Output`, `Items`...).
    pub fn jsonata(
        &self,
        template: &JsonataTemplate,
        field: &str,
        values: StateValues<'_>,
    ) -> Result<Value, Failure> {
        self.jsonata_with(template, field, values, &self.context)
    }

    /// [`Attempt::jsonata`] with another context object (a Map's `ItemSelector` sees
    /// `$states.context.Map`).
    pub fn jsonata_with(
        &self,
        template: &JsonataTemplate,
        field: &str,
        values: StateValues<'_>,
        context: &Value,
    ) -> Result<Value, Failure> {
        let bindings = Bindings {
            states: States {
                input: values.input,
                result: values.result,
                error_output: values.error_output,
                context: (!context.is_null()).then_some(context),
            },
            variables: Some(&self.frame.variables),
        };
        template
            .evaluate(field, &bindings, &AttemptEnv(self), limits())
            .map_err(|error| self.query_failure(Some(error.location), &error.cause))
    }

    /// A `States.QueryEvaluationError` of this state.
    pub fn query_failure(&self, location: Option<String>, message: &str) -> Failure {
        Failure::query_evaluation(self.info.name, self.info.entered_id, location, message)
    }

    /// Evaluates an `Assign` of either language: JSONPath templates read `jsonpath_input`,
    /// JSONata ones `$states`.
    pub fn assign_any(
        &self,
        assign: &Template,
        jsonpath_input: &Value,
        values: StateValues<'_>,
    ) -> Result<Map<String, Value>, Failure> {
        match assign {
            Template::JsonPath(template) => self.assign(template, jsonpath_input),
            Template::Jsonata(template) => match self.jsonata(template, "Assign", values)? {
                Value::Object(map) => Ok(map),
                _ => Ok(Map::new()),
            },
        }
    }

    /// `Arguments`: the input of the state's work, `$states.input` when absent.
    pub fn arguments(&self, input: &Value) -> Result<Value, Failure> {
        match &self.state.io {
            DataFlow::Jsonata(flow) => match &flow.arguments {
                Some(arguments) => {
                    let arguments =
                        self.jsonata(arguments, "Arguments", StateValues::input(input))?;
                    self.inspect("afterArguments", &arguments);
                    Ok(arguments)
                }
                None => Ok(input.clone()),
            },
            DataFlow::JsonPath(_) => Ok(input.clone()),
        }
    }

    /// Completes a JSONata state: `Assign`, then `Output` (absent: the result when there is
    /// one, else the input), both over the same `$states` and the variables as they were when
    /// the state was entered.
    pub fn finish_jsonata(
        &self,
        raw_input: Cow<'_, Value>,
        result: Option<Value>,
    ) -> Result<Completed, Failure> {
        let values = StateValues {
            input: Some(&raw_input),
            result: result.as_ref(),
            error_output: None,
        };
        let assigned = match &self.state.assign {
            Some(assign) => Some(self.assign_any(assign, &raw_input, values)?),
            None => None,
        };
        let output = match &self.state.io {
            DataFlow::Jsonata(flow) => flow.output.as_ref(),
            DataFlow::JsonPath(_) => None,
        };
        let output = match output {
            Some(output) => self.jsonata(output, "Output", values)?,
            None => match result {
                Some(result) => result,
                None => raw_input.into_owned(),
            },
        };
        Ok(Completed {
            output,
            next: next_of(self.state),
            assigned,
        })
    }
}
