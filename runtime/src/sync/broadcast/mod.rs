//! A multi-producer, multi-consumer channel where every receiver sees every value.
//!
//! # Design
//!
//! A ring of `capacity` slots (rounded up to a power of two, as in Tokio) under one lock.
//! Value number `pos` lives in slot `pos & mask`; `tail` is the next number to write. Each
//! receiver keeps the number it reads next. Rules:
//!
//! - **BC1.** A send overwrites the oldest slot, records how many receivers (`rem`) still have to
//!   read it, and wakes every waiting receiver. The last reader moves the value out instead of
//!   cloning it, so values are freed as soon as everyone has seen them.
//! - **BC2.** A receiver whose next number is older than `tail - capacity` has lost values: it gets
//!   `Lagged(n)` once and jumps to the oldest retained value.
//! - **BC3.** A dropped receiver settles `rem` for every retained value it had not read (BC1 still
//!   frees them).
//! - **BC4.** When the last sender goes, waiting receivers wake and, once drained, see `Closed`.
//! - **BC5.** No waker is woken or dropped under the lock: wakers are woken after it (in batches),
//!   and a waker a `Recv` lets go of (replaced by a newer poll's, or removed with its entry) is
//!   dropped after it, since its `Drop` may send on this very channel. Overwritten values are
//!   dropped after it too.
//! - **BC6.** The receiver that takes `rx_count` to zero notifies `no_receivers` (after the
//!   lock) so every `Sender::closed` waiter completes; a waiter checks `rx_count` only after
//!   creating its `Notified`, so it cannot miss that notification.
//! - **BC7.** A weak sender counts in `weak_count`, not `tx_count`; upgrading adds a sender
//!   under the lock only while `tx_count > 0`, so once the last sender went (BC4) the channel
//!   stays closed.

pub mod error;
mod lifecycle;
mod recv;

pub use lifecycle::WeakSender;
pub use recv::Recv;

use super::notify::Notify;
use super::waiters::WaitList;
use crate::loom::sync::Arc;
use crate::loom::sync::Mutex;
use error::{SendError, TryRecvError};
use io_driver::WakeList;
use std::fmt;

/// Creates a broadcast channel retaining the last `capacity` values (rounded up to a power
/// of two).
///
/// # Panics
///
/// If `capacity` is 0 or above `usize::MAX / 2` (as in Tokio).
///
/// ```
/// # runtime::Runtime::new().unwrap().block_on(async {
/// let (tx, mut rx1) = runtime::sync::broadcast::channel(16);
/// let mut rx2 = tx.subscribe();
/// tx.send("hello").unwrap();
/// assert_eq!(rx1.recv().await, Ok("hello"));
/// assert_eq!(rx2.recv().await, Ok("hello"));
/// # });
/// ```
#[track_caller]
pub fn channel<T: Clone>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    let shared = new_shared(capacity, 1);
    (
        Sender {
            shared: shared.clone(),
        },
        Receiver { shared, next: 0 },
    )
}

/// The shared state of a channel of `capacity` (checked, rounded up to a power of two) with
/// one sender and `receivers` receivers.
#[track_caller]
fn new_shared<T>(capacity: usize, receivers: usize) -> Arc<Shared<T>> {
    assert!(capacity > 0, "broadcast channel capacity must be > 0");
    assert!(
        capacity <= usize::MAX >> 1,
        "broadcast channel capacity is too large"
    );
    let capacity = capacity.next_power_of_two();
    let buf = (0..capacity)
        .map(|_| Slot {
            rem: 0,
            value: None,
        })
        .collect();
    Arc::new(Shared {
        state: Mutex::new(State {
            buf,
            tail: 0,
            rx_count: receivers,
            tx_count: 1,
            weak_count: 0,
            closed: false,
            waiters: WaitList::new(),
        }),
        mask: capacity as u64 - 1,
        no_receivers: Notify::new(),
    })
}

struct Shared<T> {
    state: Mutex<State<T>>,
    mask: u64,
    /// Notified (all waiters) when the last receiver goes, for `Sender::closed` (BC6).
    no_receivers: Notify,
}

// Unwind safety, for every `T` (as Tokio's channels): the ring and counters change only under
// the lock with no user code running there (values are cloned for receivers, and wakers woken
// and dropped, after unlocking: BC5), and values are only handed out by value.
impl<T> std::panic::RefUnwindSafe for Shared<T> {}
impl<T> std::panic::UnwindSafe for Shared<T> {}

