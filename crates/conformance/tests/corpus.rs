//! Runs the recorded-AWS corpus and fails if fewer cases pass than the committed baseline.

use std::path::PathBuf;

#[test]
fn the_corpus_passes_at_least_the_baseline() {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = manifest.join("../../../shared/conformance");
    if !dir.join("cases").is_dir() {
        eprintln!("{} is missing: the corpus was not checked", dir.display());
        return;
    }
    let baseline: usize = std::fs::read_to_string(manifest.join("baseline.txt"))
        .expect("baseline.txt")
        .trim()
        .parse()
        .expect("baseline.txt holds a number");
    let jobs = std::thread::available_parallelism().map_or(2, |n| n.get() * 2);
    let report = fluxo_conformance::run(&fluxo_conformance::Options {
        dir,
        jobs,
        filter: None,
    })
    .expect("the corpus runs");
    for case in &report.cases {
        if case.result == fluxo_conformance::Verdict::Failed {
            println!("FAILED {}: {}", case.name, case.detail);
        }
    }
    println!("{}", report.summary());
    let passed = report.count(fluxo_conformance::Verdict::Passed);
    assert!(
        passed >= baseline,
        "{passed} cases passed, fewer than the baseline of {baseline}"
    );
}
