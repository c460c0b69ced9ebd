//! Unit tests of the page's pure modules (history analysis, data flow, JSON positions, Choice
//! rules in words, the graph model, the palette), run by Node's test runner over
//! `tests/unit/modules.test.mjs`. Needs only `node`.

use std::path::PathBuf;
use std::process::Command;

#[test]
fn the_page_modules_pass_their_unit_tests() {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    if Command::new("node").arg("--version").output().is_err() {
        let required =
            std::env::var_os("CI").is_some() || std::env::var_os("FLUXO_REQUIRE_CLIENTS").is_some();
        assert!(
            !required,
            "node is missing and CI/FLUXO_REQUIRE_CLIENTS is set"
        );
        eprintln!("notice: node is missing; the page's unit tests are skipped");
        return;
    }
    let output = Command::new("node")
        .arg("--test")
        .arg(crate_dir.join("tests/unit/modules.test.mjs"))
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    print!("{stdout}");
    eprint!("{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "a unit test of the page failed");
    assert!(stdout.contains("# pass 6"), "not every unit test ran");
}
