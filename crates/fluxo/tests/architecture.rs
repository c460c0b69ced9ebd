//! ARCHITECTURE.md's crate table is the map newcomers read first: every crate has a row, and
//! its "may depend on" column is exactly the set of Fluxo crates its manifest depends on, so
//! the map cannot drift from the code.

use std::collections::BTreeSet;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `fluxo-*` crates in a manifest's `[dependencies]` (not dev-dependencies), without the
/// `fluxo-` prefix.
fn fluxo_dependencies(manifest: &str) -> BTreeSet<String> {
    let mut in_dependencies = false;
    let mut found = BTreeSet::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_dependencies = line == "[dependencies]";
        } else if in_dependencies {
            if let Some(name) = line.strip_prefix("fluxo-") {
                let name = name.split(['.', ' ', '=']).next().unwrap_or_default();
                found.insert(name.to_string());
            }
        }
    }
    found
}

/// Crate folder → the crates its row allows, from the table's rows `| `crates/X` … | a, b |`.
fn table() -> Vec<(String, BTreeSet<String>)> {
    let text = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    text.lines()
        .filter_map(|line| {
            let folder = line
                .strip_prefix("| `crates/")?
                .split('`')
                .next()?
                .to_string();
            let allowed = line.trim_end_matches('|').rsplit('|').next()?;
            let allowed = allowed
                .split(',')
                .map(str::trim)
                .filter(|name| !name.is_empty() && !name.starts_with('—'))
                .map(str::to_string)
                .collect();
            Some((folder, allowed))
        })
        .collect()
}

#[test]
fn every_crate_depends_on_exactly_what_the_architecture_table_allows() {
    let rows = table();
    let mut folders: Vec<String> = std::fs::read_dir(root().join("crates"))
        .unwrap()
        .map(|entry| entry.unwrap())
        .filter(|entry| entry.path().join("Cargo.toml").exists())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    let mut problems = Vec::new();
    for folder in &folders {
        let Some((_, allowed)) = rows.iter().find(|(name, _)| name == folder) else {
            problems.push(format!("crates/{folder} has no row in ARCHITECTURE.md"));
            continue;
        };
        let manifest =
            std::fs::read_to_string(root().join("crates").join(folder).join("Cargo.toml")).unwrap();
        let actual = fluxo_dependencies(&manifest);
        if &actual != allowed {
            problems.push(format!(
                "crates/{folder}: the manifest depends on {actual:?}, the table says {allowed:?}"
            ));
        }
    }
    for (name, _) in &rows {
        if !folders.contains(name) {
            problems.push(format!(
                "ARCHITECTURE.md has a row for crates/{name}, which does not exist"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_manifest_reader_sees_only_normal_dependencies() {
    let manifest = "[dependencies]\nfluxo-asl.workspace = true\nserde = \"1\"\nfluxo-store = { path = \"x\" }\n[dev-dependencies]\nfluxo-engine.workspace = true\n";
    assert_eq!(
        fluxo_dependencies(manifest),
        BTreeSet::from(["asl".to_string(), "store".to_string()])
    );
}

/// Every dependency of every crate is declared once, in the root's `[workspace.dependencies]`,
/// so versions cannot drift between crates.
#[test]
fn every_dependency_comes_from_the_workspace() {
    let mut problems = Vec::new();
    for entry in std::fs::read_dir(root().join("crates")).unwrap() {
        let manifest = entry.unwrap().path().join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&manifest) else {
            continue;
        };
        let mut in_dependencies = false;
        for line in text.lines().map(str::trim) {
            if line.starts_with('[') {
                in_dependencies = line.ends_with("dependencies]");
            } else if in_dependencies
                && !line.is_empty()
                && !line.starts_with('#')
                && !line.contains("workspace = true")
            {
                problems.push(format!("{}: {line}", manifest.display()));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "not from the workspace:\n{}",
        problems.join("\n")
    );
}
