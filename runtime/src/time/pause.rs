//! Virtual time: [`pause`], [`resume`], [`advance`].

use crate::driver::DriverHandle;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::scheduler;
use std::time::Duration;

/// Keeps a paused clock from auto-advancing while blocking jobs spawned from the runtime are in
/// flight: a runtime waiting for a blocking thread (`spawn_blocking`, `runtime::fs`) is not
/// idle, and jumping the clock then would fire timeouts that real work has not earned.
///
/// Race with the driver (no jump past a finished job's wake-up): a job finishes, wakes its
/// `JoinHandle`'s waiter (which unparks the driver: `woken = true`), and only then leaves the
/// count ([`InhibitAutoAdvance`]'s drop, which unparks again). `Driver::park` reads the gate
/// (in `plan_park`) *before* it takes the `woken` flag: a gate read as open comes after the
/// job left, so after its wake-up's `woken = true`, which the flag's swap then sees (or an
/// earlier park's swap took it, and the scheduler polled the woken task before parking idle
/// again). A gate read as closed blocks the park until the departing job's own unpark. The
/// order matters: reading the gate after the swap lets the wake-up fall between the two (the
/// loom model `paused_clock_never_auto_advances_past_an_in_flight_blocking_job` finds it).
#[derive(Debug, Default)]
pub(crate) struct AutoAdvanceGate {
    in_flight: AtomicUsize,
}

impl AutoAdvanceGate {
    /// `true` when no blocking job holds the clock back.
    pub(crate) fn is_open(&self) -> bool {
        self.in_flight.load(Ordering::SeqCst) == 0
    }
}

/// Held by one blocking job from its spawn until it has run (or been dropped unrun); see
/// [`AutoAdvanceGate`].
#[derive(Debug)]
pub(crate) struct InhibitAutoAdvance {
    driver: DriverHandle,
}

impl InhibitAutoAdvance {
    pub(crate) fn new(driver: &DriverHandle) -> InhibitAutoAdvance {
        driver
            .time()
            .auto_advance_gate
            .in_flight
            .fetch_add(1, Ordering::SeqCst);
        InhibitAutoAdvance {
            driver: driver.clone(),
        }
    }
}

impl Drop for InhibitAutoAdvance {
    fn drop(&mut self) {
        self.driver
            .time()
            .auto_advance_gate
            .in_flight
            .fetch_sub(1, Ordering::SeqCst);
        // A runtime blocked because of this job re-decides (with nobody awaiting the job, no
        // other wake-up would come).
        self.driver.unpark();
    }
}

/// The current runtime's driver, which must be a current-thread one.
#[track_caller]
fn current_thread_driver(what: &str) -> DriverHandle {
    crate::runtime::context::with_current(|handle| match handle {
        Some(scheduler::Handle::CurrentThread(h)) => h.driver.clone(),
        Some(scheduler::Handle::MultiThread(_)) => {
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
    current_thread_driver("pause").time().pause();
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
    current_thread_driver("resume").time().clock.resume();
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
        driver.time().clock.advance(duration);
        driver.time().fire_due();
        crate::task::yield_now().await;
    }
}
