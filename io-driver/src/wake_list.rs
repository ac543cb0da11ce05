//! [`WakeList`]: wakers collected under a lock and woken after it is released.

use std::task::Waker;

/// A fixed-size batch of wakers, collected while a lock is held and woken after it is released.
///
/// The one wake batch of the workspace: the reactor's readiness dispatch, the runtime's timer
/// shards and every `runtime::sync` primitive use it. A waker's `wake` or `Drop` may run user
/// code that re-enters the structure the lock protects (send, notify, cancel), and those locks
/// are not reentrant, so the owner follows one protocol:
///
/// 1. Under the lock, move wakers out of the structure into the list with [`push`](Self::push)
///    or [`extend`](Extend::extend) while [`is_full`](Self::is_full) is false.
/// 2. Release the lock, then call [`wake_all`](Self::wake_all).
/// 3. If wakers remain, lock again and repeat.
///
/// The list never wakes on its own while it is filled: it wakes only in `wake_all` and in its
/// `Drop`, and the owner calls both after unlocking (declare the list *before* taking the
/// guard, so an early return or a panic drops the guard first). A list dropped with wakers
/// still in it (a waker panicked in the middle of `wake_all`) wakes them, so no wake-up is lost.
///
/// # Examples
///
/// ```
/// use io_driver::WakeList;
/// use std::sync::{Arc, Mutex};
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::task::{Wake, Waker};
///
/// struct Count(AtomicUsize);
/// impl Wake for Count {
///     fn wake(self: Arc<Self>) {
///         self.0.fetch_add(1, Ordering::SeqCst);
///     }
/// }
///
/// let count = Arc::new(Count(AtomicUsize::new(0)));
/// let waiting: Mutex<Vec<Waker>> =
///     Mutex::new((0..100).map(|_| Waker::from(count.clone())).collect());
///
/// let mut wakers = WakeList::new();
/// loop {
///     let mut queue = waiting.lock().unwrap();
///     while !wakers.is_full() {
///         match queue.pop() {
///             Some(waker) => wakers.push(waker),
///             None => break,
///         }
///     }
///     let more = !queue.is_empty();
///     drop(queue); // never wake under the lock
///     wakers.wake_all();
///     if !more {
///         break;
///     }
/// }
/// assert_eq!(count.0.load(Ordering::SeqCst), 100);
/// assert_eq!(Arc::strong_count(&count), 1, "every waker was dropped after waking");
/// ```
#[derive(Debug)]
pub struct WakeList {
    wakers: [Option<Waker>; WakeList::CAPACITY],
    len: usize,
}

impl WakeList {
    /// How many wakers one batch holds: Tokio's batch size for the same job. Large enough that
    /// one event rarely needs a second batch (and a second lock), small enough to live on the
    /// stack (256 bytes). A benchmark with hundreds of waiters on one source would justify
    /// changing it.
    pub const CAPACITY: usize = 32;

    /// An empty list.
    pub fn new() -> WakeList {
        WakeList {
            wakers: [const { None }; WakeList::CAPACITY],
            len: 0,
        }
    }

    /// Whether the list holds [`CAPACITY`](Self::CAPACITY) wakers: the owner must unlock and
    /// [`wake_all`](Self::wake_all) before pushing another.
    pub fn is_full(&self) -> bool {
        self.len == Self::CAPACITY
    }

    /// Adds a waker, to be woken by the next [`wake_all`](Self::wake_all).
    ///
    /// # Panics
    ///
    /// If the list [is full](Self::is_full): waking the overflow at once could run user code
    /// under the caller's lock, so a missing `is_full` check is a bug reported loudly.
    pub fn push(&mut self, waker: Waker) {
        assert!(
            !self.is_full(),
            "WakeList is full: unlock and call wake_all before pushing more wakers"
        );
        self.wakers[self.len] = Some(waker);
        self.len += 1;
    }

    /// Wakes and drops every collected waker, in the order pushed; the list is empty afterwards.
    /// Call it only after releasing the lock the wakers were collected under.
    pub fn wake_all(&mut self) {
        for slot in &mut self.wakers[..self.len] {
            if let Some(waker) = slot.take() {
                waker.wake();
            }
        }
        self.len = 0;
    }
}

impl Default for WakeList {
    fn default() -> Self {
        Self::new()
    }
}

/// Pushes each waker in turn; with an `Option<Waker>` this pushes the waker if there is one.
///
/// # Panics
///
/// As [`WakeList::push`], if more wakers arrive than the list has room for.
impl Extend<Waker> for WakeList {
    fn extend<I: IntoIterator<Item = Waker>>(&mut self, wakers: I) {
        for waker in wakers {
            self.push(waker);
        }
    }
}

impl Drop for WakeList {
    fn drop(&mut self) {
        // Wakers never woken (only if a waker panicked mid-batch) are still owed a wake.
        self.wake_all();
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::Wake;

    struct Count(AtomicUsize);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn counter() -> Arc<Count> {
        Arc::new(Count(AtomicUsize::new(0)))
    }

    fn wakes(count: &Arc<Count>) -> usize {
        count.0.load(Ordering::SeqCst)
    }

    #[test]
    fn wakes_every_pushed_waker_once() {
        let count = counter();
        let mut list = WakeList::new();
        while !list.is_full() {
            list.push(Waker::from(count.clone()));
        }
        assert_eq!(Arc::strong_count(&count), WakeList::CAPACITY + 1);
        list.wake_all();
        assert_eq!(wakes(&count), WakeList::CAPACITY);
        list.wake_all();
        assert_eq!(
            wakes(&count),
            WakeList::CAPACITY,
            "second call wakes nobody"
        );
    }

    #[test]
    fn drops_each_waker_right_after_waking_it() {
        let count = counter();
        let mut list = WakeList::new();
        list.extend(Some(Waker::from(count.clone())));
        list.extend(None);
        list.push(Waker::from(count.clone()));
        assert_eq!(Arc::strong_count(&count), 3, "None pushes nothing");
        list.wake_all();
        assert_eq!(wakes(&count), 2);
        assert_eq!(
            Arc::strong_count(&count),
            1,
            "wakers are dropped after waking"
        );
        assert!(!list.is_full());
    }

    #[test]
    fn a_list_dropped_unwoken_wakes_what_it_owes() {
        let count = counter();
        let mut list = WakeList::new();
        list.extend((0..5).map(|_| Waker::from(count.clone())));
        drop(list);
        assert_eq!(wakes(&count), 5);
        assert_eq!(Arc::strong_count(&count), 1);
    }

    #[test]
    fn an_emptied_list_takes_a_full_batch_again() {
        let count = counter();
        let mut list = WakeList::new();
        for _ in 0..3 {
            list.extend((0..WakeList::CAPACITY).map(|_| Waker::from(count.clone())));
            assert!(list.is_full());
            list.wake_all();
        }
        assert_eq!(wakes(&count), 3 * WakeList::CAPACITY);
    }

    #[test]
    #[should_panic(expected = "WakeList is full")]
    fn pushing_past_capacity_panics_instead_of_waking_under_a_lock() {
        let count = counter();
        let mut list = WakeList::new();
        list.extend((0..=WakeList::CAPACITY).map(|_| Waker::from(count.clone())));
    }
}
