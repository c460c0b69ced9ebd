//! The schema, created and migrated on start under an advisory lock, so that nodes starting
//! together migrate once: the first takes the lock and migrates, the others wait for it and
//! then find the schema current. The whole migration is one transaction (PostgreSQL's DDL is
//! transactional): a node that dies half-way leaves the previous schema.

use crate::backend;
use deadpool_postgres::Client;
use fluxo_store::StoreResult;

/// The advisory lock key taken while migrating (an arbitrary constant: "fluxo" in ASCII).
const MIGRATION_LOCK: i64 = 0x0066_6c75_786f;

/// Each entry migrates from version `index` to `index + 1`.
const MIGRATIONS: &[&str] = &[
    "
    CREATE TABLE state_machines (
        arn TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        definition TEXT NOT NULL,
        role_arn TEXT NOT NULL,
        created_ms BIGINT NOT NULL,
        updated_ms BIGINT NOT NULL,
        revision BIGINT NOT NULL,
        logging TEXT,
        revision_id TEXT
    );
    CREATE TABLE revisions (
        state_machine_arn TEXT NOT NULL,
        revision BIGINT NOT NULL,
        definition TEXT NOT NULL,
        role_arn TEXT NOT NULL,
        PRIMARY KEY (state_machine_arn, revision)
    );
    CREATE TABLE executions (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        arn TEXT NOT NULL UNIQUE,
        state_machine_arn TEXT NOT NULL,
        name TEXT NOT NULL,
        status TEXT NOT NULL,
        input TEXT NOT NULL,
        output TEXT,
        error TEXT,
        cause TEXT,
        started_ms BIGINT NOT NULL,
        stopped_ms BIGINT,
        seed BIGINT NOT NULL,
        revision BIGINT NOT NULL,
        lease_owner TEXT,
        lease_token BIGINT NOT NULL DEFAULT 0,
        lease_expires_ms BIGINT
    );
    CREATE INDEX executions_by_machine ON executions (state_machine_arn, seq);
    CREATE INDEX executions_running ON executions (seq) WHERE status = 'RUNNING';
    CREATE INDEX executions_leased ON executions (lease_owner) WHERE lease_owner IS NOT NULL;
    CREATE TABLE events (
        execution_arn TEXT NOT NULL,
        id BIGINT NOT NULL,
        previous_event_id BIGINT NOT NULL,
        timestamp_ms BIGINT NOT NULL,
        kind TEXT NOT NULL,
        details TEXT,
        thread TEXT NOT NULL,
        seq BIGINT NOT NULL,
        PRIMARY KEY (execution_arn, id)
    );
    CREATE TABLE timers (
        execution_arn TEXT PRIMARY KEY,
        fire_at_ms BIGINT NOT NULL
    );
    CREATE INDEX timers_due ON timers (fire_at_ms);
    CREATE TABLE tags (
        arn TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (arn, key)
    );
",
    // Activities, the tasks executions wait on, and the secret that signs task tokens.
    "
    CREATE TABLE activities (
        arn TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created_ms BIGINT NOT NULL
    );
    CREATE TABLE tasks (
        token TEXT PRIMARY KEY,
        execution_arn TEXT NOT NULL,
        activity_arn TEXT,
        input TEXT NOT NULL,
        scheduled_ms BIGINT NOT NULL,
        timeout_at_ms BIGINT,
        heartbeat_seconds BIGINT,
        heartbeat_at_ms BIGINT,
        started_ms BIGINT,
        worker_name TEXT,
        outcome TEXT,
        output TEXT,
        error TEXT,
        cause TEXT,
        completed_ms BIGINT
    );
    CREATE INDEX tasks_by_execution ON tasks (execution_arn);
    CREATE INDEX tasks_waiting ON tasks (activity_arn, scheduled_ms)
        WHERE started_ms IS NULL AND outcome IS NULL;
    CREATE TABLE secrets (
        name TEXT PRIMARY KEY,
        value BYTEA NOT NULL
    );
",
    // Versions and aliases (`fluxo_store::VersionStore`): the last version number given per
    // state machine, so that numbers are never given twice; the version and alias each
    // execution started through.
    "
    ALTER TABLE state_machines ADD COLUMN last_version BIGINT NOT NULL DEFAULT 0;
    CREATE TABLE versions (
        arn TEXT PRIMARY KEY,
        state_machine_arn TEXT NOT NULL,
        number BIGINT NOT NULL,
        revision BIGINT NOT NULL,
        revision_id TEXT,
        description TEXT,
        created_ms BIGINT NOT NULL
    );
    CREATE INDEX versions_by_machine ON versions (state_machine_arn, number);
    CREATE TABLE aliases (
        arn TEXT PRIMARY KEY,
        state_machine_arn TEXT NOT NULL,
        name TEXT NOT NULL,
        description TEXT,
        routing TEXT NOT NULL,
        created_ms BIGINT NOT NULL,
        updated_ms BIGINT NOT NULL
    );
    CREATE INDEX aliases_by_machine ON aliases (state_machine_arn, name);
    ALTER TABLE executions ADD COLUMN version_arn TEXT;
    ALTER TABLE executions ADD COLUMN alias_arn TEXT;
    CREATE INDEX executions_by_version ON executions (version_arn, seq) WHERE version_arn IS NOT NULL;
    CREATE INDEX executions_by_alias ON executions (alias_arn, seq) WHERE alias_arn IS NOT NULL;
",
    // Redrives (`RedriveExecution`): how many, the last one's time and client token.
    "
    ALTER TABLE executions ADD COLUMN redrive_count BIGINT NOT NULL DEFAULT 0;
    ALTER TABLE executions ADD COLUMN redrive_ms BIGINT;
    ALTER TABLE executions ADD COLUMN redrive_token TEXT;
",
    // Map Runs: the status, dates, limits and counts in `body` (`fluxo_store::body_of`).
    "
    CREATE TABLE map_runs (
        arn TEXT PRIMARY KEY,
        execution_arn TEXT NOT NULL,
        start_ms BIGINT NOT NULL,
        body TEXT NOT NULL
    );
    CREATE INDEX map_runs_by_execution ON map_runs (execution_arn, arn);
",
    // Distributed Map child executions (`record_child_execution`): their Map Run, listed by
    // `ListExecutions` with `mapRunArn`.
    "
    ALTER TABLE executions ADD COLUMN map_run_arn TEXT;
    CREATE INDEX executions_by_map_run ON executions (map_run_arn, seq)
        WHERE map_run_arn IS NOT NULL;
",
    // A customer managed key's `encryptionConfiguration` of an activity (`DescribeActivity`).
    "
    ALTER TABLE activities ADD COLUMN encryption TEXT;
",
];

