//! The console in a real browser: a real `fluxo server` (random loopback port, temporary data
//! directory, the document-validation example's functions as Python workers) driven by
//! Playwright (playwright-core from npm) over Debian's chromium (`/usr/bin/chromium`, never a
//! downloaded browser). The steps are in `crates/console/tests/browser/run.mjs`; screenshots and
//! the measured first-load cost go to `target/console-screenshots/` (`report.json`).
//!
//! Needs `node`, chromium and `npm ci` in `crates/console/tests/browser` (`.ci/run` does all
//! three). Without them the test fails under `CI` or `FLUXO_REQUIRE_CLIENTS`, and otherwise
//! prints a notice and passes.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn required() -> bool {
    std::env::var_os("CI").is_some() || std::env::var_os("FLUXO_REQUIRE_CLIENTS").is_some()
}

/// What is missing to run the browser test, if anything.
fn missing(tests: &Path) -> Option<String> {
    let chromium =
        PathBuf::from(std::env::var("FLUXO_CHROMIUM").unwrap_or("/usr/bin/chromium".into()));
    if Command::new("node").arg("--version").output().is_err() {
        return Some("node".into());
    }
    if !chromium.exists() {
        return Some(format!("{} (apt-get install chromium)", chromium.display()));
    }
    if !tests.join("node_modules/playwright-core").is_dir() {
        return Some(format!("{}/node_modules (npm ci)", tests.display()));
    }
    None
}

struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `fluxo server` on a free port; returns it with its base URL and its log lines.
fn start_server(
    data: &Path,
) -> (
    Server,
    String,
    std::sync::Arc<std::sync::Mutex<Vec<String>>>,
) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fluxo"))
        .args(["server", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data)
        .arg("--config")
        .arg("examples/document-validation/fluxo.toml")
        .current_dir(root())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("fluxo server starts");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let first = lines.next().expect("a first line").expect("readable");
    let base = first
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {first:?}"))
        .to_string();
    let log = std::sync::Arc::new(std::sync::Mutex::new(vec![first]));
    let kept = log.clone();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            kept.lock().unwrap().push(line);
        }
    });
    (Server(child), base, log)
}

#[test]
fn the_console_works_in_a_real_browser() {
    let tests = root().join("crates/console/tests/browser");
    if let Some(what) = missing(&tests) {
        assert!(
            !required(),
            "the browser test needs {what}, and CI/FLUXO_REQUIRE_CLIENTS is set"
        );
        eprintln!("notice: the console's browser test is skipped: {what} is missing");
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let (_server, base, log) = start_server(data.path());
    let shots = root().join("target/console-screenshots");
    let _ = std::fs::remove_dir_all(&shots);
    let mut node = Command::new("node")
        .arg("run.mjs")
        .arg(&base)
        .arg(&shots)
        .arg(root())
        .current_dir(&tests)
        .spawn()
        .expect("node runs");
    // Every step has its own time limits; this bounds the whole run.
    let deadline = Instant::now() + Duration::from_secs(900);
    let status = loop {
        if let Some(status) = node.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = node.kill();
            panic!("the browser test ran for more than 15 minutes");
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(
        status.success(),
        "the browser test failed (see above); server log:\n{}",
        log.lock().unwrap().join("\n")
    );
    let report = std::fs::read_to_string(shots.join("report.json")).expect("a report");
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    let screenshots = report["screenshots"].as_array().unwrap();
    assert!(screenshots.len() >= 19, "{report}");
    for shot in screenshots {
        let file = shots.join(shot["file"].as_str().unwrap());
        assert!(std::fs::metadata(&file).unwrap().len() > 1000, "{file:?}");
    }
    assert!(report["firstLoad"]["transferredBytes"].as_u64().unwrap() > 0);
}
