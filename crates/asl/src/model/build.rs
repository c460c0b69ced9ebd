//! Builds the compiled model from a definition document.
//!
//! Structural rules are the validator's job; this builder only needs the document to be
//! well-formed enough to compile, and reports anything it cannot compile as a diagnostic.

use super::*;
use crate::choice::compile_choices;
use crate::Diagnostic;
use serde_json::Map;

const SCHEMA: &str = "SCHEMA_VALIDATION_FAILED";

/// Compiles a whole definition document. Like [`crate::validate::validate`], it refuses a
/// document nested deeper than its recursion may go, whoever built the value.
pub fn build(definition: &Value) -> Result<StateMachine, Vec<Diagnostic>> {
    if let Some(pointer) = crate::validate::too_deep(definition) {
        return Err(vec![Diagnostic::error(
            "TOO_DEEPLY_NESTED",
            pointer,
            "The definition is too deeply nested",
        )]);
    }
    let mut builder = Builder::default();
    let mut machine = builder.machine(definition, "", QueryLanguage::JsonPath);
    machine.reads_execution_input = reads_execution_input(definition);
    if builder.diagnostics.is_empty() {
        Ok(machine)
    } else {
        Err(builder.diagnostics)
    }
}

/// Whether any key or string of a state mentions `$$`; nested state machines (Parallel
/// branches, Map processors) are their own states and do not count.
fn mentions_context(value: &Value, top: bool) -> bool {
    match value {
        Value::String(text) => text.contains("$$"),
        Value::Array(items) => items.iter().any(|item| mentions_context(item, false)),
        Value::Object(map) => map.iter().any(|(key, value)| {
            let nested = top && matches!(key.as_str(), "Branches" | "ItemProcessor" | "Iterator");
            !nested && (key.contains("$$") || mentions_context(value, false))
        }),
        _ => false,
    }
}

/// Whether every mention of `$$` in a template is of `$$.Map.…`.
fn reads_only_map_context(value: &Value) -> bool {
    let text_ok = |text: &str| {
        text.match_indices("$$")
            .all(|(at, _)| text[at + 2..].starts_with(".Map."))
    };
    match value {
        Value::String(text) => text_ok(text),
        Value::Array(items) => items.iter().all(reads_only_map_context),
        Value::Object(map) => map
            .iter()
            .all(|(key, value)| text_ok(key) && reads_only_map_context(value)),
        _ => true,
    }
}

/// Conservative: true unless no string in the definition mentions the context object in a way
/// that could reach `Execution.Input` (`$$`, `$$.Execution`, `$$.Execution.Input`...).
fn reads_execution_input(value: &Value) -> bool {
    match value {
        Value::String(text) => text.match_indices("$$").any(|(at, _)| {
            let rest = &text[at + 2..];
            !(rest.starts_with(".State")
                || rest.starts_with(".StateMachine")
                || rest.starts_with(".Map")
                || rest.starts_with(".Task")
                || rest.starts_with(".Execution.Id")
                || rest.starts_with(".Execution.Name")
                || rest.starts_with(".Execution.RoleArn")
                || rest.starts_with(".Execution.StartTime")
                || rest.starts_with(".Execution.RedriveCount"))
        }),
        Value::Array(items) => items.iter().any(reads_execution_input),
        Value::Object(map) => map.iter().any(|(key, value)| {
            reads_execution_input(&Value::String(key.clone())) || reads_execution_input(value)
        }),
        _ => false,
    }
}

#[derive(Default)]
struct Builder {
    diagnostics: Vec<Diagnostic>,
}

/// A state's fields with the pointer of the state, for located diagnostics.
struct Fields<'a> {
    object: &'a Map<String, Value>,
    pointer: String,
}

impl Fields<'_> {
    fn get(&self, key: &str) -> Option<&Value> {
        self.object.get(key)
    }
    fn at(&self, key: &str) -> String {
        format!("{}/{}", self.pointer, escape(key))
    }
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

