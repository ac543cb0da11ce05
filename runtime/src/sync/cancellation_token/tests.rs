use super::*;
use crate::sync::test_util::{Harness, block_on};

#[test]
fn parent_cancels_descendants_but_not_the_reverse() {
    let root = CancellationToken::new();
    let child = root.child_token();
    let grandchild = child.child_token();
    let sibling = root.child_token();
    child.cancel();
    assert!(child.is_cancelled() && grandchild.is_cancelled());
    assert!(!root.is_cancelled() && !sibling.is_cancelled());
    root.cancel();
    assert!(sibling.is_cancelled());
}

#[test]
fn cancel_reaches_grandchildren_through_a_dropped_middle_handle() {
    let root = CancellationToken::new();
    let grandchild = root.child_token().child_token();
    let mut waiting = Harness::new(grandchild.cancelled());
    waiting.pending();
    root.cancel();
    assert_eq!(waiting.wakes(), 1);
    waiting.ready();
}

#[test]
fn dropped_children_unregister_from_the_parent() {
    let root = CancellationToken::new();
    for _ in 0..100 {
        drop(root.child_token());
    }
    let kept = root.child_token();
    assert_eq!(root.node.children.lock().len(), 1);
    drop(kept);
    assert_eq!(root.node.children.lock().len(), 0);
}

#[test]
fn cancelled_futures_complete_and_drop_cleanly() {
    let token = CancellationToken::new();
    let mut a = Harness::new(token.cancelled());
    let mut b = Harness::new(token.clone().cancelled_owned());
    let unpolled = token.cancelled();
    a.pending();
    b.pending();
    let mut dropped = Harness::new(token.cancelled());
    dropped.pending();
    drop(dropped);
    token.cancel();
    a.ready();
    b.ready();
    Harness::new(unpolled).ready();
    Harness::new(token.cancelled()).ready();
}

#[test]
fn run_until_cancelled_and_drop_guard() {
    let token = CancellationToken::new();
    let mut run = Harness::new(token.run_until_cancelled(std::future::pending::<u8>()));
    run.pending();
    let guard = token.clone().drop_guard();
    drop(guard);
    assert_eq!(run.ready(), None);
    assert_eq!(
        format!("{token:?}"),
        "CancellationToken { is_cancelled: true }"
    );
}

#[test]
fn cancel_from_another_thread() {
    let token = CancellationToken::new();
    let child = token.child_token();
    let t = std::thread::spawn(move || block_on(child.cancelled_owned()));
    token.cancel();
    t.join().unwrap();
}
