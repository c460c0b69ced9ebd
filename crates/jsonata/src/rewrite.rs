//! The pass over a parsed expression that puts Fluxo's guards in it and records what it uses.
//!
//! - Every string concatenation `a & b` becomes `$__fluxo_concat(a, b)`: the guard checks the
//!   size of both operands (a non-string operand is written as JSON, `$string` style) against
//!   [`crate::Limits::max_string_bytes`] before it joins them, and counts the new string, so a
//!   string doubled in a loop stops at the limit instead of filling the memory.
//! - The built-ins that can build or walk a value much larger than the memory it takes (shared
//!   sub-values are counted again each time) or that run a quadratic loop without a check —
//!   `$string`, `$join`, `$distinct`, `$pad`, `$replace` — are called through guarded host
//!   functions (`crate::guards`). jsonata-core refuses to override a built-in that its bytecode
//!   path compiles (`$string`, `$join`, `$distinct`), so their names are rewritten instead:
//!   a call `$string(x)` becomes `$__fluxo_string_at($, x)`, which also hands over the context
//!   (`$`) that a built-in takes when an argument is left out (`name.$string()`); a reference
//!   `$string` (passed to `$map`) becomes `$__fluxo_string`. An expression that binds one of
//!   these names itself (`$string := ...`) has every occurrence renamed alike, so its own
//!   binding still hides the built-in.
//! - Values built by an array or object constructor, the value of a function written as an
//!   argument of `$map`, `$filter`, `$reduce`, `$sift`, `$each`, `$single` or `$sort`, and the
//!   arguments of every call to a function the expression defines, go through
//!   `$__fluxo_value(...)`, which refuses a value
//!   whose size, counting a shared part each time it appears, is over
//!   [`crate::Limits::max_value_size`]. Sharing lets a value double at each step of a recursion
//!   (`$f({'a': $x, 'b': $x})`) while taking no memory; comparing or walking it would then run
//!   for hours inside one built-in call, out of reach of the time limit.
//! - The names read (variables and functions) are collected, so that an evaluation converts
//!   only the variables the expression mentions and registers only the functions it calls.

use jsonata_core::ast::{AstNode, BinaryOp, PathStep, Stage, StepId};
use jsonata_core::value::with_stack;
use std::collections::BTreeSet;

/// The built-ins called through guards, by their JSONata name.
pub(crate) const GUARDED: [&str; 5] = ["string", "join", "distinct", "pad", "replace"];

/// The guarded built-ins whose signature takes the context for a missing first argument
/// (`-` in `<x-b?:s>`, `<s-ns?:s>`, `<s-(sf)(sf)n?:s>`); `$join` and `$distinct` never do.
const TAKES_CONTEXT: [&str; 3] = ["string", "pad", "replace"];

/// The host function a string concatenation is wrapped in.
pub(crate) const CONCAT_GUARD: &str = "__fluxo_concat";

/// The host function that bounds the size of a built value.
pub(crate) const VALUE_GUARD: &str = "__fluxo_value";

/// The functions of JSONata 2.0.6 (jsonata-js `staticFrame`, plus `$now` and `$millis`) and
/// those Step Functions adds: calls to any other name call a function of the expression.
const BUILTINS: [&str; 72] = [
    "sum",
    "count",
    "max",
    "min",
    "average",
    "string",
    "substring",
    "substringBefore",
    "substringAfter",
    "lowercase",
    "uppercase",
    "length",
    "trim",
    "pad",
    "match",
    "contains",
    "replace",
    "split",
    "join",
    "formatNumber",
    "formatBase",
    "formatInteger",
    "parseInteger",
    "number",
    "floor",
    "ceil",
    "round",
    "abs",
    "sqrt",
    "power",
    "random",
    "boolean",
    "not",
    "map",
    "zip",
    "filter",
    "single",
    "reduce",
    "sift",
    "keys",
    "lookup",
    "append",
    "exists",
    "spread",
    "merge",
    "reverse",
    "each",
    "error",
    "assert",
    "type",
    "sort",
    "shuffle",
    "distinct",
    "base64encode",
    "base64decode",
    "encodeUrlComponent",
    "encodeUrl",
    "decodeUrlComponent",
    "decodeUrl",
    "eval",
    "toMillis",
    "fromMillis",
    "clone",
    "now",
    "millis",
    "partition",
    "range",
    "hash",
    "uuid",
    "parse",
    "__fluxo_concat",
    "__fluxo_value",
];

