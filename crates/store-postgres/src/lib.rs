//! The PostgreSQL store: several Fluxo nodes on one database.
//!
//! A pool of connections ([`Options::max_connections`]); every [`Store`] method is one
//! transaction (a single statement, or `BEGIN … COMMIT` where it needs more), and the schema is
//! migrated on [`PostgresStore::connect`] under an advisory lock, so nodes may start together.
//! The leases of `fluxo_store::lease` let the nodes share executions: claims lock their rows
//! with `FOR UPDATE SKIP LOCKED`, and a transition made under a lease is checked against the
//! execution's current lease in the transaction that applies it.
//!
//! What one transition ([`Store::commit`]) costs: one transaction of four statements (`BEGIN`,
//! the execution's row locked and checked, the events inserted as one `INSERT … UNNEST`,
//! `COMMIT`), plus one `UPDATE` when it ends the execution and one statement when it sets or
//! clears the timer; measured by `tests/statements.rs` from the server's statement log.
//!
//! Work another node may have to act on (a task answered, a stop) is announced with `NOTIFY`
//! in the transaction that commits it, and [`Store::notices`] listens (`notices.rs`).
//!
//! Connections use TLS when the server offers it (`sslmode=prefer`, the default; `require` to
//! insist), verified against the system's root certificates.

mod leases;
mod map_runs;
pub mod notices;
mod redrive;
mod rows;
mod schema;
mod sql;
mod tasks;
#[cfg(feature = "testing")]
pub mod testing;
mod versions;
mod writes;

use deadpool_postgres::{Client, Manager, ManagerConfig, Pool, RecyclingMethod};
use fluxo_store::*;
use fluxo_types::ExecutionStatus;
use sql::{execute, query, query_opt};
use std::sync::Arc;

/// How the store connects.
#[derive(Debug, Clone)]
pub struct Options {
    /// Connections in the pool at most (default 16): the transactions this node runs at once.
    pub max_connections: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_connections: 16,
        }
    }
}

pub struct PostgresStore {
    pool: Pool,
    /// What the notification listener connects with (its own connection, outside the pool).
    config: tokio_postgres::Config,
    tls: tokio_postgres_rustls::MakeRustlsConnect,
}

fn backend(error: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(error.to_string())
}

/// A TLS connector trusting the system's root certificates.
fn tls() -> StoreResult<tokio_postgres_rustls::MakeRustlsConnect> {
    let mut roots = rustls::RootCertStore::empty();
    let found = rustls_native_certs::load_native_certs();
    for certificate in found.certs {
        // A certificate the system lists but rustls cannot use is left out, as the system's
        // own TLS clients would.
        let _ = roots.add(certificate);
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(backend)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user:password@host:port/database?sslmode=…`, libpq's
    /// URL and key-value forms) and brings the schema up to date.
    pub async fn connect(url: &str, options: Options) -> StoreResult<Self> {
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| backend(format!("invalid database URL: {e}")))?;
        let tls = tls()?;
        let manager = Manager::from_config(
            config.clone(),
            tls.clone(),
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(options.max_connections.max(1))
            .build()
            .map_err(backend)?;
        let store = PostgresStore { pool, config, tls };
        let mut client = store.client().await?;
        schema::migrate(&mut client).await?;
        Ok(store)
    }

    async fn client(&self) -> StoreResult<Client> {
        self.pool.get().await.map_err(backend)
    }
}

/// What to call the database of `url` in messages: its name and hosts, never its password.
pub fn describe(url: &str) -> String {
    let Ok(config) = url.parse::<tokio_postgres::Config>() else {
        return "PostgreSQL".to_string();
    };
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .zip(config.get_ports().iter().chain(std::iter::repeat(&5432)))
        .map(|(host, port)| match host {
            tokio_postgres::config::Host::Tcp(name) => format!("{name}:{port}"),
            tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .collect();
    format!(
        "PostgreSQL database {} on {}",
        config.get_dbname().unwrap_or("(default)"),
        hosts.join(",")
    )
}

/// A page of executions keyed by their start order.
fn execution_page(rows: Vec<(i64, ExecutionRecord)>, page: &Page) -> Listed<ExecutionRecord> {
    let listed = listed(rows, page.limit(), Listing::Executions, |(seq, _)| {
        seq.to_string()
    });
    Listed {
        items: listed.items.into_iter().map(|(_, e)| e).collect(),
        next_token: listed.next_token,
    }
}

/// A keyset position as a BIGINT.
fn position(key: Option<u64>, default: i64) -> i64 {
    key.map_or(default, |key| i64::try_from(key).unwrap_or(i64::MAX))
}

fn fetch(page: &Page) -> i64 {
    page.limit() as i64 + 1
}

mod reads;
