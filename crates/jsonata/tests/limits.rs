//! Hostile expressions get an error and the process stays up: each runs on a thread with a
//! 2 MiB stack (a tokio worker's size) under the default limits, in a debug build (whose
//! frames are the largest), and must fail with a limit in a few seconds.

use fluxo_jsonata::{Bindings, ErrorKind, Expression, FixedEnv, JsonataError, Limits, States};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Evaluates `text` over `$states.input = input` on a 2 MiB thread.
fn evaluate_on_small_stack(
    text: &'static str,
    input: Value,
) -> (Result<Option<Value>, JsonataError>, Duration) {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let started = Instant::now();
            let expression = Expression::compile(text).expect("compiles");
            let bindings = Bindings::states(States {
                input: Some(&input),
                ..States::default()
            });
            let result =
                expression.evaluate(None, &bindings, &FixedEnv::default(), &Limits::default());
            (result, started.elapsed())
        })
        .expect("spawn")
        .join()
        .expect("no panic, no overflow")
}

fn assert_limited(text: &'static str, input: Value) -> JsonataError {
    let (result, took) = evaluate_on_small_stack(text, input);
    let error = result.expect_err(text);
    assert_eq!(error.kind(), ErrorKind::Limit, "{text}: {error}");
    assert!(took < Duration::from_secs(10), "{text} took {took:?}");
    error
}

#[test]
fn a_range_of_a_billion_is_refused_before_it_is_built() {
    let e = assert_limited("$range(0, 1000000000, 1)", json!({}));
    assert!(e.message().contains("1000000"), "{e}");
    let (result, _) = evaluate_on_small_stack("[1..1000000000]", json!({}));
    assert_eq!(result.unwrap_err().code(), Some("D2014"));
}

#[test]
fn string_doubling_in_a_recursive_lambda_stops_at_the_string_budget() {
    assert_limited(
        "($f := function($s, $n){ $n = 0 ? $s : $f($s & $s, $n - 1) }; $f('x', 60))",
        json!({}),
    );
    assert_limited(
        "$reduce([1..100000], function($acc, $i){ $acc & $states.input.chunk }, '')",
        json!({"chunk": "y".repeat(4096)}),
    );
}

#[test]
fn a_huge_pad_is_refused_before_it_allocates() {
    assert_limited("$pad('x', 10000000000)", json!({}));
    assert_limited("$pad('x', -10000000000, '#')", json!({}));
    assert_limited("$states.input.s.$pad(10000000000)", json!({"s": "x"}));
    assert_limited("'x' ~> $pad(10000000000)", json!({}));
}

#[test]
fn deep_recursion_is_stopped_without_overflowing_the_stack() {
    let e = assert_limited(
        "($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(1000000))",
        json!({}),
    );
    assert_eq!(e.code(), Some("D1011"));
}

#[test]
fn an_endless_loop_runs_into_the_deadline() {
    let e = assert_limited("($f := function($n){ $f($n + 1) }; $f(0))", json!({}));
    assert_eq!(e.code(), Some("D1012"));
}

#[test]
fn shared_values_cannot_be_written_out_bigger_than_the_budget() {
    // 10,000 references to one 100 KB string: 1 GB once written out.
    let big = "($s := $pad('', 100000, 'x'); $a := $map([1..10000], function($i){ $s }); ";
    for tail in ["$string($a))", "$join($a))", "$a & '')"] {
        let text: &'static str = Box::leak(format!("{big}{tail}").into_boxed_str());
        assert_limited(text, json!({}));
    }
    assert_limited(
        "$replace($states.input.s, 'a', $states.input.s)",
        json!({"s": "a".repeat(200_000)}),
    );
}

#[test]
fn results_too_deep_or_too_large_are_refused() {
    assert_limited(
        "($f := function($x, $n){ $n = 0 ? $x : $f([[$x]], $n - 1) }; $f(1, 200))",
        json!({}),
    );
    assert_limited(
        "$map([1..1000000], function($i){ 'item ' & $i })",
        json!({}),
    );
}

#[test]
fn distinct_over_a_million_items_is_linear() {
    // jsonata-core's own $distinct compares every pair: hours for a million items.
    let expression = Expression::compile("$count($distinct([1..1000000]))").unwrap();
    let limits = Limits {
        timeout: Duration::from_secs(120),
        ..Limits::default()
    };
    let result = expression.evaluate(None, &Bindings::default(), &FixedEnv::default(), &limits);
    assert_eq!(result.unwrap(), Some(json!(1000000)));
    let (result, _) = evaluate_on_small_stack(
        "$distinct([1, 2, 1, 'a', 'a', [1], [1], {'k': 1, 'j': 2}, {'j': 2, 'k': 1}])",
        json!({}),
    );
    assert_eq!(
        result.unwrap(),
        Some(json!([1, 2, "a", [1], {"k": 1, "j": 2}]))
    );
}

#[test]
fn deeply_nested_expression_text_is_a_syntax_error() {
    let text = format!("{}1{}", "(".repeat(5000), ")".repeat(5000));
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || Expression::compile(&text).map(|_| ()))
        .unwrap();
    let error = handle.join().expect("no overflow").unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Syntax);
    assert_eq!(error.code(), Some("U1002"));
}

#[test]
fn values_doubled_by_sharing_are_refused_before_anything_walks_them() {
    // Each step shares the previous value twice: 2^40 items that take no memory, which a
    // comparison, a truth test or `**` would walk for hours inside one built-in call.
    for text in [
        "($f := function($x, $n){ $n = 0 ? $x : $f({'a': $x, 'b': $x}, $n - 1) }; $f(1, 40) = $f(1, 40))",
        "($f := function($x, $n){ $n = 0 ? $x : $f([[$x], [$x]], $n - 1) }; $boolean($f(0, 40)))",
        "($f := function($x, $n){ $n = 0 ? $x : $f({'a': $x, 'b': $x}, $n - 1) }; $count($f(1, 40).**))",
        "($f := function($x, $n){ $n = 0 ? $x : $f($map([1, 2], function(){ $x }), $n - 1) }; $f(1, 40) = $f(1, 40))",
        "$reduce([1..40], function($a, $i){ $map([1, 2], function(){ $a }) }, [1]) = $reduce([1..40], function($a, $i){ $map([1, 2], function(){ $a }) }, [1])",
    ] {
        assert_limited(text, json!({}));
    }
}
