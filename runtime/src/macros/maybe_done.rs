//! [`MaybeDone`]: a future slot for `join!` / `try_join!` that keeps the output once ready.

use pin_project_lite::pin_project;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

pin_project! {
    /// A future that is polled until it completes, then dropped, its output kept until taken.
    ///
    /// `T` is the output kept: `F::Output` for `join!` ([`MaybeDone::new`]), the `Ok` type for
    /// `try_join!` ([`MaybeDone::new_try`]). One enum, so an operand costs the larger of its
    /// future and its output, not both.
    // The fields are named by the variant docs (pin-project-lite takes no field attributes).
    #[allow(missing_docs)]
    #[project = MaybeDoneProj]
    #[project_replace = MaybeDoneReplace]
    pub enum MaybeDone<F, T> {
        /// The future has not completed yet.
        Running { #[pin] future: F },
        /// The future completed and was dropped; its output waits here.
        Done { output: T },
        /// The output was taken (or `try_join!` failed on this operand).
        Taken,
    }
}

impl<F: Future> MaybeDone<F, F::Output> {
    /// Wraps a future whose whole output is kept.
    pub fn new(future: F) -> Self {
        MaybeDone::Running { future }
    }

    /// Polls the future if it is still running; `Ready` once its output is stored.
    pub fn poll_join(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if let MaybeDoneProj::Running { future } = self.as_mut().project() {
            let output = ready!(future.poll(cx));
            // Drops the finished future now rather than when the whole join ends.
            self.set(MaybeDone::Done { output });
        }
        Poll::Ready(())
    }
}

impl<F, T, E> MaybeDone<F, T>
where
    F: Future<Output = Result<T, E>>,
{
    /// Wraps a fallible future whose `Ok` value is kept.
    pub fn new_try(future: F) -> Self {
        MaybeDone::Running { future }
    }

    /// Polls the future if it is still running: `Ready(Ok(()))` once an `Ok` value is stored,
    /// `Ready(Err(e))` if it failed.
    pub fn poll_try_join(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), E>> {
        if let MaybeDoneProj::Running { future } = self.as_mut().project() {
            match ready!(future.poll(cx)) {
                Ok(output) => self.set(MaybeDone::Done { output }),
                Err(error) => {
                    self.set(MaybeDone::Taken);
                    return Poll::Ready(Err(error));
                }
            }
        }
        Poll::Ready(Ok(()))
    }
}

impl<F, T> MaybeDone<F, T> {
    /// Moves the stored output out.
    ///
    /// # Panics
    /// If called before the future completed or twice; the macros call it exactly once, after
    /// every slot reported `Ready`.
    pub fn take_output(self: Pin<&mut Self>) -> T {
        match self.project_replace(MaybeDone::Taken) {
            MaybeDoneReplace::Done { output } => output,
            _ => panic!("`join!` internal error: output taken before completion or twice"),
        }
    }
}

impl<F, T> fmt::Debug for MaybeDone<F, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self {
            MaybeDone::Running { .. } => "running",
            MaybeDone::Done { .. } => "done",
            MaybeDone::Taken => "taken",
        };
        f.debug_struct("MaybeDone").field("state", &state).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Waker;

    /// Ready on the second poll.
    struct Twice(bool, u8);
    impl Future for Twice {
        type Output = u8;
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u8> {
            if std::mem::replace(&mut self.0, true) {
                Poll::Ready(self.1)
            } else {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }
    }

    #[test]
    fn keeps_output_until_taken() {
        let mut cx = Context::from_waker(Waker::noop());
        let mut slot = std::pin::pin!(MaybeDone::new(Twice(false, 7)));
        assert!(slot.as_mut().poll_join(&mut cx).is_pending());
        assert_eq!(format!("{slot:?}"), "MaybeDone { state: \"running\" }");
        assert!(slot.as_mut().poll_join(&mut cx).is_ready());
        assert_eq!(format!("{slot:?}"), "MaybeDone { state: \"done\" }");
        assert_eq!(slot.as_mut().take_output(), 7);
        assert_eq!(format!("{slot:?}"), "MaybeDone { state: \"taken\" }");
    }

    #[test]
    fn try_slot_reports_error_and_keeps_ok() {
        let mut cx = Context::from_waker(Waker::noop());
        let mut ok = std::pin::pin!(MaybeDone::new_try(async { Ok::<u8, &str>(1) }));
        assert_eq!(ok.as_mut().poll_try_join(&mut cx), Poll::Ready(Ok(())));
        assert_eq!(ok.as_mut().take_output(), 1);
        let mut err = std::pin::pin!(MaybeDone::new_try(async { Err::<u8, &str>("bad") }));
        assert_eq!(err.as_mut().poll_try_join(&mut cx), Poll::Ready(Err("bad")));
    }
}
