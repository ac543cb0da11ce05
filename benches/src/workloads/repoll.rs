//! The lock-free re-poll paths: a task re-polls one leaf that stays pending (a `Sleep` far in
//! the future, a `CancellationToken::cancelled()` nobody cancels), yielding between polls, as a
//! connection task does that re-polls its timeout and shutdown futures on every wake-up.
//!
//! One iteration is [`REPOLLS`] re-polls, so a profile of `N` iterations minus one of `M`
//! iterations, over `(N - M) * REPOLLS`, is the instructions of one re-poll plus one
//! `yield_now` (docs/benchmarks.md gives the callgrind command and figures).

use crate::{Rt, Workload};
use std::future::Future;
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;

/// Re-polls in one iteration: enough that the iteration's setup (one spawn, one timer or
/// waiter registration) adds well under one instruction per re-poll.
pub const REPOLLS: u64 = 10_000;

/// Polls `leaf` [`REPOLLS`] times with the task's own waker, yielding after each poll, and
/// counts the polls that found it pending (all of them, if it really stays pending).
async fn repoll<R: Rt>(leaf: impl Future<Output = ()>) -> u64 {
    let mut leaf = pin!(leaf);
    let mut pending = 0;
    for _ in 0..REPOLLS {
        std::future::poll_fn(|cx| {
            if leaf.as_mut().poll(cx).is_pending() {
                pending += 1;
            }
            Poll::Ready(())
        })
        .await;
        R::yield_now().await;
    }
    pending
}

/// A task yields and re-polls one pending sleep (an hour away) [`REPOLLS`] times.
///
/// ```
/// use benches::{Rt, Workload, adapters::RuntimeRt, workloads::repoll::RepollPendingSleep};
/// let rt = RuntimeRt::new(2).unwrap();
/// assert_eq!(RepollPendingSleep::run(&rt), RepollPendingSleep::expected());
/// ```
#[derive(Debug)]
pub struct RepollPendingSleep;

impl Workload for RepollPendingSleep {
    const NAME: &'static str = "repoll_pending_sleep";
    const OPS: u64 = REPOLLS;
    const UNIT: &'static str = "re-poll";

    fn run<R: Rt>(rt: &R) -> u64 {
        rt.block_on(rt.spawn_remote(repoll::<R>(R::sleep(Duration::from_secs(3600)))))
    }

    fn expected() -> u64 {
        REPOLLS
    }
}

/// A task yields and re-polls one pending `cancelled()` of a token nobody cancels
/// [`REPOLLS`] times.
///
/// ```
/// use benches::{Rt, Workload, adapters::SmolRt, workloads::repoll::RepollPendingCancelled};
/// let rt = SmolRt::new(1).unwrap();
/// assert_eq!(RepollPendingCancelled::run(&rt), RepollPendingCancelled::expected());
/// ```
#[derive(Debug)]
pub struct RepollPendingCancelled;

impl Workload for RepollPendingCancelled {
    const NAME: &'static str = "repoll_pending_cancelled";
    const OPS: u64 = REPOLLS;
    const UNIT: &'static str = "re-poll";

    fn run<R: Rt>(rt: &R) -> u64 {
        rt.block_on(rt.spawn_remote(async {
            let token = R::cancel_token();
            repoll::<R>(R::cancelled(&token)).await
        }))
    }

    fn expected() -> u64 {
        REPOLLS
    }
}
