//! The `fluxo` command: wiring only. Language rules live in `fluxo-asl`, execution in
//! `fluxo-engine`, functions in `fluxo-tasks`, AWS service integrations in `fluxo-aws`.

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

mod encryption;
mod functions;
mod logging;
mod output;
mod restart;

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
    /// Serves the Step Functions API, with durable Standard executions in the data directory
    /// (or a PostgreSQL database that several nodes share).
    Server(ServerArgs),
    /// Restarts a failed, aborted or timed-out execution from a chosen state with an edited
    /// input (Fluxo's extension of redrive; recorded as `ExecutionRedriven` with
    /// `fluxoRestart` in its details). Talks to a running `fluxo server`.
    Restart(restart::RestartArgs),
    /// Writes a new random 256-bit key (base64, readable by its owner only) for
    /// `[encryption] key_file` in fluxo.toml. Refuses to replace an existing file.
    Keygen {
        /// The key file to create.
        file: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    logging::init();
    let result = match cli.command {
        Command::Validate { file } => validate(&file),
        Command::Run(args) => run(args),
        Command::Server(args) => server(args),
        Command::Restart(args) => restart::restart(args),
        Command::Keygen { file } => encryption::keygen(&file).map(|()| {
            eprintln!(
                "fluxo: wrote a new key to {}; name it in fluxo.toml as [encryption] key_file, \
                 and keep a copy: data sealed with it cannot be read without it",
                file.display()
            );
            ExitCode::SUCCESS
        }),
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
    let mut lines: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == fluxo_asl::Severity::Error)
        .count();
    let (summary, code) = match errors {
        0 => (format!("{}: valid", file.display()), ExitCode::SUCCESS),
        n => (
            format!("{}: {n} error(s)", file.display()),
            ExitCode::from(1),
        ),
    };
    lines.push(summary);
    output::print_lines(&lines);
    Ok(code)
}

#[derive(clap::Args)]
struct ServerArgs {
    /// The address to listen on.
    #[arg(long, env = "FLUXO_LISTEN", default_value = "127.0.0.1:8083")]
    listen: std::net::SocketAddr,
    /// Where the embedded database lives (created on first start).
    #[arg(long, env = "FLUXO_DATA_DIR", default_value = ".fluxo-data")]
    data_dir: PathBuf,
    /// A PostgreSQL database instead of the embedded one (`postgres://user:password@host:port/db`),
    /// which several nodes may share.
    #[arg(long, env = "FLUXO_DATABASE_URL", hide_env_values = true)]
    database: Option<String>,
    /// This node's id among the nodes sharing the database (default: `local` on the embedded
    /// database, a new id on each start on PostgreSQL).
    #[arg(long, env = "FLUXO_NODE_ID")]
    node_id: Option<String>,
    /// Seconds a node's lease on an execution lasts without a renewal: how soon the other
    /// nodes take over the executions of a node that died.
    #[arg(long, env = "FLUXO_LEASE_SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(3..=3600))]
    lease_seconds: u64,
    /// The configuration (`fluxo.toml`): functions (`[functions.NAME]`), AWS service
    /// integrations (`[aws]`), HTTP Tasks' connections and allow-list (`[http]`), the key
    /// that encrypts data at rest (`[encryption]`).
    #[arg(long, env = "FLUXO_CONFIG")]
    config: Option<PathBuf>,
    /// A host HTTP Tasks may reach (`host`, `host:port` or `*.domain`; repeatable; added to
    /// `[http] allowed_hosts`). With none, HTTP Tasks reach public addresses only.
    #[arg(long = "http-allow-host", value_name = "HOST")]
    http_allow_hosts: Vec<String>,
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

/// A tokio runtime whose threads have the stack executions need (`fluxo_runtime::WORKER_STACK_BYTES`).
fn tokio_runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(fluxo_runtime::WORKER_STACK_BYTES)
        .build()?)
}

