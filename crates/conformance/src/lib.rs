//! The conformance runner: runs the recorded-AWS corpus (`cases/<group>/<case>.json`) against
//! the engine and compares status, output, error, cause and history with what AWS recorded.
//!
//! Each case runs on a thread of its own with its own single-threaded tokio runtime: a paused
//! clock for cases that need only the engine (Wait states and back-offs are instant), a real
//! clock for cases that call functions. A pool of `jobs` workers hands cases out and waits for
//! each at most [`CASE_WALL_LIMIT`], so a hung case fails instead of hanging the run; a panic
//! fails only its case. How values and histories are compared: [`matching`], [`history`].
//!
//! Skipped: a case whose `requires` names something not built, and a definition the compiler
//! refuses with `UNSUPPORTED_FEATURE` (none today), found by the diagnostic code so the
//! case runs as soon as the feature lands. The `api` and `express` groups, recorded through
//! DescribeExecution and StartSyncExecution, run as Standard or Express executions on the
//! engine: their expectations are the final status and output, which the engine produces
//! as the API server would return them.

mod case;
mod compare;
mod execute;
mod functions;
pub mod history;
pub mod matching;

use case::Case;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex};
use std::time::Duration;

/// How long the pool waits for one case, whatever its clock.
pub const CASE_WALL_LIMIT: Duration = Duration::from_secs(240);

pub struct Options {
    /// The folder holding `cases/` and `functions/`.
    pub dir: PathBuf,
    pub jobs: usize,
    /// Only cases whose `<group>/<case>` name contains this text.
    pub filter: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Passed,
    Failed,
    Skipped,
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    /// `<group>/<case>`.
    pub name: String,
    pub result: Verdict,
    /// The first difference of a failed case, the reason of a skipped one.
    pub detail: String,
}

impl CaseResult {
    fn new(name: String, result: Verdict, detail: impl Into<String>) -> Self {
        CaseResult {
            name,
            result,
            detail: detail.into(),
        }
    }
}

/// Every case's result; serialises as `{"cases": [{name, result, detail}]}`.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub cases: Vec<CaseResult>,
}

impl Report {
    pub fn count(&self, verdict: Verdict) -> usize {
        self.cases
            .iter()
            .filter(|case| case.result == verdict)
            .count()
    }

    /// Passed, failed and skipped counts per group.
    pub fn groups(&self) -> BTreeMap<&str, [usize; 3]> {
        let mut groups: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
        for case in &self.cases {
            let group = case.name.split('/').next().unwrap_or_default();
            let counts = groups.entry(group).or_default();
            let column = match case.result {
                Verdict::Passed => 0,
                Verdict::Failed => 1,
                Verdict::Skipped => 2,
            };
            counts[column] += 1;
        }
        groups
    }

    /// A table per group, then `conformance: N passed, M failed, K skipped`.
    pub fn summary(&self) -> String {
        let mut text = format!(
            "{:<22} {:>7} {:>7} {:>8}\n",
            "group", "passed", "failed", "skipped"
        );
        for (group, [passed, failed, skipped]) in self.groups() {
            text.push_str(&format!(
                "{group:<22} {passed:>7} {failed:>7} {skipped:>8}\n"
            ));
        }
        text.push_str(&format!(
            "conformance: {} passed, {} failed, {} skipped",
            self.count(Verdict::Passed),
            self.count(Verdict::Failed),
            self.count(Verdict::Skipped)
        ));
        text
    }
}

