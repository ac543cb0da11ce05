//! [`Signal`]: a runtime-neutral, reusable one-slot notification (no allocation per use).
//!
//! Protocol: `notify` stores the flag (Release) then wakes the registered waker; the waiter
//! consumes the flag with a swap (Acquire) before and after registering its waker, so a notify
//! that races with registration is seen by the second swap or wakes the new waker. There is at
//! most one waiter at a time, and a notifier does not notify again before the previous notice
//! was consumed (ping-pong and "all done" both follow this), so notices are never merged.

use futures_util::task::AtomicWaker;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

/// A one-slot notification shared by one notifier and one waiter.
///
/// ```
/// use benches::Signal;
/// use futures_util::FutureExt;
/// let s = Signal::new();
/// assert_eq!(s.wait().now_or_never(), None);
/// s.notify();
/// assert_eq!(s.wait().now_or_never(), Some(()));
/// // The notice was consumed.
/// assert_eq!(s.wait().now_or_never(), None);
/// ```
#[derive(Debug, Default)]
pub struct Signal {
    set: AtomicBool,
    waker: AtomicWaker,
}

impl Signal {
    /// A signal with no pending notice.
    ///
    /// ```
    /// assert!(!benches::Signal::new().is_set());
    /// ```
    pub fn new() -> Signal {
        Signal::default()
    }

    /// Posts the notice and wakes the waiter, if one is registered.
    ///
    /// ```
    /// let s = benches::Signal::new();
    /// s.notify();
    /// assert!(s.is_set());
    /// ```
    pub fn notify(&self) {
        self.set.store(true, Ordering::Release);
        self.waker.wake();
    }

    /// Whether a notice is pending (not yet consumed by a wait).
    ///
    /// ```
    /// assert!(!benches::Signal::new().is_set());
    /// ```
    pub fn is_set(&self) -> bool {
        self.set.load(Ordering::Acquire)
    }

    /// Waits for a notice and consumes it.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let s = Arc::new(benches::Signal::new());
    /// let s2 = s.clone();
    /// let t = std::thread::spawn(move || s2.notify());
    /// smol::future::block_on(s.wait());
    /// t.join().unwrap();
    /// assert!(!s.is_set());
    /// ```
    pub fn wait(&self) -> Wait<'_> {
        Wait { signal: self }
    }

    fn take(&self) -> bool {
        // Fast check first so the common "already set" case does not write the line twice.
        self.set.load(Ordering::Relaxed) && self.set.swap(false, Ordering::Acquire)
    }
}

/// Future returned by [`Signal::wait`].
///
/// ```
/// let s = benches::Signal::new();
/// s.notify();
/// let w: benches::Wait<'_> = s.wait();
/// smol::future::block_on(w);
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct Wait<'a> {
    signal: &'a Signal,
}

impl Future for Wait<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.signal.take() {
            return Poll::Ready(());
        }
        self.signal.waker.register(cx.waker());
        if self.signal.take() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn ping_pong_between_threads_loses_no_notice() {
        let ping = Arc::new(Signal::new());
        let pong = Arc::new(Signal::new());
        let (p1, p2) = (ping.clone(), pong.clone());
        let other = std::thread::spawn(move || {
            let mut n = 0u32;
            for _ in 0..10_000 {
                smol::future::block_on(p1.wait());
                n += 1;
                p2.notify();
            }
            n
        });
        for _ in 0..10_000 {
            ping.notify();
            smol::future::block_on(pong.wait());
        }
        assert_eq!(other.join().unwrap(), 10_000);
        assert!(!ping.is_set() && !pong.is_set());
    }
}
