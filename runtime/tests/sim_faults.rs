//! Fault injection under the simulation flavor (issue 19 item 4): each fault kind fires at
//! the rate its plan asks for (fixed seeds, bounds), replays exactly, shows in the trace
//! hash, and an empty plan leaves the schedule as it was before faults existed. A retrying
//! reader survives spurious `WouldBlock`s; a reader without a retry is found failing under
//! `io_errors` and its seed replays; slow disks advance virtual time by the drawn delays.

mod support;

use runtime::io::{AsyncReadExt, AsyncWriteExt};
use runtime::net::UnixStream;
use runtime::sim::{self, Faults, InjectedFault};
use runtime::time::Instant;
use std::io;
use std::time::Duration;
use support::{TempDir, Watchdog};

const BOUND: Duration = Duration::from_secs(120);

/// Six tasks that yield, sleep and run a blocking closure; returns the sum of their outputs
/// (30). The same program as the probe that recorded [`HASHES_BEFORE_FAULTS`].
async fn program() -> u64 {
    let tasks: Vec<_> = (0..6u64)
        .map(|n| {
            runtime::spawn(async move {
                for step in 0..3u64 {
                    runtime::task::yield_now().await;
                    runtime::time::sleep(Duration::from_millis(n + step)).await;
                }
                runtime::task::spawn_blocking(move || n * 2).await.unwrap()
            })
        })
        .collect();
    let mut sum = 0;
    for task in tasks {
        sum += task.await.unwrap();
    }
    sum
}

/// `program`'s trace hashes and step counts for three seeds, recorded with `sim::run` at
/// commit 7908db0, before fault injection existed.
const HASHES_BEFORE_FAULTS: [(u64, u64, u64); 3] = [
    (1, 0x0933_ff0f_9579_676b, 72),
    (42, 0xc667_b8cf_c1d9_2a7b, 72),
    (0xDEAD_BEEF, 0xc548_04d6_2fe9_3523, 72),
];

#[test]
fn an_empty_fault_plan_gives_the_trace_hashes_recorded_before_faults_existed() {
    let _watchdog = Watchdog::new("empty plan hashes", BOUND);
    for (seed, hash, steps) in HASHES_BEFORE_FAULTS {
        for run in [
            sim::run(seed, program),
            sim::run_with(seed, &Faults::new(), program),
            // Faults that never fire draw nothing from the scheduler's stream either.
            sim::run_with(seed, &Faults::new().io_errors(0.5).fs_errors(0.5), program),
        ] {
            assert_eq!(run.result, Ok(30));
            assert_eq!((run.trace_hash, run.steps), (hash, steps), "seed {seed}");
            assert_eq!(run.faults.delayed_wakes + run.faults.io_ops, 0);
        }
    }
}

/// `n` spawn-and-join round trips: `n` wakes of spawned tasks.
async fn round_trips(n: u32) -> u32 {
    let mut sum = 0;
    for i in 0..n {
        sum += runtime::spawn(async move { i }).await.unwrap();
    }
    sum
}

#[test]
fn delayed_wakes_fire_at_the_rate_asked_for_and_every_task_still_runs() {
    let _watchdog = Watchdog::new("delayed wakes", BOUND);
    let plan = Faults::new().delayed_wakes(0.25, 6);
    let run = sim::run_with(7, &plan, || round_trips(400));
    assert_eq!(run.result, Ok((0..400).sum()));
    let stats = run.faults;
    assert!(stats.wakes >= 400, "{stats:?}");
    // 25% of at least 400 draws: 70..=130 is over four standard deviations either side.
    assert!((70..=130).contains(&stats.delayed_wakes), "{stats:?}");
    assert_eq!(stats.reordered_wakes, 0);
    // The faults show in the trace: the same seed without them has another hash.
    assert_ne!(run.trace_hash, sim::run(7, || round_trips(400)).trace_hash);
    let again = sim::run_with(7, &plan, || round_trips(400));
    assert_eq!((again.trace_hash, again.faults), (run.trace_hash, stats));
}

#[test]
fn reordered_wakes_fire_at_the_rate_asked_for_and_replay() {
    let _watchdog = Watchdog::new("reordered wakes", BOUND);
    let plan = Faults::new().reordered_wakes(0.5);
    let body = || async {
        // Ten tasks ping a shared counter through yields: many wakes, many overtakes.
        let tasks: Vec<_> = (0..10u32)
            .map(|n| {
                runtime::spawn(async move {
                    for _ in 0..20 {
                        runtime::task::yield_now().await;
                    }
                    n
                })
            })
            .collect();
        let mut sum = 0;
        for task in tasks {
            sum += task.await.unwrap();
        }
        sum
    };
    let run = sim::run_with(11, &plan, body);
    assert_eq!(run.result, Ok(45));
    let stats = run.faults;
    assert!(stats.wakes >= 200, "{stats:?}");
    let rate = stats.reordered_wakes as f64 / stats.wakes as f64;
    assert!((0.4..=0.6).contains(&rate), "{rate} {stats:?}");
    let again = sim::run_with(11, &plan, body);
    assert_eq!((again.trace_hash, again.faults), (run.trace_hash, stats));
}

