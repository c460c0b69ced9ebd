//! The schema, created and migrated by `PRAGMA user_version`.

use crate::backend;
use fluxo_store::StoreResult;
use rusqlite::Connection;

/// Each entry migrates from version `index` to `index + 1`.
const MIGRATIONS: &[&str] = &[
    "
    CREATE TABLE state_machines (
        arn TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        definition TEXT NOT NULL,
        role_arn TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL,
        revision INTEGER NOT NULL
    );
    CREATE TABLE executions (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        arn TEXT NOT NULL UNIQUE,
        state_machine_arn TEXT NOT NULL,
        name TEXT NOT NULL,
        status TEXT NOT NULL,
        input TEXT NOT NULL,
        output TEXT,
        error TEXT,
        cause TEXT,
        started_ms INTEGER NOT NULL,
        stopped_ms INTEGER,
        seed INTEGER NOT NULL
    );
    CREATE INDEX executions_by_machine ON executions (state_machine_arn, seq);
    CREATE INDEX executions_by_status ON executions (status);
    CREATE TABLE events (
        execution_arn TEXT NOT NULL,
        id INTEGER NOT NULL,
        previous_event_id INTEGER NOT NULL,
        timestamp_ms INTEGER NOT NULL,
        kind TEXT NOT NULL,
        details TEXT,
        thread TEXT NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (execution_arn, id)
    ) WITHOUT ROWID;
    CREATE TABLE timers (
        execution_arn TEXT PRIMARY KEY,
        fire_at_ms INTEGER NOT NULL
    );
    CREATE INDEX timers_due ON timers (fire_at_ms);
    CREATE TABLE tags (
        arn TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (arn, key)
    ) WITHOUT ROWID;
",
    "
    ALTER TABLE state_machines ADD COLUMN logging TEXT;
",
    // Executions run the revision they started with: every revision is kept, and each
    // execution names its own.
    "
    CREATE TABLE revisions (
        state_machine_arn TEXT NOT NULL,
        revision INTEGER NOT NULL,
        definition TEXT NOT NULL,
        role_arn TEXT NOT NULL,
        PRIMARY KEY (state_machine_arn, revision)
    ) WITHOUT ROWID;
    INSERT INTO revisions (state_machine_arn, revision, definition, role_arn)
        SELECT arn, revision, definition, role_arn FROM state_machines;
    ALTER TABLE state_machines ADD COLUMN revision_id TEXT;
    ALTER TABLE executions ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
    UPDATE executions SET revision = COALESCE(
        (SELECT revision FROM state_machines WHERE arn = executions.state_machine_arn), 0);
    DROP INDEX executions_by_status;
    CREATE INDEX executions_running ON executions (seq) WHERE status = 'RUNNING';
",
    // Activities, the tasks executions wait on, and the secret that signs task tokens.
    "
    CREATE TABLE activities (
        arn TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created_ms INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE tasks (
        token TEXT PRIMARY KEY,
        execution_arn TEXT NOT NULL,
        activity_arn TEXT,
        input TEXT NOT NULL,
        scheduled_ms INTEGER NOT NULL,
        timeout_at_ms INTEGER,
        heartbeat_seconds INTEGER,
        heartbeat_at_ms INTEGER,
        started_ms INTEGER,
        worker_name TEXT,
        outcome TEXT,
        output TEXT,
        error TEXT,
        cause TEXT,
        completed_ms INTEGER
    );
    CREATE INDEX tasks_by_execution ON tasks (execution_arn);
    CREATE INDEX tasks_waiting ON tasks (activity_arn, scheduled_ms)
        WHERE started_ms IS NULL AND outcome IS NULL;
    CREATE TABLE secrets (
        name TEXT PRIMARY KEY,
        value BLOB NOT NULL
    ) WITHOUT ROWID;
",
    // Execution leases (`fluxo_store::lease`): the owner while held, the last fencing token
    // drawn, and when the lease expires (epoch ms).
    "
    ALTER TABLE executions ADD COLUMN lease_owner TEXT;
    ALTER TABLE executions ADD COLUMN lease_token INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE executions ADD COLUMN lease_expires_ms INTEGER;
    CREATE INDEX executions_leased ON executions (lease_owner) WHERE lease_owner IS NOT NULL;
",
    // Versions and aliases (`fluxo_store::VersionStore`): the last version number given per
    // state machine, so that numbers are never given twice; the version and alias each
    // execution started through.
    "
    ALTER TABLE state_machines ADD COLUMN last_version INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE versions (
        arn TEXT PRIMARY KEY,
        state_machine_arn TEXT NOT NULL,
        number INTEGER NOT NULL,
        revision INTEGER NOT NULL,
        revision_id TEXT,
        description TEXT,
        created_ms INTEGER NOT NULL
    );
    CREATE INDEX versions_by_machine ON versions (state_machine_arn, number);
    CREATE TABLE aliases (
        arn TEXT PRIMARY KEY,
        state_machine_arn TEXT NOT NULL,
        name TEXT NOT NULL,
        description TEXT,
        routing TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL
    );
    CREATE INDEX aliases_by_machine ON aliases (state_machine_arn, name);
    ALTER TABLE executions ADD COLUMN version_arn TEXT;
    ALTER TABLE executions ADD COLUMN alias_arn TEXT;
    CREATE INDEX executions_by_version ON executions (version_arn, seq) WHERE version_arn IS NOT NULL;
    CREATE INDEX executions_by_alias ON executions (alias_arn, seq) WHERE alias_arn IS NOT NULL;
",
    // Redrives (`RedriveExecution`): how many, the last one's time and client token.
    "
    ALTER TABLE executions ADD COLUMN redrive_count INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE executions ADD COLUMN redrive_ms INTEGER;
    ALTER TABLE executions ADD COLUMN redrive_token TEXT;
",
    // Map Runs: the status, dates, limits and counts in `body` (`fluxo_store::body_of`).
    "
    CREATE TABLE map_runs (
        arn TEXT PRIMARY KEY,
        execution_arn TEXT NOT NULL,
        start_ms INTEGER NOT NULL,
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

pub fn prepare(connection: &mut Connection) -> StoreResult<()> {
    connection
        .pragma_update(None, "journal_mode", "WAL")
        .map_err(backend)?;
    connection
        .pragma_update(None, "synchronous", "FULL")
        .map_err(backend)?;
    connection
        .busy_timeout(std::time::Duration::from_secs(5))
        .map_err(backend)?;
    let version: i64 = connection
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(backend)?;
    let current = usize::try_from(version).unwrap_or(usize::MAX);
    if current > MIGRATIONS.len() {
        return Err(backend(format!(
            "the data was written by a newer Fluxo (schema {version}, this one knows {})",
            MIGRATIONS.len()
        )));
    }
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(current) {
        let transaction = connection.transaction().map_err(backend)?;
        transaction.execute_batch(migration).map_err(backend)?;
        transaction
            .pragma_update(None, "user_version", index as i64 + 1)
            .map_err(backend)?;
        transaction.commit().map_err(backend)?;
    }
    Ok(())
}
