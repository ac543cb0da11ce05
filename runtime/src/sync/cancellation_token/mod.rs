//! `CancellationToken`: a tree of cancellation flags (Tokio ships it in `tokio-util`).
//!
//! # Design
//!
//! Each token handle points at a `Node`; clones share it. A node holds its flag, a [`Notify`]
//! for `cancelled()` waiters, and a slab of weak links to its children; a child holds a strong
//! link to its parent plus its slot key, and unregisters itself when its last handle goes.
//! Rules:
//!
//! - **CT1.** `cancelled` is set under the node's lock, and `child_token` checks it under the same
//!   lock, so a child is either registered before the cancel (and reached by it) or born cancelled.
//! - **CT2.** Cancelling takes the children out under the lock and cancels them after releasing it;
//!   only one node lock is ever held at a time, so there is no lock order to get wrong.
//! - **CT3.** The flag is set before `notify_waiters`, and a waiter creates its `Notified` before
//!   it reads the flag, so it sees one or the other.

use super::notify::{Notify, Waiter};
use crate::loom::sync::Mutex;
use crate::loom::sync::atomic::{AtomicBool, Ordering};
use crate::task::coop;
use slab::Slab;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Weak};
use std::task::{Context, Poll};

/// A token that can be cancelled once; waiters and child tokens observe it.
///
/// Cancelling a token cancels all its children (recursively); cancelling a child leaves its
/// parent alone.
///
/// ```
/// use runtime::sync::CancellationToken;
///
/// runtime::Runtime::new().unwrap().block_on(async {
///     let token = CancellationToken::new();
///     let child = token.child_token();
///     let worker = runtime::spawn(async move {
///         child.cancelled().await;
///         "stopped"
///     });
///     token.cancel();
///     assert_eq!(worker.await.unwrap(), "stopped");
/// });
/// ```
#[derive(Clone, Default)]
pub struct CancellationToken {
    node: Arc<Node>,
}

struct Node {
    cancelled: AtomicBool,
    notify: Notify,
    children: Mutex<Slab<Weak<Node>>>,
    parent: Option<(Arc<Node>, usize)>,
}

// Unwind safety (as Tokio's token): the flag is atomic and the children list changes only under
// its lock, where no user code runs (dropping a `Weak` runs none), so a panic cannot leave a
// node half-updated.
impl std::panic::RefUnwindSafe for Node {}
impl std::panic::UnwindSafe for Node {}

impl Node {
    fn new(cancelled: bool, parent: Option<(Arc<Node>, usize)>) -> Self {
        Self {
            cancelled: AtomicBool::new(cancelled),
            notify: Notify::new(),
            children: Mutex::new(Slab::new()),
            parent,
        }
    }
}

impl Default for Node {
    fn default() -> Self {
        Self::new(false, None)
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Some((parent, key)) = &self.parent {
            // After a cancel the parent's slab was emptied and never refilled (CT1), so a
            // missing key is expected then.
            parent.children.lock().try_remove(*key);
        }
    }
}

impl CancellationToken {
    /// A fresh, uncancelled root token.
    ///
    /// ```
    /// assert!(!runtime::sync::CancellationToken::new().is_cancelled());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// A token cancelled whenever this one is (but not the other way round).
    ///
    /// ```
    /// let parent = runtime::sync::CancellationToken::new();
    /// let child = parent.child_token();
    /// child.cancel();
    /// assert!(!parent.is_cancelled());
    /// parent.child_token(); // children can still be made
    /// parent.cancel();
    /// assert!(parent.child_token().is_cancelled());
    /// ```
    pub fn child_token(&self) -> CancellationToken {
        let mut children = self.node.children.lock();
        if self.node.cancelled.load(Ordering::SeqCst) {
            return CancellationToken {
                node: Arc::new(Node::new(true, None)),
            };
        }
        let entry = children.vacant_entry();
        let child = Arc::new(Node::new(false, Some((self.node.clone(), entry.key()))));
        entry.insert(Arc::downgrade(&child));
        CancellationToken { node: child }
    }

