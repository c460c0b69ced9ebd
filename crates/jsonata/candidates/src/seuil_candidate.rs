//! seuil (a jsonata-rs descendant): `Seuil::compile`, `evaluate_with_config_and_bindings` with
//! its depth and time limits. Its API returns serde_json values, where `undefined` cannot be
//! told from `null` (both come back as null), and takes no `undefined` input (null is given).

use crate::suite::{Case, Outcome};
use seuil::{EvalConfig, Seuil};

pub fn run(case: &Case) -> Outcome {
    let expr = match Seuil::compile(&case.expr) {
        Ok(e) => e,
        Err(e) => return error(&e),
    };
    let config = EvalConfig {
        max_depth: Some(case.depth.unwrap_or(1000)),
        time_limit_ms: Some(case.timelimit_ms.unwrap_or(crate::DEFAULT_TIMELIMIT_MS)),
        ..EvalConfig::default()
    };
    let input = case.data.clone().unwrap_or(serde_json::Value::Null);
    match expr.evaluate_with_config_and_bindings(&input, &config, Some(&case.bindings)) {
        Ok(v) => Outcome::Value(v),
        Err(e) => error(&e),
    }
}

fn error(e: &seuil::Error) -> Outcome {
    Outcome::Error {
        code: Some(e.code().to_string()),
        message: e.to_string(),
    }
}

pub fn rate(
    expr: &str,
    b: &serde_json::Map<String, serde_json::Value>,
) -> impl FnMut() -> serde_json::Value {
    let compiled = Seuil::compile(expr).unwrap();
    let config = EvalConfig::default();
    let b = b.clone();
    move || {
        compiled
            .evaluate_with_config_and_bindings(&serde_json::Value::Null, &config, Some(&b))
            .unwrap()
    }
}
