//! Unwind safety of the `sync` types, as Tokio's: channel handles are `UnwindSafe` and
//! `RefUnwindSafe` whatever the message type (a panic cannot leave a channel half-updated, and
//! messages are only reached by value), the semaphore, its permits and the barrier are both,
//! and `Mutex<T>`/`RwLock<T>` are `UnwindSafe` when `T` is but never `RefUnwindSafe` (they do
//! not poison: an unwinding holder may leave `T` half-modified for the next one).

use runtime::sync::{
    Barrier, CancellationToken, Event, Mutex, Notify, OnceCell, OwnedSemaphorePermit, Queue,
    RwLock, Semaphore, SemaphorePermit, broadcast, mpsc, oneshot, watch,
};
use std::cell::Cell;
use std::panic::{RefUnwindSafe, UnwindSafe, catch_unwind};

fn is_unwind_safe<T: UnwindSafe + RefUnwindSafe>() {}

/// A message type that is neither `UnwindSafe` (a `&mut`) nor `RefUnwindSafe` (a `Cell`).
type NotUnwindSafe = &'static mut Cell<i32>;

#[test]
fn channel_handles_are_unwind_safe_for_every_message_type() {
    is_unwind_safe::<mpsc::Sender<NotUnwindSafe>>();
    is_unwind_safe::<mpsc::Receiver<NotUnwindSafe>>();
    is_unwind_safe::<mpsc::Permit<'static, NotUnwindSafe>>();
    is_unwind_safe::<mpsc::OwnedPermit<NotUnwindSafe>>();
    is_unwind_safe::<mpsc::UnboundedSender<NotUnwindSafe>>();
    is_unwind_safe::<mpsc::UnboundedReceiver<NotUnwindSafe>>();
    is_unwind_safe::<oneshot::Sender<NotUnwindSafe>>();
    is_unwind_safe::<oneshot::Receiver<NotUnwindSafe>>();
    is_unwind_safe::<broadcast::Sender<NotUnwindSafe>>();
    is_unwind_safe::<broadcast::Receiver<NotUnwindSafe>>();
    is_unwind_safe::<watch::Sender<NotUnwindSafe>>();
    is_unwind_safe::<watch::Receiver<NotUnwindSafe>>();
    is_unwind_safe::<Queue<NotUnwindSafe>>();
}

#[test]
fn weak_senders_and_permit_iterators_are_unwind_safe_for_every_message_type() {
    is_unwind_safe::<mpsc::WeakSender<NotUnwindSafe>>();
    is_unwind_safe::<mpsc::WeakUnboundedSender<NotUnwindSafe>>();
    is_unwind_safe::<mpsc::PermitIterator<'static, NotUnwindSafe>>();
    is_unwind_safe::<broadcast::WeakSender<NotUnwindSafe>>();
}

#[test]
fn notify_event_and_cancellation_token_are_unwind_safe() {
    is_unwind_safe::<Notify>();
    is_unwind_safe::<Event>();
    is_unwind_safe::<CancellationToken>();
}

#[test]
fn a_panic_inside_watch_send_modify_publishes_nothing() {
    let (tx, rx) = watch::channel(vec![1]);
    let caught = catch_unwind(|| {
        tx.send_modify(|v| {
            v.push(2);
            panic!("half-way");
        })
    });
    assert!(caught.is_err());
    assert!(
        !rx.has_changed().unwrap(),
        "an unfinished change is not published"
    );
    assert_eq!(
        *rx.borrow(),
        [1, 2],
        "the value keeps what the closure wrote"
    );
    tx.send_modify(|v| v.push(3));
    assert!(rx.has_changed().unwrap());
    assert_eq!(*rx.borrow(), [1, 2, 3]);
}

#[test]
fn semaphore_permits_barrier_and_once_cell_are_unwind_safe() {
    is_unwind_safe::<Semaphore>();
    is_unwind_safe::<SemaphorePermit<'static>>();
    is_unwind_safe::<OwnedSemaphorePermit>();
    is_unwind_safe::<Barrier>();
    is_unwind_safe::<OnceCell<i32>>();
}

/// `T: AmbiguousIfRefUnwindSafe<_>` is inferred only if exactly one impl applies, i.e. if `T`
/// is *not* `RefUnwindSafe` (otherwise the bound is ambiguous and the test does not compile).
trait AmbiguousIfRefUnwindSafe<A> {}
impl<T: ?Sized> AmbiguousIfRefUnwindSafe<()> for T {}
struct Invalid;
impl<T: ?Sized + RefUnwindSafe> AmbiguousIfRefUnwindSafe<Invalid> for T {}

#[test]
fn locks_are_unwind_safe_but_not_ref_unwind_safe() {
    fn is_unwind_safe_only<T: UnwindSafe + AmbiguousIfRefUnwindSafe<A>, A>() {}
    is_unwind_safe_only::<Mutex<i32>, _>();
    is_unwind_safe_only::<RwLock<i32>, _>();
}

#[test]
fn a_panic_holding_a_permit_returns_its_slot_and_the_channel_stays_usable() {
    let (tx, mut rx) = mpsc::channel::<i32>(1);
    let sem = Semaphore::new(1);
    // No `AssertUnwindSafe` needed: `&Sender`, `&Semaphore` are `UnwindSafe`.
    let caught = catch_unwind(|| {
        let _slot = tx.try_reserve().unwrap();
        let _permit = sem.try_acquire().unwrap();
        panic!("while holding a channel slot and a permit");
    });
    assert!(caught.is_err());
    assert_eq!(tx.capacity(), 1, "the slot came back during the unwind");
    assert_eq!(sem.available_permits(), 1, "so did the permit");
    tx.try_send(5).unwrap();
    assert_eq!(rx.try_recv(), Ok(5));
}
