//! The guarded built-ins (see `crate::rewrite`): each checks, before the work, that what it is
//! about to build fits the evaluation's string budget, then calls the real built-in in a nested
//! evaluator (so its argument checks, its errors and its taking of the context stay
//! jsonata-core's), and counts what it built.

use crate::rewrite::{at_name, plain_name, CONCAT_GUARD, VALUE_GUARD};
use crate::session::{Host, Session};
use jsonata_core::ast::AstNode;
use jsonata_core::evaluator::{Context, EvaluatorError, HostFnResult};
use jsonata_core::value::JValue;
use std::collections::HashMap;
use std::rc::Rc;

/// The guarded built-ins, with their arity as jsonata-core applies them as a callback.
const ARITIES: [(&str, usize); 5] = [
    ("string", 1),
    ("join", 2),
    ("distinct", 1),
    ("pad", 3),
    ("replace", 4),
];

/// Registers the guards among `names` (the names an expression calls) on `session`. Only the
/// `__fluxo_` names are looked at, and nothing is allocated for the names it does not call.
pub(crate) fn install(session: &Rc<Session>, names: &std::collections::BTreeSet<String>) {
    for name in names
        .range::<str, _>((
            std::ops::Bound::Included("__fluxo_"),
            std::ops::Bound::Unbounded,
        ))
        .take_while(|n| n.starts_with("__fluxo_"))
    {
        let s = Rc::clone(session);
        let f: Host = match name.as_str() {
            CONCAT_GUARD => Rc::new(move |args: &[JValue]| concat(&s, args)),
            VALUE_GUARD => Rc::new(move |args: &[JValue]| value(&s, args)),
            other => {
                let rest = &other["__fluxo_".len()..];
                let (builtin, with_context) = match rest.strip_suffix("_at") {
                    Some(b) => (b, true),
                    None => (rest, false),
                };
                let Some(&(builtin, arity)) = ARITIES.iter().find(|(b, _)| *b == builtin) else {
                    continue;
                };
                debug_assert_eq!(
                    name,
                    &if with_context {
                        at_name(builtin)
                    } else {
                        plain_name(builtin)
                    }
                );
                Rc::new(move |args: &[JValue]| {
                    let (context, user) = split_context(args, with_context, arity);
                    guarded(&s, builtin, &context, user)
                })
            }
        };
        session.add_host(name.clone(), f);
    }
}

/// The context and the caller's arguments: a call site written `$f(...)` passes the context
/// first; a reference (`$map(a, $string)`) gets the arguments of a callback, cut to the
/// built-in's arity as jsonata-core cuts them, and a null context as a callback has.
fn split_context(args: &[JValue], with_context: bool, arity: usize) -> (JValue, &[JValue]) {
    if with_context {
        let context = args.first().cloned().unwrap_or(JValue::Undefined);
        (context, args.get(1..).unwrap_or(&[]))
    } else {
        (JValue::Null, &args[..args.len().min(arity)])
    }
}

/// A built value or a function argument, passed on when its size is within the limit.
fn value(session: &Session, args: &[JValue]) -> HostFnResult {
    let value = args.first().cloned().unwrap_or(JValue::Undefined);
    let max = session.limits.max_value_size;
    if weighed_size(&value, max, 1) > max {
        return Err(session.trip(format!(
            "A value built by the expression is larger than {max} (strings by bytes, items by one, shared parts counted each time)"
        )));
    }
    Ok(value)
}

/// `a & b`: strings (and `undefined`, which counts as "") are joined here; any other operand
/// goes to jsonata-core's `&` (which writes it as `$string` does) once its size is known to fit.
fn concat(session: &Session, args: &[JValue]) -> HostFnResult {
    let text = |v: &JValue| match v {
        JValue::String(s) => Some(s.clone()),
        JValue::Undefined => Some("".into()),
        _ => None,
    };
    let (lhs, rhs) = (&args[0], &args[1]);
    if let (Some(a), Some(b)) = (text(lhs), text(rhs)) {
        session.charge(a.len() + b.len())?;
        let mut joined = String::with_capacity(a.len() + b.len());
        joined.push_str(&a);
        joined.push_str(&b);
        return Ok(JValue::string(joined));
    }
    let left = session.string_bytes_left();
    if logical_size(lhs, left).saturating_add(logical_size(rhs, left)) > left {
        return Err(session.trip(format!(
            "& would build more than the {left} bytes of strings left to this evaluation"
        )));
    }
    let result = delegate_expression(session, "$a0 & $a1", args, &JValue::Undefined)?;
    if let JValue::String(s) = &result {
        session.charge(s.len())?;
    }
    Ok(result)
}

