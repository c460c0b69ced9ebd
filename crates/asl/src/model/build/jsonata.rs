//! The builder's fields that differ by query language: JSONata templates and expressions
//! (compiled here, once: the validator checks their place and type but does not parse them),
//! templates of either language, and Choice rules.

use super::{Builder, Fields};
use crate::choice::compile_choices;
use crate::model::{ChoiceBranch, Condition, JsonataTemplate, QueryLanguage, StateKind, Template};
use fluxo_expr::PayloadTemplate;
use serde_json::Value;

impl Builder {
    /// Compiles `value` as a JSONata template; syntax errors are reported at their pointer
    /// below `location`.
    fn compile_jsonata(&mut self, value: &Value, location: &str) -> Option<JsonataTemplate> {
        match JsonataTemplate::compile(value) {
            Ok(template) => Some(template),
            Err(errors) => {
                for error in errors {
                    self.error(
                        format!("{location}{}", error.pointer),
                        format!("Invalid JSONata expression: {}", error.error),
                    );
                }
                None
            }
        }
    }

    /// A JSONata-only field (`Arguments`, `Output`, `Items`): any JSON value, with `{% %}`
    /// strings anywhere in it.
    pub(super) fn jsonata(&mut self, fields: &Fields, key: &str) -> Option<JsonataTemplate> {
        let value = fields.get(key)?;
        self.compile_jsonata(value, &fields.at(key))
    }

    /// A field that a JSONata state may give as a `{% %}` expression instead of a literal
    /// (`Seconds`, `TimeoutSeconds`, `Error`, ...): the expression, when it is one.
    pub(super) fn expression(
        &mut self,
        fields: &Fields,
        key: &str,
        language: QueryLanguage,
    ) -> Option<JsonataTemplate> {
        if language != QueryLanguage::Jsonata {
            return None;
        }
        let value = fields.get(key)?;
        fluxo_jsonata::expression_text(value.as_str()?)?;
        self.compile_jsonata(value, &fields.at(key))
    }

    /// `Assign` or `ItemSelector`, in the state's language.
    pub(super) fn any_template(
        &mut self,
        fields: &Fields,
        key: &str,
        language: QueryLanguage,
    ) -> Option<Template> {
        match language {
            QueryLanguage::JsonPath => self.template(fields, key).map(Template::JsonPath),
            QueryLanguage::Jsonata => self.jsonata(fields, key).map(Template::Jsonata),
        }
    }

    pub(super) fn choice(&mut self, fields: &Fields, language: QueryLanguage) -> StateKind {
        let choices = match (fields.get("Choices"), language) {
            (Some(value), QueryLanguage::JsonPath) => self.jsonpath_choices(value, fields),
            (Some(value), QueryLanguage::Jsonata) => self.jsonata_choices(value, fields),
            (None, _) => {
                self.error(fields.at("Choices"), "A Choice state needs Choices");
                Vec::new()
            }
        };
        StateKind::Choice {
            choices,
            default: fields
                .get("Default")
                .and_then(Value::as_str)
                .map(str::to_string),
        }
    }

    fn jsonpath_choices(&mut self, value: &Value, fields: &Fields) -> Vec<ChoiceBranch> {
        let choices = match compile_choices(value, &fields.at("Choices")) {
            Ok(choices) => choices,
            Err(diagnostics) => {
                self.diagnostics.extend(diagnostics);
                return Vec::new();
            }
        };
        let mut branches = Vec::with_capacity(choices.len());
        for (index, choice) in choices.into_iter().enumerate() {
            let assign = match &choice.assign {
                None => None,
                Some(value) => match PayloadTemplate::compile(value) {
                    Ok(template) => Some(Template::JsonPath(template)),
                    Err(errors) => {
                        for error in errors {
                            self.error(
                                format!("{}/{index}/Assign{}", fields.at("Choices"), error.pointer),
                                error.message,
                            );
                        }
                        None
                    }
                },
            };
            branches.push(ChoiceBranch {
                condition: Condition::JsonPath(choice.rule),
                next: choice.next,
                assign,
                output: None,
            });
        }
        branches
    }

    /// JSONata rules: `Condition` (a boolean or an expression), `Next`, and the rule's own
    /// `Assign` and `Output`.
    fn jsonata_choices(&mut self, value: &Value, fields: &Fields) -> Vec<ChoiceBranch> {
        let Some(rules) = value.as_array() else {
            self.error(fields.at("Choices"), "Choices must be an array");
            return Vec::new();
        };
        let mut branches = Vec::with_capacity(rules.len());
        for (index, rule) in rules.iter().enumerate() {
            let pointer = format!("{}/{index}", fields.at("Choices"));
            let Some(object) = rule.as_object() else {
                self.error(pointer, "A choice rule must be a JSON object");
                continue;
            };
            let rule_fields = Fields {
                object,
                pointer: pointer.clone(),
            };
            let condition = match object.get("Condition") {
                Some(condition) => self.compile_jsonata(condition, &rule_fields.at("Condition")),
                None => {
                    self.error(
                        rule_fields.at("Condition"),
                        "A choice rule needs a Condition",
                    );
                    None
                }
            };
            let next = object.get("Next").and_then(Value::as_str);
            let (Some(condition), Some(next)) = (condition, next) else {
                continue;
            };
            branches.push(ChoiceBranch {
                condition: Condition::Jsonata(condition),
                next: next.to_string(),
                assign: self.jsonata(&rule_fields, "Assign").map(Template::Jsonata),
                output: self.jsonata(&rule_fields, "Output"),
            });
        }
        branches
    }
}
