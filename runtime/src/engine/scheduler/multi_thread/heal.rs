//! What the watchdog does to a multi-thread worker stuck in one poll (`scheduler/watchdog`).
//!
//! - Its LIFO slot is emptied into the injector (rule L3 in `lifo.rs`): the task there would
//!   otherwise wait for the stuck poll to end.
//! - A parked peer is woken (rule I1's `notify_parked`). It steals the stuck worker's local
//!   queue and the injector like any searcher, and when it parks again it finds the driver free
//!   (a worker in a poll never holds it: `park.rs` releases it before running tasks), so it
//!   blocks *in the driver*: I/O readiness and every timer shard (the driver fires all of them,
//!   `driver/time.rs` TD1-TD4) keep flowing while the stuck worker is away.
//!
//! A stuck worker that returns simply goes on: its next driver poll is a `try_lock` and its next
//! park falls back to its condvar while the peer holds the driver, so there is never a second
//! driver and no wake-up is lost (loom model `stall_heal.rs`).

use super::Handle;
use crate::engine::scheduler::watchdog::Target;
use crate::engine::task::Id;
use std::panic::Location;

impl Target for Handle {
    fn heal(&self, worker: usize) -> bool {
        if self.shared.remotes.len() < 2 || self.is_closed() {
            return false;
        }
        if let Some(task) = self.shared.remotes[worker].lifo.steal() {
            self.push_remote(task);
        }
        self.notify_parked();
        true
    }

    fn describe(&self, task: Id) -> (Option<String>, Option<&'static Location<'static>>) {
        match self.shared.owned.describe(task) {
            Some((name, location)) => (name, Some(location)),
            None => (None, None),
        }
    }
}