struct State<T> {
    buf: Box<[Slot<T>]>,
    tail: u64,
    rx_count: usize,
    tx_count: usize,
    /// Weak senders alive; they do not keep the channel open (BC7).
    weak_count: usize,
    closed: bool,
    waiters: WaitList<()>,
}

struct Slot<T> {
    rem: usize,
    value: Option<T>,
}

impl<T> Shared<T> {
    fn capacity(&self) -> u64 {
        self.mask + 1
    }

    /// Wakes every waiting receiver, in batches outside the lock (WL6).
    fn wake_all<'a>(&'a self, mut state: crate::loom::sync::MutexGuard<'a, State<T>>) {
        let mut wakers = WakeList::new();
        loop {
            while !wakers.is_full() {
                match state.waiters.pop_front() {
                    Some(waker) => wakers.extend(waker),
                    None => break,
                }
            }
            let more = !state.waiters.is_empty();
            drop(state);
            wakers.wake_all();
            if !more {
                return;
            }
            state = self.state.lock();
        }
    }
}

/// The sending half; clone it for more producers.
///
/// ```
/// let (tx, _rx) = runtime::sync::broadcast::channel::<u8>(4);
/// assert_eq!(tx.send(1), Ok(1)); // one receiver will see it
/// ```
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

/// A receiving half; each receiver sees every value sent after it subscribed.
///
/// ```
/// let (tx, mut rx) = runtime::sync::broadcast::channel(4);
/// tx.send(1).unwrap();
/// assert_eq!(rx.try_recv(), Ok(1));
/// ```
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    next: u64,
}

impl<T> Sender<T> {
    /// Sends `value` to every current receiver; returns how many there are. Never waits: a
    /// full ring overwrites the oldest value (slow receivers then see `Lagged`). Fails if no
    /// receiver exists.
    ///
    /// ```
    /// let (tx, rx) = runtime::sync::broadcast::channel(2);
    /// let _rx2 = tx.subscribe();
    /// assert_eq!(tx.send("x"), Ok(2));
    /// ```
    pub fn send(&self, value: T) -> Result<usize, SendError<T>> {
        let mut state = self.shared.state.lock();
        if state.rx_count == 0 {
            return Err(SendError(value));
        }
        let receivers = state.rx_count;
        let index = (state.tail & self.shared.mask) as usize;
        let slot = &mut state.buf[index];
        slot.rem = receivers;
        let old = slot.value.replace(value);
        state.tail += 1;
        self.shared.wake_all(state);
        drop(old);
        Ok(receivers)
    }

    /// A new receiver that sees values sent from now on.
    ///
    /// ```
    /// let (tx, _rx) = runtime::sync::broadcast::channel(2);
    /// tx.send(1).unwrap();
    /// let mut late = tx.subscribe();
    /// tx.send(2).unwrap();
    /// assert_eq!(late.try_recv(), Ok(2));
    /// ```
    pub fn subscribe(&self) -> Receiver<T> {
        let mut state = self.shared.state.lock();
        state.rx_count += 1;
        Receiver {
            shared: self.shared.clone(),
            next: state.tail,
        }
    }

    /// Number of live receivers.
    ///
    /// ```
    /// let (tx, rx) = runtime::sync::broadcast::channel::<u8>(2);
    /// assert_eq!(tx.receiver_count(), 1);
    /// drop(rx);
    /// assert_eq!(tx.receiver_count(), 0);
    /// ```
    pub fn receiver_count(&self) -> usize {
        self.shared.state.lock().rx_count
    }

    /// `true` if both senders feed the same channel.
    ///
    /// ```
    /// let (tx, _rx) = runtime::sync::broadcast::channel::<u8>(2);
    /// assert!(tx.same_channel(&tx.clone()));
    /// ```
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.shared.state.lock().tx_count += 1;
        Self {
            shared: self.shared.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let mut state = self.shared.state.lock();
        state.tx_count -= 1;
        if state.tx_count == 0 {
            state.closed = true;
            self.shared.wake_all(state);
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("receivers", &self.receiver_count())
            .finish()
    }
}

impl<T: Clone> Receiver<T> {
    /// Receives the next value: `Err(Lagged(n))` once if values were lost, `Err(Closed)`
    /// after every sender is gone and the retained values are read.
    ///
    /// Cancel safety: cancel-safe; a dropped `recv` consumes no value.
    ///
    /// ```
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// use runtime::sync::broadcast::error::RecvError;
    /// let (tx, mut rx) = runtime::sync::broadcast::channel(2);
    /// tx.send(1).unwrap();
    /// drop(tx);
    /// assert_eq!(rx.recv().await, Ok(1));
    /// assert_eq!(rx.recv().await, Err(RecvError::Closed));
    /// # });
    /// ```
    pub fn recv(&mut self) -> Recv<'_, T> {
        Recv::new(self)
    }