fn guarded(
    session: &Rc<Session>,
    builtin: &str,
    context: &JValue,
    user: &[JValue],
) -> HostFnResult {
    let left = session.string_bytes_left();
    let needed = match builtin {
        "string" => logical_size(if user.is_empty() { context } else { &user[0] }, left),
        "join" => join_size(user, left),
        "distinct" => return distinct(session, context, user),
        "pad" => pad_size(context, user),
        _ => replace_size(context, user),
    };
    if needed > left {
        return Err(session.trip(format!(
            "${builtin} would build more than the {} bytes of strings left to this evaluation",
            left
        )));
    }
    let result = match direct(builtin, context, user) {
        Some(result) => result?,
        None => delegate(session, builtin, user, context)?,
    };
    if let JValue::String(s) = &result {
        session.charge(s.len())?;
    }
    Ok(result)
}

/// The common calls of `$string` and `$join`, made straight to jsonata-core's implementation
/// (the arguments already have the types its signature checks would let through); `None` for
/// every other call, which goes through a nested evaluator.
fn direct(builtin: &str, context: &JValue, user: &[JValue]) -> Option<HostFnResult> {
    use jsonata_core::functions::string::{join, string};
    match (builtin, user) {
        ("string", []) if !context.is_undefined() => {
            Some(string(context, None).map_err(Into::into))
        }
        ("string", [value]) if !value.is_undefined() => {
            Some(string(value, None).map_err(Into::into))
        }
        ("string", [value, JValue::Bool(pretty)]) if !value.is_undefined() => {
            Some(string(value, Some(*pretty)).map_err(Into::into))
        }
        ("join", [JValue::Array(items), rest @ ..]) if items.iter().all(JValue::is_string) => {
            let separator = match rest {
                [] => None,
                [JValue::String(s)] => Some(&**s),
                _ => return None,
            };
            Some(join(items, separator).map_err(Into::into))
        }
        _ => None,
    }
}

/// Calls the real built-in `builtin` with `args` over `data` in a nested evaluator that knows
/// the session's host functions (a `$replace` callback may use them).
pub(crate) fn delegate(
    session: &Session,
    builtin: &str,
    args: &[JValue],
    data: &JValue,
) -> HostFnResult {
    let params: Vec<String> = (0..args.len()).map(|k| format!("$a{k}")).collect();
    delegate_expression(
        session,
        &format!("${builtin}({})", params.join(",")),
        args,
        data,
    )
}

/// Evaluates `text`, which reads `args` as `$a0`, `$a1`, ..., over `data` in a nested
/// evaluator with the session's host functions.
fn delegate_expression(
    session: &Session,
    text: &str,
    args: &[JValue],
    data: &JValue,
) -> HostFnResult {
    let ast = parsed(text)?;
    let mut context = Context::new();
    for (i, arg) in args.iter().enumerate() {
        context.bind(format!("a{i}"), arg.clone());
    }
    let mut evaluator = session
        .evaluator(context)
        .map_err(|e| EvaluatorError::EvaluationError(e.coded_message()))?;
    evaluator.evaluate(&ast, data)
}

thread_local! {
    static PARSED: std::cell::RefCell<HashMap<String, Rc<AstNode>>> = Default::default();
}

/// The delegation expressions (a handful of fixed texts), parsed once per thread.
fn parsed(text: &str) -> Result<Rc<AstNode>, EvaluatorError> {
    PARSED.with(|cache| {
        if let Some(ast) = cache.borrow().get(text) {
            return Ok(Rc::clone(ast));
        }
        let ast = Rc::new(
            jsonata_core::parser::parse(text)
                .map_err(|e| EvaluatorError::EvaluationError(e.to_string()))?,
        );
        cache.borrow_mut().insert(text.to_string(), Rc::clone(&ast));
        Ok(ast)
    })
}

/// Bytes of strings and items in `value`, counting a value shared in several places each time
/// (as a walk over it works), and stopping once past `cap`. A number, boolean or null counts 8,
/// as much as it may take written out.
pub(crate) fn logical_size(value: &JValue, cap: usize) -> usize {
    weighed_size(value, cap, 8)
}

/// [`logical_size`] with `scalar` for each number, boolean or null.
fn weighed_size(value: &JValue, cap: usize, scalar: usize) -> usize {
    let mut size = 0usize;
    let mut pending = vec![value];
    while let Some(v) = pending.pop() {
        size = size.saturating_add(match v {
            JValue::String(s) => s.len() + 2,
            JValue::Array(items) => {
                pending.extend(items.iter());
                2 + items.len()
            }
            JValue::Object(map) => {
                pending.extend(map.values());
                map.keys().map(|k| k.len() + 4).sum::<usize>() + 2
            }
            _ => scalar,
        });
        if size > cap {
            return size;
        }
    }
    size
}

