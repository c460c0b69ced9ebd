//! The functions Step Functions adds, the clock and randomness from the environment, the
//! guarded built-ins behaving as the real ones, and the bindings.

use fluxo_jsonata::{Bindings, EvalEnv, Expression, FixedEnv, JsonataError, Limits, States};
use serde_json::{json, Map, Value};

fn eval_with(
    text: &str,
    bindings: &Bindings<'_>,
    env: &dyn EvalEnv,
) -> Result<Option<Value>, JsonataError> {
    Expression::compile(text)?.evaluate(None, bindings, env, &Limits::default())
}

fn eval(text: &str) -> Value {
    let env = FixedEnv {
        now_millis: 1_700_000_000_123,
        random_seed: 42,
    };
    eval_with(text, &Bindings::default(), &env)
        .expect(text)
        .expect("defined")
}

fn error(text: &str) -> JsonataError {
    eval_with(text, &Bindings::default(), &FixedEnv::default()).expect_err(text)
}

#[test]
fn hash_gives_the_hex_digest_of_each_algorithm() {
    assert_eq!(
        eval("$hash('abc', 'MD5')"),
        json!("900150983cd24fb0d6963f7d28e17f72")
    );
    assert_eq!(
        eval("$hash('abc', 'SHA-1')"),
        json!("a9993e364706816aba3e25717850c26c9cd0d89d")
    );
    assert_eq!(
        eval("$hash('abc', 'SHA-256')"),
        json!("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    );
    assert_eq!(eval("$length($hash('abc', 'SHA-384'))"), json!(96));
    assert_eq!(eval("$length($hash('abc', 'SHA-512'))"), json!(128));
    assert!(error("$hash('abc', 'SHA-3')").message().contains("SHA-3"));
    assert_eq!(error("$hash(1, 'MD5')").code(), Some("T0410"));
}

#[test]
fn range_and_partition() {
    assert_eq!(eval("$range(0, 10, 3)"), json!([0, 3, 6, 9]));
    assert_eq!(eval("$range(5, 1, -2)"), json!([5, 3, 1]));
    assert_eq!(eval("$range(1, 3)"), json!([1, 2, 3]));
    assert_eq!(eval("$range(1, 9, 9)"), json!(1));
    assert!(error("$range(1, 9, 0)").message().contains("step"));
    assert_eq!(
        eval("$partition([1,2,3,4,5], 2)"),
        json!([[1, 2], [3, 4], [5]])
    );
    assert_eq!(eval("$partition([0], 1)"), json!([[0]]));
    assert!(error("$partition([1,2], 0)").message().contains("positive"));
    assert_eq!(error("$partition([1,2], 'a')").code(), Some("T0410"));
}

#[test]
fn parse_reads_json_and_eval_is_not_a_function() {
    assert_eq!(
        eval("$parse('{\"a\": [1, 2.5, \"x\"]}')"),
        json!({"a": [1, 2.5, "x"]})
    );
    assert_eq!(eval("$parse('-0')"), json!(0));
    assert!(error("$parse('{oops')")
        .message()
        .contains("not valid JSON"));
    let e = error("$eval('1 + 1')");
    assert_eq!(
        e.coded_message(),
        "T1006: Attempted to invoke a non-function"
    );
}

#[test]
fn clock_and_randomness_come_from_the_environment() {
    assert_eq!(eval("$millis()"), json!(1_700_000_000_123i64));
    assert_eq!(eval("$now()"), json!("2023-11-14T22:13:20.123Z"));
    assert_eq!(eval("$now('[Y0001]-[M01]-[D01]')"), json!("2023-11-14"));
    assert_eq!(eval("$now() = $now()"), json!(true));
    let first = eval("[$random(), $uuid()]");
    assert_eq!(first, eval("[$random(), $uuid()]"), "same seed, same draws");
    let uuid = first[1].as_str().unwrap().to_string();
    assert_eq!(uuid.len(), 36);
    assert_eq!(&uuid[14..15], "4", "version 4: {uuid}");
    let other = eval_with(
        "$uuid()",
        &Bindings::default(),
        &FixedEnv {
            now_millis: 0,
            random_seed: 43,
        },
    );
    assert_ne!(other.unwrap().unwrap(), json!(uuid));
    assert_eq!(eval("$random(42)"), json!(0.7275636800328681));
    assert!(eval("$random()")
        .as_f64()
        .is_some_and(|r| (0.0..1.0).contains(&r)));
}

/// An environment that must not be consulted.
struct Untouchable;

impl EvalEnv for Untouchable {
    fn now_millis(&self) -> i64 {
        panic!("the clock was read")
    }
    fn random_seed(&self) -> u64 {
        panic!("a seed was drawn")
    }
}

#[test]
fn bindings_give_states_and_variables_and_the_environment_is_asked_only_when_needed() {
    let input = json!({"name": "World", "items": [1, 2, 3]});
    let mut variables = Map::new();
    variables.insert("greeting".into(), json!("Hello"));
    variables.insert("string".into(), json!("a workflow variable named string"));
    let bindings = Bindings {
        states: States {
            input: Some(&input),
            ..States::default()
        },
        variables: Some(&variables),
    };
    let got = eval_with(
        "$greeting & ' ' & $states.input.name",
        &bindings,
        &Untouchable,
    );
    assert_eq!(got.unwrap(), Some(json!("Hello World")));
    assert_eq!(
        eval_with("$states.result", &bindings, &Untouchable).unwrap(),
        None
    );
    assert_eq!(
        eval_with("$sum($states.input.items)", &bindings, &Untouchable).unwrap(),
        Some(json!(6))
    );
    assert_eq!(
        eval_with("$doesNotExist", &bindings, &Untouchable).unwrap(),
        None
    );
    // A binding hides the built-in of its name, as in jsonata-js.
    assert_eq!(
        eval_with("$string", &bindings, &Untouchable).unwrap(),
        Some(variables["string"].clone())
    );
}

#[test]
fn guarded_builtins_behave_as_the_real_ones() {
    let input = json!({"a": {"b": 1}, "list": [1, 2], "s": "x"});
    let bindings = Bindings::states(States {
        input: Some(&input),
        ..States::default()
    });
    let run = |text: &str| eval_with(text, &bindings, &FixedEnv::default()).expect(text);
    assert_eq!(run("$string($states.input.a)"), Some(json!("{\"b\":1}")));
    assert_eq!(run("$states.input.a.$string()"), Some(json!("{\"b\":1}")));
    assert_eq!(
        run("$map($states.input.list, $string)"),
        Some(json!(["1", "2"]))
    );
    let numbers = eval_with(
        "$states.input.list ~> $join('-')",
        &bindings,
        &FixedEnv::default(),
    );
    assert_eq!(
        numbers.unwrap_err().code(),
        Some("T0412"),
        "$join needs strings"
    );
    assert_eq!(
        run("$map($states.input.list, $string) ~> $join('-')"),
        Some(json!("1-2"))
    );
    assert_eq!(run("$states.input.s.$pad(3, '#')"), Some(json!("x##")));
    assert_eq!(run("$pad($states.input.s, -3)"), Some(json!("  x")));
    assert_eq!(run("$replace('abcabc', 'b', 'X')"), Some(json!("aXcaXc")));
    assert_eq!(
        run("$replace('abc', /b/, function($m){ $uppercase($m.match) })"),
        Some(json!("aBc"))
    );
    assert_eq!(
        run("($string := function($x){ 'mine' }; $string(1))"),
        Some(json!("mine"))
    );
    assert_eq!(
        run("'n=' & 1.5 & [1] & {'k': true}"),
        Some(json!("n=1.5[1]{\"k\":true}"))
    );
    assert_eq!(
        run("$distinct([3, 1, 3, 'a', 'a'])"),
        Some(json!([3, 1, "a"]))
    );
}

#[test]
fn compiled_expressions_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync + Clone>() {}
    shareable::<Expression>();
    let expression = Expression::compile("$states.input.n * 2").unwrap();
    let doubled = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|n| {
                let expression = &expression;
                s.spawn(move || {
                    let input = json!({ "n": n });
                    let bindings = Bindings::states(States {
                        input: Some(&input),
                        ..States::default()
                    });
                    expression
                        .evaluate(None, &bindings, &FixedEnv::default(), &Limits::default())
                        .unwrap()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap().unwrap())
            .collect::<Vec<_>>()
    });
    assert_eq!(doubled, vec![json!(0), json!(2), json!(4), json!(6)]);
}