/// The built-ins that call a function given to them: the value of a function written in
/// their arguments is measured (a `$reduce` accumulator grows through it).
const HIGHER_ORDER: [&str; 7] = ["map", "filter", "reduce", "sift", "each", "single", "sort"];

/// Measures the value of `node`'s body when `node` is a function definition.
fn bound_lambda_body(node: &mut AstNode, names: &mut BTreeSet<String>) {
    if let AstNode::Lambda { body, .. } = node {
        bounded(body, names);
    }
}

/// Whether `node` is a literal, whose size is its text's.
fn is_literal(node: &AstNode) -> bool {
    matches!(
        node,
        AstNode::String(_)
            | AstNode::Number(_)
            | AstNode::Boolean(_)
            | AstNode::Null
            | AstNode::Placeholder
    )
}

/// `$__fluxo_value(node)`, unless `node` is a literal.
fn bounded(node: &mut AstNode, names: &mut BTreeSet<String>) {
    if is_literal(node) {
        return;
    }
    let inner = std::mem::replace(node, AstNode::Null);
    names.insert(VALUE_GUARD.to_string());
    *node = AstNode::Function {
        name: VALUE_GUARD.to_string(),
        args: vec![inner],
        is_builtin: true,
    };
}

/// `__fluxo_<name>`: the guarded built-in called with the caller's own arguments.
pub(crate) fn plain_name(builtin: &str) -> String {
    format!("__fluxo_{builtin}")
}

/// `__fluxo_<name>_at`: the guarded built-in whose first argument is the context (`$`).
pub(crate) fn at_name(builtin: &str) -> String {
    format!("__fluxo_{builtin}_at")
}

/// The original name of a renamed identifier (`__fluxo_string` → `string`), for binding a
/// workflow variable of that name under its new one.
pub(crate) fn original_name(name: &str) -> &str {
    GUARDED
        .iter()
        .find(|g| name.strip_prefix("__fluxo_") == Some(g))
        .copied()
        .unwrap_or(name)
}

/// Rewrites `ast` in place and returns every name it reads or calls (after renaming).
///
/// Errors: the operators JSONata 2.1 added, `??` and `?:`, which jsonata-core parses but
/// JSONata 2.0.6 (AWS's version) does not: jsonata-js 2.0.6 reports `S0211: The symbol "?"
/// cannot be used as a unary operator` (for `:` with `?:`), so this does too.
pub(crate) fn rewrite(ast: &mut AstNode) -> Result<BTreeSet<String>, String> {
    let mut bound = BTreeSet::new();
    collect_bound(ast, &mut bound)?;
    let mut pass = Pass {
        bound_guarded: bound,
        names: BTreeSet::new(),
    };
    pass.node(ast);
    Ok(pass.names)
}

/// Names the expression binds itself: `:=` targets, lambda parameters, `@$v` and `#$i`; and the
/// 2.1 operators, refused.
fn collect_bound(node: &AstNode, out: &mut BTreeSet<String>) -> Result<(), String> {
    match node {
        AstNode::Binary {
            op: BinaryOp::Coalesce,
            ..
        } => return Err("S0211: The symbol \"?\" cannot be used as a unary operator".into()),
        AstNode::Binary {
            op: BinaryOp::Default,
            ..
        } => return Err("S0211: The symbol \":\" cannot be used as a unary operator".into()),
        _ => {}
    }
    if let AstNode::Binary {
        op: BinaryOp::ColonEqual,
        lhs,
        ..
    } = node
    {
        if let AstNode::Variable(name) = lhs.as_ref() {
            out.insert(name.clone());
        }
    }
    if let AstNode::Lambda { params, .. } = node {
        out.extend(params.iter().cloned());
    }
    if let AstNode::Path { steps } = node {
        for step in steps {
            out.extend(step.focus.iter().chain(step.index_var.iter()).cloned());
            for stage in &step.stages {
                if let Stage::Index(name) = stage {
                    out.insert(name.clone());
                }
            }
        }
    }
    let mut result = Ok(());
    with_stack(|| {
        for_each_child(node, &mut |child| {
            if result.is_ok() {
                result = collect_bound(child, out);
            }
        })
    });
    result
}

struct Pass {
    /// Names the expression binds itself (only the guarded ones matter).
    bound_guarded: BTreeSet<String>,
    names: BTreeSet<String>,
}

