//! `fluxo-bench`: Fluxo's side of the benchmark suite (`bench/run` runs it next to the peer
//! engines). Every figure comes from work whose outputs were checked; a wrong output fails the
//! run instead of being timed. See BENCHMARKS.md for what each section measures.

use anyhow::Result;
use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;

// The same allocator as the `fluxo` binary, so that the figures are the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod activities;
mod counting;
mod dmap;
mod durable;
mod functions;
mod http;
mod in_process;
mod nodes;
mod parked;
mod record;
mod rss;
mod sqs;
mod sqs_stub;
mod store_floor;
mod suite;
mod workloads;

#[derive(Parser)]
#[command(
    name = "fluxo-bench",
    version,
    about = "Fluxo's benchmarks: W1-W5 in process, durable and over HTTP, function calls, the store, parked executions"
)]
struct Cli {
    /// Tiny sizes: checks that every section runs, measures nothing useful.
    #[arg(long)]
    smoke: bool,
    /// Only these sections (comma-separated).
    #[arg(long, value_delimiter = ',')]
    only: Vec<suite::Section>,
    /// Only these workloads (W1..W5, comma-separated).
    #[arg(long, value_delimiter = ',')]
    workload: Vec<String>,
    /// Multiplies the executions of W1, W4 and W5 and repeats W2 and W3 (longer runs).
    #[arg(long, default_value_t = 1)]
    scale: usize,
    /// Writes every figure as JSON records (what bench/report.py reads).
    #[arg(long)]
    json: Option<PathBuf>,
    /// The workloads' folder.
    #[arg(long, default_value = "bench/workloads")]
    workloads: PathBuf,
    /// The document-validation example's folder.
    #[arg(long, default_value = "examples/document-validation")]
    example: PathBuf,
    /// Internal: runs one phase of the parked section in this process.
    #[arg(long, hide = true, requires_all = ["parked_dir", "parked_count"])]
    parked_phase: Option<parked::Phase>,
    #[arg(long, hide = true)]
    parked_dir: Option<PathBuf>,
    #[arg(long, hide = true)]
    parked_count: Option<usize>,
}

/// A runtime whose threads have the stack executions need.
fn tokio_runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(fluxo_runtime::WORKER_STACK_BYTES)
        .build()?)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("fluxo-bench: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    if let (Some(phase), Some(dir), Some(count)) =
        (cli.parked_phase, &cli.parked_dir, cli.parked_count)
    {
        return tokio_runtime()?.block_on(parked::run_phase(phase, dir, count));
    }
    let sizes = if cli.smoke {
        suite::Sizes::smoke()
    } else {
        suite::Sizes::full()
    };
    let options = suite::Options {
        smoke: cli.smoke,
        only: cli.only,
        workloads: cli.workload,
        scale: cli.scale,
        workloads_dir: cli.workloads,
        example_dir: cli.example,
    };
    let scratch = std::env::temp_dir().join(format!("fluxo-bench-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    let result = tokio_runtime()?.block_on(suite::run(&sizes, &options, &scratch));
    let _ = std::fs::remove_dir_all(&scratch);
    let records = result?;
    if let Some(path) = &cli.json {
        record::write(path, &records)?;
    }
    Ok(())
}
