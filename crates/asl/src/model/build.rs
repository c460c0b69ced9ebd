//! Builds the compiled model from a definition document.
//!
//! Structural rules are the validator's job; this builder only needs the document to be
//! well-formed enough to compile, and reports anything it cannot compile as a diagnostic.

mod analysis;
mod distributed;
mod jsonata;

use super::*;
use crate::Diagnostic;
use analysis::{mentions_context, reads_execution_input, reads_only_map_context};
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
    let mut builder = Builder {
        diagnostics: Vec::new(),
        top: QueryLanguage::JsonPath,
    };
    let mut machine = builder.machine(definition, "", QueryLanguage::JsonPath);
    machine.reads_execution_input = reads_execution_input(definition);
    if builder.diagnostics.is_empty() {
        Ok(machine)
    } else {
        Err(builder.diagnostics)
    }
}

struct Builder {
    diagnostics: Vec<Diagnostic>,
    /// The top-level language, which nested machines (branches, item processors) take
    /// instead of their parent state's, as the validator resolves them.
    top: QueryLanguage,
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
        if pointer.is_empty() {
            self.top = machine.query_language;
        }
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
        let language = self.query_language(&fields, inherited);
        let type_name = fields.get("Type").and_then(Value::as_str).unwrap_or("");
        let kind = match type_name {
            "Pass" => StateKind::Pass {
                result: fields.get("Result").cloned(),
            },
            "Task" => StateKind::Task(self.task(&fields, language)),
            "Choice" => self.choice(&fields, language),
            "Wait" => self.wait(&fields, language)?,
            "Succeed" => StateKind::Succeed,
            "Fail" => StateKind::Fail {
                error: self.string_or_expr(&fields, "Error", "ErrorPath", language),
                cause: self.string_or_expr(&fields, "Cause", "CausePath", language),
            },
            "Parallel" => self.parallel(&fields),
            "Map" => StateKind::Map(Box::new(self.map(&fields, language)?)),
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
        let io = match language {
            QueryLanguage::JsonPath => DataFlow::JsonPath(JsonPathFlow {
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
            }),
            QueryLanguage::Jsonata => DataFlow::Jsonata(JsonataFlow {
                arguments: self.jsonata(&fields, "Arguments"),
                output: self.jsonata(&fields, "Output"),
            }),
        };
        Some(State {
            name: name.to_string(),
            query_language: language,
            io,
            kind,
            transition,
            retry: self.retriers(&fields),
            catch: self.catchers(&fields, language),
            assign: self.any_template(&fields, "Assign", language),
            reads_context: mentions_context(value, true),
        })
    }

    fn task(&mut self, fields: &Fields, language: QueryLanguage) -> Task {
        let resource = fields
            .get("Resource")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        Task {
            integration: Integration::parse(&resource),
            resource,
            timeout_seconds: self.u64_or_path(
                fields,
                "TimeoutSeconds",
                "TimeoutSecondsPath",
                language,
            ),
            heartbeat_seconds: self.u64_or_path(
                fields,
                "HeartbeatSeconds",
                "HeartbeatSecondsPath",
                language,
            ),
            credentials: fields.get("Credentials").cloned(),
        }
    }

    fn wait(&mut self, fields: &Fields, language: QueryLanguage) -> Option<StateKind> {
        if let Some(seconds) = self.u64_or_path(fields, "Seconds", "SecondsPath", language) {
            return Some(StateKind::Wait(WaitFor::Seconds(seconds)));
        }
        if let Some(expression) = self.expression(fields, "Timestamp", language) {
            return Some(StateKind::Wait(WaitFor::Timestamp(ValueOrPath::Jsonata(
                expression,
            ))));
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
                    let top = self.top;
                    branches.push(Arc::new(self.machine(branch, &pointer, top)));
                }
            }
            None => self.error(fields.at("Branches"), "Branches must be an array"),
        }
        StateKind::Parallel { branches }
    }

    fn map(&mut self, fields: &Fields, language: QueryLanguage) -> Option<MapState> {
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
        let item_selector = self.any_template(fields, selector_field, language);
        let item_selector_reads_only_map = fields
            .get(selector_field)
            .is_none_or(reads_only_map_context);
        let max_concurrency = self
            .u64_or_path(fields, "MaxConcurrency", "MaxConcurrencyPath", language)
            .unwrap_or(ValueOrPath::Value(0));
        let top = self.top;
        Some(MapState {
            processor: Arc::new(self.machine(processor, &fields.at(key), top)),
            items_path: self.path_field(fields, "ItemsPath"),
            items: self.jsonata(fields, "Items"),
            item_selector,
            item_selector_reads_only_map,
            max_concurrency,
            tolerated_failure_count: self.value_or_path(
                fields,
                "ToleratedFailureCount",
                "ToleratedFailureCountPath",
                language,
            ),
            tolerated_failure_percentage: self.value_or_path(
                fields,
                "ToleratedFailurePercentage",
                "ToleratedFailurePercentagePath",
                language,
            ),
            distributed,
            express_children: distributed
                && processor
                    .pointer("/ProcessorConfig/ExecutionType")
                    .and_then(Value::as_str)
                    == Some("EXPRESS"),
            item_reader: self.item_reader(fields, language),
            item_batcher: self.item_batcher(fields, language),
            result_writer: self.result_writer(fields, language),
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

    fn catchers(&mut self, fields: &Fields, language: QueryLanguage) -> Vec<Catcher> {
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
                output: self.jsonata(&catcher_fields, "Output"),
                assign: self.any_template(&catcher_fields, "Assign", language),
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
        language: QueryLanguage,
    ) -> Option<ValueOrPath<u64>> {
        if let Some(expression) = self.expression(fields, key, language) {
            return Some(ValueOrPath::Jsonata(expression));
        }
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
        language: QueryLanguage,
    ) -> Option<ValueOrPath<Value>> {
        if let Some(expression) = self.expression(fields, key, language) {
            return Some(ValueOrPath::Jsonata(expression));
        }
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
        language: QueryLanguage,
    ) -> Option<ValueOrPath<String>> {
        if let Some(expression) = self.expression(fields, key, language) {
            return Some(ValueOrPath::Jsonata(expression));
        }
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
