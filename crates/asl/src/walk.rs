//! Every state of a definition as written (JSON), nested ones included: the states of
//! Parallel branches and of Map item processors (`ItemProcessor`, or the older `Iterator`),
//! each with its JSON pointer. For the checks that look at a definition's text rather than at
//! its model. The walk keeps a stack of its own, so a deep definition cannot exhaust the
//! thread's (the validator bounds the nesting anyway).

use serde_json::Value;

/// `(pointer, state)` for every state: a machine's states in their order, then the machines
/// nested in them, the last found first (`/States/NAME`, `/States/P/Branches/0/States/NAME`,
/// `/States/M/ItemProcessor/States/NAME`).
pub fn states(definition: &Value) -> Vec<(String, &Value)> {
    let mut found = Vec::new();
    let mut machines = vec![(definition, String::new())];
    while let Some((machine, pointer)) = machines.pop() {
        let Some(states) = machine.get("States").and_then(Value::as_object) else {
            continue;
        };
        for (name, state) in states {
            let at = format!("{pointer}/States/{}", pointer_segment(name));
            if let Some(branches) = state.get("Branches").and_then(Value::as_array) {
                for (index, branch) in branches.iter().enumerate() {
                    machines.push((branch, format!("{at}/Branches/{index}")));
                }
            }
            for key in ["ItemProcessor", "Iterator"] {
                if let Some(processor) = state.get(key) {
                    machines.push((processor, format!("{at}/{key}")));
                }
            }
            found.push((at, state));
        }
    }
    found
}

/// A name as a JSON pointer segment (RFC 6901).
pub fn pointer_segment(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_states_come_with_their_pointers() {
        let definition = json!({"StartAt": "P", "States": {
            "P": {"Type": "Parallel", "Next": "M", "Branches": [
                {"StartAt": "a/b", "States": {"a/b": {"Type": "Succeed"}}}]},
            "M": {"Type": "Map", "End": true,
                  "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}}}}});
        let pointers: Vec<String> = states(&definition).into_iter().map(|(at, _)| at).collect();
        assert_eq!(
            pointers,
            [
                "/States/P",
                "/States/M",
                "/States/M/ItemProcessor/States/I",
                "/States/P/Branches/0/States/a~1b",
            ]
        );
    }
}
