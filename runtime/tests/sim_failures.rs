//! What counts as a simulation failure and what it reports (issue 19 item 2): a panic in the
//! main future or in a task whose `JoinError` is unwrapped, a deadlock (with the task dump
//! saying which task waits on what), a virtual-time limit, an `Err` output; and how the test
//! runner prints the seed and the replay command and replays `RUNTIME_SEED`.

mod support;

use runtime::sim;
use runtime::sync::Mutex;
use runtime::time::sleep;
use std::process::Command;
use std::time::Duration;
use support::Watchdog;

const BOUND: Duration = Duration::from_secs(120);

#[test]
fn a_deadlock_is_reported_with_the_tasks_and_what_they_wait_on() {
    let run = sim::run(4, || async {
        let lock = std::sync::Arc::new(Mutex::new(()));
        let guard = lock.clone().lock_owned().await;
        let waiter = runtime::task::Builder::new()
            .name("stuck-waiter")
            .spawn({
                let lock = lock.clone();
                async move {
                    let _held = lock.lock().await;
                }
            })
            .unwrap();
        waiter.await.unwrap(); // never: the main future holds the lock
        drop(guard);
    });
    let message = run.result.unwrap_err();
    assert!(message.starts_with("simulation deadlock"), "{message}");
    assert!(message.contains("\"stuck-waiter\""), "{message}");
    assert!(message.contains("Mutex::lock"), "{message}");
}

#[test]
fn a_deadlock_with_no_task_left_says_the_main_future_waits_alone() {
    let run = sim::run(1, || async {
        let (tx, rx) = runtime::sync::oneshot::channel::<()>();
        let _keep = tx;
        rx.await.unwrap();
    });
    let message = run.result.unwrap_err();
    assert!(message.starts_with("simulation deadlock"), "{message}");
    assert!(message.contains("no spawned task is alive"), "{message}");
}

#[test]
fn waiting_past_the_virtual_time_limit_fails_with_a_dump() {
    let _watchdog = Watchdog::new("time limit", BOUND);
    // `sim::run` allows one day of virtual time.
    let run = sim::run(2, || async {
        runtime::spawn(sleep(Duration::from_secs(3 * 24 * 3600)));
        sleep(Duration::from_secs(2 * 24 * 3600)).await;
    });
    let message = run.result.unwrap_err();
    assert!(message.starts_with("simulation time limit"), "{message}");
    assert!(message.contains("sleep"), "{message}");
}

#[test]
fn a_task_panic_fails_the_run_when_its_join_error_is_unwrapped() {
    let run = sim::run(3, || async {
        runtime::spawn(async { panic!("task exploded") })
            .await
            .unwrap();
    });
    let message = run.result.unwrap_err();
    assert!(message.contains("task exploded"), "{message}");
}

#[test]
fn a_task_panic_that_is_handled_is_not_a_failure() {
    let run = sim::run(3, || async {
        runtime::spawn(async { panic!("expected") })
            .await
            .unwrap_err()
            .is_panic()
    });
    assert_eq!(run.result, Ok(true));
}

#[test]
fn find_failure_counts_an_err_output_and_names_the_index_and_seed() {
    // Fails on the first seed whose draw is even.
    let failure = sim::find_failure(100, || async {
        if sim::rand().is_multiple_of(2) {
            Err("even draw")
        } else {
            Ok(())
        }
    })
    .expect("half the seeds fail");
    assert_eq!(failure.seed, sim::seed_for(failure.index));
    assert!(failure.message.contains("even draw"), "{}", failure.message);
    let replayed = sim::run(failure.seed, || async { sim::rand() % 2 });
    assert_eq!(replayed.result, Ok(0));
}

#[test]
fn find_failure_is_none_when_every_seed_passes() {
    assert_eq!(
        sim::find_failure(30, || async { runtime::task::yield_now().await }),
        None
    );
}

#[test]
fn a_dropped_runtime_cancels_the_simulations_tasks() {
    let counter = support::DropCounter::new();
    let token = counter.token();
    let run = sim::run(9, move || async move {
        runtime::spawn(async move {
            let _token = token;
            std::future::pending::<()>().await;
        });
        runtime::task::yield_now().await;
    });
    assert_eq!(run.result, Ok(()));
    assert_eq!(counter.count(), 1);
}

/// Runs this test binary's `failing_on_purpose` test, which only fails when
/// `SIM_FAILURES_CHILD` is set, with `envs`; returns (success, stderr).
fn child(envs: &[(&str, &str)]) -> (bool, String) {
    let exe = std::env::current_exe().unwrap();
    let mut command = Command::new(exe);
    command
        .args([
            "--exact",
            "failing_on_purpose",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("SIM_FAILURES_CHILD", "1")
        .env_remove("RUNTIME_SEED")
        .env_remove("RUNTIME_TEST_FLAVOR");
    for (key, value) in envs {
        command.env(key, value);
    }
    let output = command.output().unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Fails on the seeds whose first draw is divisible by 5 (when run as the child).
#[runtime::test(simulation, seeds = 200)]
async fn failing_on_purpose() {
    if std::env::var_os("SIM_FAILURES_CHILD").is_some() {
        assert!(!sim::rand().is_multiple_of(5), "drew a multiple of five");
    }
}

#[test]
fn a_failing_simulation_test_prints_its_seed_hash_and_replay_command_and_the_seed_replays() {
    let _watchdog = Watchdog::new("child test", BOUND);
    let (passed, stderr) = child(&[]);
    assert!(!passed, "{stderr}");
    let line = stderr
        .lines()
        .find(|line| line.contains("replay: RUNTIME_SEED="))
        .unwrap_or_else(|| panic!("no replay line in:\n{stderr}"));
    assert!(
        line.trim().ends_with("cargo test failing_on_purpose"),
        "{line}"
    );
    let seed = line
        .split("RUNTIME_SEED=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap();
    let hash = stderr
        .split("trace hash ")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .unwrap()
        .to_owned();
    assert!(stderr.contains("drew a multiple of five"), "{stderr}");
    // Replaying the printed seed fails the same way, with the same trace hash.
    let (passed, replay) = child(&[("RUNTIME_SEED", seed)]);
    assert!(!passed, "{replay}");
    assert!(replay.contains("replayed from RUNTIME_SEED"), "{replay}");
    assert!(
        replay.contains(&format!("trace hash {hash}")),
        "{hash} not in:\n{replay}"
    );
}

/// Under `RUNTIME_TEST_FLAVOR=simulation` (how the whole suite runs under simulation), the
/// printed replay command sets the flavor too: without it a plain `#[runtime::test]` would
/// replay on the ordinary flavor and pass.
#[test]
fn the_replay_command_keeps_the_simulation_flavor_variable() {
    let _watchdog = Watchdog::new("child flavor", BOUND);
    let (passed, stderr) = child(&[("RUNTIME_TEST_FLAVOR", "simulation")]);
    assert!(!passed, "{stderr}");
    assert!(
        stderr.contains("replay: RUNTIME_TEST_FLAVOR=simulation RUNTIME_SEED="),
        "{stderr}"
    );
}

#[test]
fn a_bad_runtime_seed_is_named_in_the_failure() {
    let _watchdog = Watchdog::new("bad seed", BOUND);
    let (passed, stderr) = child(&[("RUNTIME_SEED", "tomorrow")]);
    assert!(!passed);
    assert!(
        stderr.contains("RUNTIME_SEED=\"tomorrow\" is not a seed"),
        "{stderr}"
    );
}
