//! The server's log: `tracing` events to standard error, filtered by `RUST_LOG` (default
//! `info`), as human-readable lines or, with `FLUXO_LOG_FORMAT=json`, one JSON object per line.
//! Store failures, stopped drivers and refused transitions are logged where they happen.

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let json = std::env::var("FLUXO_LOG_FORMAT").is_ok_and(|format| format == "json");
    // `try_init`: a second initialisation (tests) is not an error worth stopping for.
    let _ = match json {
        true => builder.json().try_init(),
        false => builder.try_init(),
    };
}
