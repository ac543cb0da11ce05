//! The `sqlx` example against a real PostgreSQL server: a run-time migration, a pool of 8,
//! 100 concurrent tasks inserting and selecting; the rows, the pool's bound (counted by the
//! server in `pg_stat_activity`), the Tokio context sqlx needs and its one extra thread, and
//! the error a wrong password gives.
//!
//! Needs the server `bash .ci/peers` starts (PostgreSQL on 127.0.0.1:25432, role and database
//! `runtime`), or another one named by `DATABASE_URL`; fails with that message if none is
//! reachable.

#[path = "../../runtime/tests/support/mod.rs"]
mod support;

#[allow(dead_code)] // the example's `main` is not used here
#[path = "../sqlx.rs"]
mod sqlx_example;

use async_compat::Compat;
use sqlx_example as ex;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::Duration;
use support::Watchdog;

fn no_server(err: impl std::fmt::Display) -> ! {
    panic!(
        "no PostgreSQL to test against: {err}\n\
         Run `bash .ci/peers` (installs Debian's `postgresql` and starts it on \
         127.0.0.1:25432) or point DATABASE_URL at a server."
    )
}

/// Names of this process's threads, as the kernel has them (15 bytes at most).
fn thread_names() -> Vec<String> {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
        .map(|name| name.trim_end().to_owned())
        .collect()
}

#[test]
fn sqlx_pool_of_8_serves_100_concurrent_tasks_after_a_migration() {
    let _dog = Watchdog::new("sqlx_pool", Duration::from_secs(120));
    support::multi(2).block_on(Compat::new(async {
        let app = format!("runtime-sqlx-test-{}", std::process::id());
        let options = ex::options_from_env(&app).unwrap();
        let pool = ex::connect(options.clone())
            .await
            .unwrap_or_else(|err| no_server(err));
        // Twice: the second run finds the migration applied and does nothing.
        ex::migrate(&pool).await.unwrap();
        ex::migrate(&pool).await.unwrap();
        let (applied,): (i64,) =
            sqlx::query_as("SELECT count(*) FROM _sqlx_migrations WHERE version = 1 AND success")
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(applied, 1);

        // A separate connection (outside the pool) counts the pool's sessions while the
        // tasks run.
        let watcher = ex::connect(ex::options_from_env("runtime-sqlx-watcher").unwrap())
            .await
            .unwrap();
        let (done, peak) = (
            Arc::new(AtomicBool::new(false)),
            Arc::new(AtomicI64::new(0)),
        );
        let sampler = runtime::spawn(Compat::new({
            let (done, peak, app) = (Arc::clone(&done), Arc::clone(&peak), app.clone());
            async move {
                while !done.load(Ordering::Acquire) {
                    let (now,): (i64,) = sqlx::query_as(
                        "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1",
                    )
                    .bind(&app)
                    .fetch_one(&watcher)
                    .await
                    .unwrap();
                    peak.fetch_max(now, Ordering::AcqRel);
                    runtime::time::sleep(Duration::from_millis(2)).await;
                }
                watcher.close().await;
            }
        }));

        let tag = ex::run_tag();
        let notes = ex::run(&pool, &tag).await.unwrap();
        done.store(true, Ordering::Release);
        sampler.await.unwrap();

        let want: Vec<String> = (0..ex::TASKS)
            .map(|task| format!("note {task} of {tag}"))
            .collect();
        assert_eq!(notes, want);
        let rows: Vec<(i32, String)> = sqlx::query_as(&format!(
            "SELECT task, note FROM {} WHERE run = $1 ORDER BY task",
            ex::TABLE
        ))
        .bind(&tag)
        .fetch_all(&pool)
        .await
        .unwrap();
        assert_eq!(rows.len(), ex::TASKS as usize);
        assert!(
            rows.iter()
                .enumerate()
                .all(|(i, (task, note))| *task == i as i32 && *note == want[i])
        );

        // 100 tasks contending: the pool opened all 8 connections and never a 9th.
        let peak = peak.load(Ordering::Acquire);
        assert!(peak >= 1 && peak <= i64::from(ex::POOL_SIZE), "peak {peak}");
        assert_eq!(pool.size(), ex::POOL_SIZE);
        let (open,): (i64,) =
            sqlx::query_as("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1")
                .bind(&app)
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(open, i64::from(ex::POOL_SIZE));

        sqlx::query(&format!("DELETE FROM {} WHERE run = $1", ex::TABLE))
            .bind(&tag)
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
        assert!(
            tokio::runtime::Handle::try_current().is_ok(),
            "inside Compat"
        );
    }));
    // The Tokio context is one thread, started once for the whole process.
    let compat_threads = thread_names()
        .iter()
        .filter(|name| name.starts_with("async-compat"))
        .count();
    assert_eq!(compat_threads, 1, "{:?}", thread_names());
}

#[test]
fn sqlx_wrong_password_is_a_clear_authentication_error() {
    let _dog = Watchdog::new("sqlx_wrong_password", Duration::from_secs(60));
    support::multi(1).block_on(Compat::new(async {
        let options = ex::options_from_env("runtime-sqlx-bad-password")
            .unwrap()
            .password("certainly-not-the-password");
        let err = ex::connect(options).await.unwrap_err().to_string();
        if err.contains(".ci/peers") {
            no_server(err);
        }
        // SQLSTATE 28P01 is invalid_password; the server's own message is in the error.
        assert!(
            err.contains("password authentication failed for user \"runtime\""),
            "{err}"
        );
        assert!(
            err.starts_with("cannot connect to PostgreSQL at 127.0.0.1:25432"),
            "{err}"
        );
    }));
}

#[test]
fn sqlx_outside_a_tokio_context_panics_with_its_own_message() {
    let _dog = Watchdog::new("sqlx_no_context", Duration::from_secs(60));
    // No Compat: sqlx's pool reaches for `tokio::time` and finds no Tokio context.
    let panic = std::panic::catch_unwind(|| {
        support::current().block_on(async {
            let options = ex::options_from_env("runtime-sqlx-no-context").unwrap();
            let _ = ex::connect(options).await;
        })
    })
    .unwrap_err();
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    assert_eq!(message, "this functionality requires a Tokio context");
}
