//! The functions Step Functions adds to JSONata and the ones it changes (AWS developer guide,
//! "Transforming data with JSONata in Step Functions", section "JSONata functions provided by
//! Step Functions"): `$partition`, `$range`, `$hash`, `$random([seed])`, `$uuid`, `$parse`;
//! `$eval` is not available; `$now` and `$millis` read the injected clock.
//!
//! Recorded behaviour (conformance group `intrinsic_functions`, `*_jsonata__*` cases):
//! `$partition([0,1,2], 2)` is `[[0,1],[2]]` and `$partition([0], 1)` stays `[[0]]`;
//! `$range(0, 10, 3)` is `[0,3,6,9]` (the end is included when reached) and `$range(1, 9, 9)`
//! is `1` (a sequence of one is its item); `$parse("-0")` is `0`; an unknown function such as
//! `$randomSeeded` fails with `T1006: Attempted to invoke a non-function`.

use crate::convert::to_jvalue;
use crate::guards::delegate;
use crate::java_random;
use crate::session::{Host, Session};
use jsonata_core::evaluator::{EvaluatorError, HostFnResult};
use jsonata_core::value::JValue;
use md5::Md5;
use rand::Rng;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};
use std::collections::BTreeSet;
use std::rc::Rc;

/// Registers the functions among `names` (the names an expression calls) on `session`.
pub(crate) fn install(session: &Rc<Session>, names: &BTreeSet<String>) {
    type Body = fn(&Session, &[JValue]) -> HostFnResult;
    let functions: [(&str, Body); 8] = [
        ("partition", partition),
        ("range", range),
        ("hash", hash),
        ("random", random),
        ("uuid", uuid),
        ("parse", parse),
        ("millis", |s, _| Ok(JValue::Number(s.now_millis() as f64))),
        ("eval", |_, _| Err(non_function())),
    ];
    for (name, body) in functions {
        if names.contains(name) {
            let s = Rc::clone(session);
            let f: Host = Rc::new(move |args: &[JValue]| body(&s, args));
            session.add_host(name, f);
        }
    }
    if names.contains("now") {
        let s = Rc::clone(session);
        session.add_host("now", Rc::new(move |args: &[JValue]| now(&s, args)));
    }
}

/// Whether an expression calling `names` reads the clock or draws random numbers.
pub(crate) fn uses_clock(names: &BTreeSet<String>) -> bool {
    names.contains("now") || names.contains("millis")
}

pub(crate) fn uses_randomness(names: &BTreeSet<String>) -> bool {
    names.contains("random") || names.contains("uuid")
}

/// What jsonata-js says when a name is not a function, as AWS says it for `$eval`.
fn non_function() -> EvaluatorError {
    EvaluatorError::ReferenceError("T1006: Attempted to invoke a non-function".into())
}

/// JSONata's signature error for argument `index` (1-based) of `$name`.
fn signature(index: usize, name: &str) -> EvaluatorError {
    EvaluatorError::TypeError(format!(
        "T0410: Argument {index} of function \"{name}\" does not match function signature"
    ))
}

fn arity(args: &[JValue], min: usize, max: usize, name: &str) -> Result<(), EvaluatorError> {
    if args.len() > max {
        return Err(signature(max + 1, name));
    }
    if args.len() < min {
        return Err(signature(args.len() + 1, name));
    }
    Ok(())
}

fn number_arg(args: &[JValue], index: usize, name: &str) -> Result<f64, EvaluatorError> {
    match args.get(index) {
        Some(JValue::Number(n)) => Ok(*n),
        _ => Err(signature(index + 1, name)),
    }
}

/// `$partition(array, size)`: the array cut into arrays of `size` items, the last one shorter.
fn partition(_: &Session, args: &[JValue]) -> HostFnResult {
    arity(args, 2, 2, "partition")?;
    let items: Vec<JValue> = match &args[0] {
        JValue::Undefined => return Ok(JValue::Undefined),
        JValue::Array(items) => items.iter().cloned().collect(),
        single => vec![single.clone()],
    };
    let size = number_arg(args, 1, "partition")?;
    if !(size >= 1.0 && size.fract() == 0.0) {
        return Err(EvaluatorError::EvaluationError(format!(
            "The size argument of $partition must be a positive integer, got {size}"
        )));
    }
    let size = (size as usize).min(items.len().max(1));
    let chunks = items
        .chunks(size)
        .map(|c| JValue::array(c.to_vec()))
        .collect();
    Ok(JValue::array(chunks))
}

