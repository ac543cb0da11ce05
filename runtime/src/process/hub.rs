//! The SIGCHLD hub: one `SIGCHLD` listener per runtime (per reactor), shared by every child
//! waiting in that runtime on the fallback path of [`reap`](super::reap). One delivery wakes
//! every waiter; each then asks `waitpid` about its own pid (rules RP1 and RP4 of `reap.rs`).

use super::reap::reap_orphans;
use crate::loom::sync::{Arc, Mutex};
use crate::signal::unix::{Signal, SignalKind, signal};
use slab::Slab;
use std::io;
use std::sync::Weak;
use std::task::{Context, Poll, Wake, Waker};

/// Live hubs, one per reactor that has children waiting on SIGCHLD.
static HUBS: Mutex<Vec<Weak<Hub>>> = Mutex::new(Vec::new());

/// A runtime's SIGCHLD listener, shared by every child waiting in it.
#[derive(Debug)]
pub(super) struct Hub {
    reactor: io_driver::Handle,
    /// Polled with `fan_out` as its waker, so one delivery wakes every waiter.
    signal: Mutex<Signal>,
    fan_out: Waker,
    waiters: Arc<Waiters>,
}

/// The waiters' wakers, by slot; `None` once taken by a wake-up. Shared with the hub's waker
/// (which must not own the hub: its last reference would then be dropped, closing the
/// listener, from inside the reactor's wake-up).
#[derive(Debug, Default)]
struct Waiters(Mutex<Slab<Option<Waker>>>);

/// The hub's own waker: wakes every registered waiter.
impl Wake for Waiters {
    fn wake(self: std::sync::Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &std::sync::Arc<Self>) {
        let wakers: Vec<Waker> = {
            let mut waiters = self.0.lock();
            waiters.iter_mut().filter_map(|(_, w)| w.take()).collect()
        };
        for waker in wakers {
            waker.wake(); // RP4: outside the lock
        }
    }
}

impl Hub {
    /// The current runtime's hub, made (listening to SIGCHLD) if it has none.
    pub(super) fn current() -> io::Result<Arc<Hub>> {
        let reactor = crate::engine::current_reactor()?;
        let mut hubs = HUBS.lock();
        hubs.retain(|hub| hub.strong_count() > 0);
        if let Some(hub) = hubs
            .iter()
            .filter_map(Weak::upgrade)
            .find(|hub| hub.reactor.ptr_eq(&reactor))
        {
            return Ok(hub);
        }
        let waiters = Arc::new(Waiters::default());
        let hub = Arc::new(Hub {
            reactor,
            signal: Mutex::new(signal(SignalKind::child())?),
            fan_out: Waker::from(waiters.clone()),
            waiters,
        });
        hubs.push(Arc::downgrade(&hub));
        Ok(hub)
    }

    /// Consumes pending deliveries (sweeping orphans if there were any), re-arms the listener
    /// and stores `cx`'s waker in slot `key`. An error once the runtime has shut down.
    pub(super) fn arm(&self, key: usize, cx: &Context<'_>) -> io::Result<()> {
        let mut delivered = false;
        let mut open = true;
        {
            let mut signal = self.signal.lock();
            let mut fan_cx = Context::from_waker(&self.fan_out);
            // Unconstrained: the caller already paid its budget unit, and a spent budget would
            // wake `fan_out` from inside this poll.
            crate::engine::coop::with_budget_value(None, || {
                while let Poll::Ready(got) = signal.poll_recv(&mut fan_cx) {
                    if got.is_none() {
                        open = false;
                        break;
                    }
                    delivered = true;
                }
            });
        }
        if !open {
            return Err(io::Error::other(
                "the runtime shut down while waiting for a child process",
            ));
        }
        if delivered {
            reap_orphans();
        }
        let old = {
            let mut waiters = self.waiters.0.lock();
            match waiters.get_mut(key) {
                Some(Some(waker)) if waker.will_wake(cx.waker()) => None,
                Some(slot) => slot.replace(cx.waker().clone()),
                None => None,
            }
        };
        drop(old); // RP4: outside the lock
        Ok(())
    }

    /// A new waiter slot (no waker yet).
    pub(super) fn insert(&self) -> usize {
        self.waiters.0.lock().insert(None)
    }

    /// Frees slot `key`.
    pub(super) fn release(&self, key: usize) {
        let old = self.waiters.0.lock().try_remove(key);
        drop(old); // RP4
    }
}
