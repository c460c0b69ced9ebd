//! Measures each JSONata crate of crates.io against the reference suite and for speed.
//!
//! `jsonata-candidates` runs everything and prints a table. Each candidate runs each group of the
//! suite in a child process of its own (`jsonata-candidates group CANDIDATE GROUP`), so a stack
//! overflow, an abort or a hang (killed after `GROUP_DEADLINE`) costs that candidate the rest of
//! the group and is counted as a crash, instead of ending the measurement.

#[path = "../../tests/support/suite.rs"]
mod suite;

mod async_jsonata;
mod bench;
mod core;
mod rs;
mod seuil_candidate;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use suite::{Case, Outcome, Tally};

/// A child running one group is killed after this long.
const GROUP_DEADLINE: Duration = Duration::from_secs(120);

/// The candidates, by the name the command line uses.
const CANDIDATES: [&str; 4] = ["jsonata-core", "jsonata-rs", "async_jsonata_rust", "seuil"];

/// The time limit given to a candidate for a case that has none of its own.
pub const DEFAULT_TIMELIMIT_MS: u64 = 10_000;

fn run_case(candidate: &str, case: &Case) -> Outcome {
    let run = || match candidate {
        "jsonata-core" => core::run(case),
        "jsonata-rs" => rs::run(case),
        "async_jsonata_rust" => async_jsonata::run(case),
        "seuil" => seuil_candidate::run(case),
        other => panic!("unknown candidate {other}"),
    };
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)) {
        Ok(outcome) => limit_errors_as_reference(case, outcome),
        Err(panic) => Outcome::Crash(panic_text(&panic)),
    }
}

/// The reference runner reports both of its limits (time box, depth) as U1001; each candidate
/// has its own codes for the same limits, which count as U1001 for a case that sets a limit.
fn limit_errors_as_reference(case: &Case, outcome: Outcome) -> Outcome {
    let limited = case.depth.is_some() || case.timelimit_ms.is_some();
    match outcome {
        Outcome::Error {
            code: Some(code),
            message,
        } if limited && ["D1011", "D1012", "U1001", "U1003"].contains(&code.as_str()) => {
            Outcome::Error {
                code: Some("U1001".into()),
                message,
            }
        }
        other => other,
    }
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "panic".into())
}

/// Child mode: one line per case, `id<TAB>pass|fail<TAB>outcome`, flushed as it goes.
fn run_group(candidate: &str, group: &str) {
    std::panic::set_hook(Box::new(|_| {}));
    let cases = suite::load_cases(&suite::suite_dir());
    let stdout = std::io::stdout();
    for case in cases.iter().filter(|c| c.group == group) {
        let outcome = run_case(candidate, case);
        let verdict = if suite::passes(&case.expect, &outcome) {
            "pass"
        } else {
            "fail"
        };
        let mut shown = format!("{outcome:?}");
        shown.truncate(200);
        let mut out = stdout.lock();
        writeln!(
            out,
            "{}\t{verdict}\t{}",
            case.id,
            shown.replace(['\n', '\t'], " ")
        )
        .unwrap();
        out.flush().unwrap();
    }
}

/// Runs one group of one candidate in a child; the cases it did not report count as crashes.
fn measure_group(candidate: &str, group: &str, cases: &[&Case], tally: &mut Tally) {
    let exe = std::env::current_exe().expect("own path");
    let mut child = Command::new(exe)
        .args(["group", candidate, group])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn child");
    let stdout = child.stdout.take().expect("piped");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + GROUP_DEADLINE;
    let mut reported: BTreeMap<String, bool> = BTreeMap::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(line) => {
                let mut parts = line.splitn(3, '\t');
                let id = parts.next().unwrap_or_default().to_string();
                let pass = parts.next() == Some("pass");
                reported.insert(id, pass);
            }
            Err(_) => break,
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    for case in cases {
        let outcome = match reported.get(&case.id) {
            Some(true) => expected_outcome(case),
            Some(false) => Outcome::Error {
                code: None,
                message: "wrong".into(),
            },
            None => Outcome::Crash("the child died or hung".into()),
        };
        tally.record(case, &outcome);
    }
}

/// An outcome that passes `case` (the child already compared).
fn expected_outcome(case: &Case) -> Outcome {
    match &case.expect {
        suite::Expect::Result(v) => Outcome::Value(v.clone()),
        suite::Expect::Undefined => Outcome::Undefined,
        suite::Expect::Code(c) => Outcome::Error {
            code: Some(c.clone()),
            message: String::new(),
        },
    }
}

fn measure_all(only: Option<&str>) {
    let cases = suite::load_cases(&suite::suite_dir());
    let mut groups: BTreeMap<&str, Vec<&Case>> = BTreeMap::new();
    for case in &cases {
        groups.entry(case.group.as_str()).or_default().push(case);
    }
    for candidate in CANDIDATES.iter().filter(|c| only.is_none_or(|o| o == **c)) {
        let started = Instant::now();
        let mut tally = Tally::default();
        for (group, group_cases) in &groups {
            measure_group(candidate, group, group_cases, &mut tally);
        }
        println!(
            "{candidate}: {} / {} passed, {} crashed or hung, suite ran in {:.1} s",
            tally.passed,
            tally.total,
            tally.crashes,
            started.elapsed().as_secs_f64()
        );
        if std::env::var_os("SHOW_FAILURES").is_some() {
            for id in &tally.failures {
                println!("  failed: {id}");
            }
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["group", candidate, group] => run_group(candidate, group),
        ["case", candidate, id] => {
            let cases = suite::load_cases(&suite::suite_dir());
            let case = cases.iter().find(|c| c.id == *id).expect("case id");
            println!(
                "{}\nexpect {:?}\ngot    {:?}",
                case.expr,
                case.expect,
                run_case(candidate, case)
            );
        }
        ["suite"] => measure_all(None),
        ["suite", candidate] => measure_all(Some(candidate)),
        ["bench"] => bench::run_all(&CANDIDATES),
        [] => {
            measure_all(None);
            bench::run_all(&CANDIDATES);
        }
        _ => eprintln!(
            "usage: jsonata-candidates [suite [CANDIDATE] | bench | group C G | case C ID]"
        ),
    }
}