/// Sends `total` bytes (a counting pattern) through a Unix socket pair; the reader reads
/// with `readable().await` + `try_read`, retrying on `WouldBlock`. Returns what it read.
async fn retrying_reader(total: usize) -> io::Result<Vec<u8>> {
    let (mut tx, rx) = UnixStream::pair()?;
    let data: Vec<u8> = (0..total).map(|i| (i % 251) as u8).collect();
    let writer = runtime::spawn(async move {
        for chunk in data.chunks(1000) {
            // A write may also see a spurious `WouldBlock`: `write_all` waits it out.
            tx.write_all(chunk).await?;
        }
        io::Result::Ok(())
    });
    let mut got = Vec::with_capacity(total);
    let mut buf = [0u8; 700];
    while got.len() < total {
        rx.readable().await?;
        match rx.try_read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => continue,
            Err(err) => return Err(err),
        }
    }
    writer.await.unwrap()?;
    Ok(got)
}

#[test]
fn a_retrying_reader_survives_spurious_would_block_with_the_same_bytes_at_the_rate_asked_for() {
    let _watchdog = Watchdog::new("spurious WouldBlock", BOUND);
    let total = 50_000;
    let expected: Vec<u8> = (0..total).map(|i| (i % 251) as u8).collect();
    let plan = Faults::new().spurious_would_block(0.3);
    let run = sim::run_with(5, &plan, || retrying_reader(total));
    let got = run.result.expect("no panic").expect("no I/O error");
    assert!(
        got == expected,
        "the bytes read differ from the bytes written"
    );
    let stats = run.faults;
    assert!(stats.io_ops >= 100, "{stats:?}");
    let rate = stats.spurious_would_blocks as f64 / stats.io_ops as f64;
    assert!((0.2..=0.4).contains(&rate), "{rate} {stats:?}");
    assert_eq!(stats.io_errors, 0);
}

#[test]
fn io_errors_fire_at_the_rate_asked_for_and_say_they_were_injected() {
    let _watchdog = Watchdog::new("io error rate", BOUND);
    let plan = Faults::new().io_errors(0.2);
    let run = sim::run_with(3, &plan, || async {
        let (a, b) = UnixStream::pair()?;
        let mut errors = Vec::new();
        for _ in 0..500 {
            a.writable().await?;
            match a.try_write(b"x") {
                Ok(_) => {}
                Err(err) => {
                    // Nothing was written: nothing to wait for.
                    errors.push(err);
                    continue;
                }
            }
            b.readable().await?;
            let mut byte = [0u8; 16];
            if let Err(err) = b.try_read(&mut byte) {
                errors.push(err);
            }
        }
        io::Result::Ok(errors)
    });
    let errors = run.result.unwrap().unwrap();
    let stats = run.faults;
    assert_eq!(errors.len() as u64, stats.io_errors, "{stats:?}");
    let rate = stats.io_errors as f64 / stats.io_ops as f64;
    assert!((0.15..=0.25).contains(&rate), "{rate} {stats:?}");
    for err in &errors {
        let fault = err
            .get_ref()
            .and_then(|e| e.downcast_ref::<InjectedFault>());
        let fault = fault.expect("every error was injected");
        assert_eq!(fault.fault(), "io_errors");
        assert_eq!(fault.seed(), 3);
        let kind = match fault.operation() {
            "socket read" => io::ErrorKind::ConnectionReset,
            "socket write" => io::ErrorKind::BrokenPipe,
            other => panic!("unexpected operation {other}"),
        };
        assert_eq!(err.kind(), kind);
        assert!(
            err.to_string().contains("injected by the simulation"),
            "{err}"
        );
    }
}

/// A server writes ten two-byte replies; the client reads them with `read_exact` and gives
/// up on the first error: no retry. Returns the first error (the server's, if its write
/// failed, as the root cause).
async fn reader_without_retry() -> io::Result<()> {
    let (mut server, mut client) = UnixStream::pair()?;
    let serve = runtime::spawn(async move {
        for n in 0..10u8 {
            server.write_all(&[1, n]).await?;
        }
        io::Result::Ok(())
    });
    let mut read_error = None;
    for n in 0..10u8 {
        let mut reply = [0u8; 2];
        if let Err(err) = client.read_exact(&mut reply).await {
            read_error = Some(err);
            break;
        }
        assert_eq!(reply, [1, n]);
    }
    serve.await.expect("the server does not panic")?;
    read_error.map_or(Ok(()), Err)
}

