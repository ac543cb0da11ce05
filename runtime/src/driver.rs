//! The park seam: what a worker blocks on when it has nothing to run.
//!
//! A [`Driver`] is owned by whichever thread is allowed to block in it (the multi-thread
//! scheduler keeps it behind a try-lock so exactly one parked worker drives it; the others
//! sleep on their own condvars). [`Driver::park`] sleeps until [`DriverHandle::unpark`] is
//! called or the timeout passes, and on its way out does the driver's work (dispatching I/O
//! readiness, firing due timers). The I/O reactor and the timer wheel plug in here; without
//! them the driver is a plain thread parker.

use crate::park::{ParkThread, Unparker};
use std::time::Duration;

/// The blocking side of the park seam.
#[derive(Debug)]
pub(crate) struct Driver {
    park: ParkThread,
}

/// The waking side of the park seam; `Clone + Send + Sync`.
#[derive(Clone, Debug)]
pub(crate) struct DriverHandle {
    unpark: Unparker,
}

impl Driver {
    pub(crate) fn new() -> std::io::Result<(Driver, DriverHandle)> {
        let park = ParkThread::new();
        let handle = DriverHandle { unpark: park.unparker() };
        Ok((Driver { park }, handle))
    }

    /// Blocks until unparked or `timeout` passes (`Some(ZERO)` polls without blocking), then
    /// processes whatever became ready.
    pub(crate) fn park(&mut self, _handle: &DriverHandle, timeout: Option<Duration>) {
        match timeout {
            Some(timeout) => self.park.park_timeout(timeout),
            None => self.park.park(),
        }
    }

    /// Wakes everything still waiting on the driver; called once, at runtime shutdown.
    pub(crate) fn shutdown(&mut self, _handle: &DriverHandle) {}
}

impl DriverHandle {
    /// Interrupts a thread blocked in [`Driver::park`] (or makes its next park return).
    pub(crate) fn unpark(&self) {
        self.unpark.unpark();
    }
}