/// `$range(start, end, step)`: the numbers from `start` by `step` up to `end` included; a
/// negative step counts down. Refused before anything is built when it would hold more than
/// `max_sequence_length` numbers.
fn range(session: &Session, args: &[JValue]) -> HostFnResult {
    arity(args, 2, 3, "range")?;
    let start = number_arg(args, 0, "range")?;
    let end = number_arg(args, 1, "range")?;
    let step = if args.len() == 3 {
        number_arg(args, 2, "range")?
    } else {
        1.0
    };
    if step == 0.0 || !step.is_finite() || !start.is_finite() || !end.is_finite() {
        return Err(EvaluatorError::EvaluationError(
            "The step argument of $range must be a finite number other than 0".into(),
        ));
    }
    let span = (end - start) / step;
    let count = if span < 0.0 { 0.0 } else { span.floor() + 1.0 };
    let max = session.limits.max_sequence_length;
    if count > max as f64 {
        return Err(session.trip(format!("$range would make more than {max} numbers")));
    }
    let numbers = (0..count as usize)
        .map(|i| JValue::Number(start + i as f64 * step))
        .collect();
    Ok(JValue::sequence(numbers))
}

/// `$hash(value, algorithm)`: the hex digest of the string's UTF-8 bytes, with `MD5`,
/// `SHA-1`, `SHA-256`, `SHA-384` or `SHA-512` (the algorithms of `States.Hash`).
fn hash(_: &Session, args: &[JValue]) -> HostFnResult {
    arity(args, 2, 2, "hash")?;
    let data = match &args[0] {
        JValue::Undefined => return Ok(JValue::Undefined),
        JValue::String(s) => s.as_bytes().to_vec(),
        _ => return Err(signature(1, "hash")),
    };
    let JValue::String(algorithm) = &args[1] else {
        return Err(signature(2, "hash"));
    };
    let digest: Vec<u8> = match &**algorithm {
        "MD5" => Md5::digest(&data).to_vec(),
        "SHA-1" => Sha1::digest(&data).to_vec(),
        "SHA-256" => Sha256::digest(&data).to_vec(),
        "SHA-384" => Sha384::digest(&data).to_vec(),
        "SHA-512" => Sha512::digest(&data).to_vec(),
        other => {
            return Err(EvaluatorError::EvaluationError(format!(
                "The hashing algorithm '{other}' is not supported; use one of MD5, SHA-1, SHA-256, SHA-384, SHA-512"
            )))
        }
    };
    Ok(JValue::string(
        digest
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>(),
    ))
}

/// `$random()`: a number in `[0, 1)` from the evaluation's generator; `$random(seed)`: the
/// same number for the same seed, `java.util.Random(seed).nextDouble()`.
fn random(session: &Session, args: &[JValue]) -> HostFnResult {
    arity(args, 0, 1, "random")?;
    match args.first() {
        None | Some(JValue::Undefined) => {
            Ok(JValue::Number(session.with_rng(|r| r.random::<f64>())))
        }
        Some(JValue::Number(seed)) if seed.is_finite() => Ok(JValue::Number(
            java_random::first_double(seed.trunc() as i64),
        )),
        Some(_) => Err(signature(1, "random")),
    }
}

/// `$uuid()`: a version 4 UUID from the evaluation's generator.
fn uuid(session: &Session, args: &[JValue]) -> HostFnResult {
    arity(args, 0, 0, "uuid")?;
    let bytes: [u8; 16] = session.with_rng(|r| r.random());
    Ok(JValue::string(
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string(),
    ))
}

/// `$parse(jsonString)`: the JSON value the string holds (serde_json's reading, nesting at
/// most 128 levels).
fn parse(_: &Session, args: &[JValue]) -> HostFnResult {
    arity(args, 1, 1, "parse")?;
    match &args[0] {
        JValue::Undefined => Ok(JValue::Undefined),
        JValue::String(text) => match serde_json::from_str::<serde_json::Value>(text) {
            Ok(value) => Ok(to_jvalue(&value)),
            Err(e) => Err(EvaluatorError::EvaluationError(format!(
                "The argument of $parse is not valid JSON: {e}"
            ))),
        },
        _ => Err(signature(1, "parse")),
    }
}

/// `$now([picture [, timezone]])`: the injected instant, formatted by jsonata's `$fromMillis`.
fn now(session: &Session, args: &[JValue]) -> HostFnResult {
    arity(args, 0, 2, "now")?;
    let mut call = vec![JValue::Number(session.now_millis() as f64)];
    call.extend(args.iter().cloned());
    delegate(session, "fromMillis", &call, &JValue::Undefined)
}
