//! `pin!` in both forms.

mod macros_util;

use macros_util::{Probe, Stats, block_on, poll_once};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;

fn assert_pinned<F: Future>(_: &Pin<&mut F>) {}

#[test]
fn pins_existing_locals() {
    let stats = Arc::new(Stats::default());
    let a = Probe::new(1, 'a', &stats);
    let b = async { 2 };
    runtime::pin!(a, b);
    assert_pinned(&a);
    assert_eq!(poll_once(a.as_mut()), Poll::Pending);
    assert_eq!(poll_once(a.as_mut()), Poll::Ready('a'));
    assert_eq!(block_on(&mut b), 2);
    assert_eq!(
        stats.drops(),
        0,
        "pinned locals live until the end of the scope"
    );
}

#[test]
fn declares_and_pins() {
    runtime::pin! {
        let first = async { 1 };
        let second = async { 2 };
    }
    assert_pinned(&first);
    assert_eq!(block_on(async { (&mut first).await + second.await }), 3);
}