impl Pass {
    fn is_guarded(name: &str) -> bool {
        GUARDED.contains(&name)
    }

    /// The new name of an identifier in a binding or a reference.
    fn renamed(&self, name: &str) -> String {
        if Self::is_guarded(name) {
            plain_name(name)
        } else {
            name.to_string()
        }
    }

    fn node(&mut self, node: &mut AstNode) {
        with_stack(|| self.node_inner(node));
    }

    fn node_inner(&mut self, node: &mut AstNode) {
        match node {
            AstNode::Variable(name) if !name.is_empty() => {
                *name = self.renamed(name);
                self.names.insert(name.clone());
            }
            AstNode::Function {
                name,
                args,
                is_builtin,
            } => {
                let hidden_context = *is_builtin
                    && TAKES_CONTEXT.contains(&name.as_str())
                    && !self.bound_guarded.contains(name.as_str());
                if hidden_context {
                    *name = at_name(name);
                    args.insert(0, AstNode::Variable(String::new()));
                } else if *is_builtin {
                    // `string(x)`, without `$`, stays as written: jsonata's T1005 error.
                    *name = self.renamed(name);
                }
                self.names.insert(name.clone());
                args.iter_mut().for_each(|a| self.node(a));
                let user_function =
                    !BUILTINS.contains(&name.as_str()) && !name.starts_with("__fluxo_");
                if user_function {
                    args.iter_mut().for_each(|a| bounded(a, &mut self.names));
                }
                if *is_builtin && HIGHER_ORDER.contains(&name.as_str()) {
                    args.iter_mut()
                        .for_each(|a| bound_lambda_body(a, &mut self.names));
                }
            }
            AstNode::Call { procedure, args } => {
                self.node(procedure);
                args.iter_mut().for_each(|a| self.node(a));
                args.iter_mut().for_each(|a| bounded(a, &mut self.names));
            }
            // `a.[[x]]`: the step's array of arrays, whose items keep their node type too.
            AstNode::ArrayGroup(items) => self.array_items(items),
            AstNode::Array(items) if !items.iter().all(is_literal) => {
                self.array_items(items);
                bounded(node, &mut self.names);
            }
            AstNode::Object(pairs) if !pairs.iter().all(|(_, v)| is_literal(v)) => {
                for (k, v) in pairs.iter_mut() {
                    self.node(k);
                    self.node(v);
                }
                bounded(node, &mut self.names);
            }
            // `x ~> $f(a)` calls `$f(x, a)`: the pipe gives the first argument, so a guarded
            // built-in on the right takes no hidden context.
            AstNode::Binary {
                op: BinaryOp::ChainPipe,
                lhs,
                rhs,
            } => {
                self.node(lhs);
                if let AstNode::Function { name, args, .. } = rhs.as_mut() {
                    if Self::is_guarded(name) {
                        *name = plain_name(name);
                        self.names.insert(name.clone());
                        args.iter_mut().for_each(|a| self.node(a));
                        return;
                    }
                }
                self.node(rhs);
            }
            AstNode::Binary {
                op: BinaryOp::Concatenate,
                lhs,
                rhs,
            } => {
                let mut args = vec![
                    std::mem::replace(lhs.as_mut(), AstNode::Null),
                    std::mem::replace(rhs.as_mut(), AstNode::Null),
                ];
                args.iter_mut().for_each(|a| self.node(a));
                self.names.insert(CONCAT_GUARD.to_string());
                *node = AstNode::Function {
                    name: CONCAT_GUARD.to_string(),
                    args,
                    is_builtin: true,
                };
            }
            AstNode::Lambda { params, .. } => {
                for p in params.iter_mut() {
                    *p = self.renamed(p);
                }
                for_each_child_mut(node, &mut |child| self.node(child));
            }
            AstNode::Path { steps } => {
                for step in steps.iter_mut() {
                    self.step(step);
                }
            }
            _ => for_each_child_mut(node, &mut |child| self.node(child)),
        }
    }

    /// The items of an array constructor. An item that is itself an array constructor is kept
    /// one (jsonata nests it instead of flattening it, by its node type); the outer
    /// constructor's guard measures it.
    fn array_items(&mut self, items: &mut [AstNode]) {
        for item in items.iter_mut() {
            match item {
                AstNode::Array(inner) => with_stack(|| self.array_items(inner)),
                other => self.node(other),
            }
        }
    }