/// Runs every case under `options.dir/cases`, `options.jobs` at a time. Fails only when the
/// corpus cannot be listed: a case that fails, hangs or panics is reported in its result.
pub fn run(options: &Options) -> anyhow::Result<Report> {
    let cases_dir = options.dir.join("cases");
    let mut files = Vec::new();
    for group in std::fs::read_dir(&cases_dir)
        .map_err(|e| anyhow::anyhow!("cannot list {}: {e}", cases_dir.display()))?
    {
        let group = group?.path();
        if !group.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&group)? {
            let file = file?.path();
            if file.extension().is_some_and(|ext| ext == "json") {
                files.push(file);
            }
        }
    }
    files.sort();
    if let Some(filter) = &options.filter {
        files.retain(|file| case::name_from_path(file).contains(filter.as_str()));
    }
    let functions_dir = options.dir.join("functions");
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::with_capacity(files.len()));
    std::thread::scope(|scope| {
        for _ in 0..options.jobs.max(1) {
            scope.spawn(|| {
                while let Some(file) = files.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let result = run_with_limit(file, &functions_dir);
                    results
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(result);
                }
            });
        }
    });
    let mut cases = results.into_inner().unwrap_or_else(|e| e.into_inner());
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Report { cases })
}

/// Runs a case on a thread of its own, see [`isolated`].
fn run_with_limit(file: &Path, functions_dir: &Path) -> CaseResult {
    let name = case::name_from_path(file);
    let (file, functions_dir) = (file.to_path_buf(), functions_dir.to_path_buf());
    isolated(name, CASE_WALL_LIMIT, move || {
        run_file(&file, &functions_dir)
    })
}

/// Runs `work` on a thread of its own and waits at most `limit` for it; a panic fails the case
/// with its message. A case that overruns is left running detached: a thread cannot be stopped
/// from outside, and the run must go on.
fn isolated(
    name: String,
    limit: Duration,
    work: impl FnOnce() -> CaseResult + Send + 'static,
) -> CaseResult {
    let (sender, receiver) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name(name.clone())
        // Engine and comparison recurse over nested definitions and long histories.
        .stack_size(64 << 20)
        .spawn(move || {
            // The receiver is gone only when the pool gave up on this case.
            let _ = sender.send(work());
        });
    let handle = match spawned {
        Ok(handle) => handle,
        Err(error) => {
            return CaseResult::new(name, Verdict::Failed, format!("no thread: {error}"));
        }
    };
    match receiver.recv_timeout(limit) {
        Ok(result) => {
            let _ = handle.join();
            result
        }
        Err(mpsc::RecvTimeoutError::Timeout) => CaseResult::new(
            name,
            Verdict::Failed,
            format!("did not finish within {limit:?} (wall clock)"),
        ),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            let detail = match handle.join() {
                Err(panic) => format!("panicked: {}", panic_message(panic.as_ref())),
                Ok(()) => "ended without a result".to_string(),
            };
            CaseResult::new(name, Verdict::Failed, detail)
        }
    }
}

/// Loads, runs and judges one case.
fn run_file(file: &Path, functions_dir: &Path) -> CaseResult {
    let case = match Case::load(file) {
        Ok(case) => case,
        Err(error) => {
            return CaseResult::new(
                case::name_from_path(file),
                Verdict::Failed,
                format!("unreadable case: {error}"),
            )
        }
    };
    let (verdict, detail) = judge(&case, functions_dir);
    CaseResult::new(case.name, verdict, detail)
}

