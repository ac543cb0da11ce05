//! `Barrier`: `n` tasks wait until all of them have arrived.

use super::notify::Notify;
use crate::loom::sync::Mutex;
use crate::task::coop;

/// Lets `n` tasks meet: each [`wait`](Barrier::wait) returns once `n` calls have arrived, and
/// exactly one of them is told it is the leader. The barrier then resets for the next round.
///
/// ```
/// use runtime::sync::Barrier;
/// use std::sync::Arc;
///
/// runtime::Runtime::new().unwrap().block_on(async {
///     let barrier = Arc::new(Barrier::new(3));
///     let tasks: Vec<_> = (0..3)
///         .map(|_| {
///             let b = barrier.clone();
///             runtime::spawn(async move { b.wait().await.is_leader() })
///         })
///         .collect();
///     let mut leaders = 0;
///     for t in tasks {
///         leaders += usize::from(t.await.unwrap());
///     }
///     assert_eq!(leaders, 1);
/// });
/// ```
#[derive(Debug)]
pub struct Barrier {
    n: usize,
    state: Mutex<Round>,
    notify: Notify,
}

// Unwind safety: the round's count and generation change together under the lock, with no user
// code running there, and waiting is `Notify`'s; a panic cannot leave the barrier half-updated.
impl std::panic::RefUnwindSafe for Barrier {}
impl std::panic::UnwindSafe for Barrier {}

#[derive(Debug)]
struct Round {
    arrived: usize,
    generation: u64,
}

/// What [`Barrier::wait`] returns.
///
/// ```
/// # runtime::Runtime::new().unwrap().block_on(async {
/// let b = runtime::sync::Barrier::new(1);
/// assert!(b.wait().await.is_leader());
/// # });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BarrierWaitResult(bool);

impl BarrierWaitResult {
    /// `true` for exactly one task per round (the last to arrive).
    ///
    /// ```
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// assert!(runtime::sync::Barrier::new(0).wait().await.is_leader());
    /// # });
    /// ```
    pub fn is_leader(&self) -> bool {
        self.0
    }
}

impl Barrier {
    /// A barrier for `n` tasks (`0` behaves like `1`, as in Tokio).
    ///
    /// ```
    /// let _b = runtime::sync::Barrier::new(4);
    /// ```
    pub fn new(n: usize) -> Self {
        Self {
            n: n.max(1),
            state: Mutex::new(Round {
                arrived: 0,
                generation: 0,
            }),
            notify: Notify::new(),
        }
    }

    /// Arrives and waits for the rest of the round.
    ///
    /// Cancel safety: *not* cancel-safe. The arrival is counted when the future first runs
    /// (its first poll, unless the task's cooperative budget is spent and it yields before)
    /// and stays counted if the future is dropped, so the round may complete with one task
    /// fewer actually waiting (Tokio's barrier behaves the same).
    ///
    /// Arriving spends one unit of the task's cooperative budget, even as the last to arrive
    /// (which returns at once), so a loop over `wait` lets other tasks run.
    ///
    /// ```
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// let b = runtime::sync::Barrier::new(2);
    /// let (x, y) = runtime::join!(b.wait(), b.wait());
    /// assert!(x.is_leader() != y.is_leader());
    /// # });
    /// ```
    pub async fn wait(&self) -> BarrierWaitResult {
        coop::consume_budget().await;
        let (generation, mut notified) = {
            let mut round = self.state.lock();
            round.arrived += 1;
            if round.arrived == self.n {
                round.arrived = 0;
                round.generation += 1;
                drop(round);
                self.notify.notify_waiters();
                return BarrierWaitResult(true);
            }
            // Created under the lock, so the leader's `notify_waiters` comes after it.
            (round.generation, self.notify.notified())
        };
        loop {
            notified.await;
            if self.state.lock().generation != generation {
                return BarrierWaitResult(false);
            }
            notified = self.notify.notified();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::test_util::{Harness, block_on};
    use std::sync::Arc;

    #[test]
    fn releases_all_when_the_last_arrives_and_resets() {
        let b = Barrier::new(3);
        for _round in 0..2 {
            let mut first = Harness::new(b.wait());
            let mut second = Harness::new(b.wait());
            first.pending();
            second.pending();
            let last = Harness::new(b.wait()).ready();
            assert!(last.is_leader());
            assert!(!first.ready().is_leader());
            assert!(!second.ready().is_leader());
        }
    }

    #[test]
    fn threads_meet_with_one_leader() {
        let b = Arc::new(Barrier::new(4));
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let b = b.clone();
                std::thread::spawn(move || block_on(b.wait()).is_leader())
            })
            .collect();
        let leaders = handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .filter(|&l| l)
            .count();
        assert_eq!(leaders, 1);
    }
}
