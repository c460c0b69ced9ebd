//! Evaluates `$states.input.x` in a loop, for a profiler:
//! `perf record -g target/release/examples/profile_path`.

use fluxo_jsonata::{Bindings, Expression, FixedEnv, Limits, States};
use serde_json::json;

fn main() {
    let expression = Expression::compile("$states.input.x").unwrap();
    let input = json!({"x": 42, "name": "World"});
    let context = json!({"Execution": {"Id": "e"}});
    let (env, limits) = (FixedEnv::default(), Limits::default());
    for _ in 0..300_000 {
        let states = States {
            input: Some(&input),
            context: Some(&context),
            ..States::default()
        };
        std::hint::black_box(
            expression
                .evaluate(None, &Bindings::states(states), &env, &limits)
                .unwrap(),
        );
    }
}
