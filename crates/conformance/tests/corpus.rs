//! Runs the recorded-AWS corpus and fails if a case listed in `passing.txt` does not pass: a
//! new pass cannot hide a regression elsewhere. Cases that start passing are printed, to be
//! added to the list.

use std::collections::BTreeSet;
use std::path::PathBuf;

#[test]
fn every_case_that_passed_still_passes() {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = manifest.join("../../../shared/conformance");
    assert!(
        dir.join("cases").is_dir(),
        "{} is missing: the corpus must be beside the repository (see README.md)",
        dir.display()
    );
    let listed: BTreeSet<String> = std::fs::read_to_string(manifest.join("passing.txt"))
        .expect("passing.txt")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_string)
        .collect();
    let jobs = std::thread::available_parallelism().map_or(2, |n| n.get() * 2);
    let report = fluxo_conformance::run(&fluxo_conformance::Options {
        dir,
        jobs,
        filter: None,
    })
    .expect("the corpus runs");
    let passed: BTreeSet<String> = report
        .cases
        .iter()
        .filter(|case| case.result == fluxo_conformance::Verdict::Passed)
        .map(|case| case.name.clone())
        .collect();
    println!("{}", report.summary());
    for new in passed.difference(&listed) {
        println!("NEWLY PASSING (add it to passing.txt): {new}");
    }
    let regressed: Vec<String> = report
        .cases
        .iter()
        .filter(|case| listed.contains(&case.name) && !passed.contains(&case.name))
        .map(|case| format!("{}: {}", case.name, case.detail))
        .collect();
    assert!(
        regressed.is_empty(),
        "{} listed case(s) no longer pass:\n{}",
        regressed.len(),
        regressed.join("\n")
    );
    let missing: Vec<&String> = listed
        .iter()
        .filter(|name| !report.cases.iter().any(|case| &case.name == *name))
        .collect();
    assert!(
        missing.is_empty(),
        "listed cases not in the corpus: {missing:?}"
    );
}
