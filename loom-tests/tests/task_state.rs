//! Models of the task state machine, driven through real runtimes: wakes, aborts, completion,
//! the join waker and the last reference, each racing the task's own poll or completion.
#![cfg(loom)]

use loom_tests::gate::gate;
use loom_tests::support::{
    Counter, ThreadSlot, counting_waker, current_thread, model, multi_thread,
};
use std::future::{Future, poll_fn};
use std::pin::pin;
use std::task::{Context, Poll};

/// A task woken from a foreign thread while it may be running or idle completes exactly once.
#[test]
fn wake_from_foreign_thread_completes_once() {
    model(|| {
        let rt = current_thread();
        let (opener, gate) = gate();
        let task = rt.spawn(async move {
            gate.await;
            7
        });
        let opener_thread = loom::thread::spawn(move || opener.open());
        assert_eq!(rt.block_on(task).unwrap(), 7);
        opener_thread.join().unwrap();
    });
}

/// A future that, on its first poll, hands its waker to a new thread (which wakes it by value
/// or by reference, racing the rest of the poll) and returns `Pending`; its second poll
/// returns the number of earlier polls.
fn wake_during_poll(by_ref: bool, slot: ThreadSlot, polls: Counter) -> impl Future<Output = usize> {
    poll_fn(move |cx: &mut Context<'_>| {
        let n = polls.incr();
        if n > 0 {
            return Poll::Ready(n);
        }
        let waker = cx.waker().clone();
        slot.spawn(move || {
            if by_ref {
                waker.wake_by_ref();
            } else {
                waker.wake();
            }
        });
        Poll::Pending
    })
}

fn wake_while_running(by_ref: bool) {
    model(move || {
        let rt = current_thread();
        let (slot, polls) = (ThreadSlot::new(), Counter::new());
        let task = rt.spawn(wake_during_poll(by_ref, slot.clone(), polls.clone()));
        assert_eq!(rt.block_on(task).unwrap(), 1);
        assert!(slot.join());
        drop(rt);
        // Re-scheduled exactly once: a second `Notified` would have polled a third time (the
        // future is gone, so that is a panic) or left a reference behind (loom reports the
        // task's leaked scheduler `Arc`).
        assert_eq!(polls.get(), 2);
    });
}

/// `Waker::wake` from a foreign thread while the task is still in the poll that registered the
/// waker: the task is re-scheduled exactly once (as a yield, or by the waker) and polled twice.
#[test]
fn wake_while_running_reschedules_once() {
    wake_while_running(false);
}

/// As above with `wake_by_ref`, which adds a reference only when it mints a `Notified`.
#[test]
fn wake_by_ref_while_running_reschedules_once() {
    wake_while_running(true);
}

/// A wake racing (or following) completion is a no-op: the task is polled once, and the
/// waker's reference is released so the task is freed.
#[test]
fn wake_racing_completion_is_noop() {
    model(|| {
        let rt = current_thread();
        let (slot, polls) = (ThreadSlot::new(), Counter::new());
        let (in_task, counted) = (slot.clone(), polls.clone());
        let task = rt.spawn(poll_fn(move |cx: &mut Context<'_>| {
            counted.incr();
            let waker = cx.waker().clone();
            in_task.spawn(move || waker.wake());
            Poll::Ready(3)
        }));
        assert_eq!(rt.block_on(task).unwrap(), 3);
        assert!(slot.join());
        drop(rt);
        assert_eq!(polls.get(), 1);
    });
}

/// The last reference to a finished task is a waker clone dropped on a foreign thread while
/// the owner drops the `JoinHandle` and the runtime: the task is freed exactly once, on
/// whichever side is last (loom's leak check sees the task's scheduler `Arc`).
#[test]
fn last_reference_dropped_on_foreign_thread() {
    model(|| {
        let rt = current_thread();
        let slot = ThreadSlot::new();
        let in_task = slot.clone();
        let task = rt.spawn(poll_fn(move |cx: &mut Context<'_>| {
            let waker = cx.waker().clone();
            in_task.spawn(move || drop(waker));
            Poll::Ready(())
        }));
        rt.block_on(async {
            // Let the task run; do not join it, so the handle is dropped below.
            runtime::task::yield_now().await;
        });
        drop(task);
        drop(rt);
        slot.join();
    });
}

/// `abort` from another thread racing the task's completion: the handle sees exactly one
/// outcome and the future is dropped exactly once.
#[test]
fn abort_races_completion() {
    model(|| {
        let rt = current_thread();
        let drops = Counter::new();
        let guard = drops.on_drop();
        let (opener, gate) = gate();
        let task = rt.spawn(async move {
            let _guard = guard;
            gate.await;
        });
        let abort = task.abort_handle();
        let aborter = loom::thread::spawn(move || abort.abort());
        opener.open();
        let outcome = rt.block_on(task);
        aborter.join().unwrap();
        assert!(outcome.is_ok() || outcome.unwrap_err().is_cancelled());
        assert_eq!(drops.get(), 1);
    });
}

