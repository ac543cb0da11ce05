use super::*;
use crate::sync::test_util::{Harness, block_on};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

#[test]
fn concurrent_initialisers_run_f_once() {
    let cell = OnceCell::new();
    let runs = AtomicUsize::new(0);
    let gate = crate::sync::Event::new();
    let init = || async {
        runs.fetch_add(1, Ordering::SeqCst);
        gate.wait().await;
        42
    };
    let mut first = Harness::new(cell.get_or_init(init));
    let mut second = Harness::new(cell.get_or_init(init));
    first.pending();
    second.pending();
    assert!(matches!(cell.set(0), Err(SetError::InitializingError(0))));
    gate.set();
    assert_eq!(*first.ready(), 42);
    assert_eq!(second.wakes(), 1);
    assert_eq!(*second.ready(), 42);
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

#[test]
fn dropped_or_failed_initialiser_lets_the_next_one_run() {
    let cell = OnceCell::new();
    let mut dropped = Harness::new(cell.get_or_init(std::future::pending::<u8>));
    let mut next = Harness::new(cell.get_or_init(|| async { 2 }));
    dropped.pending();
    next.pending();
    drop(dropped);
    assert_eq!(*next.ready(), 2);

    let cell = OnceCell::<u8>::new();
    let err = Harness::new(cell.get_or_try_init(|| async { Err::<u8, _>("boom") })).ready();
    assert_eq!(err, Err("boom"));
    assert!(!cell.initialized());
    assert_eq!(cell.set(9), Ok(()));
}

#[test]
fn threads_race_to_initialise() {
    let cell = Arc::new(OnceCell::new());
    let runs = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let (cell, runs) = (cell.clone(), runs.clone());
            std::thread::spawn(move || {
                *block_on(cell.get_or_init(|| async move {
                    runs.fetch_add(1, Ordering::SeqCst);
                    i
                }))
            })
        })
        .collect();
    let seen: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert!(seen.iter().all(|&v| v == seen[0]));
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}
