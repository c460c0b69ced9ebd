//! The house rule "small files and functions with one concern", checked so that it cannot
//! drift: every Rust file of the workspace (sources, tests, examples, fuzz targets) stays under
//! [`MAX_FILE_LINES`] lines and every function (free, method, trait default, nested) under
//! [`MAX_FN_LINES`]. Data that is long by nature (recorded cases, tables) lives in JSON files
//! beside the code, not in Rust.
//!
//! A file or function that must grow past a limit is split by concern; the failure names each
//! offender with its size so the fix starts from the list.

use std::path::{Path, PathBuf};
use syn::spanned::Spanned;
use syn::visit::Visit;

/// The most lines a Rust file may have.
const MAX_FILE_LINES: usize = 600;
/// The most lines a function may have, from its signature to its closing brace.
const MAX_FN_LINES: usize = 120;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `.rs` file under `dir`, skipping build output and vendored material.
fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path.is_dir() {
            if !matches!(
                name.as_ref(),
                "target" | "node_modules" | "corpus" | "artifacts"
            ) && !name.starts_with('.')
            {
                rust_files(&path, found);
            }
        } else if name.ends_with(".rs") {
            found.push(path);
        }
    }
}

/// Collects the functions longer than the limit, with their line counts.
struct LongFunctions<'a> {
    file: &'a str,
    found: Vec<String>,
}

impl LongFunctions<'_> {
    fn check(&mut self, name: &syn::Ident, span: proc_macro2::Span) {
        let lines = span.end().line.saturating_sub(span.start().line) + 1;
        if lines > MAX_FN_LINES {
            self.found.push(format!(
                "{}:{} fn {name}: {lines} lines (limit {MAX_FN_LINES})",
                self.file,
                span.start().line
            ));
        }
    }
}

impl<'ast> Visit<'ast> for LongFunctions<'_> {
    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        self.check(&item.sig.ident, item.span());
        syn::visit::visit_item_fn(self, item);
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        self.check(&item.sig.ident, item.span());
        syn::visit::visit_impl_item_fn(self, item);
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        if item.default.is_some() {
            self.check(&item.sig.ident, item.span());
        }
        syn::visit::visit_trait_item_fn(self, item);
    }
}

#[test]
fn files_and_functions_stay_small() {
    let root = root();
    let mut files = Vec::new();
    for dir in ["crates", "fuzz"] {
        rust_files(&root.join(dir), &mut files);
    }
    files.sort();
    assert!(
        files.len() > 100,
        "expected the workspace's Rust files, found {}",
        files.len()
    );
    let mut offenders = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let shown = path
            .strip_prefix(&root)
            .unwrap_or(path)
            .display()
            .to_string();
        let lines = text.lines().count();
        if lines > MAX_FILE_LINES {
            offenders.push(format!("{shown}: {lines} lines (limit {MAX_FILE_LINES})"));
        }
        let syntax = syn::parse_file(&text)
            .unwrap_or_else(|error| panic!("{shown} does not parse: {error}"));
        let mut visitor = LongFunctions {
            file: &shown,
            found: Vec::new(),
        };
        visitor.visit_file(&syntax);
        offenders.extend(visitor.found);
    }
    assert!(
        offenders.is_empty(),
        "{} files or functions are over the limits:\n{}",
        offenders.len(),
        offenders.join("\n")
    );
}

#[test]
fn a_long_function_is_found() {
    let body = "    let x = 1;\n".repeat(MAX_FN_LINES);
    let text = format!("impl A {{\n    fn long() {{\n{body}    }}\n    fn short() {{}}\n}}\n");
    let syntax = syn::parse_file(&text).unwrap();
    let mut visitor = LongFunctions {
        file: "a.rs",
        found: Vec::new(),
    };
    visitor.visit_file(&syntax);
    assert_eq!(visitor.found.len(), 1, "{:?}", visitor.found);
    assert!(visitor.found[0].starts_with("a.rs:2 fn long: 122 lines"));
}
