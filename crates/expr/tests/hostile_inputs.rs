//! Hostile expressions and values: each is compiled and evaluated on a thread with a 2 MiB
//! stack (tokio's worker default), where a recursion that the input controls would abort the
//! process. Every case must end in a value or an error, quickly.

use fluxo_expr::{
    check_depth, Intrinsic, Path, PayloadTemplate, ReferencePath, Scope, MAX_JSON_DEPTH,
    MAX_PATH_STEPS,
};
use serde_json::{json, Map, Value};
use std::time::{Duration, Instant};

/// Runs `work` on a thread with tokio's default worker stack; a stack overflow aborts the test
/// binary, which fails the test run.
fn small_stack<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(work)
        .expect("thread starts")
        .join()
        .expect("no panic")
}

fn scope_of(input: &Value) -> Scope<'_> {
    Scope {
        input,
        context: input,
        variables: None,
    }
}

/// `levels` arrays inside each other around `1`, built without recursion.
fn deep_value(levels: usize) -> Value {
    let mut value = json!(1);
    for _ in 0..levels {
        value = Value::Array(vec![value]);
    }
    value
}

/// Takes a deep value apart level by level: serde_json's own drop would recurse.
fn drop_deep(mut value: Value) {
    loop {
        value = match value {
            Value::Array(mut items) => match items.pop() {
                Some(item) => item,
                None => return,
            },
            Value::Object(map) => match map.into_iter().next() {
                Some((_, item)) => item,
                None => return,
            },
            _ => return,
        };
    }
}

#[test]
fn thousands_of_parentheses_in_a_filter_are_read_flat() {
    // Jayway 2.0.0 strips a criterion's parentheses without recursion, so AWS accepts this.
    let text = format!("$[?{}@.a==1{}]", "(".repeat(5000), ")".repeat(5000));
    let found = small_stack(move || {
        let path = Path::parse(&text).expect("a valid path");
        let input = json!([{"a": 1}, {"a": 2}]);
        path.read(&scope_of(&input)).expect("evaluates")
    });
    assert_eq!(found, Some(json!([{"a": 1}])));
}

#[test]
fn nested_filters_and_brackets_are_refused_not_followed() {
    let texts = vec![
        format!("$[?(@{}.a)]", "[?(@".repeat(5000)),
        format!("$[?(@.a == $[?(@{}.b)])]", "[?(@".repeat(5000)),
        format!("${}", "[".repeat(100_000)),
        format!("$.a[{}]", "(".repeat(100_000)),
    ];
    // 50 000 empty names in one bracket, as Jayway reads them: a valid path.
    let quotes = format!("$['{}']", "'".repeat(100_000));
    // Jayway 2.0.0 reads the digits inside however many brackets: this is `$[0]`.
    let brackets = format!("${}0{}", "[".repeat(50_000), "]".repeat(50_000));
    small_stack(move || {
        for text in texts {
            assert!(Path::parse(&text).is_err(), "{}…", &text[..40]);
        }
        assert!(Path::parse(&quotes).is_ok());
        let input = json!(["first"]);
        let path = Path::parse(&brackets).expect("read as $[0]");
        assert_eq!(path.read(&scope_of(&input)), Ok(Some(json!("first"))));
    });
}

#[test]
fn paths_longer_than_the_limit_are_refused() {
    let longest = format!("${}", ".a".repeat(MAX_PATH_STEPS));
    let too_long = [
        format!("${}", ".a".repeat(MAX_PATH_STEPS + 1)),
        format!("${}", ".a".repeat(100_000)),
        format!("${}", "[0]".repeat(100_000)),
        format!("$$.{}", "x.".repeat(100_000)),
        format!("$[?(@{} == 1)]", ".a".repeat(100_000)),
    ];
    small_stack(move || {
        assert!(Path::parse(&longest).is_ok());
        assert!(ReferencePath::parse(&longest).is_ok());
        for text in too_long {
            assert!(Path::parse(&text).is_err(), "{}…", &text[..20]);
            assert!(ReferencePath::parse(&text).is_err(), "{}…", &text[..20]);
        }
    });
}

#[test]
fn the_longest_result_path_writes_without_recursion() {
    let text = format!("${}", ".a".repeat(MAX_PATH_STEPS));
    small_stack(move || {
        let path = ReferencePath::parse(&text).expect("within the limit");
        let mut target = json!({});
        path.write(&mut target, json!(1)).expect("writes");
        assert!(check_depth(&target).is_ok());
        // One level more would pass the limit: refused, the target left as it was.
        let error = path.write(&mut target, json!([1])).expect_err("too deep");
        assert_eq!(error.error, "States.Runtime");
        assert!(check_depth(&target).is_ok());
        drop_deep(target);
    });
}

