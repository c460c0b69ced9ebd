//! The benchmark suite (`bench/run`) in its smoke mode, so that it cannot rot: `fluxo-bench` at
//! tiny sizes (every section, every output checked), `fluxo server` through the peers' HTTP
//! driver (Express, Standard, W1 under wrk) and the report.
//!
//! The tools it needs: a Python with boto3 (`FLUXO_TEST_PYTHON`, else `python3`) for the
//! driver, wrk for the HTTP load. Without them it runs what it can and says so, unless
//! `FLUXO_REQUIRE_CLIENTS` or `CI` is set: then a missing tool fails it.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn required() -> bool {
    std::env::var_os("FLUXO_REQUIRE_CLIENTS").is_some() || std::env::var_os("CI").is_some()
}

/// The Python that has boto3: the one `.ci/run` prepares, else the system's.
fn python_with_boto3() -> Option<String> {
    let python = std::env::var("FLUXO_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let has_boto3 = Command::new(&python)
        .args(["-c", "import boto3"])
        .status()
        .is_ok_and(|status| status.success());
    if has_boto3 {
        Some(python)
    } else if required() {
        panic!("{python} cannot import boto3, and FLUXO_REQUIRE_CLIENTS (or CI) is set");
    } else {
        None
    }
}

fn wrk_installed() -> bool {
    let found = Command::new("wrk").arg("--version").output().is_ok();
    assert!(
        found || !required(),
        "wrk is not installed, and FLUXO_REQUIRE_CLIENTS (or CI) is set"
    );
    found
}

/// The `fluxo` binary beside this crate's (same target folder and profile), built first when
/// it is not there yet (`cargo test -p fluxo-bench` alone does not build other packages).
fn fluxo_binary() -> PathBuf {
    let bench = Path::new(env!("CARGO_BIN_EXE_fluxo-bench"));
    let fluxo = bench.with_file_name(format!("fluxo{}", std::env::consts::EXE_SUFFIX));
    if !fluxo.exists() {
        let profile_dir = bench.parent().expect("a target folder");
        let target_dir = profile_dir.parent().expect("a target folder");
        let mut build = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        build
            .args(["build", "-p", "fluxo", "--bin", "fluxo", "--target-dir"])
            .arg(target_dir)
            .current_dir(root());
        if profile_dir
            .file_name()
            .is_some_and(|name| name == "release")
        {
            build.arg("--release");
        }
        let status = build.status().expect("cargo runs");
        assert!(status.success(), "cargo build -p fluxo failed");
    }
    fluxo
}

fn run_bench_alone() {
    let output = Command::new(env!("CARGO_BIN_EXE_fluxo-bench"))
        .arg("--smoke")
        .current_dir(root())
        .output()
        .expect("fluxo-bench runs");
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn the_benchmark_suite_runs_in_smoke_mode() {
    let wrk = wrk_installed();
    let Some(python) = python_with_boto3() else {
        eprintln!("boto3 is not installed: only `fluxo-bench --smoke` runs (.ci/run installs it)");
        run_bench_alone();
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let output = Command::new("bash")
        .arg(root().join("bench/run"))
        .arg("--smoke")
        .arg("--fluxo-bin")
        .arg(fluxo_binary())
        .arg("--bench-bin")
        .arg(env!("CARGO_BIN_EXE_fluxo-bench"))
        .arg("--out")
        .arg(out.path())
        .env("BENCH_PYTHON", &python)
        .current_dir(root())
        .output()
        .expect("bench/run runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = std::fs::read_to_string(out.path().join("report.md")).expect("a report");
    let mut tables = vec![
        "In process",
        "Fluxo, 1 core",
        "Over HTTP, EXPRESS",
        "Over HTTP, STANDARD",
        "Fluxo durable",
        "transactions per execution",
        "parked on a one-day Wait",
        "after a restart",
        "function calls",
        "activity tasks",
    ];
    if wrk {
        tables.push("under wrk");
    }
    for table in tables {
        assert!(report.contains(table), "no {table:?} in:\n{report}");
    }
    assert!(!report.contains("Not timed"), "{report}");
    let records: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.path().join("results.json")).expect("the records"),
    )
    .unwrap();
    let records = records.as_array().expect("an array of records");
    assert!(records.iter().all(|r| r["checked"] == true), "{records:?}");
    for mode in [
        "in-process",
        "in-process-1core",
        "durable",
        "store",
        "parked",
    ] {
        assert!(
            records
                .iter()
                .any(|r| r["engine"] == "fluxo" && r["mode"] == mode),
            "no fluxo {mode} record"
        );
    }
}
