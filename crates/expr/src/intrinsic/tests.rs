//! Intrinsic parsing and evaluation end to end, with AWS's recorded error messages.

use super::*;
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde_json::json;

fn run(source: &str, input: &Value) -> Result<Value, EvalError> {
    let intrinsic = Intrinsic::parse(source).unwrap_or_else(|error| panic!("{source}: {error}"));
    let context = json!({"Execution": {"Input": input.clone(), "Name": "exec"}});
    let scope = Scope {
        input,
        context: &context,
        variables: None,
    };
    let mut rng = StdRng::seed_from_u64(3);
    intrinsic.evaluate(&scope, &mut rng)
}

fn value(source: &str) -> Value {
    run(source, &json!({})).unwrap_or_else(|error| panic!("{source}: {error}"))
}

#[test]
fn evaluates_literal_calls() {
    assert_eq!(
        value("States.Array(1, 'a', true, null)"),
        json!([1, "a", true, null])
    );
    assert_eq!(
        value("States.Format('Name: \\'{}\\', Surname: \"{}\"', 'Gabriel', 'Moreira')"),
        json!("Name: 'Gabriel', Surname: \"Moreira\"")
    );
    assert_eq!(
        value("States.Format('This value is \\{{}\\}', 'Foo')"),
        json!("This value is {Foo}")
    );
    assert_eq!(
        value("States.StringSplit('Hello\nWorld', '\n')"),
        json!(["Hello", "World"])
    );
    assert_eq!(
        value("States.Base64Decode(States.Base64Encode('hello'))"),
        json!("hello")
    );
    assert_eq!(
        value("States.Hash(States.Format('{}:{}', 'x', 'y'), 'SHA-256')"),
        json!("1274e286686b54fe765ec40735665b4bf789cee2a5b22124c5e0491a88e15271")
    );
    assert_eq!(
        value("States.ArrayGetItem(States.Array('x', 'y', 'z'), 1)"),
        json!("y")
    );
    assert_eq!(value("States.ArrayLength(States.Array())"), json!(0));
    assert_eq!(
        value("States.Format('probe={}', States.JsonToString(States.Array(null, '', 0, true)))"),
        json!("probe=[null,\"\",0,true]")
    );
    assert_eq!(value("States.MathAdd(States.MathAdd(5, 1), 2)"), json!(8));
}

#[test]
fn failures_name_the_whole_call_as_written() {
    let error = run("States.ArrayRange(States.MathAdd('a',1), 5, 1)", &json!({}))
        .expect_err("MathAdd of a string fails");
    assert_eq!(error.error, "States.Runtime");
    assert_eq!(
        error.message,
        "The function 'States.ArrayRange(States.MathAdd('a',1), 5, 1)' had the following error: \
         Invalid arguments in States.MathAdd"
    );
    let error = run("States.Format('Hello {', 'x')", &json!({})).expect_err("bad template");
    assert_eq!(
        error.message,
        "The function 'States.Format('Hello {', 'x')' had the following error: \
         Invalid template in States.Format: matching '}' not found for '{'."
    );
}

#[test]
fn uuid_comes_from_the_injected_rng() {
    let first = value("States.UUID()");
    assert_eq!(first, value("States.UUID()"));
    assert_eq!(first.as_str().map(str::len), Some(36));
}

#[test]
fn syntax_errors_are_reported_at_parse_time() {
    for source in [
        "States.Nope()",
        "States.Format('x'",
        r"States.Format('\n')",
        "$.a",
    ] {
        assert!(Intrinsic::parse(source).is_err(), "{source}");
    }
    let intrinsic = Intrinsic::parse("States.Hash()").expect("arity is a run-time check");
    assert_eq!(intrinsic.as_str(), "States.Hash()");
}

#[test]
fn path_arguments_read_input_and_context() {
    let input = json!({"name": "Ada", "tpl": "n={}", "nul": null, "items": [1, 2]});
    let eval = |source: &str| run(source, &input).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(
        eval("States.Format('Hello {}', $.name)"),
        json!("Hello Ada")
    );
    assert_eq!(eval("States.Format($.tpl, 1)"), json!("n=1"));
    assert_eq!(eval("States.Format('{}', $.nul)"), json!("null"));
    assert_eq!(eval("States.ArrayLength($.items)"), json!(2));
    assert_eq!(
        eval("States.Format('{}', $$.Execution.Name)"),
        json!("exec")
    );
    assert_eq!(
        eval("States.JsonToString($)"),
        json!("{\"name\":\"Ada\",\"tpl\":\"n={}\",\"nul\":null,\"items\":[1,2]}")
    );
}

#[test]
fn missing_path_arguments_name_the_path_and_the_input() {
    let input = json!({"other": 1});
    let cases = [
        ("States.Format('{}', $.nope)", "$.nope"),
        ("States.Format('{} {}', $.other, $.a.b)", "$.a.b"),
        ("States.Format('{}', States.Format('{}', $.nope))", "$.nope"),
        ("States.Format('{}', $$.Nope.Deep)", "$.Nope.Deep"),
    ];
    for (source, path) in cases {
        let error = run(source, &input).expect_err(source);
        assert_eq!(error.error, "States.Runtime");
        assert_eq!(
            error.message,
            format!(
                "The function '{source}' had the following error: The JsonPath argument for \
                 the field '{path}' could not be found in the input '{{\"other\":1}}'"
            )
        );
    }
}