/// The store `fluxo server` runs on, sealing data at rest with `cipher` when the operator gave
/// a key, with what to call it in messages (never the URL, which may hold a password).
async fn open_store(
    args: &ServerArgs,
    cipher: Option<fluxo_store::Cipher>,
) -> Result<(Arc<dyn fluxo_store::Store>, String)> {
    match &args.database {
        None => {
            let store = fluxo_store_sqlite::SqliteStore::open_with(&args.data_dir, cipher)
                .with_context(|| format!("cannot open {}", args.data_dir.display()))?;
            Ok((
                Arc::new(store),
                format!("data in {}", args.data_dir.display()),
            ))
        }
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            let options = fluxo_store_postgres::Options::default();
            let store = fluxo_store_postgres::PostgresStore::connect_with(url, options, cipher)
                .await
                .context("cannot open the PostgreSQL database")?;
            let name = fluxo_store_postgres::describe(url);
            Ok((Arc::new(store), format!("data in {name}")))
        }
        Some(_) => bail!(
            "--database takes a postgres:// URL (without it, the embedded database in --data-dir)"
        ),
    }
}

fn server(args: ServerArgs) -> Result<ExitCode> {
    tokio_runtime()?.block_on(async {
        let encryption = encryption::load(args.config.as_deref())?;
        let (cipher, kms_key_ids) = match encryption {
            Some(e) => (Some(e.cipher), e.kms_key_ids),
            None => (None, Vec::new()),
        };
        let sealed = if cipher.is_some() { ", encrypted at rest" } else { "" };
        let (store, location) = open_store(&args, cipher).await?;
        let functions = Arc::new(functions::load(args.config.as_deref())?);
        let mut config = fluxo_runtime::RuntimeConfig::new(&args.region, &args.account);
        config.services = functions::services(args.config.as_deref()).await?;
        config.node_id = match (&args.node_id, &args.database) {
            (Some(id), _) => id.clone(),
            (None, None) => "local".to_string(),
            (None, Some(_)) => format!("node-{}", uuid::Uuid::new_v4()),
        };
        config.lease_ttl = std::time::Duration::from_secs(args.lease_seconds);
        let http = functions::load_http(args.config.as_deref(), &args.http_allow_hosts)?;
        config.http = Some(fluxo_runtime::http::HttpTasks::new(http, &args.region)?);
        if let Some(target) = &args.execution_log {
            let log = fluxo_runtime::ExecutionLog::open(target)
                .with_context(|| format!("cannot open the execution log {target}"))?;
            config.execution_log = Some(Arc::new(log));
        }
        let executions = fluxo_runtime::Runtime::new(store, functions, config);
        let resumed = executions.recover().await?;
        executions.spawn_timers(std::time::Duration::from_millis(250));
        // On PostgreSQL: hear at once what the other nodes commit (polling stays the fallback).
        executions.spawn_listener();
        let api = Arc::new(fluxo_api::Api::new(executions.clone()).with_kms_key_ids(kms_key_ids));
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        eprintln!(
            "fluxo: serving the Step Functions API and the console on http://{} ({location}{sealed}, node {}, {resumed} execution(s) resumed)",
            listener.local_addr()?,
            executions.node_id()
        );
        tracing::warn!(
            "asynchronous Express executions run in memory only: those in flight when this process stops are lost"
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
    /// The configuration, functions and `[aws]` (default: fluxo.toml beside the definition, if
    /// present).
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
    let outcome = tokio_runtime()?.block_on(async {
        let invoker = functions::load(config.as_deref())?;
        let services = functions::services(config.as_deref()).await?;
        let http = functions::load_http(config.as_deref(), &[])?;
        let http = fluxo_runtime::http::HttpTasks::new(http, &args.region)?;
        let env = Arc::new(
            fluxo_engine::SystemEnvironment::new(invoker)
                .with_services(services)
                .with_http(http),
        );
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
    report.insert("status".into(), json!(outcome.status.as_str()));
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
    output::print_lines(&[serde_json::to_string_pretty(&Value::Object(report))?]);
    Ok(
        if outcome.status == fluxo_engine::ExecutionStatus::Succeeded {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        },
    )
}
