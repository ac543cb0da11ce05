//! Virtual time: [`pause`], [`resume`], [`advance`].

use crate::engine::{self, DriverHandle};
use std::time::Duration;

/// The current runtime's driver, which must be a current-thread one.
#[track_caller]
fn current_thread_driver(what: &str) -> DriverHandle {
    engine::with_current(|handle| match handle.map(|h| h.current_thread_driver()) {
        Some(Some(driver)) => driver.clone(),
        Some(None) => {
            panic!(
                "`runtime::time::{what}` requires a current_thread runtime (virtual time is per thread)"
            )
        }
        None => panic!("`runtime::time::{what}` must be called inside a current_thread runtime"),
    })
}

/// Freezes the runtime's clock: [`Instant::now`](super::Instant::now) stops moving and timers
/// only fire when time is moved by [`advance`] or by **auto-advance**: whenever the runtime has
/// nothing to run, the clock jumps to the next timer's deadline, so hours of sleeps finish at
/// once and in a deterministic order. The runtime is not idle while a blocking job it spawned
/// ([`spawn_blocking`](crate::task::spawn_blocking), [`fs`](crate::fs)) is running: the clock
/// waits for it. Pausing an already paused clock does nothing.
///
/// The clock is snapped forward (by under 1 ms) to the timer grid, so whole-millisecond sleeps
/// advance it exactly by their duration.
///
/// # Panics
/// Outside a runtime, or on a multi-thread runtime (use `Builder::new_current_thread`).
///
/// ```
/// use runtime::time::{Instant, pause, sleep};
/// use std::time::Duration;
///
/// let rt = runtime::Builder::new_current_thread().build().unwrap();
/// rt.block_on(async {
///     pause();
///     let start = Instant::now();
///     sleep(Duration::from_secs(3600)).await; // returns immediately
///     assert_eq!(start.elapsed(), Duration::from_secs(3600));
/// });
/// ```
#[track_caller]
pub fn pause() {
    current_thread_driver("pause").pause_clock();
}

/// Lets a paused clock run again from where it stands (real time passes again). Resuming a
/// running clock does nothing.
///
/// # Panics
/// Outside a runtime, or on a multi-thread runtime.
///
/// ```
/// use runtime::time::{Instant, pause, resume};
/// use std::time::Duration;
///
/// let rt = runtime::Builder::new_current_thread().build().unwrap();
/// rt.block_on(async {
///     pause();
///     let frozen = Instant::now();
///     resume();
///     std::thread::sleep(Duration::from_millis(2));
///     assert!(Instant::now() > frozen);
/// });
/// ```
#[track_caller]
pub fn resume() {
    current_thread_driver("resume").resume_clock();
}

/// Moves the runtime's clock forward by `duration`, fires every timer that became due, and
/// yields once so the woken tasks run before this one continues.
///
/// Usually used on a paused clock; on a running clock it jumps it ahead. Sub-millisecond
/// durations move the clock exactly but timers fire on whole milliseconds.
///
/// # Panics
/// Outside a runtime, or on a multi-thread runtime.
///
/// ```
/// use runtime::time::{Instant, advance, pause};
/// use std::time::Duration;
///
/// let rt = runtime::Builder::new_current_thread().build().unwrap();
/// rt.block_on(async {
///     pause();
///     let start = Instant::now();
///     let nap = runtime::spawn(runtime::time::sleep(Duration::from_millis(50)));
///     advance(Duration::from_millis(50)).await;
///     assert!(nap.is_finished());
///     assert_eq!(start.elapsed(), Duration::from_millis(50));
/// });
/// ```
#[track_caller]
pub fn advance(duration: Duration) -> impl std::future::Future<Output = ()> {
    let driver = current_thread_driver("advance");
    async move {
        driver.advance_clock(duration);
        crate::task::yield_now().await;
    }
}
