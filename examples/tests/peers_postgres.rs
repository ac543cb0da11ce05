//! The `postgres` example against a real PostgreSQL server: tokio-postgres over
//! `TokioIo<TcpStream>` (SCRAM authentication, prepared statements, statements pipelined from
//! many tasks on one connection), rows read back and checked.
//!
//! Needs the server `bash .ci/peers` starts (PostgreSQL on 127.0.0.1:25432, role and database
//! `runtime`), or another one named by `DATABASE_URL`; fails with that message if none is
//! reachable.

#[path = "../../runtime/tests/support/mod.rs"]
mod support;

#[allow(dead_code)] // the example's `main` is not used here
#[path = "../postgres.rs"]
mod postgres;

use std::sync::Arc;
use std::time::Duration;
use support::Watchdog;

#[test]
fn postgres_example_inserts_concurrently_and_reads_rows_back() {
    let _dog = Watchdog::new("postgres_example", Duration::from_secs(120));
    support::multi(2).block_on(async {
        let config = postgres::config_from_env().unwrap();
        let client = match postgres::connect(&config).await {
            Ok(client) => Arc::new(client),
            Err(err) => panic!(
                "no PostgreSQL to test against: {err}\n\
                 Run `bash .ci/peers` (installs Debian's `postgresql` and starts it on \
                 127.0.0.1:25432) or point DATABASE_URL at a server."
            ),
        };
        // No Tokio runtime is behind any of this.
        assert!(tokio::runtime::Handle::try_current().is_err());

        let (first, count) = postgres::run(Arc::clone(&client)).await.unwrap();
        let total = postgres::TASKS * postgres::ROWS_PER_TASK;
        assert_eq!(count, i64::from(total));
        let want: Vec<(i32, String)> = (0..10).map(|id| (id, format!("user-{id}"))).collect();
        assert_eq!(first, want);

        // Every task inserted its share, and the ids are exactly 0..total.
        let per_task = client
            .query(
                &format!(
                    "SELECT task, count(*), min(id), max(id) FROM {} GROUP BY task ORDER BY task",
                    postgres::TABLE
                ),
                &[],
            )
            .await
            .unwrap();
        assert_eq!(per_task.len(), postgres::TASKS as usize);
        for (task, row) in (0..postgres::TASKS).zip(&per_task) {
            assert_eq!(row.get::<_, i32>(0), task);
            assert_eq!(row.get::<_, i64>(1), i64::from(postgres::ROWS_PER_TASK));
            assert_eq!(row.get::<_, i32>(2), task);
            assert_eq!(
                row.get::<_, i32>(3),
                (postgres::ROWS_PER_TASK - 1) * postgres::TASKS + task
            );
        }

        // A server-side error comes back as an error, and the connection keeps working.
        let err = client
            .execute(
                &format!(
                    "INSERT INTO {} (id, name, task) VALUES (0, 'dup', 0)",
                    postgres::TABLE
                ),
                &[],
            )
            .await
            .unwrap_err();
        assert_eq!(
            err.code(),
            Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION),
            "{err}"
        );
        let again = client
            .query_one(&format!("SELECT count(*) FROM {}", postgres::TABLE), &[])
            .await
            .unwrap();
        assert_eq!(again.get::<_, i64>(0), i64::from(total));
    });
}

#[test]
fn wrong_password_is_an_authentication_error() {
    let _dog = Watchdog::new("postgres_bad_password", Duration::from_secs(60));
    support::multi(2).block_on(async {
        let mut config = postgres::config_from_env().unwrap();
        config.password("definitely-not-the-password");
        let err = match postgres::connect(&config).await {
            Ok(_) => panic!("connected with a wrong password"),
            Err(err) => err.to_string(),
        };
        assert!(
            !err.contains("cannot reach PostgreSQL"),
            "no PostgreSQL to test against: {err}\nRun `bash .ci/peers` or set DATABASE_URL."
        );
        // The server's message and SQLSTATE (28P01 invalid_password), not tokio-postgres'
        // bare "db error".
        assert!(err.contains("handshake failed"), "{err}");
        assert!(err.contains("password authentication failed"), "{err}");
        assert!(err.contains("SQLSTATE 28P01"), "{err}");
        assert!(!err.contains("db error"), "{err}");
    });
}

/// A connection the server ends (here `pg_terminate_backend` from a second session) makes the
/// connection task print the server's message, not "db error".
#[test]
fn a_terminated_connection_reports_the_server_message() {
    let _dog = Watchdog::new("postgres_terminated", Duration::from_secs(60));
    support::multi(2).block_on(async {
        let config = postgres::config_from_env().unwrap();
        let (victim, task) = postgres::connect_watched(&config).await.unwrap_or_else(|err| {
            panic!("no PostgreSQL to test against: {err}\nRun `bash .ci/peers` or set DATABASE_URL.")
        });
        let pid: i32 = victim
            .query_one("SELECT pg_backend_pid()", &[])
            .await
            .unwrap()
            .get(0);
        let admin = postgres::connect(&config).await.unwrap();
        let ended: bool = admin
            .query_one("SELECT pg_terminate_backend($1)", &[&pid])
            .await
            .unwrap()
            .get(0);
        assert!(ended, "the server did not end backend {pid}");

        let line = task.await.unwrap().unwrap_err();
        assert!(line.starts_with("PostgreSQL connection error: "), "{line}");
        assert!(
            line.contains("terminating connection due to administrator command"),
            "{line}"
        );
        assert!(line.contains("SQLSTATE 57P01"), "{line}");
        assert!(victim.is_closed());
    });
}
