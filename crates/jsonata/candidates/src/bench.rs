//! Evaluations per second of each candidate on Step Functions-shaped expressions: the bindings
//! (`$states`) converted from serde_json on every evaluation and the result converted back, as
//! an engine holding serde_json values would do.

use serde_json::{json, Map, Value};
use std::time::{Duration, Instant};

/// (name, expression, `$states.input`)
fn workloads() -> Vec<(&'static str, &'static str, Value)> {
    let items: Vec<Value> = (0..1000).map(|i| json!({"price": i, "qty": 2})).collect();
    vec![
        (
            "path $states.input.x",
            "$states.input.x",
            json!({"x": 42, "name": "World"}),
        ),
        (
            "$map over 1,000 items",
            "$map($states.input.items, function($v) { $v.price * $v.qty })",
            json!({ "items": items }),
        ),
        (
            "template 'Hello ' & name",
            "'Hello ' & $states.input.name",
            json!({"x": 42, "name": "World"}),
        ),
    ]
}

fn bindings(input: &Value) -> Map<String, Value> {
    let mut b = Map::new();
    b.insert(
        "states".into(),
        json!({"input": input, "context": {"Execution": {"Id": "x"}}}),
    );
    b
}

/// Runs `eval` for about a second (after a warm-up) and returns evaluations per second.
fn rate(mut eval: impl FnMut() -> Value) -> f64 {
    for _ in 0..10 {
        std::hint::black_box(eval());
    }
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed() < Duration::from_secs(1) {
        for _ in 0..10 {
            std::hint::black_box(eval());
        }
        n += 10;
    }
    n as f64 / started.elapsed().as_secs_f64()
}

pub fn run_all(candidates: &[&str]) {
    for (name, expr, input) in workloads() {
        let b = bindings(&input);
        for candidate in candidates {
            let per_second = match *candidate {
                "jsonata-core" => core_rate(expr, &b),
                "jsonata-rs" => rs_rate(expr, &b),
                "async_jsonata_rust" => async_rate(expr, &b),
                "seuil" => rate(crate::seuil_candidate::rate(expr, &b)),
                _ => unreachable!(),
            };
            println!("bench {name:<28} {candidate:<20} {per_second:>12.0} evaluations/s");
        }
    }
}

fn core_rate(expr: &str, b: &Map<String, Value>) -> f64 {
    use jsonata_core::evaluator::{Context, Evaluator};
    use jsonata_core::value::JValue;
    let ast = jsonata_core::parser::parse(expr).unwrap();
    rate(|| {
        let mut context = Context::new();
        for (k, v) in b {
            context.bind(k.clone(), JValue::from(v.clone()));
        }
        let out = Evaluator::with_context(context)
            .evaluate(&ast, &JValue::Undefined)
            .unwrap();
        crate::core::to_json(&out).unwrap()
    })
}

/// jsonata-rs allocates every value in an arena that lives as long as the parsed expression,
/// so each evaluation gets a new arena and parses again (the API leaves no other way to free).
fn rs_rate(expr: &str, b: &Map<String, Value>) -> f64 {
    rate(|| {
        let arena = bumpalo::Bump::new();
        let j = jsonata_rs::JsonAta::new(expr, &arena).unwrap();
        for (k, v) in b {
            j.assign_var(k, crate::rs::from_json(&arena, v));
        }
        let out = j.evaluate(None, None).unwrap();
        serde_json::from_str(&out.serialize(false)).unwrap()
    })
}

fn async_rate(expr: &str, b: &Map<String, Value>) -> f64 {
    use async_jsonata_rust::{Evaluator, JsonValue};
    let evaluator = Evaluator::with_builtins();
    let expression = evaluator.parse(expr.to_string()).unwrap();
    rate(|| {
        let bindings = b
            .iter()
            .map(|(k, v)| (k.clone(), crate::async_jsonata::from_json(v)))
            .collect();
        // The async entry point on this thread: the synchronous facade would add a thread spawn.
        let out = futures::executor::block_on(evaluator.evaluate_with_bindings_async(
            &expression,
            &JsonValue::Undefined,
            &bindings,
        ))
        .unwrap();
        crate::async_jsonata::to_json(&out).unwrap()
    })
}
