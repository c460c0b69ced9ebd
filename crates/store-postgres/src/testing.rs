//! A throwaway PostgreSQL server for tests (feature `testing`): `initdb` into a temporary
//! folder, `postgres` on a free loopback port, stopped (`pg_ctl stop -m immediate`) and deleted
//! when the [`TestServer`] is dropped.
//!
//! The binaries are found on `PATH` or in Debian's `/usr/lib/postgresql/<version>/bin` (the
//! newest). PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user
//! (created by Debian's package) or, without one, as `nobody`, through `runuser`, in a folder
//! handed to that user. Without the binaries, [`TestServer::start`] fails the test when `CI`
//! or `FLUXO_REQUIRE_CLIENTS` is set and otherwise returns `None` after printing a notice.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct TestServer {
    /// The server's folder: `data/` (the cluster), `server.log`, the Unix socket.
    dir: tempfile::TempDir,
    bin: PathBuf,
    /// Who runs the server, when not the current user (running as root).
    user: Option<String>,
    port: u16,
}

/// Whether a missing PostgreSQL fails the test instead of skipping it.
pub fn required() -> bool {
    ["CI", "FLUXO_REQUIRE_CLIENTS"].iter().any(|name| {
        std::env::var(name).is_ok_and(|value| !value.is_empty() && value != "0" && value != "false")
    })
}

/// The folder holding `initdb`, `pg_ctl` and `postgres`.
pub fn find_binaries() -> Option<PathBuf> {
    let has_all = |dir: &Path| {
        ["initdb", "pg_ctl", "postgres"]
            .iter()
            .all(|name| dir.join(name).is_file())
    };
    let on_path = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .unwrap_or_default();
    if let Some(dir) = on_path.into_iter().find(|dir| has_all(dir)) {
        return Some(dir);
    }
    let mut debian: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, bin)| has_all(bin))
        .collect();
    debian.sort();
    debian.pop().map(|(_, bin)| bin)
}

fn output(command: &mut Command) -> Result<String, String> {
    let out = command
        .output()
        .map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{command:?} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The unprivileged user to run the server as, when this process is root.
fn server_user() -> Option<String> {
    let uid = output(Command::new("id").arg("-u")).ok()?;
    if uid != "0" {
        return None;
    }
    let exists = |name: &str| output(Command::new("id").args(["-u", name])).is_ok();
    ["postgres", "nobody"]
        .into_iter()
        .find(|name| exists(name))
        .map(str::to_string)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free loopback port")
}

impl TestServer {
    /// Starts a server, or `None` (with a notice) when PostgreSQL is not installed and not
    /// required. Panics when it is required and missing, or when it cannot start.
    pub fn start() -> Option<TestServer> {
        let Some(bin) = find_binaries() else {
            let help = "PostgreSQL's initdb/pg_ctl/postgres were not found on PATH or in \
                        /usr/lib/postgresql/*/bin (Debian: apt-get install postgresql)";
            if required() {
                panic!("{help}; they are required (CI / FLUXO_REQUIRE_CLIENTS)");
            }
            eprintln!("notice: skipping the PostgreSQL test: {help}");
            return None;
        };
        let dir = tempfile::Builder::new()
            .prefix("fluxo-pg-")
            .tempdir()
            .expect("a temporary folder");
        let user = server_user();
        if let Some(user) = &user {
            let id = |flag: &str| -> u32 {
                output(Command::new("id").args([flag, user]))
                    .expect("the server user's ids")
                    .parse()
                    .expect("a numeric id")
            };
            std::os::unix::fs::chown(dir.path(), Some(id("-u")), Some(id("-g")))
                .expect("the server's folder handed to its user");
        }
        let mut server = TestServer {
            dir,
            bin,
            user,
            port: 0,
        };
        let data = server.dir.path().join("data");
        server
            .run(
                "initdb",
                &[
                    "-D",
                    &data.to_string_lossy(),
                    "-U",
                    "fluxo",
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--locale=C",
                    "--no-sync",
                ],
            )
            .unwrap_or_else(|e| panic!("initdb: {e}"));
        let mut last = String::new();
        for _ in 0..3 {
            server.port = free_port();
            match server.pg_ctl_start() {
                Ok(()) => return Some(server),
                Err(error) => last = error,
            }
        }
        panic!("PostgreSQL did not start: {last}\n{}", server.log());
    }

    /// Runs one of the binaries, as the server's user.
    fn run(&self, program: &str, args: &[&str]) -> Result<String, String> {
        let path = self.bin.join(program);
        let mut command = match &self.user {
            Some(user) => {
                let mut command = Command::new("runuser");
                command.args(["-u", user, "--"]).arg(&path);
                command
            }
            None => Command::new(&path),
        };
        // The server's user may not be able to enter the current folder.
        command.args(args).current_dir(self.dir.path());
        output(&mut command)
    }

    fn pg_ctl_start(&self) -> Result<(), String> {
        let dir = self.dir.path().to_string_lossy();
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -c unix_socket_directories={dir} \
             -c fsync=off -c max_connections=200 -c log_line_prefix='%a|'",
            self.port
        );
        self.run(
            "pg_ctl",
            &[
                "-D",
                &format!("{dir}/data"),
                "-l",
                &format!("{dir}/server.log"),
                "-w",
                "-t",
                "60",
                "-o",
                &options,
                "start",
            ],
        )
        .map(|_| ())
    }

    /// The URL of `database` on this server (user `fluxo`, no password: `trust`).
    pub fn url(&self, database: &str) -> String {
        format!("postgres://fluxo@127.0.0.1:{}/{database}", self.port)
    }

    /// Creates an empty database and returns its URL.
    pub async fn database(&self, name: &str) -> String {
        let (client, connection) =
            tokio_postgres::connect(&self.url("postgres"), tokio_postgres::NoTls)
                .await
                .expect("a connection to the test server");
        let task = tokio::spawn(connection);
        client
            .batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .await
            .expect("a new database");
        drop(client);
        let _ = task.await;
        self.url(name)
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        let stopped = self.run(
            "pg_ctl",
            &[
                "-D",
                &data.to_string_lossy(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        );
        if let Err(error) = stopped {
            eprintln!("warning: the test PostgreSQL did not stop: {error}");
        }
    }
}
