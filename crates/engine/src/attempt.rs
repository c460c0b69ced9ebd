//! One attempt at a state: everything the state's work needs, in one value, and the JSONPath
//! data flow every state type shares (Step Functions developer guide, "Processing input and
//! output": InputPath → Parameters → *the work* → ResultSelector → ResultPath → OutputPath,
//! with `Assign` reading the selected result).

use crate::context::StateContext;
use crate::failure::Failure;
use crate::frame::{Frame, Origin};
use crate::jsonata::StateValues;
use crate::run::Run;
use fluxo_asl::model::{DataFlow, PathField, ResultPathField, State, Transition, ValueOrPath};
use fluxo_expr::{EvalError, PayloadTemplate};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// What one attempt at a state produced.
pub(crate) struct Completed {
    pub output: Value,
    pub next: Option<String>,
    pub assigned: Option<Map<String, Value>>,
}

/// The context of one attempt: the run, the state, its `$$.State` part, the thread's frame,
/// and the context object as this state sees it (`Null` when the state cannot read `$$`).
pub(crate) struct Attempt<'a> {
    pub run: &'a Run<'a>,
    pub state: &'a State,
    pub info: &'a StateContext<'a>,
    pub frame: &'a Frame,
    pub context: Value,
}

impl<'a> Attempt<'a> {
    pub fn new(
        run: &'a Run<'a>,
        state: &'a State,
        info: &'a StateContext<'a>,
        frame: &'a Frame,
    ) -> Self {
        let context = run.context.for_state(info, frame);
        Attempt {
            run,
            state,
            info,
            frame,
            context,
        }
    }

