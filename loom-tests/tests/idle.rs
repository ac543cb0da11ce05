//! Models of idle-worker coordination (`runtime::__loom::Idle`, rules I1-I5 of
//! `engine/scheduler/multi_thread/idle.rs`), replaying the worker/notifier protocol of `worker.rs` and
//! `handle.rs` around the real `Idle`.
#![cfg(loom)]

use loom::sync::Arc;
use loom::sync::atomic::{AtomicBool, Ordering, fence};
use loom_tests::support::model;
use runtime::__loom::Idle;

/// A pusher (`Handle::schedule_task`): push, `SeqCst` fence, then ask whom to wake.
fn push_and_notify(idle: &Idle, work: &AtomicBool) -> Option<usize> {
    work.store(true, Ordering::SeqCst);
    fence(Ordering::SeqCst);
    idle.worker_to_notify()
}

/// A searcher that found nothing parks (`Core::transition_to_parked`); as the last searcher it
/// re-scans (`notify_if_work_pending`) and wakes someone if work is there.
fn park_searcher(idle: &Idle, index: usize, work: &AtomicBool) -> Option<usize> {
    if idle.transition_worker_to_parked(index, true) {
        fence(Ordering::SeqCst);
        if work.load(Ordering::SeqCst) {
            return idle.worker_to_notify();
        }
    }
    None
}

/// I1 vs I4: work pushed while the last searcher parks is never stranded — the pusher wakes a
/// worker, or the parking searcher's re-scan sees the work and wakes one. Then the woken
/// worker finds the work (stops searching): the searching count is back to zero.
#[test]
fn push_racing_last_searcher_park_wakes_a_worker() {
    model(|| {
        let idle = Arc::new(Idle::new(2));
        let work = Arc::new(AtomicBool::new(false));
        // Worker 1 sleeps; worker 0 is searching.
        assert!(!idle.transition_worker_to_parked(1, false));
        assert!(idle.transition_worker_to_searching());
        let pusher = {
            let (idle, work) = (idle.clone(), work.clone());
            loom::thread::spawn(move || push_and_notify(&idle, &work))
        };
        let by_parker = park_searcher(&idle, 0, &work);
        let by_pusher = pusher.join().unwrap();
        let woken: Vec<usize> = by_parker.into_iter().chain(by_pusher).collect();
        assert_eq!(woken.len(), 1, "exactly one worker woken: {woken:?}");
        // The woken worker was counted as searching (I1); it takes the work and stops.
        assert_eq!(idle.num_searching(), 1);
        assert!(!idle.is_parked(woken[0]));
        assert!(
            idle.transition_worker_from_searching(),
            "it was the last searcher"
        );
        assert_eq!(idle.num_searching(), 0);
    });
}

/// A searcher that found work stops searching (`Core::transition_from_searching`); as the
/// last searcher it re-scans (`notify_if_work_pending`) and wakes someone only if work is there.
fn stop_searching_found_work(idle: &Idle, work: &AtomicBool) -> Option<usize> {
    if idle.transition_worker_from_searching() {
        fence(Ordering::SeqCst);
        if work.load(Ordering::SeqCst) {
            fence(Ordering::SeqCst);
            return idle.worker_to_notify();
        }
    }
    None
}

/// I1 vs I3: a pusher that saw the last searcher (and so woke nobody) is covered by that
/// searcher's re-scan when it stops searching because it found other work: exactly one worker
/// is woken for the pushed work, by the pusher or by the searcher.
#[test]
fn push_racing_last_searcher_finding_work_wakes_a_worker() {
    model(|| {
        let idle = Arc::new(Idle::new(2));
        let work = Arc::new(AtomicBool::new(false));
        // Worker 1 sleeps; worker 0 searches and is about to find other work.
        assert!(!idle.transition_worker_to_parked(1, false));
        assert!(idle.transition_worker_to_searching());
        let pusher = {
            let (idle, work) = (idle.clone(), work.clone());
            loom::thread::spawn(move || push_and_notify(&idle, &work))
        };
        let by_searcher = stop_searching_found_work(&idle, &work);
        let by_pusher = pusher.join().unwrap();
        let woken: Vec<usize> = by_searcher.into_iter().chain(by_pusher).collect();
        assert_eq!(woken, vec![1], "worker 1 woken exactly once");
        assert!(!idle.is_parked(1));
        assert_eq!(idle.num_searching(), 1, "the woken worker searches");
    });
}

/// I3 without pending work: the last searcher that found work wakes nobody, so the sleeping
/// worker stays asleep and nobody is left counted as searching.
#[test]
fn last_searcher_finding_work_with_nothing_left_wakes_nobody() {
    model(|| {
        let idle = Idle::new(2);
        let work = AtomicBool::new(false);
        assert!(!idle.transition_worker_to_parked(1, false));
        assert!(idle.transition_worker_to_searching());
        assert_eq!(stop_searching_found_work(&idle, &work), None);
        assert!(idle.is_parked(1));
        assert_eq!(idle.num_searching(), 0);
    });
}

/// Two workers start searching at once and both park: at most half may search (I2), and the
/// searching count returns to zero with both workers listed as parked (I5).
#[test]
fn searching_count_returns_to_zero_when_all_park() {
    model(|| {
        let idle = Arc::new(Idle::new(2));
        let other = {
            let idle = idle.clone();
            loom::thread::spawn(move || {
                let searching = idle.transition_worker_to_searching();
                idle.transition_worker_to_parked(1, searching);
                searching
            })
        };
        let searching = idle.transition_worker_to_searching();
        idle.transition_worker_to_parked(0, searching);
        let other_searching = other.join().unwrap();
        assert!(searching || other_searching, "someone may search");
        assert_eq!(idle.num_searching(), 0);
        assert!(idle.is_parked(0) && idle.is_parked(1));
        // Everyone sleeps and nobody searches: a notifier must wake someone.
        assert!(idle.worker_to_notify().is_some());
        assert_eq!(idle.num_searching(), 1);
    });
}
