//! sqlx on `runtime`: a migration run at start-up (a [`Migrator`] read from
//! `examples/migrations/sqlx` at run time, no compile-time `DATABASE_URL`), a pool of 8
//! PostgreSQL connections, and 100 tasks inserting and selecting through it at once.
//!
//! sqlx needs a Tokio context: its pool spawns maintenance tasks with `tokio::spawn`, times
//! out `acquire` with `tokio::time`, and opens its sockets with `tokio::net` (it has no way to
//! plug in another runtime's I/O, spawner or timer; without a context it panics with "this
//! functionality requires a Tokio context"). So every future that touches sqlx is wrapped in
//! [`async_compat::Compat`], which enters a one-thread Tokio runtime of its own (thread
//! `async-compat/tokio-1`, started on first use) while the future is polled. The tasks
//! themselves are `runtime` tasks; sqlx's sockets and timers live on that extra thread.
//!
//! Connection settings come from `DATABASE_URL`, by default [`DEFAULT_DATABASE_URL`], the
//! server that `bash .ci/peers` starts. No TLS.
//!
//! ```text
//! bash .ci/peers   # or any PostgreSQL you point DATABASE_URL at
//! cargo run --release -p examples --example sqlx
//! ```

use async_compat::Compat;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use std::error::Error;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where the example connects without `DATABASE_URL`: the cluster `.ci/peers` starts.
pub const DEFAULT_DATABASE_URL: &str = "postgresql://runtime:runtime@127.0.0.1:25432/runtime";

/// The most connections the pool opens.
pub const POOL_SIZE: u32 = 8;

/// How many tasks insert and select at once.
pub const TASKS: i32 = 100;

/// The table the migration creates.
pub const TABLE: &str = "runtime_sqlx_notes";

/// Any failure, with the step that failed in its message.
pub type BoxError = Box<dyn Error + Send + Sync>;

/// The migrations directory, read at run time.
pub fn migrations_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlx")
}

/// Reads the settings from `DATABASE_URL`, or the default; `application_name` names the
/// pool's connections in `pg_stat_activity`.
pub fn options_from_env(application_name: &str) -> Result<PgConnectOptions, BoxError> {
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.to_owned());
    let options: PgConnectOptions = url.parse().map_err(|err| {
        format!("DATABASE_URL {url:?} is not a PostgreSQL connection string: {err}")
    })?;
    Ok(options.application_name(application_name))
}

/// Opens a pool of at most [`POOL_SIZE`] connections (one opened at once, to fail early on a
/// wrong address or password). Call it inside [`Compat`].
pub async fn connect(options: PgConnectOptions) -> Result<PgPool, BoxError> {
    let target = format!(
        "PostgreSQL at {}:{} as {:?}",
        options.get_host(),
        options.get_port(),
        options.get_username()
    );
    PgPoolOptions::new()
        .max_connections(POOL_SIZE)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await
        .map_err(|err| {
            let hint = match err {
                sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut => {
                    " (start one with `bash .ci/peers`, or set DATABASE_URL)"
                }
                _ => "",
            };
            format!("cannot connect to {target}: {err}{hint}").into()
        })
}

/// Runs the migrations in [`migrations_dir`] that `pool`'s database has not run yet.
pub async fn migrate(pool: &PgPool) -> Result<(), BoxError> {
    let dir = migrations_dir();
    let migrator = Migrator::new(dir.as_path())
        .await
        .map_err(|err| format!("reading migrations from {}: {err}", dir.display()))?;
    migrator
        .run(pool)
        .await
        .map_err(|err| format!("running migrations: {err}").into())
}

/// Inserts one row per task from [`TASKS`] concurrent `runtime` tasks, each reading its row
/// back by id, all tagged `run`; returns the notes read back, in task order.
pub async fn run(pool: &PgPool, run: &str) -> Result<Vec<String>, BoxError> {
    let mut tasks = runtime::task::JoinSet::new();
    for task in 0..TASKS {
        let (pool, run) = (pool.clone(), run.to_owned());
        // Each task enters the Tokio context on its own: a spawned future is polled outside
        // the parent's `Compat`.
        tasks.spawn(Compat::new(async move {
            let note = format!("note {task} of {run}");
            // The short sleep holds the connection so that the tasks contend for the pool.
            let (id,): (i64,) = sqlx::query_as(&format!(
                "INSERT INTO {TABLE} (run, task, note) \
                 SELECT $1, $2, $3 FROM pg_sleep(0.005) RETURNING id"
            ))
            .bind(&run)
            .bind(task)
            .bind(&note)
            .fetch_one(&pool)
            .await?;
            let (back,): (String,) =
                sqlx::query_as(&format!("SELECT note FROM {TABLE} WHERE id = $1"))
                    .bind(id)
                    .fetch_one(&pool)
                    .await?;
            Ok::<_, sqlx::Error>((task, back))
        }));
    }
    let mut notes = vec![String::new(); TASKS as usize];
    while let Some(done) = tasks.join_next().await {
        let (task, note) = done
            .map_err(|err| format!("task failed: {err}"))?
            .map_err(|err| format!("query failed: {err}"))?;
        notes[task as usize] = note;
    }
    Ok(notes)
}

/// A tag for this process's rows.
pub fn run_tag() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{}-{nanos}", std::process::id())
}

#[runtime::main]
async fn main() -> Result<(), BoxError> {
    Compat::new(async {
        let pool = connect(options_from_env("runtime-sqlx-example")?).await?;
        migrate(&pool).await?;
        let tag = run_tag();
        let notes = run(&pool, &tag).await?;
        let (count,): (i64,) =
            sqlx::query_as(&format!("SELECT count(*) FROM {TABLE} WHERE run = $1"))
                .bind(&tag)
                .fetch_one(&pool)
                .await?;
        println!(
            "{count} rows inserted and read back by {TASKS} tasks over {} connections; first: {:?}",
            pool.size(),
            notes[0]
        );
        sqlx::query(&format!("DELETE FROM {TABLE} WHERE run = $1"))
            .bind(&tag)
            .execute(&pool)
            .await?;
        pool.close().await;
        Ok(())
    })
    .await
}
