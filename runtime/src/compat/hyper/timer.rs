//! [`Timer`]: hyper's timeouts (header read timeout, HTTP/2 keep-alive pings) on the
//! runtime's clock.

use crate::time::{Instant, Sleep};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// Gives hyper sleeps on the runtime's timer wheel: pass it to a connection builder's
/// `.timer(...)`. Time is read from the runtime's clock, so it follows a paused clock too.
///
/// Sleeps are made and polled on the runtime hyper runs on (they look it up when first
/// polled), which is every connection future driven by a runtime task.
///
/// ```
/// use runtime::compat::hyper::Timer;
/// use hyper::rt::Timer as _;
/// use std::time::Duration;
///
/// let rt = runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
/// rt.block_on(async {
///     let start = runtime::time::Instant::now();
///     Timer.sleep(Duration::from_secs(30)).await; // the paused clock jumps
///     assert_eq!(start.elapsed(), Duration::from_secs(30));
/// });
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Timer;

/// The sleep future [`Timer`] hands hyper: a runtime [`Sleep`] in hyper's sealed `Sleep`
/// trait, so [`Timer`] can find it again in `reset`.
#[derive(Debug)]
struct HyperSleep(Sleep);

impl Future for HyperSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.get_mut().0).poll(cx)
    }
}

impl ::hyper::rt::Sleep for HyperSleep {}

impl ::hyper::rt::Timer for Timer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn ::hyper::rt::Sleep>> {
        Box::pin(HyperSleep(crate::time::sleep(duration)))
    }

    fn sleep_until(&self, deadline: std::time::Instant) -> Pin<Box<dyn ::hyper::rt::Sleep>> {
        Box::pin(HyperSleep(crate::time::sleep_until(Instant::from_std(
            deadline,
        ))))
    }

    fn now(&self) -> std::time::Instant {
        Instant::now().into_std()
    }

    /// Moves one of this timer's sleeps in place (no new allocation); a sleep from another
    /// timer is replaced.
    fn reset(
        &self,
        sleep: &mut Pin<Box<dyn ::hyper::rt::Sleep>>,
        new_deadline: std::time::Instant,
    ) {
        match sleep.as_mut().downcast_mut_pin::<HyperSleep>() {
            Some(ours) => ours.get_mut().0.reset(Instant::from_std(new_deadline)),
            None => *sleep = self.sleep_until(new_deadline),
        }
    }
}
