//! The gate that holds a paused clock back while blocking jobs are in flight.

use super::DriverHandle;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};

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
