//! [`PollFutures`] and [`Cons`]: the future that `select!`, `join!` and `try_join!` await.
//!
//! The macros used to pin each operand on the stack and hand a `poll_fn` closure a `Pin<&mut>`
//! to every one of them (plus a `&mut` to their state), so each operand cost its own size plus
//! two or three pointers. Here the operands are stored once, by value, in a [`Cons`] list
//! inside one pinned [`PollFutures`], next to the macro's small state (the disabled-branch mask
//! or the next start index); the generated poll function captures nothing and is handed pinned
//! references to them on every poll, so it takes no space. Pin projection goes through
//! `pin-project-lite`: still no `unsafe`.

use pin_project_lite::pin_project;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

pin_project! {
    /// A list of values pinned together: `Cons::new(a, Cons::new(b, ()))` holds `a` and `b`.
    /// [`Cons::split`] turns a pinned list into its pinned head and pinned tail.
    pub struct Cons<H, T> {
        #[pin]
        head: H,
        #[pin]
        tail: T,
    }
}

impl<H, T> Cons<H, T> {
    /// A list with `head` in front of `tail`.
    pub fn new(head: H, tail: T) -> Self {
        Cons { head, tail }
    }

    /// The pinned head and the pinned rest of the list.
    pub fn split(self: Pin<&mut Self>) -> (Pin<&mut H>, Pin<&mut T>) {
        let this = self.project();
        (this.head, this.tail)
    }
}

impl<H, T> fmt::Debug for Cons<H, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cons").finish_non_exhaustive()
    }
}

pin_project! {
    /// Futures `F` (a [`Cons`] list), the macro's state `S`, and the function `P` that polls
    /// them. Each poll first checks the task's cooperative budget: once it is spent the future
    /// asks to be polled again and returns `Pending` without polling anything, so a combinator
    /// over always-ready futures still yields to the scheduler.
    pub struct PollFutures<F, S, P> {
        #[pin]
        futures: F,
        state: S,
        poll: P,
    }
}

impl<F, S, P> PollFutures<F, S, P> {
    /// Wraps `futures` with initial `state`; `poll` is called on every poll of the result.
    pub fn new<O>(futures: F, state: S, poll: P) -> Self
    where
        P: FnMut(Pin<&mut F>, &mut S, &mut Context<'_>) -> Poll<O>,
    {
        PollFutures {
            futures,
            state,
            poll,
        }
    }
}

impl<F, S, P, O> Future for PollFutures<F, S, P>
where
    P: FnMut(Pin<&mut F>, &mut S, &mut Context<'_>) -> Poll<O>,
{
    type Output = O;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<O> {
        if super::support::poll_budget_available(cx).is_pending() {
            return Poll::Pending;
        }
        let this = self.project();
        (this.poll)(this.futures, this.state, cx)
    }
}

impl<F, S: fmt::Debug, P> fmt::Debug for PollFutures<F, S, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PollFutures")
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Waker;

    #[test]
    fn polls_the_pinned_list_with_its_state() {
        let mut cx = Context::from_waker(Waker::noop());
        let list = Cons::new(
            std::future::ready(1u8),
            Cons::new(std::future::ready(2u8), ()),
        );
        let future = PollFutures::new(list, 0u8, |list, calls: &mut u8, cx| {
            *calls += 1;
            let (a, rest) = list.split();
            let (b, _) = rest.split();
            let (Poll::Ready(a), Poll::Ready(b)) = (a.poll(cx), b.poll(cx)) else {
                return Poll::Pending;
            };
            Poll::Ready((a, b, *calls))
        });
        let mut future = std::pin::pin!(future);
        assert_eq!(format!("{future:?}"), "PollFutures { state: 0, .. }");
        assert_eq!(future.as_mut().poll(&mut cx), Poll::Ready((1, 2, 1)));
    }
}
