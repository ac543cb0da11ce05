//! A paused clock does not auto-advance while blocking jobs spawned from the runtime are in
//! flight (`spawn_blocking`, and `runtime::fs`, which runs on the blocking pool): the runtime is
//! not idle, it waits for a thread. Auto-advance resumes once they are done.

mod support;

use runtime::time::{Duration, Instant, sleep, timeout};
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use support::{TempDir, Watchdog};

const BOUND: std::time::Duration = std::time::Duration::from_secs(60);

fn paused() -> runtime::Runtime {
    runtime::Builder::new_current_thread()
        .start_paused(true)
        .build()
        .unwrap()
}

#[test]
fn paused_clock_does_not_auto_advance_past_a_timeout_while_spawn_blocking_runs() {
    let _dog = Watchdog::new("spawn_blocking under timeout", BOUND);
    let rt = paused();
    rt.block_on(async {
        let start = Instant::now();
        let job = runtime::task::spawn_blocking(|| {
            std::thread::sleep(std::time::Duration::from_millis(50));
            7
        });
        let out = timeout(Duration::from_secs(1), job).await;
        assert_eq!(
            out.expect("the timeout must not fire while the blocking job runs")
                .unwrap(),
            7
        );
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "virtual time reached the timeout's deadline: {:?}",
            start.elapsed()
        );
    });
}

#[test]
fn paused_clock_does_not_auto_advance_past_a_timeout_while_an_fs_read_runs() {
    let _dog = Watchdog::new("fs read under timeout", BOUND);
    // A FIFO makes the read block until a writer comes (50 ms later) and goes.
    let dir = TempDir::new("paused-fifo");
    let fifo = dir.path("fifo");
    let c_path = CString::new(fifo.as_os_str().as_bytes()).unwrap();
    // SAFETY: `c_path` is a valid NUL-terminated path for the duration of the call.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0, "mkfifo");
    let writer = std::thread::spawn({
        let fifo = fifo.clone();
        move || {
            std::thread::sleep(std::time::Duration::from_millis(50));
            std::fs::write(fifo, b"hello").unwrap();
        }
    });
    let rt = paused();
    let read = rt
        .block_on(async { timeout(Duration::from_secs(1), runtime::fs::read(fifo.clone())).await });
    writer.join().unwrap();
    assert_eq!(
        read.expect("the timeout must not fire while the fs read runs")
            .unwrap(),
        b"hello"
    );
}

#[test]
fn paused_clock_auto_advances_again_once_a_detached_blocking_job_finishes() {
    let _dog = Watchdog::new("detached blocking job", BOUND);
    let rt = paused();
    let (elapsed, finished) = rt.block_on(async {
        let finished = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let start = Instant::now();
        // Detached: nobody awaits it, so its completion wakes no task; the runtime must still
        // go back to auto-advancing once it is done, or the sleep below never ends.
        drop(runtime::task::spawn_blocking({
            let finished = finished.clone();
            move || {
                std::thread::sleep(std::time::Duration::from_millis(50));
                finished.store(true, std::sync::atomic::Ordering::SeqCst);
            }
        }));
        sleep(Duration::from_secs(10)).await;
        (
            start.elapsed(),
            finished.load(std::sync::atomic::Ordering::SeqCst),
        )
    });
    assert!(finished, "the sleep ended before the blocking job finished");
    assert_eq!(elapsed, Duration::from_secs(10));
}