fn join_size(user: &[JValue], cap: usize) -> usize {
    let separator = match user.get(1) {
        Some(JValue::String(s)) => s.len(),
        _ => 0,
    };
    match user.first() {
        Some(JValue::Array(items)) => {
            let mut size = 0usize;
            for item in items.iter() {
                if let JValue::String(s) = item {
                    size = size.saturating_add(s.len() + separator);
                }
                if size > cap {
                    break;
                }
            }
            size
        }
        Some(JValue::String(s)) => s.len(),
        _ => 0,
    }
}

/// The widest `$pad` could make its string: any number among its arguments may be the width
/// (which one depends on whether the context is taken), and the string is the context or the
/// first argument.
fn pad_size(context: &JValue, user: &[JValue]) -> usize {
    let width = user
        .iter()
        .filter_map(|a| match a {
            JValue::Number(n) if n.is_finite() => Some(n.abs().min(usize::MAX as f64) as usize),
            JValue::Number(_) => Some(usize::MAX),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    let base = [context]
        .into_iter()
        .chain(user.first())
        .map(str_len)
        .max()
        .unwrap_or(0);
    width.saturating_mul(4).max(base)
}

/// The longest `$replace` could make its string: every possible match replaced. A string
/// pattern matches at most `len / pattern_len` times, a regex at most once per character and
/// once at the end. A function replacement is bounded by the time limit instead.
fn replace_size(context: &JValue, user: &[JValue]) -> usize {
    let (subject, pattern, replacement) = match user.first() {
        Some(JValue::String(_)) => (user.first(), user.get(1), user.get(2)),
        _ => (Some(context), user.first(), user.get(1)),
    };
    let len = subject.map(str_len).unwrap_or(0);
    let matches = match pattern {
        Some(JValue::String(p)) if !p.is_empty() => len / p.len(),
        _ => len + 1,
    };
    let replacement = replacement.map(str_len).unwrap_or(0);
    len.saturating_add(matches.saturating_mul(replacement))
}

fn str_len(v: &JValue) -> usize {
    match v {
        JValue::String(s) => s.len(),
        _ => 0,
    }
}

/// `$distinct` in one pass: jsonata-core compares each item with every one kept so far, which
/// a million items turn into hours inside one call. Items are equal here exactly when
/// `functions::array::values_equal` says so (numbers by value, strings by text, arrays item by
/// item, objects by their keys in any order), through a canonical key of each item.
fn distinct(session: &Rc<Session>, context: &JValue, user: &[JValue]) -> HostFnResult {
    let Some(JValue::Array(items)) = user.first() else {
        return delegate(session, "distinct", user, context);
    };
    if items.len() <= 1 {
        return delegate(session, "distinct", user, context);
    }
    let left = session.string_bytes_left();
    if logical_size(&user[0], left) > left {
        return Err(session.trip(format!(
            "$distinct would compare more than the {left} bytes left to this evaluation"
        )));
    }
    let mut seen = std::collections::HashSet::new();
    let mut kept = Vec::new();
    for (index, item) in items.iter().enumerate() {
        if index % 4096 == 4095 {
            session.check_deadline()?;
        }
        let mut key = Vec::new();
        canonical_key(item, index, &mut key);
        if seen.insert(key) {
            kept.push(item.clone());
        }
    }
    let mut result = JValue::array(kept);
    if items.sequence {
        result.mark_sequence();
    }
    Ok(result)
}

/// A byte string equal for two values exactly when `values_equal` holds between them. NaN and
/// values `values_equal` never finds equal (functions, undefined) get the item's index, so they
/// stay distinct.
fn canonical_key(value: &JValue, index: usize, out: &mut Vec<u8>) {
    match value {
        JValue::Null => out.push(b'z'),
        JValue::Bool(b) => out.extend_from_slice(if *b { b"t" } else { b"f" }),
        JValue::Number(n) if n.is_nan() => unique(out, index),
        JValue::Number(n) => {
            out.push(b'n');
            out.extend_from_slice(
                &(if *n == 0.0 { 0.0f64 } else { *n })
                    .to_bits()
                    .to_le_bytes(),
            );
        }
        JValue::String(s) => {
            out.push(b's');
            out.extend_from_slice(&s.len().to_le_bytes());
            out.extend_from_slice(s.as_bytes());
        }
        JValue::Array(items) => {
            out.push(b'[');
            out.extend_from_slice(&items.len().to_le_bytes());
            for item in items.iter() {
                jsonata_core::value::with_stack(|| canonical_key(item, index, out));
            }
        }
        JValue::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push(b'{');
            out.extend_from_slice(&keys.len().to_le_bytes());
            for k in keys {
                out.extend_from_slice(&k.len().to_le_bytes());
                out.extend_from_slice(k.as_bytes());
                jsonata_core::value::with_stack(|| canonical_key(&map[k.as_str()], index, out));
            }
        }
        _ => unique(out, index),
    }
}

fn unique(out: &mut Vec<u8>, index: usize) {
    out.push(b'u');
    out.extend_from_slice(&index.to_le_bytes());
}
