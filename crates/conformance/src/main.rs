//! The `fluxo-conformance` command: runs the recorded-AWS corpus and prints a table by group
//! (`--json FILE` writes every case's result).

use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;

/// Runs the recorded-AWS conformance corpus against Fluxo.
#[derive(Parser)]
#[command(name = "fluxo-conformance", version)]
struct Cli {
    /// The corpus folder, holding `cases/` and `functions/`.
    dir: PathBuf,
    /// Also write every case's result as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Only run cases whose `<group>/<case>` name contains this text.
    #[arg(long)]
    filter: Option<String>,
    /// Cases run at once (default: twice the cores, since cases that call functions spend
    /// most of their time waiting on them).
    #[arg(long)]
    jobs: Option<usize>,
    /// Print the detail of every failed and skipped case.
    #[arg(long)]
    verbose: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let jobs = cli
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get() * 2));
    let options = fluxo_conformance::Options {
        dir: cli.dir,
        jobs,
        filter: cli.filter,
    };
    let report = match fluxo_conformance::run(&options) {
        Ok(report) => report,
        Err(error) => {
            eprintln!("fluxo-conformance: {error:#}");
            return ExitCode::from(2);
        }
    };
    if cli.verbose {
        for case in &report.cases {
            match case.result {
                fluxo_conformance::Verdict::Failed => {
                    println!("FAILED {}: {}", case.name, case.detail)
                }
                fluxo_conformance::Verdict::Skipped => {
                    println!("skipped {}: {}", case.name, case.detail)
                }
                fluxo_conformance::Verdict::Passed => {}
            }
        }
    }
    if let Some(path) = cli.json {
        let written = serde_json::to_string_pretty(&report)
            .map_err(std::io::Error::other)
            .and_then(|text| std::fs::write(&path, text));
        if let Err(error) = written {
            eprintln!(
                "fluxo-conformance: cannot write {}: {error}",
                path.display()
            );
            return ExitCode::from(2);
        }
    }
    println!("{}", report.summary());
    ExitCode::SUCCESS
}
