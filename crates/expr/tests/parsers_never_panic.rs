//! Whatever text a definition holds, compiling it gives a value or a syntax error, never a panic.

use fluxo_expr::{Intrinsic, Path, PayloadTemplate, ReferencePath, Scope};
use proptest::prelude::*;
use serde_json::json;

fn expression() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[$.\\[\\]'\"*?@():,0-9a-zA-Z\\\\ -]{0,40}".prop_map(|s| format!("${s}")),
        "[$.\\[\\]'\"{}(),0-9a-zA-Z\\\\ -]{0,40}".prop_map(|s| format!("States.{s}")),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parsing_never_panics(text in expression()) {
        let input = json!({"a": [1, {"b": "c"}], "x y": null});
        let scope = Scope { input: &input, context: &input, variables: None };
        if let Ok(path) = Path::parse(&text) {
            let _ = path.read(&scope);
            let _ = path.missing_message(&scope);
        }
        if let Ok(reference) = ReferencePath::parse(&text) {
            let mut target = input.clone();
            let _ = reference.write(&mut target, json!(1));
        }
        if let Ok(intrinsic) = Intrinsic::parse(&text) {
            let _ = intrinsic.evaluate(&scope, &mut rand::rng());
        }
        if let Ok(template) = PayloadTemplate::compile(&json!({"k.$": text})) {
            let _ = template.evaluate(&scope, &mut rand::rng());
        }
    }
}