    fn step(&mut self, step: &mut PathStep) {
        // The step changes, so it gets a new identity (jsonata-core caches compiled step
        // bodies by it).
        step.id = StepId::default();
        for name in step.focus.iter_mut().chain(step.index_var.iter_mut()) {
            *name = self.renamed(name);
        }
        match &mut step.node {
            // A constructor as a step keeps its own step semantics (an array step is not
            // flattened, an object step groups), which hang on the node's type: its parts are
            // rewritten, the constructor is not wrapped.
            AstNode::Array(items) => self.array_items(items),
            AstNode::Object(pairs) => pairs.iter_mut().for_each(|(k, v)| {
                self.node(k);
                self.node(v);
            }),
            other => self.node(other),
        }
        for stage in step.stages.iter_mut() {
            match stage {
                Stage::Filter(expr) => self.node(expr),
                Stage::Index(name) => *name = self.renamed(name),
                Stage::KeepArray => {}
            }
        }
    }
}

/// Calls `f` on each direct child expression of `node` (path steps and their stages included).
fn for_each_child(node: &AstNode, f: &mut dyn FnMut(&AstNode)) {
    match node {
        AstNode::Path { steps } => {
            for step in steps {
                f(&step.node);
                for stage in &step.stages {
                    if let Stage::Filter(e) = stage {
                        f(e);
                    }
                }
            }
        }
        AstNode::Binary { lhs, rhs, .. } => {
            f(lhs);
            f(rhs);
        }
        AstNode::Unary { operand, .. } => f(operand),
        AstNode::Function { args, .. } => args.iter().for_each(f),
        AstNode::Call { procedure, args } => {
            f(procedure);
            args.iter().for_each(f);
        }
        AstNode::Lambda { body, .. } => f(body),
        AstNode::Array(items) | AstNode::Block(items) | AstNode::ArrayGroup(items) => {
            items.iter().for_each(f)
        }
        AstNode::Object(pairs) => pairs.iter().for_each(|(k, v)| {
            f(k);
            f(v);
        }),
        AstNode::ObjectTransform { input, pattern } => {
            f(input);
            pattern.iter().for_each(|(k, v)| {
                f(k);
                f(v);
            });
        }
        AstNode::Conditional {
            condition,
            then_branch,
            else_branch,
        } => {
            f(condition);
            f(then_branch);
            if let Some(e) = else_branch {
                f(e);
            }
        }
        AstNode::FunctionApplication(inner) => f(inner),
        AstNode::Sort { input, terms } => {
            f(input);
            terms.iter().for_each(|(t, _)| f(t));
        }
        AstNode::Transform {
            location,
            update,
            delete,
        } => {
            f(location);
            f(update);
            if let Some(d) = delete {
                f(d);
            }
        }
        _ => {}
    }
}

/// [`for_each_child`] with mutable children. Path steps are handled by the pass itself.
fn for_each_child_mut(node: &mut AstNode, f: &mut dyn FnMut(&mut AstNode)) {
    match node {
        AstNode::Binary { lhs, rhs, .. } => {
            f(lhs);
            f(rhs);
        }
        AstNode::Unary { operand, .. } => f(operand),
        AstNode::Function { args, .. } => args.iter_mut().for_each(f),
        AstNode::Call { procedure, args } => {
            f(procedure);
            args.iter_mut().for_each(f);
        }
        AstNode::Lambda { body, .. } => f(body),
        AstNode::Array(items) | AstNode::Block(items) | AstNode::ArrayGroup(items) => {
            items.iter_mut().for_each(f)
        }
        AstNode::Object(pairs) => pairs.iter_mut().for_each(|(k, v)| {
            f(k);
            f(v);
        }),
        AstNode::ObjectTransform { input, pattern } => {
            f(input);
            pattern.iter_mut().for_each(|(k, v)| {
                f(k);
                f(v);
            });
        }
        AstNode::Conditional {
            condition,
            then_branch,
            else_branch,
        } => {
            f(condition);
            f(then_branch);
            if let Some(e) = else_branch {
                f(e);
            }
        }
        AstNode::FunctionApplication(inner) => f(inner),
        AstNode::Sort { input, terms } => {
            f(input);
            terms.iter_mut().for_each(|(t, _)| f(t));
        }
        AstNode::Transform {
            location,
            update,
            delete,
        } => {
            f(location);
            f(update);
            if let Some(d) = delete {
                f(d);
            }
        }
        _ => {}
    }
}
