//! What a state's expressions may read, found from their text so that the engine builds the
//! context object (and keeps the execution input in it) only for states that need it.
//!
//! JSONPath reads the context object as `$$`; JSONata as `$states.context`, and `$states`
//! alone hands all of it over.

use serde_json::Value;

/// Whether any key or string of a state mentions the context object (`$$`, or `$states` in a
/// way that reaches `context`); nested state machines (Parallel branches, Map processors) are
/// their own states and do not count.
pub(super) fn mentions_context(value: &Value, top: bool) -> bool {
    match value {
        Value::String(text) => text_mentions_context(text),
        Value::Array(items) => items.iter().any(|item| mentions_context(item, false)),
        Value::Object(map) => map.iter().any(|(key, value)| {
            let nested = top && matches!(key.as_str(), "Branches" | "ItemProcessor" | "Iterator");
            !nested && (text_mentions_context(key) || mentions_context(value, false))
        }),
        _ => false,
    }
}

fn text_mentions_context(text: &str) -> bool {
    text.contains("$$") || states_reads_context(text)
}

/// Whether a JSONata text reads `$states` other than through `.input`, `.result` or
/// `.errorOutput` (conservative: `$states` passed whole, or `$states.context`).
fn states_reads_context(text: &str) -> bool {
    text.match_indices("$states").any(|(at, _)| {
        let rest = &text[at + "$states".len()..];
        !(rest.starts_with(".input")
            || rest.starts_with(".result")
            || rest.starts_with(".errorOutput"))
    })
}

/// Whether every mention of the context object in a template is of its `Map` part (`$$.Map.…`,
/// `$states.context.Map.…`) and nothing else reads `$states` but its input.
pub(super) fn reads_only_map_context(value: &Value) -> bool {
    let text_ok = |text: &str| {
        text.match_indices("$$")
            .all(|(at, _)| text[at + 2..].starts_with(".Map."))
            && text.match_indices("$states").all(|(at, _)| {
                let rest = &text[at + "$states".len()..];
                rest.starts_with(".context.Map.") || rest.starts_with(".input")
            })
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
/// that could reach `Execution.Input` (`$$`, `$$.Execution`, `$states.context.Execution.Input`,
/// `$states`...).
pub(super) fn reads_execution_input(value: &Value) -> bool {
    match value {
        Value::String(text) => text_reads_execution_input(text),
        Value::Array(items) => items.iter().any(reads_execution_input),
        Value::Object(map) => map
            .iter()
            .any(|(key, value)| text_reads_execution_input(key) || reads_execution_input(value)),
        _ => false,
    }
}

fn text_reads_execution_input(text: &str) -> bool {
    let harmless = |rest: &str| {
        rest.starts_with(".State")
            || rest.starts_with(".StateMachine")
            || rest.starts_with(".Map")
            || rest.starts_with(".Task")
            || rest.starts_with(".Execution.Id")
            || rest.starts_with(".Execution.Name")
            || rest.starts_with(".Execution.RoleArn")
            || rest.starts_with(".Execution.StartTime")
            || rest.starts_with(".Execution.RedriveCount")
    };
    let by_path = text
        .match_indices("$$")
        .any(|(at, _)| !harmless(&text[at + 2..]));
    let by_states = text.match_indices("$states").any(|(at, _)| {
        let rest = &text[at + "$states".len()..];
        if rest.starts_with(".input")
            || rest.starts_with(".result")
            || rest.starts_with(".errorOutput")
        {
            return false;
        }
        match rest.strip_prefix(".context") {
            Some(context) => !harmless(context),
            None => true,
        }
    });
    by_path || by_states
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
        assert!(reads_only_map_context(
            &json!({"v": "{% $states.context.Map.Item.Value %}", "i": "{% $states.input.x %}"})
        ));
        assert!(!reads_only_map_context(&json!("{% $states %}")));
        assert!(!reads_only_map_context(&json!(
            "{% $states.context.State %}"
        )));
    }

    #[test]
    fn jsonata_reads_of_the_context_are_seen() {
        assert!(!mentions_context(
            &json!({"Output": "{% $states.input.a %}"}),
            true
        ));
        assert!(!mentions_context(
            &json!({"Output": "{% $states.result %}"}),
            true
        ));
        assert!(mentions_context(
            &json!({"Output": "{% $states.context.State.Name %}"}),
            true
        ));
        assert!(mentions_context(&json!({"Output": "{% $states %}"}), true));
        assert!(!reads_execution_input(&json!(
            "{% $states.context.Execution.Id %}"
        )));
        assert!(reads_execution_input(&json!(
            "{% $states.context.Execution.Input %}"
        )));
        assert!(reads_execution_input(&json!("{% $states.context %}")));
        assert!(!reads_execution_input(&json!("{% $states.input %}")));
        assert!(reads_execution_input(&json!("$$.Execution")));
    }
}