    /// Cancels this token and every descendant, waking all their `cancelled()` waiters.
    /// Cancelling twice does nothing more.
    ///
    /// ```
    /// let token = runtime::sync::CancellationToken::new();
    /// let clone = token.clone();
    /// token.cancel();
    /// assert!(clone.is_cancelled());
    /// ```
    pub fn cancel(&self) {
        let mut pending = vec![self.node.clone()];
        while let Some(node) = pending.pop() {
            let children: Vec<Arc<Node>> = {
                let mut children = node.children.lock();
                if node.cancelled.swap(true, Ordering::SeqCst) {
                    continue;
                }
                children.drain().filter_map(|weak| weak.upgrade()).collect()
            };
            node.notify.notify_waiters();
            pending.extend(children);
        }
    }

    /// `true` once this token (or an ancestor) was cancelled.
    ///
    /// ```
    /// let token = runtime::sync::CancellationToken::new();
    /// token.cancel();
    /// assert!(token.is_cancelled());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        self.node.cancelled.load(Ordering::SeqCst)
    }

    /// Completes once the token is cancelled (at once if it already is). Cancel-safe.
    ///
    /// ```
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// let token = runtime::sync::CancellationToken::new();
    /// token.cancel();
    /// token.cancelled().await;
    /// # });
    /// ```
    pub fn cancelled(&self) -> WaitForCancellationFuture<'_> {
        WaitForCancellationFuture {
            node: &self.node,
            waiter: self.node.notify.new_waiter(),
        }
    }

    /// Like [`cancelled`](Self::cancelled) but owning a handle, so the future is `'static`.
    ///
    /// ```
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// let token = runtime::sync::CancellationToken::new();
    /// let wait = runtime::spawn(token.clone().cancelled_owned());
    /// token.cancel();
    /// wait.await.unwrap();
    /// # });
    /// ```
    pub fn cancelled_owned(self) -> WaitForCancellationFutureOwned {
        let waiter = self.node.notify.new_waiter();
        WaitForCancellationFutureOwned {
            node: self.node,
            waiter,
        }
    }

    /// Runs `fut` unless the token is cancelled first: `Some(output)` or `None`. If both are
    /// ready at once, cancellation wins.
    ///
    /// Cancel safety: as cancel-safe as `fut`; on cancellation `fut` is dropped.
    ///
    /// ```
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// let token = runtime::sync::CancellationToken::new();
    /// assert_eq!(token.run_until_cancelled(async { 1 }).await, Some(1));
    /// token.cancel();
    /// assert_eq!(token.run_until_cancelled(std::future::pending::<()>()).await, None);
    /// # });
    /// ```
    pub async fn run_until_cancelled<F: Future>(&self, fut: F) -> Option<F::Output> {
        let mut cancelled = self.cancelled();
        let mut fut = std::pin::pin!(fut);
        std::future::poll_fn(|cx| {
            // One budget unit per poll, taken before either side is looked at: out of budget,
            // the task yields rather than let `fut` win over a cancellation it could not see.
            let mut coop = std::task::ready!(coop::poll_proceed(cx));
            if poll_cancelled_unbudgeted(cancelled.node, &mut cancelled.waiter, cx).is_ready() {
                coop.made_progress();
                return Poll::Ready(None);
            }
            drop(coop); // `fut` spends its own budget
            fut.as_mut().poll(cx).map(Some)
        })
        .await
    }

    /// Wraps the token in a guard that cancels it when dropped.
    ///
    /// ```
    /// let token = runtime::sync::CancellationToken::new();
    /// {
    ///     let _guard = token.clone().drop_guard();
    /// }
    /// assert!(token.is_cancelled());
    /// ```
    pub fn drop_guard(self) -> DropGuard {
        DropGuard { token: Some(self) }
    }
}

