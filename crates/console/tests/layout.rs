//! The graph layout of every definition in the conformance corpus
//! (`../shared/conformance/cases/**.json`, field `definition`) and of the examples: no two nodes
//! overlap and no edge passes through a node. The check runs in Node over the page's own layout
//! modules (`assets/js/graph/`) and vendored elkjs: no npm install needed, only `node`.

use std::path::PathBuf;
use std::process::Command;

fn required() -> bool {
    std::env::var_os("CI").is_some() || std::env::var_os("FLUXO_REQUIRE_CLIENTS").is_some()
}

#[test]
fn no_overlaps_and_no_edge_through_a_node() {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let root = crate_dir.join("../..");
    let corpus = root.join("../shared/conformance/cases");
    let node_found = Command::new("node").arg("--version").output().is_ok();
    if !node_found {
        assert!(
            !required(),
            "node is missing and CI/FLUXO_REQUIRE_CLIENTS is set"
        );
        eprintln!("notice: node is missing; the layout test is skipped");
        return;
    }
    let mut command = Command::new("node");
    command
        .arg(crate_dir.join("tests/layout/check-layouts.mjs"))
        .arg(root.join("examples"));
    if corpus.is_dir() {
        command.arg(&corpus);
    } else {
        assert!(
            !required(),
            "{} is missing and CI/FLUXO_REQUIRE_CLIENTS is set",
            corpus.display()
        );
        eprintln!(
            "notice: {} is missing; only the examples are laid out",
            corpus.display()
        );
    }
    let output = command.output().expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    print!("{stdout}");
    eprint!("{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "layout problems (see above)");
    let checked = stdout
        .lines()
        .find_map(|line| {
            line.strip_prefix("layout: ")?
                .split(" passed")
                .next()?
                .parse::<usize>()
                .ok()
        })
        .expect("a closing line");
    let expected = if corpus.is_dir() { 800 } else { 10 };
    assert!(
        checked >= expected,
        "only {checked} definitions were laid out"
    );
}