/// Brings the schema to the newest version; refuses a database written by a newer Fluxo.
pub async fn migrate(client: &mut Client) -> StoreResult<()> {
    let transaction = client.transaction().await.map_err(backend)?;
    transaction
        .execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(backend)?;
    transaction
        .batch_execute("CREATE TABLE IF NOT EXISTS fluxo_schema (version BIGINT NOT NULL)")
        .await
        .map_err(backend)?;
    let version: i64 = transaction
        .query_opt("SELECT version FROM fluxo_schema", &[])
        .await
        .map_err(backend)?
        .map_or(0, |row| row.get(0));
    let current = usize::try_from(version).unwrap_or(usize::MAX);
    if current > MIGRATIONS.len() {
        return Err(backend(format!(
            "the database was written by a newer Fluxo (schema {version}, this one knows {})",
            MIGRATIONS.len()
        )));
    }
    for migration in &MIGRATIONS[current..] {
        transaction
            .batch_execute(migration)
            .await
            .map_err(backend)?;
    }
    let newest = MIGRATIONS.len() as i64;
    transaction
        .execute("DELETE FROM fluxo_schema", &[])
        .await
        .map_err(backend)?;
    transaction
        .execute("INSERT INTO fluxo_schema (version) VALUES ($1)", &[&newest])
        .await
        .map_err(backend)?;
    transaction.commit().await.map_err(backend)
}