fn judge(case: &Case, functions_dir: &Path) -> (Verdict, String) {
    if let Some(reason) = case.missing_requirement() {
        return (Verdict::Skipped, reason);
    }
    let machine = match fluxo_asl::compile(&case.definition) {
        Ok(machine) => machine,
        Err(diagnostics) => {
            // Detected by code, not by reading the definition, so a case runs as soon as the
            // feature it needs is built.
            if let Some(unsupported) = diagnostics.iter().find(|d| d.code == "UNSUPPORTED_FEATURE")
            {
                return (
                    Verdict::Skipped,
                    format!("not supported yet: {}", unsupported.message),
                );
            }
            let lines: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
            return (
                Verdict::Failed,
                format!("definition rejected: {}", lines.join("; ")),
            );
        }
    };
    let mut actual = match execute::run(case, machine, functions_dir) {
        Ok(actual) => actual,
        Err(error) => return (Verdict::Failed, error),
    };
    match compare::compare(case, &mut actual) {
        None => (Verdict::Passed, String::new()),
        Some(difference) => (Verdict::Failed, difference),
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "(no message)".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus(cases: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temporary folder");
        for (name, text) in cases {
            let file = dir.path().join("cases").join(format!("{name}.json"));
            std::fs::create_dir_all(file.parent().expect("a parent")).expect("folder");
            std::fs::write(file, text).expect("written");
        }
        std::fs::write(dir.path().join("cases/index.json"), "[]").expect("written");
        dir
    }

    const PASS: &str = r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}"#;

    #[test]
    fn cases_pass_fail_and_skip_with_reasons() {
        let dir = corpus(&[
            (
                "base/passes",
                &format!(
                    r#"{{"definition": {PASS}, "input": {{"a": 1}}, "expect": {{"status": "SUCCEEDED", "output": {{"a": 1}}}}}}"#
                ),
            ),
            (
                "base/fails",
                &format!(
                    r#"{{"definition": {PASS}, "input": {{"a": 1}}, "expect": {{"status": "SUCCEEDED", "output": {{"a": 2}}}}}}"#
                ),
            ),
            (
                "base/needs",
                &format!(
                    r#"{{"definition": {PASS}, "expect": {{"status": "SUCCEEDED"}}, "requires": ["activities"]}}"#
                ),
            ),
            ("other/broken", "{"),
        ]);
        let report = run(&Options {
            dir: dir.path().to_path_buf(),
            jobs: 2,
            filter: None,
        })
        .expect("runs");
        let results: Vec<(&str, Verdict, &str)> = report
            .cases
            .iter()
            .map(|c| (c.name.as_str(), c.result, c.detail.as_str()))
            .collect();
        assert_eq!(
            results,
            vec![
                (
                    "base/fails",
                    Verdict::Failed,
                    "expect.output.a: expected 2, got 1"
                ),
                (
                    "base/needs",
                    Verdict::Skipped,
                    "needs activities, not built yet"
                ),
                ("base/passes", Verdict::Passed, ""),
                (
                    "other/broken",
                    Verdict::Failed,
                    "unreadable case: EOF while parsing an object at line 1 column 1"
                ),
            ]
        );
        assert_eq!(
            report.summary(),
            "group                   passed  failed  skipped\n\
             base                         1       1        1\n\
             other                        0       1        0\n\
             conformance: 1 passed, 2 failed, 1 skipped"
        );
        let json = serde_json::to_value(&report).expect("serialises");
        assert_eq!(json["cases"][2]["result"], "passed");
    }

    #[test]
    fn the_filter_selects_by_case_name() {
        let dir = corpus(&[("base/one", "{}"), ("base/two", "{}")]);
        let report = run(&Options {
            dir: dir.path().to_path_buf(),
            jobs: 1,
            filter: Some("base/tw".into()),
        })
        .expect("runs");
        assert_eq!(report.cases.len(), 1);
        assert_eq!(report.cases[0].name, "base/two");
    }

    #[test]
    fn a_missing_corpus_is_an_error() {
        let dir = tempfile::tempdir().expect("temporary folder");
        assert!(run(&Options {
            dir: dir.path().join("nothing"),
            jobs: 1,
            filter: None,
        })
        .is_err());
    }

    #[test]
    fn a_panic_or_a_hang_fails_only_its_case() {
        let panicked = isolated("g/p".into(), Duration::from_secs(10), || {
            panic!("engine bug {}", 7)
        });
        assert_eq!(panicked.result, Verdict::Failed);
        assert_eq!(panicked.detail, "panicked: engine bug 7");
        let hung = isolated("g/h".into(), Duration::from_millis(50), || {
            std::thread::sleep(Duration::from_secs(2));
            CaseResult::new("g/h".into(), Verdict::Passed, "")
        });
        assert_eq!(hung.result, Verdict::Failed);
        assert_eq!(hung.detail, "did not finish within 50ms (wall clock)");
    }
}
