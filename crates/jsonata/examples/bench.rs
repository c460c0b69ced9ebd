//! JSONata evaluations per second for typical Step Functions expressions, next to JSONPath
//! (fluxo-expr's `Path`, `Intrinsic`) doing the same work. Each JSONata evaluation includes what
//! the engine pays: `$states` converted from serde_json, the result converted back.
//!
//!     cargo run --release -p fluxo-jsonata --example bench

use fluxo_expr::{Intrinsic, Path, Scope};
use fluxo_jsonata::{Bindings, Expression, FixedEnv, Limits, States};
use serde_json::{json, Value};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Runs `f` for about a second after a warm-up; evaluations per second.
fn rate(mut f: impl FnMut()) -> f64 {
    for _ in 0..20 {
        f();
    }
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed() < Duration::from_secs(1) {
        for _ in 0..20 {
            f();
        }
        n += 20;
    }
    n as f64 / started.elapsed().as_secs_f64()
}

fn jsonata(text: &str, input: &Value) -> f64 {
    let expression = Expression::compile(text).expect("compiles");
    let context =
        json!({"Execution": {"Id": "arn:aws:states:us-east-1:123456789012:execution:m:e"}});
    let (env, limits) = (FixedEnv::default(), Limits::default());
    rate(|| {
        let states = States {
            input: Some(input),
            context: Some(&context),
            ..States::default()
        };
        let out = expression.evaluate(None, &Bindings::states(states), &env, &limits);
        black_box(out.expect("evaluates").expect("defined"));
    })
}

fn jsonpath_path(path: &str, input: &Value) -> f64 {
    let path = Path::parse(path).expect("parses");
    let context = json!({});
    rate(|| {
        let scope = Scope {
            input,
            context: &context,
            variables: None,
        };
        black_box(path.read(&scope).expect("reads"));
    })
}

fn jsonpath_intrinsic(call: &str, input: &Value) -> f64 {
    let intrinsic = Intrinsic::parse(call).expect("parses");
    let context = json!({});
    let mut rng = rand::rng();
    rate(|| {
        let scope = Scope {
            input,
            context: &context,
            variables: None,
        };
        black_box(intrinsic.evaluate(&scope, &mut rng).expect("evaluates"));
    })
}

fn main() {
    let small = json!({"x": 42, "name": "World"});
    let items: Vec<Value> = (0..1000).map(|i| json!({"price": i, "qty": 2})).collect();
    let list = json!({ "items": items });
    let rows: [(&str, f64, &str, f64); 4] = [
        (
            "$states.input.x",
            jsonata("$states.input.x", &small),
            "Path $.x",
            jsonpath_path("$.x", &small),
        ),
        (
            "'Hello ' & $states.input.name",
            jsonata("'Hello ' & $states.input.name", &small),
            "States.Format('Hello {}', $.name)",
            jsonpath_intrinsic("States.Format('Hello {}', $.name)", &small),
        ),
        (
            "$states.input.items.price (1,000 items)",
            jsonata("$states.input.items.price", &list),
            "Path $.items[*].price",
            jsonpath_path("$.items[*].price", &list),
        ),
        (
            "$map(items, price * qty) (1,000 items)",
            jsonata(
                "$map($states.input.items, function($v) { $v.price * $v.qty })",
                &list,
            ),
            "(JSONPath cannot compute; selection above)",
            f64::NAN,
        ),
    ];
    println!(
        "{:<45} {:>14}   {:<40} {:>14}",
        "JSONata", "evals/s", "JSONPath (fluxo-expr)", "evals/s"
    );
    for (a, ra, b, rb) in rows {
        println!("{a:<45} {ra:>14.0}   {b:<40} {rb:>14.0}");
    }
}