    /// This attempt with `$$.Task.Token` in its context object (tasks that wait for a token:
    /// activities and `.waitForTaskToken`).
    pub fn with_task_token(&self, token: &str) -> Attempt<'a> {
        let mut context = self.context.clone();
        // A TestState request may give `$$.Task` itself.
        if let Some(map) = context.as_object_mut().filter(|m| !m.contains_key("Task")) {
            let mut task = Map::new();
            task.insert("Token".into(), Value::String(token.to_string()));
            map.insert("Task".into(), Value::Object(task));
        }
        Attempt {
            run: self.run,
            state: self.state,
            info: self.info,
            frame: self.frame,
            context,
        }
    }

    /// Notes the value after a data-flow step when this is the state TestState tests (its
    /// frame is the execution's own); nothing in an execution.
    pub fn inspect(&self, step: &str, value: &Value) {
        if let (Some(hooks), Origin::Execution) = (self.run.test, self.frame.origin) {
            hooks.record(step, value);
        }
    }

    /// Drops inspected steps AWS does not show for this state (see [`Attempt::inspect`]).
    pub fn forget(&self, steps: &[&str]) {
        if let (Some(hooks), Origin::Execution) = (self.run.test, self.frame.origin) {
            hooks.forget(steps);
        }
    }

    /// The mock that replaces the work of the state TestState tests, if any.
    pub fn mock(&self) -> Option<&'a crate::test_state::Mock> {
        match self.frame.origin {
            Origin::Execution => self.run.test.and_then(|hooks| hooks.mock.as_ref()),
            _ => None,
        }
    }

    /// A failure while evaluating a field of the state: AWS prefixes the cause with the state
    /// name and the id of the event that entered it.
    pub fn failure(&self, error: EvalError) -> Failure {
        Failure::in_state(self.info.name, self.info.entered_id, error)
    }

    /// A `States.Runtime` failure of the state, with `message` after AWS's cause prefix.
    pub fn runtime_error(&self, message: String) -> Failure {
        self.failure(EvalError {
            error: "States.Runtime".into(),
            message,
        })
    }

    /// Reads a path field (`InputPath`, `ItemsPath`, `OutputPath`...) from `input`.
    pub fn select(&self, field: &PathField, input: &Value) -> Result<Value, Failure> {
        match field {
            PathField::Identity => Ok(input.clone()),
            PathField::Empty => Ok(Value::Object(Map::new())),
            PathField::Path(path) => {
                let scope = self.frame.scope(input, &self.context);
                match path.read(&scope) {
                    Ok(Some(value)) => Ok(value),
                    Ok(None) => Err(self.failure(EvalError {
                        error: "States.Runtime".into(),
                        message: path.missing_message(&scope),
                    })),
                    Err(error) => Err(self.failure(error)),
                }
            }
        }
    }

    /// `InputPath`'s selection, without a copy when the path is `$`: the input comes back as
    /// it was given, borrowed or owned.
    /// A JSONata state has no `InputPath`: its input comes back as it was given.
    pub fn input_path<'v>(&self, input: Cow<'v, Value>) -> Result<Cow<'v, Value>, Failure> {
        match self.state.io.json_path().map(|flow| &flow.input_path) {
            None => Ok(input),
            Some(PathField::Identity) => {
                self.inspect("afterInputPath", &input);
                Ok(input)
            }
            Some(field) => {
                let selected = self.select(field, &input)?;
                self.inspect("afterInputPath", &selected);
                Ok(Cow::Owned(selected))
            }
        }
    }

    /// `OutputPath` applied to what the state produced (none in a JSONata state).
    pub fn output_path(&self, output: Value) -> Result<Value, Failure> {
        match self.state.io.json_path().map(|flow| &flow.output_path) {
            None | Some(PathField::Identity) => Ok(output),
            Some(field) => self.select(field, &output),
        }
    }

    /// Evaluates a payload template (`Parameters`, `ResultSelector`, `Assign`...) over `input`.
    pub fn template(&self, template: &PayloadTemplate, input: &Value) -> Result<Value, Failure> {
        self.template_with(template, input, &self.context, self.frame)
    }

    /// [`Attempt::template`] with another context object and frame (a Map's `ItemSelector`
    /// sees `$$.Map` and the iteration's frame).
    pub fn template_with(
        &self,
        template: &PayloadTemplate,
        input: &Value,
        context: &Value,
        frame: &Frame,
    ) -> Result<Value, Failure> {
        let scope = frame.scope(input, context);
        frame
            .with_rng(|rng| template.evaluate(&scope, rng))
            .map_err(|error| self.failure(error))
    }

    /// `InputPath` then `Parameters` (JSONata: `Arguments`): the input of the state's work.
    pub fn effective_input(&self, input: &Value) -> Result<Value, Failure> {
        let flow = match &self.state.io {
            DataFlow::JsonPath(flow) => flow,
            DataFlow::Jsonata(_) => return self.arguments(input),
        };
        let selected = self.input_path(Cow::Borrowed(input))?;
        let effective = match &flow.parameters {
            Some(parameters) => self.template(parameters, &selected)?,
            None => selected.into_owned(),
        };
        self.inspect("afterParameters", &effective);
        Ok(effective)
    }

    /// Resolves a `X` / `XPath` pair (or an intrinsic in a `…Path` field) against `input`.
    pub fn resolve<T: Into<Value> + Clone>(
        &self,
        field: &ValueOrPath<T>,
        field_name: &str,
        input: &Value,
    ) -> Result<Value, Failure> {
        let scope = self.frame.scope(input, &self.context);
        match field {
            ValueOrPath::Value(value) => Ok(value.clone().into()),
            ValueOrPath::Jsonata(template) => {
                // The JSONata form of `SecondsPath` is `Seconds`, of `ErrorPath` `Error`...
                let name = field_name.strip_suffix("Path").unwrap_or(field_name);
                self.jsonata(template, name, StateValues::input(input))
            }
            ValueOrPath::Path(path) => match path.read(&scope) {
                Ok(Some(value)) => Ok(value),
                Ok(None) => Err(self.failure(EvalError {
                    error: "States.Runtime".into(),
                    message: missing_field_message(path, field_name, &scope, input),
                })),
                Err(error) => Err(self.failure(error)),
            },
            ValueOrPath::Intrinsic(intrinsic) => self
                .frame
                .with_rng(|rng| intrinsic.evaluate(&scope, rng))
                .map_err(|error| self.failure(error)),
        }
    }

    /// Evaluates an `Assign` template; what it gives are the variables to set.
    pub fn assign(
        &self,
        assign: &PayloadTemplate,
        input: &Value,
    ) -> Result<Map<String, Value>, Failure> {
        match self.template(assign, input)? {
            Value::Object(map) => Ok(map),
            _ => Ok(Map::new()),
        }
    }

    /// Completes a state that produced `result`: `ResultSelector`, then `Assign` (which sees the
    /// selected result), `ResultPath` and `OutputPath`, and on to `Next`. A JSONata state
    /// evaluates `Assign` and `Output` instead ([`Attempt::finish_jsonata`]).
    pub fn finish(&self, raw_input: Cow<'_, Value>, result: Value) -> Result<Completed, Failure> {
        let io = match &self.state.io {
            DataFlow::JsonPath(flow) => flow,
            DataFlow::Jsonata(_) => return self.finish_jsonata(raw_input, Some(result)),
        };
        let result = match &io.result_selector {
            Some(selector) => self.template(selector, &result)?,
            None => result,
        };
        self.inspect("afterResultSelector", &result);
        let assigned = match &self.state.assign {
            Some(assign) => Some(self.assign_any(assign, &result, StateValues::default())?),
            None => None,
        };
        let combined = match &io.result_path {
            ResultPathField::Replace => result,
            ResultPathField::Discard => raw_input.into_owned(),
            ResultPathField::Path(path) => {
                let mut target = raw_input.into_owned();
                path.write(&mut target, result)
                    .map_err(|error| self.failure(error))?;
                target
            }
        };
        self.inspect("afterResultPath", &combined);
        Ok(Completed {
            output: self.output_path(combined)?,
            next: next_of(self.state),
            assigned,
        })
    }
}

/// Where a state goes when it completes normally.
pub(crate) fn next_of(state: &State) -> Option<String> {
    match &state.transition {
        Transition::Next(next) => Some(next.clone()),
        Transition::End | Transition::None => None,
    }
}

/// AWS's cause when a `…Path` field finds nothing in the input; the wording differs by field
/// (recorded cases): `SecondsPath` (`logs/logs__test_partial_log_levels_wait_seconds_path…`),
/// `TimeoutSecondsPath` and `HeartbeatSecondsPath` as `InputPath` words it
/// (`scenarios/base_scenarios__test_invalid_jsonpath_ST.INVALID_JSONPATH_IN_TIMEOUTSECONDSPATH`),
/// the others (`ErrorPath`, `CausePath`...) naming the field and the input.
fn missing_field_message(
    path: &fluxo_expr::Path,
    field_name: &str,
    scope: &fluxo_expr::Scope,
    input: &Value,
) -> String {
    match field_name {
        "SecondsPath" => format!(
            "The SecondsPath parameter does not reference an input value: {}",
            path.as_str()
        ),
        "TimeoutSecondsPath" | "HeartbeatSecondsPath" => path.missing_message(scope),
        _ => format!(
            "The JSONPath '{}' specified for the field '{}' could not be found in the input '{}'",
            path.as_str(),
            field_name,
            input
        ),
    }
}