/// `abort` racing the task's *first* poll: either the poll wins (output delivered) or the task
/// is cancelled without ever being polled; the future is dropped exactly once either way.
#[test]
fn abort_races_first_poll() {
    model(|| {
        let rt = current_thread();
        let (drops, polls) = (Counter::new(), Counter::new());
        let guard = drops.on_drop();
        let counted = polls.clone();
        let task = rt.spawn(async move {
            let _guard = guard;
            counted.incr();
            11
        });
        let abort = task.abort_handle();
        let aborter = loom::thread::spawn(move || abort.abort());
        let outcome = rt.block_on(task);
        aborter.join().unwrap();
        match outcome {
            Ok(out) => assert_eq!((out, polls.get()), (11, 1)),
            Err(err) => assert!(err.is_cancelled() && polls.get() == 0, "{err}"),
        }
        assert_eq!(drops.get(), 1);
    });
}

/// Dropping the `JoinHandle` on another thread while the task completes: the output is dropped
/// exactly once, whichever side gets there last.
#[test]
fn join_handle_dropped_while_completing() {
    model(|| {
        let rt = current_thread();
        let drops = Counter::new();
        let output = drops.on_drop();
        let (opener, gate) = gate();
        let task = rt.spawn(async move {
            gate.await;
            output
        });
        let dropper = loom::thread::spawn(move || drop(task));
        opener.open();
        let seen = drops.clone();
        rt.block_on(async move {
            // Let the task run to completion.
            while seen.get() == 0 && rt_alive() {
                runtime::task::yield_now().await;
            }
        });
        dropper.join().unwrap();
        drop(rt);
        assert_eq!(drops.get(), 1);
    });
}

fn rt_alive() -> bool {
    runtime::Handle::try_current().is_ok_and(|h| h.metrics().num_alive_tasks() > 0)
}

/// The `JoinHandle` replaces its waker (rule J4) while the task completes on a worker: the
/// latest waker is woken (no lost wake-up: `block_on` would otherwise deadlock, which loom
/// reports), the first one at most once, and the output arrives exactly once.
///
/// This model found a real bug: `State::unset_join_waker` debug-asserted that `JOIN_WAKER` was
/// set, but when the task completes between the handle's `load()` in
/// `Harness::can_read_output` and that call, the runtime has already woken the old waker and
/// cleared the bit (rule J6), so debug builds panicked. Fixed by checking `is_complete()` first.
#[test]
fn join_waker_replaced_while_completing() {
    model(|| {
        let rt = multi_thread(1);
        let first_wakes = Counter::new();
        let task = rt.spawn(async { 5 });
        let mut task = pin!(task);
        let first = counting_waker(&first_wakes);
        let out = match task.as_mut().poll(&mut Context::from_waker(&first)) {
            Poll::Ready(out) => out,
            // The second poll (inside `block_on`) swaps in a new waker.
            Poll::Pending => loom::future::block_on(task.as_mut()),
        };
        assert_eq!(out.unwrap(), 5);
        drop(rt);
        assert!(first_wakes.get() <= 1);
    });
}

/// The `JoinHandle` is polled again with the *same* waker while the task completes on a
/// worker: the handle takes the slot back (J2/J4) to compare the waker, then publishes it
/// again, racing the completer, which takes the waker out and wakes it by value (J3). The
/// waker is woken at most once, never after the handle saw the output, and the output comes
/// out exactly once (loom reports a leaked or doubly dropped waker).
#[test]
fn join_handle_repolled_with_the_same_waker_while_completing() {
    model(|| {
        let rt = multi_thread(1);
        let wakes = Counter::new();
        let task = rt.spawn(async { 7 });
        let mut task = pin!(task);
        let waker = counting_waker(&wakes);
        let mut cx = Context::from_waker(&waker);
        let out = match task.as_mut().poll(&mut cx) {
            Poll::Ready(out) => out,
            Poll::Pending => match task.as_mut().poll(&mut cx) {
                Poll::Ready(out) => out,
                Poll::Pending => loom::future::block_on(task.as_mut()),
            },
        };
        assert_eq!(out.unwrap(), 7);
        drop(rt);
        assert!(wakes.get() <= 1);
    });
}

/// Dropping the runtime while a foreign thread wakes a pending task: the future is dropped
/// exactly once and the late wake is harmless.
#[test]
fn shutdown_races_wake() {
    model(|| {
        let rt = current_thread();
        let drops = Counter::new();
        let guard = drops.on_drop();
        let (opener, gate) = gate();
        let _task = rt.spawn(async move {
            let _guard = guard;
            gate.await;
        });
        let waker_thread = loom::thread::spawn(move || opener.open());
        drop(rt);
        waker_thread.join().unwrap();
        assert_eq!(drops.get(), 1);
    });
}
