//! `task::dump_on_signal` (issue 18, item 3): a signal makes a dedicated thread write a task
//! dump, even while every worker is stuck in a poll.

mod support;

use runtime::signal::unix::SignalKind;
use runtime::task::{self, Builder};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::{HANG_BOUND, Watchdog};

/// A `Write` into a shared buffer the test can read.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Shared {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }

    /// Waits (bounded) until the buffer holds `n` dumps.
    fn wait_for_dumps(&self, n: usize) -> String {
        let deadline = Instant::now() + HANG_BOUND;
        loop {
            let text = self.text();
            if text.matches("runtime task dump").count() >= n {
                return text;
            }
            assert!(Instant::now() < deadline, "no dump written:\n{text}");
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

#[test]
fn a_signal_writes_a_dump_even_while_the_only_worker_is_stuck() {
    let _watchdog = Watchdog::new("dump on signal", HANG_BOUND);
    let rt = runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    let out = Shared::default();
    let sleeper_line = line!() + 4;
    rt.block_on(async {
        Builder::new()
            .name("sleeper")
            .spawn(runtime::time::sleep(Duration::from_secs(3600)))
            .unwrap();
        task::dump_on_signal_to(SignalKind::user_defined2(), out.clone()).unwrap();
    });
    let (stuck_tx, stuck_rx) = std::sync::mpsc::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let stuck = Builder::new()
        .name("stuck")
        .spawn_on(
            async move {
                stuck_tx.send(()).unwrap();
                // Blocks the runtime's only worker until the test has its dump.
                release_rx.recv_timeout(HANG_BOUND).unwrap();
            },
            rt.handle(),
        )
        .unwrap();
    stuck_rx.recv_timeout(HANG_BOUND).unwrap();
    // SAFETY: `raise` only delivers a signal, for which a handler is installed above.
    assert_eq!(unsafe { libc::raise(libc::SIGUSR2) }, 0);
    let text = out.wait_for_dumps(1);
    release_tx.send(()).unwrap();
    rt.block_on(stuck).unwrap();
    assert!(
        text.contains(&format!("signal {}", libc::SIGUSR2)),
        "{text}"
    );
    assert!(text.contains("\"stuck\""), "{text}");
    assert!(
        text.lines()
            .any(|l| l.contains("\"stuck\"") && l.contains(") running, ")),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "\"sleeper\" (spawned at {}:{sleeper_line}:",
            file!()
        )),
        "{text}"
    );
    assert!(text.contains("└─ sleep at"), "{text}");
    // A second delivery writes a second dump.
    // SAFETY: as above, a plain `raise` of a handled signal.
    assert_eq!(unsafe { libc::raise(libc::SIGUSR2) }, 0);
    out.wait_for_dumps(2);
}

#[test]
fn dump_on_signal_outside_a_runtime_or_for_sigkill_is_an_error() {
    let err = task::dump_on_signal(SignalKind::user_defined1()).unwrap_err();
    assert!(err.to_string().contains("no runtime"), "{err}");
    let rt = runtime::Builder::new_current_thread().build().unwrap();
    let err = rt
        .block_on(async { task::dump_on_signal(SignalKind::from_raw(libc::SIGKILL)) })
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput, "{err}");
}

/// Run in a child process by the next test: installs `dump_on_signal` (stderr) and raises the
/// signal.
#[test]
fn child_process_body_dumps_to_stderr() {
    if std::env::var_os("RUNTIME_DUMP_CHILD").is_none() {
        return;
    }
    let rt = runtime::Builder::new_current_thread().build().unwrap();
    rt.block_on(async {
        Builder::new()
            .name("child task")
            .spawn(std::future::pending::<()>())
            .unwrap();
        task::yield_now().await;
        task::dump_on_signal(SignalKind::user_defined1()).unwrap();
        // SAFETY: `raise` only delivers a signal, for which a handler is installed above.
        assert_eq!(unsafe { libc::raise(libc::SIGUSR1) }, 0);
        // Give the dump thread time to write (the parent only reads what is there).
        runtime::time::sleep(Duration::from_millis(500)).await;
    });
}

#[test]
fn dump_on_signal_writes_the_dump_to_stderr() {
    let _watchdog = Watchdog::new("stderr child", HANG_BOUND);
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_process_body_dumps_to_stderr",
            "--nocapture",
        ])
        .env("RUNTIME_DUMP_CHILD", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("runtime task dump"), "{stderr}");
    assert!(stderr.contains("\"child task\""), "{stderr}");
    assert!(stderr.contains(") idle, 1 poll"), "{stderr}");
}

#[test]
fn the_listener_does_not_keep_a_dropped_runtime_alive() {
    let _watchdog = Watchdog::new("dump on signal after drop", HANG_BOUND);
    let out = Shared::default();
    let rt = runtime::Builder::new_current_thread().build().unwrap();
    rt.block_on(async {
        Builder::new()
            .name("parked")
            .spawn(runtime::time::sleep(Duration::from_secs(3600)))
            .unwrap();
        // SIGWINCH: no other test of this binary listens to it (its default is to ignore).
        task::dump_on_signal_to(SignalKind::from_raw(libc::SIGWINCH), out.clone()).unwrap();
    });
    // SAFETY: `raise` only delivers a signal, for which a handler is installed above.
    assert_eq!(unsafe { libc::raise(libc::SIGWINCH) }, 0);
    let text = out.wait_for_dumps(1);
    assert!(text.contains("\"parked\""), "{text}");
    drop(rt);
    // SAFETY: as above.
    assert_eq!(unsafe { libc::raise(libc::SIGWINCH) }, 0);
    let text = out.wait_for_dumps(2);
    let last = text.lines().last().unwrap();
    assert_eq!(
        last,
        format!(
            "runtime task dump (signal {}): the runtime has been dropped",
            libc::SIGWINCH
        ),
        "{text}"
    );
}
