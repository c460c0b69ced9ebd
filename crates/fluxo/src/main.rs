//! The `fluxo` command: wiring only. Language rules live in `fluxo-asl`, execution in
//! `fluxo-engine`, functions in `fluxo-tasks`.

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

// The engine allocates many small JSON values from every core: mimalloc's per-thread heaps
// serve them with less work and no contention (measured in BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod bench;
mod functions;
mod http_bench;
mod workloads;

#[derive(Parser)]
#[command(
    name = "fluxo",
    version,
    about = "A self-hosted workflow engine compatible with AWS Step Functions"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Checks a state machine definition and prints every problem found.
    Validate {
        /// The definition file (Amazon States Language JSON).
        file: PathBuf,
    },
    /// Runs one execution in this process and prints its result as JSON.
    Run(RunArgs),
    /// Serves the Step Functions API, with durable Standard executions in the data directory.
    Server(ServerArgs),
    /// Measures the workloads W1–W4 (in process, durable, over HTTP), function calls, the store
    /// and parked executions; every output is checked before a figure is reported.
    Bench {
        /// Tiny sizes: checks that the benchmark runs, measures nothing useful.
        #[arg(long)]
        smoke: bool,
        /// Runs only these parts (comma-separated); all of them by default.
        #[arg(long, value_enum, value_delimiter = ',')]
        only: Vec<bench::Section>,
        /// Runs only these workloads (comma-separated ids, e.g. `W1,W4`); all by default.
        #[arg(long, value_delimiter = ',')]
        workload: Vec<String>,
        /// Multiplies the executions of W1–W4 (longer runs, for profiling).
        #[arg(long, default_value_t = 1)]
        scale: usize,
        /// Also writes the figures as JSON records to this file.
        #[arg(long)]
        json: Option<PathBuf>,
        /// The document-validation example folder.
        #[arg(long, default_value = "examples/document-validation")]
        example: PathBuf,
        /// The workloads W1–W4.
        #[arg(long, default_value = "bench/workloads")]
        workloads: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Validate { file } => validate(&file),
        Command::Run(args) => run(args),
        Command::Server(args) => server(args),
        Command::Bench {
            smoke,
            only,
            workload,
            scale,
            json,
            example,
            workloads,
        } => {
            let sizes = if smoke {
                bench::Sizes::smoke()
            } else {
                bench::Sizes::full()
            };
            let options = bench::Options {
                smoke,
                only,
                workloads: workload,
                scale,
                json,
            };
            bench::run(&sizes, &example, &workloads, &options).map(|()| ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("fluxo: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

fn validate(file: &Path) -> Result<ExitCode> {
    let text = read(file)?;
    let diagnostics = fluxo_asl::validate::validate_text(&text);
    for diagnostic in &diagnostics {
        println!("{diagnostic}");
    }
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == fluxo_asl::Severity::Error)
        .count();
    if errors == 0 {
        println!("{}: valid", file.display());
        Ok(ExitCode::SUCCESS)
    } else {
        println!("{}: {errors} error(s)", file.display());
        Ok(ExitCode::from(1))
    }
}

#[derive(clap::Args)]
struct ServerArgs {
    /// The address to listen on.
    #[arg(long, env = "FLUXO_LISTEN", default_value = "127.0.0.1:8083")]
    listen: std::net::SocketAddr,
    /// Where the embedded database lives (created on first start).
    #[arg(long, env = "FLUXO_DATA_DIR", default_value = ".fluxo-data")]
    data_dir: PathBuf,
    /// The functions configuration.
    #[arg(long, env = "FLUXO_CONFIG")]
    config: Option<PathBuf>,
    /// The region used in ARNs.
    #[arg(long, env = "FLUXO_REGION", default_value = "us-east-1")]
    region: String,
    /// The account id used in ARNs.
    #[arg(long, env = "FLUXO_ACCOUNT", default_value = "123456789012")]
    account: String,
    /// Where execution log records go (a file, or `-` for stdout) for state machines with a
    /// `loggingConfiguration`; without it, none are written.
    #[arg(long, env = "FLUXO_EXECUTION_LOG")]
    execution_log: Option<String>,
}

fn server(args: ServerArgs) -> Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let store = Arc::new(
            fluxo_store_sqlite::SqliteStore::open(&args.data_dir)
                .with_context(|| format!("cannot open {}", args.data_dir.display()))?,
        );
        let functions = Arc::new(functions::load(args.config.as_deref())?);
        let executions = fluxo_runtime::Runtime::new(store, functions, &args.region);
        let resumed = executions.recover().await?;
        executions.spawn_timers(std::time::Duration::from_millis(250));
        let mut api = fluxo_api::Api::new(executions.clone(), &args.region, &args.account);
        if let Some(target) = &args.execution_log {
            let log = fluxo_api::execution_log::ExecutionLog::open(target)
                .with_context(|| format!("cannot open the execution log {target}"))?;
            api = api.with_execution_log(log);
        }
        let api = Arc::new(api);
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        eprintln!(
            "fluxo: serving the Step Functions API and the console on http://{} (data in {}, {resumed} execution(s) resumed)",
            listener.local_addr()?,
            args.data_dir.display()
        );
        let app = fluxo_console::with_console(fluxo_api::router(api), executions);
        axum::serve(listener, app).await?;
        anyhow::Ok(ExitCode::SUCCESS)
    })
}