#[test]
fn scans_of_scans_stop_at_the_visit_budget() {
    // 2000 chains of 10 objects: each `..*` multiplies the nodes to visit by about five.
    let mut items = Map::new();
    for index in 0..2000 {
        let mut chain = json!(1);
        for _ in 0..10 {
            chain = json!({ "a": chain });
        }
        items.insert(format!("k{index}"), chain);
    }
    let input = Value::Object(items);
    let started = Instant::now();
    let outcome = small_stack(move || {
        let path = Path::parse("$..*..*..*..*..*..*").expect("valid");
        path.read(&scope_of(&input))
    });
    let error = outcome.expect_err("too much work");
    assert_eq!(error.error, "States.Runtime");
    assert!(
        error.message.contains("visited more than"),
        "{}",
        error.message
    );
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn a_scan_of_a_value_deeper_than_the_limit_is_an_error() {
    small_stack(|| {
        let input = deep_value(100_000);
        let outcome = Path::parse("$..a").expect("valid").read(&scope_of(&input));
        assert!(check_depth(&input).is_err());
        drop_deep(input);
        let error = outcome.expect_err("refused");
        assert!(error.message.contains("nested deeper"), "{}", error.message);
        // At the limit it is read as usual.
        let input = deep_value(MAX_JSON_DEPTH);
        let found = Path::parse("$..[0]")
            .expect("valid")
            .read(&scope_of(&input));
        assert!(matches!(found, Ok(Some(Value::Array(_)))));
        drop_deep(input);
    });
}

#[test]
fn deeply_nested_intrinsics_are_refused() {
    let nested = format!(
        "{}1{}",
        "States.Array(".repeat(100_000),
        ")".repeat(100_000)
    );
    let in_path = format!("States.Array($[?(@{}.a)])", "[?(@".repeat(5000));
    small_stack(move || {
        assert!(Intrinsic::parse(&nested).is_err());
        assert!(Intrinsic::parse(&in_path).is_err());
    });
}

#[test]
fn intrinsics_that_double_their_input_stop_at_the_size_limit() {
    // Each level uses the one below twice: 16 levels of text (about 400 KB) would build 65 536
    // copies of the input.
    let mut call = String::from("$.text");
    for _ in 0..16 {
        call = format!("States.Array({call}, {call})");
    }
    let started = Instant::now();
    small_stack(move || {
        let input = json!({"text": "x".repeat(100_000)});
        let intrinsic = Intrinsic::parse(&call).expect("valid");
        let error = intrinsic
            .evaluate(&scope_of(&input), &mut rand::rng())
            .expect_err("too big");
        assert_eq!(error.error, "States.DataLimitExceeded");
    });
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn templates_that_copy_the_input_many_times_stop_at_the_size_limit() {
    let mut template = Map::new();
    for index in 0..10_000 {
        template.insert(format!("k{index}.$"), json!("$"));
    }
    let template = Value::Object(template);
    small_stack(move || {
        let compiled = PayloadTemplate::compile(&template).expect("valid");
        let input = json!({"text": "x".repeat(100_000)});
        let error = compiled
            .evaluate(&scope_of(&input), &mut rand::rng())
            .expect_err("too big");
        assert_eq!(error.error, "States.DataLimitExceeded");
    });
}

#[test]
fn templates_deeper_than_the_limit_are_refused() {
    small_stack(|| {
        let mut template = json!({"a.$": "$"});
        for _ in 0..200 {
            template = json!({ "x": template });
        }
        assert!(PayloadTemplate::compile(&template).is_err());
    });
}

#[test]
fn values_deeper_than_the_limit_are_refused_before_they_are_copied() {
    small_stack(|| {
        let mut input = Map::new();
        input.insert("deep".into(), deep_value(50_000));
        input.insert("limit".into(), deep_value(MAX_JSON_DEPTH - 1));
        let input = Value::Object(input);
        let scope = scope_of(&input);
        for text in ["States.JsonToString($.deep)", "States.Format('{}', $.deep)"] {
            let error = Intrinsic::parse(text)
                .expect("valid")
                .evaluate(&scope, &mut rand::rng())
                .expect_err("too deep");
            assert_eq!(error.error, "States.Runtime", "{text}");
        }
        assert!(Path::parse("$.deep").expect("valid").read(&scope).is_err());
        let template =
            PayloadTemplate::compile(&json!({"wrapped": {"v.$": "$.limit"}})).expect("valid");
        assert!(template.evaluate(&scope, &mut rand::rng()).is_err());
        let rendered = Intrinsic::parse("States.JsonToString($.limit)")
            .expect("valid")
            .evaluate(&scope, &mut rand::rng())
            .expect("within the limit");
        assert!(rendered
            .as_str()
            .is_some_and(|text| text.starts_with("[[[[")));
        drop_deep(input);
    });
}

#[test]
fn long_flat_expressions_are_linear() {
    let criteria = vec!["@.a == 1"; 50_000].join(" && ");
    let filter = format!("$[?({criteria})]");
    let junk: String = (0..1_000_000)
        .map(|i| ['[', '(', '\'', '.', '?', '@', 'a', ']', ')', '$'][i * 7 % 10])
        .collect();
    let started = Instant::now();
    small_stack(move || {
        let path = Path::parse(&filter).expect("a flat filter");
        let input = json!([{"a": 1}, {"a": 2}]);
        assert_eq!(
            path.read(&scope_of(&input)).expect("evaluates"),
            Some(json!([{"a": 1}]))
        );
        let _ = Path::parse(&format!("${junk}"));
        let _ = Intrinsic::parse(&format!("States.Format({junk})"));
    });
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn catastrophic_patterns_match_in_linear_time() {
    let started = Instant::now();
    small_stack(|| {
        let path = Path::parse("$[?(@.s =~ /(a+)+b/)]").expect("valid");
        let input = json!([{"s": "a".repeat(50_000)}]);
        assert_eq!(
            path.read(&scope_of(&input)).expect("evaluates"),
            Some(json!([]))
        );
    });
    assert!(started.elapsed() < Duration::from_secs(10));
}
