//! Evaluates one expression over a JSON input and prints the result or the error:
//! `cargo run -p fluxo-jsonata --example eval -- 'EXPR' '{"input": 1}'` (the input is
//! `$states.input`).

use fluxo_jsonata::{Bindings, Expression, FixedEnv, Limits, States};

fn main() {
    let mut args = std::env::args().skip(1);
    let text = args.next().expect("an expression");
    let input: serde_json::Value =
        serde_json::from_str(&args.next().unwrap_or_else(|| "{}".into())).expect("JSON input");
    let bindings = Bindings::states(States {
        input: Some(&input),
        ..States::default()
    });
    let result = Expression::compile(&text)
        .and_then(|e| e.evaluate(None, &bindings, &FixedEnv::default(), &Limits::default()));
    match result {
        Ok(Some(v)) => println!("{v}"),
        Ok(None) => println!("undefined"),
        Err(e) => println!("error ({:?}): {e}", e.kind()),
    }
}
