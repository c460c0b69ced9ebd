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
    /// Seals what executions carry before it is written, opens it when read (see
    /// `fluxo_store::AtRest`).
    at_rest: AtRest,
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
    /// URL and key-value forms) and brings the schema up to date; values stay plaintext.
    pub async fn connect(url: &str, options: Options) -> StoreResult<Self> {
        Self::connect_with(url, options, None).await
    }

    /// [`PostgresStore::connect`] with the operator's key: definitions, execution input,
    /// output, error and cause, event details, task payloads and Map Run outcomes are sealed
    /// at rest (`fluxo_store::AtRest`).
    ///
    /// Errors: [`StoreError::Undecryptable`] when the database was sealed with a key and
    /// `cipher` is `None` or another key (checked against the key check it keeps);
    /// `Backend` when connecting or migrating fails.
    pub async fn connect_with(
        url: &str,
        options: Options,
        cipher: Option<Cipher>,
    ) -> StoreResult<Self> {
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
        let store = PostgresStore {
            pool,
            at_rest: AtRest::new(cipher),
            config,
            tls,
        };
        let mut client = store.client().await?;
        schema::migrate(&mut client).await?;
        store.check_key(&client).await?;
        Ok(store)
    }

    /// Refuses a key that does not open the database's key check; stores a check for a first
    /// key (nodes starting together: the first check stored decides, the others are checked
    /// against it).
    async fn check_key(&self, c: &Client) -> StoreResult<()> {
        let stored = || async {
            let row = query_opt(
                c,
                "SELECT value FROM secrets WHERE name = $1",
                &[&KEY_CHECK],
            )
            .await?;
            Ok::<_, StoreError>(row.map(|row| {
                let bytes: Vec<u8> = row.get(0);
                String::from_utf8_lossy(&bytes).into_owned()
            }))
        };
        if let Some(check) = self.at_rest.check_key(stored().await?.as_deref())? {
            execute(
                c,
                "INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
                &[&KEY_CHECK, &check.into_bytes()],
            )
            .await?;
            self.at_rest.check_key(stored().await?.as_deref())?;
        }
        Ok(())
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

/// A page of executions keyed by their start order, opened.
fn execution_page(
    at: &AtRest,
    rows: Vec<(i64, ExecutionRecord)>,
    page: &Page,
) -> StoreResult<Listed<ExecutionRecord>> {
    let listed = listed(rows, page.limit(), Listing::Executions, |(seq, _)| {
        seq.to_string()
    });
    Ok(Listed {
        items: listed
            .items
            .into_iter()
            .map(|(_, e)| at.open_execution(e))
            .collect::<StoreResult<_>>()?,
        next_token: listed.next_token,
    })
}

/// Claimed executions, opened.
fn open_claimed(at: &AtRest, claimed: Vec<Claimed>) -> StoreResult<Vec<Claimed>> {
    claimed
        .into_iter()
        .map(|c| {
            Ok(Claimed {
                execution: at.open_execution(c.execution)?,
                lease: c.lease,
            })
        })
        .collect()
}

/// A keyset position as a BIGINT.
fn position(key: Option<u64>, default: i64) -> i64 {
    key.map_or(default, |key| i64::try_from(key).unwrap_or(i64::MAX))
}

fn fetch(page: &Page) -> i64 {
    page.limit() as i64 + 1
}

mod reads;