impl fmt::Debug for CancellationToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CancellationToken")
            .field("is_cancelled", &self.is_cancelled())
            .finish()
    }
}

/// Polls a wait for cancellation as one budgeted operation (coop): a cancelled token answers
/// at once but still spends a unit, so a loop over `cancelled()` yields.
fn poll_cancelled(node: &Node, waiter: &mut Waiter, cx: &mut Context<'_>) -> Poll<()> {
    coop::poll_budgeted(cx, |cx| poll_cancelled_unbudgeted(node, waiter, cx))
}

fn poll_cancelled_unbudgeted(node: &Node, waiter: &mut Waiter, cx: &mut Context<'_>) -> Poll<()> {
    loop {
        // CT3: `waiter` was created (generation captured) before this flag read.
        if node.cancelled.load(Ordering::SeqCst) {
            return Poll::Ready(());
        }
        if !node.notify.poll_waiter(waiter, cx.waker()) {
            return Poll::Pending;
        }
        node.notify.drop_waiter(waiter);
        *waiter = node.notify.new_waiter();
    }
}

/// The future of [`CancellationToken::cancelled`].
///
/// ```
/// # runtime::Runtime::new().unwrap().block_on(async {
/// let token = runtime::sync::CancellationToken::new();
/// let fut: runtime::sync::WaitForCancellationFuture<'_> = token.cancelled();
/// token.cancel();
/// fut.await;
/// # });
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct WaitForCancellationFuture<'a> {
    node: &'a Node,
    waiter: Waiter,
}

impl Future for WaitForCancellationFuture<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        poll_cancelled(this.node, &mut this.waiter, cx)
    }
}

impl Drop for WaitForCancellationFuture<'_> {
    fn drop(&mut self) {
        self.node.notify.drop_waiter(&mut self.waiter);
    }
}

impl fmt::Debug for WaitForCancellationFuture<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitForCancellationFuture")
            .finish_non_exhaustive()
    }
}

/// The future of [`CancellationToken::cancelled_owned`].
///
/// ```
/// # runtime::Runtime::new().unwrap().block_on(async {
/// let token = runtime::sync::CancellationToken::new();
/// let fut: runtime::sync::WaitForCancellationFutureOwned = token.clone().cancelled_owned();
/// token.cancel();
/// fut.await;
/// # });
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct WaitForCancellationFutureOwned {
    node: Arc<Node>,
    waiter: Waiter,
}

impl Future for WaitForCancellationFutureOwned {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        poll_cancelled(&this.node, &mut this.waiter, cx)
    }
}

impl Drop for WaitForCancellationFutureOwned {
    fn drop(&mut self) {
        self.node.notify.drop_waiter(&mut self.waiter);
    }
}

impl fmt::Debug for WaitForCancellationFutureOwned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitForCancellationFutureOwned")
            .finish_non_exhaustive()
    }
}

/// Cancels its token when dropped, unless [`disarm`](DropGuard::disarm)ed.
///
/// ```
/// let token = runtime::sync::CancellationToken::new();
/// let guard = token.clone().drop_guard();
/// let _token_back = guard.disarm();
/// assert!(!token.is_cancelled());
/// ```
#[derive(Debug)]
pub struct DropGuard {
    token: Option<CancellationToken>,
}

impl DropGuard {
    /// Returns the token without cancelling it.
    ///
    /// ```
    /// let guard = runtime::sync::CancellationToken::new().drop_guard();
    /// assert!(!guard.disarm().is_cancelled());
    /// ```
    pub fn disarm(mut self) -> CancellationToken {
        self.token
            .take()
            .expect("a DropGuard holds its token until dropped or disarmed")
    }
}

impl Drop for DropGuard {
    fn drop(&mut self) {
        if let Some(token) = self.token.take() {
            token.cancel();
        }
    }
}

#[cfg(test)]
mod tests;