impl Builder {
    fn error(&mut self, location: String, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::error(SCHEMA, location, message.into()));
    }

    fn machine(&mut self, value: &Value, pointer: &str, inherited: QueryLanguage) -> StateMachine {
        let mut machine = StateMachine {
            start_at: String::new(),
            states: HashMap::new(),
            timeout_seconds: None,
            query_language: inherited,
            reads_execution_input: true,
        };
        let Some(object) = value.as_object() else {
            self.error(pointer.to_string(), "A state machine must be a JSON object");
            return machine;
        };
        let fields = Fields {
            object,
            pointer: pointer.to_string(),
        };
        machine.query_language = self.query_language(&fields, inherited);
        match fields.get("StartAt").and_then(Value::as_str) {
            Some(start) => machine.start_at = start.to_string(),
            None => self.error(fields.at("StartAt"), "StartAt must be a string"),
        }
        machine.timeout_seconds = self.opt_u64(&fields, "TimeoutSeconds");
        match fields.get("States").and_then(Value::as_object) {
            Some(states) => {
                for (name, state) in states {
                    let state_pointer = format!("{}/States/{}", pointer, escape(name));
                    if let Some(state) =
                        self.state(name, state, &state_pointer, machine.query_language)
                    {
                        machine.states.insert(name.clone(), Arc::new(state));
                    }
                }
            }
            None => self.error(fields.at("States"), "States must be an object"),
        }
        // A state left out for an earlier diagnostic is not a second problem.
        if self.diagnostics.is_empty() && !machine.states.contains_key(&machine.start_at) {
            self.error(
                fields.at("StartAt"),
                format!("Missing 'Next' target: {}", machine.start_at),
            );
        }
        machine
    }

    fn query_language(&mut self, fields: &Fields, inherited: QueryLanguage) -> QueryLanguage {
        match fields.get("QueryLanguage").and_then(Value::as_str) {
            Some("JSONata") => QueryLanguage::Jsonata,
            Some("JSONPath") => QueryLanguage::JsonPath,
            Some(other) => {
                self.error(
                    fields.at("QueryLanguage"),
                    format!("Unknown QueryLanguage '{other}'"),
                );
                inherited
            }
            None => inherited,
        }
    }

    fn state(
        &mut self,
        name: &str,
        value: &Value,
        pointer: &str,
        inherited: QueryLanguage,
    ) -> Option<State> {
        let Some(object) = value.as_object() else {
            self.error(pointer.to_string(), "A state must be a JSON object");
            return None;
        };
        let fields = Fields {
            object,
            pointer: pointer.to_string(),
        };
        if self.query_language(&fields, inherited) == QueryLanguage::Jsonata {
            self.diagnostics.push(Diagnostic::error(
                "UNSUPPORTED_FEATURE",
                fields.at("QueryLanguage"),
                "The JSONata query language is not supported yet",
            ));
            return None;
        }
        let type_name = fields.get("Type").and_then(Value::as_str).unwrap_or("");
        let kind = match type_name {
            "Pass" => StateKind::Pass {
                result: fields.get("Result").cloned(),
            },
            "Task" => StateKind::Task(self.task(&fields)),
            "Choice" => self.choice(&fields),
            "Wait" => self.wait(&fields)?,
            "Succeed" => StateKind::Succeed,
            "Fail" => StateKind::Fail {
                error: self.string_or_expr(&fields, "Error", "ErrorPath"),
                cause: self.string_or_expr(&fields, "Cause", "CausePath"),
            },
            "Parallel" => self.parallel(&fields),
            "Map" => StateKind::Map(Box::new(self.map(&fields)?)),
            other => {
                self.error(fields.at("Type"), format!("Unknown state type '{other}'"));
                return None;
            }
        };
        let is_map = matches!(kind, StateKind::Map(_));
        let transition = match (
            fields.get("Next").and_then(Value::as_str),
            fields.get("End"),
        ) {
            (Some(next), _) => Transition::Next(next.to_string()),
            (None, Some(Value::Bool(true))) => Transition::End,
            _ => Transition::None,
        };
        Some(State {
            name: name.to_string(),
            io: DataFlow {
                input_path: self.path_field(&fields, "InputPath"),
                // For Map, `Parameters` is the legacy name of `ItemSelector`.
                parameters: if is_map {
                    None
                } else {
                    self.template(&fields, "Parameters")
                },
                result_selector: self.template(&fields, "ResultSelector"),
                result_path: self.result_path(&fields, "ResultPath"),
                output_path: self.path_field(&fields, "OutputPath"),
            },
            kind,
            transition,
            retry: self.retriers(&fields),
            catch: self.catchers(&fields),
            assign: self.template(&fields, "Assign"),
            reads_context: mentions_context(value, true),
        })
    }

    fn task(&mut self, fields: &Fields) -> Task {
        let resource = fields
            .get("Resource")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        Task {
            integration: Integration::parse(&resource),
            resource,
            timeout_seconds: self.u64_or_path(fields, "TimeoutSeconds", "TimeoutSecondsPath"),
            heartbeat_seconds: self.u64_or_path(fields, "HeartbeatSeconds", "HeartbeatSecondsPath"),
            credentials: fields.get("Credentials").cloned(),
        }
    }

    fn choice(&mut self, fields: &Fields) -> StateKind {
        let choices = match fields.get("Choices") {
            Some(value) => match compile_choices(value, &fields.at("Choices")) {
                Ok(choices) => choices,
                Err(diagnostics) => {
                    self.diagnostics.extend(diagnostics);
                    Vec::new()
                }
            },
            None => {
                self.error(fields.at("Choices"), "A Choice state needs Choices");
                Vec::new()
            }
        };
        let choice_assigns = choices
            .iter()
            .enumerate()
            .map(|(index, choice)| {
                let value = choice.assign.as_ref()?;
                match PayloadTemplate::compile(value) {
                    Ok(template) => Some(template),
                    Err(errors) => {
                        for error in errors {
                            self.error(
                                format!("{}/{index}/Assign{}", fields.at("Choices"), error.pointer),
                                error.message,
                            );
                        }
                        None
                    }
                }
            })
            .collect();
        StateKind::Choice {
            choices,
            choice_assigns,
            default: fields
                .get("Default")
                .and_then(Value::as_str)
                .map(str::to_string),
        }
    }

    fn wait(&mut self, fields: &Fields) -> Option<StateKind> {
        if let Some(seconds) = self.u64_or_path(fields, "Seconds", "SecondsPath") {
            return Some(StateKind::Wait(WaitFor::Seconds(seconds)));
        }
        if let Some(value) = fields.get("Timestamp") {
            let Some(text) = value.as_str() else {
                self.error(fields.at("Timestamp"), "Timestamp must be a string");
                return None;
            };
            return Some(StateKind::Wait(WaitFor::Timestamp(ValueOrPath::Value(
                text.to_string(),
            ))));
        }
        if let Some(path) = self.path(fields, "TimestampPath") {
            return Some(StateKind::Wait(WaitFor::Timestamp(ValueOrPath::Path(path))));
        }
        self.error(
            fields.pointer.clone(),
            "A Wait state needs one of Seconds, SecondsPath, Timestamp, TimestampPath",
        );
        None
    }

    fn parallel(&mut self, fields: &Fields) -> StateKind {
        let mut branches = Vec::new();
        match fields.get("Branches").and_then(Value::as_array) {
            Some(values) => {
                for (index, branch) in values.iter().enumerate() {
                    let pointer = format!("{}/{}", fields.at("Branches"), index);
                    branches.push(Arc::new(self.machine(
                        branch,
                        &pointer,
                        QueryLanguage::JsonPath,
                    )));
                }
            }
            None => self.error(fields.at("Branches"), "Branches must be an array"),
        }
        StateKind::Parallel { branches }
    }

    fn map(&mut self, fields: &Fields) -> Option<MapState> {
        let (key, processor) = match (fields.get("ItemProcessor"), fields.get("Iterator")) {
            (Some(processor), _) => ("ItemProcessor", processor),
            (None, Some(iterator)) => ("Iterator", iterator),
            (None, None) => {
                self.error(fields.pointer.clone(), "A Map state needs an ItemProcessor");
                return None;
            }
        };
        let distributed = processor
            .pointer("/ProcessorConfig/Mode")
            .and_then(Value::as_str)
            == Some("DISTRIBUTED");
        let selector_field = match fields.get("ItemSelector") {
            Some(_) => "ItemSelector",
            None => "Parameters",
        };
        let item_selector = self.template(fields, selector_field);
        let item_selector_reads_only_map = fields
            .get(selector_field)
            .is_none_or(reads_only_map_context);
        let max_concurrency = self
            .u64_or_path(fields, "MaxConcurrency", "MaxConcurrencyPath")
            .unwrap_or(ValueOrPath::Value(0));
        Some(MapState {
            processor: Arc::new(self.machine(processor, &fields.at(key), QueryLanguage::JsonPath)),
            items_path: self.path_field(fields, "ItemsPath"),
            item_selector,
            item_selector_reads_only_map,
            max_concurrency,
            tolerated_failure_count: self.value_or_path(
                fields,
                "ToleratedFailureCount",
                "ToleratedFailureCountPath",
            ),
            tolerated_failure_percentage: self.value_or_path(
                fields,
                "ToleratedFailurePercentage",
                "ToleratedFailurePercentagePath",
            ),
            distributed,
            label: fields
                .get("Label")
                .and_then(Value::as_str)
                .map(str::to_string),
        })
    }

    fn retriers(&mut self, fields: &Fields) -> Vec<Retrier> {
        let Some(list) = fields.get("Retry").and_then(Value::as_array) else {
            return Vec::new();
        };
        list.iter()
            .filter_map(Value::as_object)
            .map(|retrier| Retrier {
                error_equals: error_equals(retrier),
                interval_seconds: retrier
                    .get("IntervalSeconds")
                    .and_then(Value::as_f64)
                    .unwrap_or(1.0),
                max_attempts: retrier
                    .get("MaxAttempts")
                    .and_then(Value::as_u64)
                    .map_or(3, |n| n.min(u32::MAX as u64) as u32),
                backoff_rate: retrier
                    .get("BackoffRate")
                    .and_then(Value::as_f64)
                    .unwrap_or(2.0),
                max_delay_seconds: retrier.get("MaxDelaySeconds").and_then(Value::as_f64),
                jitter_full: retrier.get("JitterStrategy").and_then(Value::as_str) == Some("FULL"),
            })
            .collect()
    }

    fn catchers(&mut self, fields: &Fields) -> Vec<Catcher> {
        let Some(list) = fields.get("Catch").and_then(Value::as_array) else {
            return Vec::new();
        };
        let mut catchers = Vec::new();
        for (index, catcher) in list.iter().enumerate() {
            let Some(object) = catcher.as_object() else {
                continue;
            };
            let catcher_fields = Fields {
                object,
                pointer: format!("{}/{}", fields.at("Catch"), index),
            };
            catchers.push(Catcher {
                error_equals: error_equals(object),
                next: object
                    .get("Next")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                result_path: self.result_path(&catcher_fields, "ResultPath"),
                assign: self.template(&catcher_fields, "Assign"),
            });
        }
        catchers
    }

    fn path(&mut self, fields: &Fields, key: &str) -> Option<Path> {
        let text = fields.get(key)?.as_str()?;
        match Path::parse(text) {
            Ok(path) => Some(path),
            Err(error) => {
                self.error(fields.at(key), error.message);
                None
            }
        }
    }

    fn path_field(&mut self, fields: &Fields, key: &str) -> PathField {
        match fields.get(key) {
            None => PathField::Identity,
            Some(Value::Null) => PathField::Empty,
            Some(_) => self
                .path(fields, key)
                .map_or(PathField::Identity, PathField::Path),
        }
    }

    fn result_path(&mut self, fields: &Fields, key: &str) -> ResultPathField {
        match fields.get(key) {
            None => ResultPathField::Replace,
            Some(Value::Null) => ResultPathField::Discard,
            Some(Value::String(text)) => match ReferencePath::parse(text) {
                Ok(path) => ResultPathField::Path(path),
                Err(error) => {
                    self.error(fields.at(key), error.message);
                    ResultPathField::Replace
                }
            },
            Some(_) => {
                self.error(fields.at(key), format!("{key} must be a string or null"));
                ResultPathField::Replace
            }
        }
    }

    fn template(&mut self, fields: &Fields, key: &str) -> Option<PayloadTemplate> {
        let value = fields.get(key)?;
        match PayloadTemplate::compile(value) {
            Ok(template) => Some(template),
            Err(errors) => {
                for error in errors {
                    self.error(
                        format!("{}{}", fields.at(key), error.pointer),
                        error.message,
                    );
                }
                None
            }
        }
    }

    fn opt_u64(&mut self, fields: &Fields, key: &str) -> Option<u64> {
        let value = fields.get(key)?;
        match value.as_u64() {
            Some(n) => Some(n),
            None => {
                self.error(
                    fields.at(key),
                    format!("{key} must be a non-negative integer"),
                );
                None
            }
        }
    }

    fn u64_or_path(
        &mut self,
        fields: &Fields,
        key: &str,
        path_key: &str,
    ) -> Option<ValueOrPath<u64>> {
        if fields.get(key).is_some() {
            return self.opt_u64(fields, key).map(ValueOrPath::Value);
        }
        self.path(fields, path_key).map(ValueOrPath::Path)
    }

    fn value_or_path(
        &mut self,
        fields: &Fields,
        key: &str,
        path_key: &str,
    ) -> Option<ValueOrPath<Value>> {
        if let Some(value) = fields.get(key) {
            return Some(ValueOrPath::Value(value.clone()));
        }
        self.path(fields, path_key).map(ValueOrPath::Path)
    }

    /// `Error`/`Cause` literal, or `ErrorPath`/`CausePath`, which may also be an intrinsic call.
    fn string_or_expr(
        &mut self,
        fields: &Fields,
        key: &str,
        path_key: &str,
    ) -> Option<ValueOrPath<String>> {
        if let Some(value) = fields.get(key) {
            return value
                .as_str()
                .map(|text| ValueOrPath::Value(text.to_string()));
        }
        let text = fields.get(path_key)?.as_str()?;
        if text.starts_with("States.") {
            return match Intrinsic::parse(text) {
                Ok(intrinsic) => Some(ValueOrPath::Intrinsic(intrinsic)),
                Err(error) => {
                    self.error(fields.at(path_key), error.message);
                    None
                }
            };
        }
        self.path(fields, path_key).map(ValueOrPath::Path)
    }
}

fn error_equals(object: &Map<String, Value>) -> Vec<String> {
    object
        .get("ErrorEquals")
        .and_then(Value::as_array)
        .map(|names| {
            names
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_item_selector_reading_only_map_is_recognised() {
        let only_map = json!({"i.$": "$$.Map.Item.Value", "n.$": "States.Format('{}', $$.Map.Item.Index)", "x": 1});
        assert!(reads_only_map_context(&only_map));
        assert!(!reads_only_map_context(&json!({"id.$": "$$.Execution.Id"})));
        assert!(!reads_only_map_context(&json!({"all.$": "$$"})));
        assert!(!reads_only_map_context(
            &json!({"deep": {"m.$": "$$.Map", "s.$": "$$.State.Name"}})
        ));
        assert!(reads_only_map_context(&json!({"plain.$": "$.a"})));
    }
}