#[test]
fn a_reader_without_retry_is_found_failing_under_io_errors_and_its_seed_replays() {
    let _watchdog = Watchdog::new("io error search", BOUND);
    let plan = Faults::new().io_errors(0.02);
    let failure = sim::find_failure_with(100, &plan, reader_without_retry)
        .expect("some seed of 100 injects an error into one of about 20 reads and writes");
    assert!(failure.message.contains("io_errors"), "{}", failure.message);
    eprintln!(
        "found on seed index {} (seed {})",
        failure.index, failure.seed
    );
    // The seed replays: the same error, the same trace.
    let replay = sim::run_with(failure.seed, &plan, reader_without_retry);
    assert_eq!(replay.trace_hash, failure.trace_hash);
    let err = replay
        .result
        .expect("no panic")
        .expect_err("the same failure");
    assert_eq!(format!("the test returned Err({err:?})"), failure.message);
    // Without the plan the same seed passes.
    let calm = sim::run(failure.seed, reader_without_retry);
    assert!(matches!(calm.result, Ok(Ok(()))), "{:?}", calm.result);
}

#[test]
fn slow_fs_advances_virtual_time_by_the_drawn_delays() {
    let _watchdog = Watchdog::new("slow fs", BOUND);
    let plan = Faults::new().slow_fs(1.0, Duration::from_millis(100));
    let body = || async {
        let start = Instant::now();
        for _ in 0..10 {
            runtime::fs::metadata("/").await.unwrap();
        }
        start.elapsed()
    };
    let run = sim::run_with(9, &plan, body);
    let took = run.result.unwrap();
    let stats = run.faults;
    assert_eq!(
        (stats.fs_ops, stats.slow_fs_ops, stats.fs_errors),
        (10, 10, 0)
    );
    assert_eq!(took, stats.fs_delay);
    assert!(
        took >= Duration::from_millis(10) && took <= Duration::from_millis(1000),
        "{took:?}"
    );
    // Drawn, not fixed: another seed draws other delays; the same seed the same ones.
    assert_ne!(sim::run_with(10, &plan, body).result, Ok(took));
    assert_eq!(sim::run_with(9, &plan, body).result, Ok(took));
    // Half the operations slowed at p = 0.5.
    let half = sim::run_with(
        9,
        &Faults::new().slow_fs(0.5, Duration::from_millis(5)),
        || async {
            for _ in 0..200 {
                runtime::fs::metadata("/").await.unwrap();
            }
        },
    );
    assert!(
        (70..=130).contains(&half.faults.slow_fs_ops),
        "{:?}",
        half.faults
    );
}

#[test]
fn fs_errors_fire_at_the_rate_asked_for_before_touching_the_file_system() {
    let _watchdog = Watchdog::new("fs errors", BOUND);
    let dir = TempDir::new("sim-faults-fs");
    let path = dir.path("written");
    let plan = Faults::new().fs_errors(0.25);
    let target = path.clone();
    let run = sim::run_with(4, &plan, move || async move {
        let mut written = 0u32;
        let mut errors = Vec::new();
        for n in 0..200u32 {
            match runtime::fs::write(&target, n.to_string()).await {
                Ok(()) => written = n,
                Err(err) => errors.push(err),
            }
        }
        (written, errors)
    });
    let (last_written, errors) = run.result.unwrap();
    let stats = run.faults;
    assert_eq!((stats.fs_ops, stats.fs_errors), (200, errors.len() as u64));
    assert!((30..=70).contains(&stats.fs_errors), "{stats:?}");
    for err in &errors {
        assert_eq!(err.kind(), io::ErrorKind::Other);
        assert!(err.to_string().contains("fault `fs_errors`"), "{err}");
    }
    // A failed write never reached the disk: the file holds the last successful one.
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        last_written.to_string()
    );
}

#[test]
fn a_bad_probability_is_a_build_error_naming_it() {
    let err = runtime::Builder::new_simulation(1)
        .faults(Faults::new().spurious_would_block(f64::NAN))
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("spurious_would_block"), "{err}");
    let run = sim::run_with(1, &Faults::new().delayed_wakes(-0.1, 2), || async {});
    let message = run.result.unwrap_err();
    assert!(
        message.contains("`delayed_wakes` probability -0.1"),
        "{message}"
    );
}