#[derive(clap::Args)]
struct RunArgs {
    /// The definition file (Amazon States Language JSON).
    definition: PathBuf,
    /// The execution input as JSON text.
    #[arg(long, conflicts_with = "input_file")]
    input: Option<String>,
    /// A file holding the execution input.
    #[arg(long)]
    input_file: Option<PathBuf>,
    /// Also print the execution history, as GetExecutionHistory returns it.
    #[arg(long)]
    history: bool,
    /// The functions configuration (default: fluxo.toml beside the definition, if present).
    #[arg(long, env = "FLUXO_CONFIG")]
    config: Option<PathBuf>,
    /// The region used in ARNs.
    #[arg(long, env = "FLUXO_REGION", default_value = "us-east-1")]
    region: String,
    /// The account id used in ARNs.
    #[arg(long, env = "FLUXO_ACCOUNT", default_value = "123456789012")]
    account: String,
}

fn run(args: RunArgs) -> Result<ExitCode> {
    let text = read(&args.definition)?;
    let diagnostics = fluxo_asl::validate::validate_text(&text);
    let errors: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.severity == fluxo_asl::Severity::Error)
        .collect();
    if !errors.is_empty() {
        for diagnostic in errors {
            eprintln!("{diagnostic}");
        }
        bail!(
            "InvalidDefinition: {} is not a valid state machine",
            args.definition.display()
        );
    }
    let definition: Value = serde_json::from_str(&text).context("InvalidDefinition")?;
    let machine = fluxo_asl::model::build(&definition).map_err(|diagnostics| {
        let lines: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
        anyhow::anyhow!("InvalidDefinition:\n{}", lines.join("\n"))
    })?;
    let input_text = match (&args.input, &args.input_file) {
        (Some(input), _) => input.clone(),
        (None, Some(file)) => read(file)?,
        (None, None) => "{}".to_string(),
    };
    if input_text.len() > fluxo_engine::PAYLOAD_LIMIT_BYTES {
        bail!("InvalidExecutionInput: the input exceeds the 262144 bytes limit");
    }
    let input: Value = serde_json::from_str(&input_text).map_err(|e| {
        anyhow::anyhow!("InvalidExecutionInput: Invalid State Machine Execution Input: '{e}'")
    })?;

    let config = args.config.clone().or_else(|| {
        let beside = args.definition.parent()?.join("fluxo.toml");
        beside.exists().then_some(beside)
    });
    let runtime = tokio::runtime::Runtime::new()?;
    let outcome = runtime.block_on(async {
        let invoker = functions::load(config.as_deref())?;
        let env = Arc::new(fluxo_engine::SystemEnvironment::new(invoker));
        let name = args
            .definition
            .file_stem()
            .and_then(|stem| stem.to_str())
            .unwrap_or("StateMachine")
            .replace(
                |c: char| !c.is_ascii_alphanumeric() && c != '-' && c != '_',
                "-",
            );
        let execution_name = format!("run-{}", std::process::id());
        let request = fluxo_engine::ExecutionRequest::new(
            &args.region,
            &args.account,
            &name,
            &execution_name,
            input,
        );
        let outcome = fluxo_engine::execute(Arc::new(machine), request, env.clone()).await;
        env.functions().shutdown().await;
        anyhow::Ok(outcome)
    })?;

    let mut report = serde_json::Map::new();
    report.insert("status".into(), json!(outcome.status.as_aws_str()));
    if let Some(output) = &outcome.output {
        report.insert(
            "output".into(),
            serde_json::from_str(output).unwrap_or(Value::String(output.clone())),
        );
    }
    if let Some(error) = &outcome.error {
        report.insert("error".into(), json!(error));
    }
    if let Some(cause) = &outcome.cause {
        report.insert("cause".into(), json!(cause));
    }
    if args.history {
        let events: Vec<Value> = outcome.history.iter().map(|e| e.to_aws_json()).collect();
        report.insert("history".into(), Value::Array(events));
    }
    println!("{}", serde_json::to_string_pretty(&Value::Object(report))?);
    Ok(
        if outcome.status == fluxo_engine::ExecutionStatus::Succeeded {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        },
    )
}
