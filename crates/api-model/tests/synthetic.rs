//! The validator on small hand-written models: what the Step Functions model cannot show
//! (maps, recursive shapes, sensitive members inside printed values) and model loading errors.

use fluxo_api_model::{Model, ModelError, RequestError};
use serde_json::{json, Value};

/// A botocore model with one operation `Op` whose input is the shape `Input`.
fn model(shapes: Value) -> Model {
    let text = json!({
        "version": "2.0",
        "metadata": {"protocol": "json"},
        "operations": {"Op": {"name": "Op", "input": {"shape": "Input"}, "errors": [{"shape": "Boom"}]}},
        "shapes": shapes,
    });
    Model::from_json(&text.to_string()).expect("the test model loads")
}

fn validation(model: &Model, body: Value) -> String {
    match model.validate("Op", &body) {
        Err(RequestError::Validation(m)) => m,
        other => panic!("{body}: expected a ValidationException, got {other:?}"),
    }
}

#[test]
fn maps_check_their_keys_and_values_as_one_member() {
    let m = model(json!({
        "Input": {"type": "structure", "members": {"labels": {"shape": "Labels"}}},
        "Labels": {"type": "map", "key": {"shape": "Key"}, "value": {"shape": "Text"}, "max": 3},
        "Key": {"type": "string", "min": 1, "max": 4, "pattern": "[a-z]+"},
        "Text": {"type": "string", "max": 2},
        "Boom": {"type": "structure", "members": {}, "exception": true}
    }));
    assert!(m.validate("Op", &json!({"labels": {"ab": "x"}})).is_ok());
    assert_eq!(
        validation(&m, json!({"labels": {"AB": "x"}})),
        "1 validation error detected: Value '{AB=x}' at 'labels' failed to satisfy constraint: \
         Map keys must satisfy constraint: [Member must have length less than or equal to 4, \
         Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [a-z]+]"
    );
    // Only a maximum: AWS lists a minimum length of 0 with it.
    assert_eq!(
        validation(&m, json!({"labels": {"ab": "xyz"}})),
        "1 validation error detected: Value '{ab=xyz}' at 'labels' failed to satisfy constraint: \
         Map value must satisfy constraint: [Member must have length less than or equal to 2, \
         Member must have length greater than or equal to 0]"
    );
    assert!(
        validation(&m, json!({"labels": {"a": "", "b": "", "c": "", "d": ""}}))
            .ends_with("Member must have length less than or equal to 3")
    );
    assert_eq!(
        m.validate("Op", &json!({"labels": ["a"]})),
        Err(RequestError::Serialization(
            "Start of list found where not expected".to_owned()
        ))
    );
}

#[test]
fn recursive_shapes_stop_at_the_depth_bound() {
    let m = model(json!({
        "Input": {"type": "structure", "members": {"next": {"shape": "Input"}, "tag": {"shape": "Tag"}}},
        "Tag": {"type": "string", "max": 2},
        "Boom": {"type": "structure", "members": {}}
    }));
    let mut body = json!({"tag": "ok"});
    for _ in 0..10 {
        body = json!({"next": body});
    }
    assert!(m.validate("Op", &body).is_ok());
    let mut deep = json!({"tag": "too long"});
    for _ in 0..10 {
        deep = json!({"next": deep});
    }
    assert!(
        validation(&m, deep).contains("at 'next.next.next.next.next.next.next.next.next.next.tag'")
    );
    // Built by moving, not with json! (which would copy the growing value recursively).
    let mut abyss = json!({});
    for _ in 0..10_000 {
        let mut level = serde_json::Map::new();
        level.insert("next".to_owned(), abyss);
        abyss = Value::Object(level);
    }
    let refused = m.validate("Op", &abyss);
    assert!(
        matches!(&refused, Err(RequestError::Serialization(m)) if m.contains("nested")),
        "{refused:?}"
    );
    // Dropping a 10 000-level value recurses in serde_json; leak it, the test is about validate.
    std::mem::forget(abyss);
}

#[test]
fn sensitive_members_inside_a_printed_value_are_redacted() {
    let m = model(json!({
        "Input": {"type": "structure", "members": {"pairs": {"shape": "Pairs"}}},
        "Pairs": {"type": "list", "member": {"shape": "Pair"}, "max": 1},
        "Pair": {"type": "structure", "members": {"name": {"shape": "Name"}, "secret": {"shape": "Secret"}, "n": {"shape": "N"}}},
        "Name": {"type": "string"},
        "Secret": {"type": "string", "sensitive": true},
        "N": {"type": "integer"},
        "Boom": {"type": "structure", "members": {}}
    }));
    let message = validation(
        &m,
        json!({"pairs": [{"name": "a", "secret": "hunter2"}, {"secret": "x", "n": 2}]}),
    );
    assert_eq!(
        message,
        "1 validation error detected: Value '[Pair(name=a, secret=*** Sensitive Data Redacted ***, n=null), \
         Pair(name=null, secret=*** Sensitive Data Redacted ***, n=2)]' at 'pairs' failed to satisfy constraint: \
         Member must have length less than or equal to 1"
    );
}

#[test]
fn operations_expose_their_documented_errors() {
    let m = model(json!({
        "Input": {"type": "structure", "members": {}},
        "Boom": {"type": "structure", "members": {}}
    }));
    let op = m.operation("Op").expect("defined");
    assert_eq!(op.name(), "Op");
    assert_eq!(op.errors(), ["Boom"]);
    assert!(op.documentation().is_none());
}

#[test]
fn broken_models_are_refused_with_the_reason() {
    let undefined =
        json!({"operations": {"Op": {"name": "Op", "input": {"shape": "Missing"}}}, "shapes": {}});
    assert!(matches!(
        Model::from_json(&undefined.to_string()),
        Err(ModelError::UndefinedShape { .. })
    ));
    let bad_pattern =
        json!({"operations": {}, "shapes": {"S": {"type": "string", "pattern": "(unclosed"}}});
    assert!(matches!(
        Model::from_json(&bad_pattern.to_string()),
        Err(ModelError::Pattern { .. })
    ));
    let bad_type = json!({"operations": {}, "shapes": {"S": {"type": "tuple"}}});
    assert!(matches!(
        Model::from_json(&bad_type.to_string()),
        Err(ModelError::UnknownType { .. })
    ));
    assert!(matches!(Model::from_json("[]"), Err(ModelError::Syntax(_))));
}