    /// Receives the next value now, if there is one.
    ///
    /// ```
    /// use runtime::sync::broadcast::error::TryRecvError;
    /// let (tx, mut rx) = runtime::sync::broadcast::channel(1);
    /// tx.send(1).unwrap();
    /// tx.send(2).unwrap();
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Lagged(1)));
    /// assert_eq!(rx.try_recv(), Ok(2));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let mut state = self.shared.state.lock();
        take_locked(&mut self.next, self.shared.mask, &mut state)
    }
}

/// Reads the value numbered `*next` for one receiver (BC1 and BC2).
fn take_locked<T: Clone>(
    next: &mut u64,
    mask: u64,
    state: &mut State<T>,
) -> Result<T, TryRecvError> {
    if *next == state.tail {
        return Err(if state.closed {
            TryRecvError::Closed
        } else {
            TryRecvError::Empty
        });
    }
    let oldest = state.tail.saturating_sub(mask + 1);
    if *next < oldest {
        let missed = oldest - *next;
        *next = oldest;
        return Err(TryRecvError::Lagged(missed));
    }
    let slot = &mut state.buf[(*next & mask) as usize];
    *next += 1;
    slot.rem -= 1;
    let value = if slot.rem == 0 {
        slot.value.take()
    } else {
        slot.value.clone()
    };
    Ok(value.expect("a retained slot with readers left holds its value"))
}

impl<T> Receiver<T> {
    /// A new receiver starting at the newest position (it sees values sent from now on).
    ///
    /// ```
    /// let (tx, rx) = runtime::sync::broadcast::channel(2);
    /// tx.send(1).unwrap();
    /// let mut rx2 = rx.resubscribe();
    /// tx.send(2).unwrap();
    /// assert_eq!(rx2.try_recv(), Ok(2));
    /// ```
    pub fn resubscribe(&self) -> Self {
        let mut state = self.shared.state.lock();
        state.rx_count += 1;
        Receiver {
            shared: self.shared.clone(),
            next: state.tail,
        }
    }

    /// Number of values sent since this receiver last read, counting the ones already
    /// overwritten (as Tokio does): a value above the capacity (rounded up to a power of two)
    /// means the next receive reports [`Lagged`](error::RecvError::Lagged).
    ///
    /// ```
    /// let (tx, rx) = runtime::sync::broadcast::channel(2);
    /// tx.send(()).unwrap();
    /// assert_eq!(rx.len(), 1);
    /// tx.send(()).unwrap();
    /// tx.send(()).unwrap(); // overwrites the first value
    /// assert_eq!(rx.len(), 3); // > 2: this receiver lagged
    /// ```
    pub fn len(&self) -> usize {
        let tail = self.shared.state.lock().tail;
        usize::try_from(tail - self.next).unwrap_or(usize::MAX)
    }

    /// `true` when this receiver has read everything.
    ///
    /// ```
    /// let (_tx, rx) = runtime::sync::broadcast::channel::<u8>(4);
    /// assert!(rx.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `true` once every sender is gone.
    ///
    /// ```
    /// let (tx, rx) = runtime::sync::broadcast::channel::<u8>(4);
    /// drop(tx);
    /// assert!(rx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.shared.state.lock().closed
    }

    /// `true` if both receivers belong to the same channel.
    ///
    /// ```
    /// let (_tx, rx) = runtime::sync::broadcast::channel::<u8>(4);
    /// assert!(rx.same_channel(&rx.resubscribe()));
    /// ```
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let mut state = self.shared.state.lock();
        state.rx_count -= 1;
        let last = state.rx_count == 0;
        let oldest = state.tail.saturating_sub(self.shared.capacity());
        let mut freed = Vec::new();
        for pos in self.next.max(oldest)..state.tail {
            let slot = &mut state.buf[(pos & self.shared.mask) as usize];
            slot.rem -= 1;
            if slot.rem == 0 {
                freed.extend(slot.value.take());
            }
        }
        drop(state);
        drop(freed);
        if last {
            self.shared.no_receivers.notify_waiters(); // BC6
        }
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("next", &self.next)
            .finish()
    }
}

#[cfg(test)]
mod tests;
