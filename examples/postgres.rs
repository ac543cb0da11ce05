//! PostgreSQL from `runtime` with tokio-postgres (the asyncpg tutorial's example): connect,
//! create a table, insert rows concurrently from many tasks, read back `SELECT ... LIMIT 10`.
//!
//! tokio-postgres is built without its `runtime` feature, so it never touches a Tokio
//! runtime: the socket is a `runtime::net` stream wrapped in
//! [`TokioIo`](runtime::compat::tokio_io::TokioIo) and handed to `Config::connect_raw`, and
//! the connection's background work is a runtime task.
//!
//! Connection settings come from `DATABASE_URL` (a `postgresql://` URL or `key=value` pairs,
//! TCP host or Unix-socket directory), by default [`DEFAULT_DATABASE_URL`], the server that
//! `bash .ci/peers` starts. No TLS.
//!
//! ```text
//! bash .ci/peers   # or any PostgreSQL you point DATABASE_URL at
//! cargo run --release -p examples --example postgres
//! ```

use runtime::compat::tokio_io::TokioIo;
use runtime::net::{TcpStream, UnixStream};
use std::error::Error;
use std::sync::Arc;
use tokio_postgres::config::Host;
use tokio_postgres::{Client, Config, NoTls};

/// Where the example connects without `DATABASE_URL`: the cluster `.ci/peers` starts.
pub const DEFAULT_DATABASE_URL: &str = "postgresql://runtime:runtime@127.0.0.1:25432/runtime";

/// The table the example (re)creates.
pub const TABLE: &str = "runtime_example_users";

/// How many tasks insert at once, and how many rows each inserts.
pub const TASKS: i32 = 8;
/// Rows inserted by each of the [`TASKS`] tasks.
pub const ROWS_PER_TASK: i32 = 25;

/// Any failure, with the step that failed in its message.
pub type BoxError = Box<dyn Error + Send + Sync>;

/// Reads the settings from `DATABASE_URL`, or the default.
pub fn config_from_env() -> Result<Config, BoxError> {
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.to_owned());
    url.parse().map_err(|err| {
        format!("DATABASE_URL {url:?} is not a PostgreSQL connection string: {err}").into()
    })
}

/// Connects to the first host in `config` and spawns the connection task (detached: a
/// connection error is printed to stderr with the server's message, see [`connection_error`]).
pub async fn connect(config: &Config) -> Result<Client, BoxError> {
    Ok(connect_watched(config).await?.0)
}

/// What the connection task ends with: `Err` holds the line it printed to stderr.
pub type ConnectionTask = runtime::task::JoinHandle<Result<(), String>>;

/// [`connect`], also handing back the connection task's handle.
pub async fn connect_watched(config: &Config) -> Result<(Client, ConnectionTask), BoxError> {
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let host = config
        .get_hosts()
        .first()
        .cloned()
        .unwrap_or_else(|| Host::Tcp("127.0.0.1".to_owned()));
    let unreachable = |err: std::io::Error| {
        format!(
            "cannot reach PostgreSQL at {host:?} port {port}: {err} \
             (start one with `bash .ci/peers`, or set DATABASE_URL)"
        )
    };
    match &host {
        Host::Tcp(name) => {
            let stream = TcpStream::connect((name.as_str(), port))
                .await
                .map_err(unreachable)?;
            stream.set_nodelay(true)?;
            start(config, TokioIo::new(stream)).await
        }
        Host::Unix(dir) => {
            let path = dir.join(format!(".s.PGSQL.{port}"));
            let stream = UnixStream::connect(&path).await.map_err(unreachable)?;
            start(config, TokioIo::new(stream)).await
        }
    }
}

/// `err` with the server's own message and SQLSTATE when it has them (tokio-postgres'
/// `Display` says only "db error" for those).
pub fn describe(err: &tokio_postgres::Error) -> String {
    match err.as_db_error() {
        Some(db) => format!("{} (SQLSTATE {})", db.message(), db.code().code()),
        None => match err.source() {
            Some(source) => format!("{err}: {source}"),
            None => err.to_string(),
        },
    }
}

/// The line the connection task prints when the connection fails (the server closed it, the
/// network dropped), with the server's own message where it sent one.
pub fn connection_error(err: &tokio_postgres::Error) -> String {
    format!("PostgreSQL connection error: {}", describe(err))
}

/// `context: <the server's message>`, for `map_err` on a query's result.
fn failed(context: &'static str) -> impl Fn(tokio_postgres::Error) -> BoxError {
    move |err| format!("{context}: {}", describe(&err)).into()
}

/// Runs the startup handshake on `stream` and spawns the connection's background task.
async fn start<S>(config: &Config, stream: S) -> Result<(Client, ConnectionTask), BoxError>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (client, connection) = config
        .connect_raw(stream, NoTls)
        .await
        .map_err(failed("PostgreSQL handshake failed"))?;
    let task = runtime::spawn(async move {
        connection.await.map_err(|err| {
            let line = connection_error(&err);
            eprintln!("{line}");
            line
        })
    });
    Ok((client, task))
}

/// Creates [`TABLE`] afresh, fills it from [`TASKS`] concurrent tasks and returns the first
/// ten rows by id and the total row count.
pub async fn run(client: Arc<Client>) -> Result<(Vec<(i32, String)>, i64), BoxError> {
    client
        .batch_execute(&format!(
            "DROP TABLE IF EXISTS {TABLE};
             CREATE TABLE {TABLE} (id integer PRIMARY KEY, name text NOT NULL, task integer NOT NULL)"
        ))
        .await
        .map_err(failed("creating the table"))?;

    // Every task shares the one connection: tokio-postgres pipelines their statements.
    let insert = client
        .prepare(&format!(
            "INSERT INTO {TABLE} (id, name, task) VALUES ($1, $2, $3)"
        ))
        .await
        .map_err(failed("preparing the insert"))?;
    let mut tasks = runtime::task::JoinSet::new();
    for task in 0..TASKS {
        let (client, insert) = (Arc::clone(&client), insert.clone());
        tasks.spawn(async move {
            for i in 0..ROWS_PER_TASK {
                // Interleaved ids: task t inserts t, t + TASKS, t + 2 * TASKS, ...
                let id = i * TASKS + task;
                client
                    .execute(&insert, &[&id, &format!("user-{id}"), &task])
                    .await?;
            }
            Ok::<(), tokio_postgres::Error>(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.map_err(|err| format!("insert task failed: {err}"))?
            .map_err(|err| format!("insert failed: {}", describe(&err)))?;
    }

    let rows = client
        .query(
            &format!("SELECT id, name FROM {TABLE} ORDER BY id LIMIT 10"),
            &[],
        )
        .await
        .map_err(failed("reading the first rows"))?;
    let first = rows.iter().map(|row| (row.get(0), row.get(1))).collect();
    let count = client
        .query_one(&format!("SELECT count(*) FROM {TABLE}"), &[])
        .await
        .map_err(failed("counting the rows"))?
        .get(0);
    Ok((first, count))
}

#[runtime::main]
async fn main() -> Result<(), BoxError> {
    let config = config_from_env()?;
    let client = Arc::new(connect(&config).await?);
    let (rows, count) = run(client).await?;
    println!("{count} rows inserted by {TASKS} tasks; the first 10:");
    for (id, name) in rows {
        println!("{id:>4}  {name}");
    }
    Ok(())
}
