//! Task-local storage: `task_local!` keys, set for the duration of a future with `scope`.
//!
//! A key is a thread-local `RefCell<Option<T>>`. [`LocalKey::scope`] wraps a future so that,
//! around *each poll*, its value is swapped into the thread-local and swapped back out
//! afterwards (also on unwind). The value thus follows the future from worker to worker and
//! is invisible to every other task polled on the same thread.
//!
//! Spawned tasks do not inherit task-locals (a spawned future is polled outside the parent's
//! scope). To carry a value into one, read it and scope it again inside:
//!
//! ```
//! runtime::task_local! {
//!     static REQUEST_ID: u64;
//! }
//!
//! runtime::Runtime::new().unwrap().block_on(REQUEST_ID.scope(7, async {
//!     let id = REQUEST_ID.get(); // capture ...
//!     let child = runtime::spawn(REQUEST_ID.scope(id, async {
//!         REQUEST_ID.get() // ... and scope it again in the child
//!     }));
//!     assert_eq!(child.await.unwrap(), 7);
//! }));
//! ```

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::marker::PhantomPinned;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Declares task-local keys of type [`LocalKey`].
///
/// ```
/// runtime::task_local! {
///     pub static USER: String;
///     static DEPTH: u32;
/// }
///
/// runtime::Runtime::new().unwrap().block_on(async {
///     USER.scope("ann".to_string(), async {
///         assert_eq!(USER.with(|u| u.len()), 3);
///     })
///     .await;
///     assert!(DEPTH.try_with(|d| *d).is_err());
/// });
/// ```
#[macro_export]
macro_rules! task_local {
    () => {};
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty; $($rest:tt)*) => {
        $crate::__task_local_key!($(#[$attr])* $vis $name, $t);
        $crate::task_local!($($rest)*);
    };
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty) => {
        $crate::__task_local_key!($(#[$attr])* $vis $name, $t);
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __task_local_key {
    ($(#[$attr:meta])* $vis:vis $name:ident, $t:ty) => {
        $(#[$attr])*
        $vis static $name: $crate::task::LocalKey<$t> = {
            ::std::thread_local! {
                static __RUNTIME_TASK_LOCAL: ::std::cell::RefCell<::std::option::Option<$t>> =
                    const { ::std::cell::RefCell::new(::std::option::Option::None) };
            }
            $crate::task::LocalKey::__new(__RUNTIME_TASK_LOCAL)
        };
    };
}

/// A task-local key, declared with [`task_local!`](crate::task_local).
///
/// ```
/// runtime::task_local! { static N: u8; }
/// let doubled = N.sync_scope(21, || N.with(|n| n * 2));
/// assert_eq!(doubled, 42);
/// ```
pub struct LocalKey<T: 'static> {
    inner: std::thread::LocalKey<RefCell<Option<T>>>,
}

/// The key was read outside any `scope` for it.
///
/// ```
/// runtime::task_local! { static N: u8; }
/// let err = N.try_with(|n| *n).unwrap_err();
/// assert_eq!(err.to_string(), "task-local value not set");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessError(());

impl fmt::Display for AccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("task-local value not set")
    }
}

impl std::error::Error for AccessError {}

/// Why a scope could not be entered.
enum ScopeError {
    /// The thread-local was already destroyed (thread teardown).
    Destroyed,
    /// A `with` borrow of the same key is active (entering the scope would alias it).
    Borrowed,
}

impl ScopeError {
    #[track_caller]
    fn panic(self) -> ! {
        match self {
            ScopeError::Destroyed => {
                panic!("cannot enter a task-local scope during or after thread-local destruction")
            }
            ScopeError::Borrowed => {
                panic!("cannot enter a task-local scope while the task-local is borrowed by `with`")
            }
        }
    }
}

impl<T: 'static> LocalKey<T> {
    #[doc(hidden)]
    pub const fn __new(inner: std::thread::LocalKey<RefCell<Option<T>>>) -> Self {
        Self { inner }
    }

    /// Runs `future` with the key set to `value` during each of its polls.
    ///
    /// ```
    /// runtime::task_local! { static NAME: &'static str; }
    /// runtime::Runtime::new().unwrap().block_on(async {
    ///     let len = NAME.scope("abc", async { NAME.with(|n| n.len()) }).await;
    ///     assert_eq!(len, 3);
    /// });
    /// ```
    pub fn scope<F: Future>(&'static self, value: T, future: F) -> TaskLocalFuture<T, F> {
        TaskLocalFuture {
            local: self,
            slot: Some(value),
            future: Some(future),
            _pinned: PhantomPinned,
        }
    }

    /// Runs the closure `f` with the key set to `value`.
    ///
    /// # Panics
    ///
    /// If called inside a [`with`](Self::with) of the same key.
    ///
    /// ```
    /// runtime::task_local! { static N: i32; }
    /// assert_eq!(N.sync_scope(-1, || N.get()), -1);
    /// ```
    #[track_caller]
    pub fn sync_scope<F: FnOnce() -> R, R>(&'static self, value: T, f: F) -> R {
        let mut slot = Some(value);
        match self.enter(&mut slot, f) {
            Ok(out) => out,
            Err(err) => err.panic(),
        }
    }

    /// Swaps `slot` into the thread-local, runs `f`, swaps it back (also on unwind).
    fn enter<F: FnOnce() -> R, R>(
        &'static self,
        slot: &mut Option<T>,
        f: F,
    ) -> Result<R, ScopeError> {
        struct SwapBack<'a, T: 'static> {
            key: &'static LocalKey<T>,
            slot: &'a mut Option<T>,
        }
        impl<T: 'static> Drop for SwapBack<'_, T> {
            fn drop(&mut self) {
                // Cannot fail: `enter` borrowed the cell successfully and every `with` borrow
                // taken inside `f` has ended by now.
                let _ = self.key.inner.try_with(|cell| {
                    if let Ok(mut current) = cell.try_borrow_mut() {
                        std::mem::swap(self.slot, &mut *current);
                    }
                });
            }
        }
        self.inner
            .try_with(|cell| {
                cell.try_borrow_mut()
                    .map(|mut current| std::mem::swap(slot, &mut *current))
            })
            .map_err(|_| ScopeError::Destroyed)?
            .map_err(|_| ScopeError::Borrowed)?;
        let _swap_back = SwapBack { key: self, slot };
        Ok(f())
    }

    /// Calls `f` with a reference to the current value.
    ///
    /// # Panics
    ///
    /// If the key is not set (outside any `scope`), like Tokio. Use
    /// [`try_with`](Self::try_with) to get an error instead.
    ///
    /// ```
    /// runtime::task_local! { static V: Vec<u8>; }
    /// V.sync_scope(vec![1, 2], || assert_eq!(V.with(|v| v.len()), 2));
    /// ```
    #[track_caller]
    pub fn with<F: FnOnce(&T) -> R, R>(&'static self, f: F) -> R {
        match self.try_with(f) {
            Ok(out) => out,
            Err(_) => panic!(
                "cannot access a task-local value without setting it first (use `LocalKey::scope`)"
            ),
        }
    }

    /// Calls `f` with a reference to the current value, or fails if it is not set.
    ///
    /// ```
    /// runtime::task_local! { static V: u8; }
    /// assert!(V.try_with(|v| *v).is_err());
    /// assert_eq!(V.sync_scope(1, || V.try_with(|v| *v)), Ok(1));
    /// ```
    pub fn try_with<F: FnOnce(&T) -> R, R>(&'static self, f: F) -> Result<R, AccessError> {
        // A failed borrow means a scope is being entered or left right now on this thread,
        // i.e. the value is not available to us: report it as unset.
        let outcome = self.inner.try_with(|cell| {
            let current = cell.try_borrow().ok()?;
            current.as_ref().map(f)
        });
        outcome.ok().flatten().ok_or(AccessError(()))
    }
}

impl<T: Clone + 'static> LocalKey<T> {
    /// A clone of the current value.
    ///
    /// # Panics
    ///
    /// If the key is not set (see [`with`](Self::with)).
    ///
    /// ```
    /// runtime::task_local! { static S: String; }
    /// assert_eq!(S.sync_scope("x".into(), || S.get()), "x");
    /// ```
    #[track_caller]
    pub fn get(&'static self) -> T {
        self.with(T::clone)
    }

    /// A clone of the current value, or an [`AccessError`] outside any `scope` for the key.
    ///
    /// ```
    /// runtime::task_local! { static S: String; }
    /// assert!(S.try_get().is_err());
    /// assert_eq!(S.sync_scope("x".into(), || S.try_get()), Ok("x".to_string()));
    /// ```
    pub fn try_get(&'static self) -> Result<T, AccessError> {
        self.try_with(T::clone)
    }
}

impl<T: 'static> fmt::Debug for LocalKey<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LocalKey { .. }")
    }
}

pin_project_lite::pin_project! {
    /// The future of [`LocalKey::scope`]. The inner future is also *dropped* with the value
    /// in scope, so its destructors can read it.
    ///
    /// ```
    /// runtime::task_local! { static N: u8; }
    /// let fut: runtime::task::TaskLocalFuture<u8, _> = N.scope(1, async { N.get() });
    /// assert_eq!(runtime::Runtime::new().unwrap().block_on(fut), 1);
    /// ```
    pub struct TaskLocalFuture<T: 'static, F> {
        local: &'static LocalKey<T>,
        slot: Option<T>,
        #[pin]
        future: Option<F>,
        #[pin]
        _pinned: PhantomPinned,
    }

    impl<T: 'static, F> PinnedDrop for TaskLocalFuture<T, F> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if this.future.is_some() {
                let mut future = this.future;
                // If the scope cannot be entered (thread teardown), drop it without the value.
                if this.local.enter(this.slot, || future.set(None)).is_err() {
                    future.set(None);
                }
            }
        }
    }
}

impl<T: 'static, F> TaskLocalFuture<T, F> {
    /// Takes the value this future holds for its key: `Some` the first time, `None` once it
    /// has been taken.
    ///
    /// The value is taken even if the future has not completed: from then on the inner
    /// future, polled or dropped, sees the key as unset. Called on a completed future, it
    /// returns the value the scope ended with.
    ///
    /// ```
    /// runtime::task_local! { static N: u32; }
    /// let rt = runtime::Builder::new_current_thread().build().unwrap();
    /// let mut fut = std::pin::pin!(N.scope(7, async { N.get() }));
    /// assert_eq!(rt.block_on(fut.as_mut()), 7);
    /// assert_eq!(fut.as_mut().take_value(), Some(7));
    /// assert_eq!(fut.as_mut().take_value(), None);
    /// ```
    pub fn take_value(self: Pin<&mut Self>) -> Option<T> {
        self.project().slot.take()
    }
}

impl<T: 'static, F: Future> Future for TaskLocalFuture<T, F> {
    type Output = F::Output;

    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let mut future = this.future;
        let polled = this.local.enter(this.slot, || {
            let out = future.as_mut().as_pin_mut()?.poll(cx);
            if out.is_ready() {
                future.set(None); // dropped while the value is still in scope
            }
            Some(out)
        });
        match polled {
            Ok(Some(out)) => out,
            Ok(None) => panic!("`TaskLocalFuture` polled after completion"),
            Err(err) => err.panic(),
        }
    }
}

impl<T: 'static + fmt::Debug, F> fmt::Debug for TaskLocalFuture<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskLocalFuture")
            .field("value", &self.slot)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use crate::sync::test_util::{Harness, block_on};

    crate::task_local! {
        static ID: u32;
        static NAME: String;
    }

    #[test]
    fn scope_sets_the_value_only_while_polling() {
        let mut fut = Harness::new(ID.scope(5, async {
            let before = ID.get();
            std::future::poll_fn(|cx| {
                // Yield once so the value must be swapped back in on the next poll.
                static YIELDED: std::sync::atomic::AtomicBool =
                    std::sync::atomic::AtomicBool::new(false);
                if YIELDED.swap(true, std::sync::atomic::Ordering::SeqCst) {
                    std::task::Poll::Ready(())
                } else {
                    cx.waker().wake_by_ref();
                    std::task::Poll::Pending
                }
            })
            .await;
            (before, ID.get())
        }));
        fut.pending();
        assert!(ID.try_with(|v| *v).is_err(), "not visible between polls");
        assert_eq!(fut.ready(), (5, 5));
    }

    #[test]
    fn nested_scopes_shadow_and_restore() {
        let out = block_on(ID.scope(1, async {
            let inner = ID.scope(2, async { ID.get() }).await;
            (inner, ID.get())
        }));
        assert_eq!(out, (2, 1));
        assert_eq!(
            ID.sync_scope(3, || NAME.try_with(|n| n.clone()))
                .unwrap_err()
                .to_string(),
            "task-local value not set"
        );
    }

    #[test]
    fn interleaved_tasks_see_their_own_values() {
        let mut a = Harness::new(NAME.scope("a".into(), async {
            crate::sync::Notify::new().notified().await; // never completes
        }));
        let mut b = Harness::new(NAME.scope("b".into(), async { NAME.get() }));
        a.pending();
        assert_eq!(b.ready(), "b");
        a.pending();
    }

    #[test]
    fn inner_future_is_dropped_inside_the_scope() {
        struct ReadOnDrop(std::sync::Arc<std::sync::Mutex<Option<u32>>>);
        impl Drop for ReadOnDrop {
            fn drop(&mut self) {
                *self.0.lock().unwrap() = ID.try_with(|v| *v).ok();
            }
        }
        let seen = std::sync::Arc::new(std::sync::Mutex::new(None));
        let guard = ReadOnDrop(seen.clone());
        let mut fut = Harness::new(ID.scope(9, async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        }));
        fut.pending();
        drop(fut);
        assert_eq!(*seen.lock().unwrap(), Some(9));
    }

    #[test]
    fn try_get_clones_inside_a_scope_and_errs_outside() {
        assert_eq!(
            NAME.try_get().unwrap_err().to_string(),
            "task-local value not set"
        );
        let inside = block_on(NAME.scope("n".into(), async { NAME.try_get() }));
        assert_eq!(inside, Ok("n".to_string()));
    }

    fn poll_once<F: std::future::Future>(fut: std::pin::Pin<&mut F>) -> std::task::Poll<F::Output> {
        fut.poll(&mut std::task::Context::from_waker(std::task::Waker::noop()))
    }

    #[test]
    fn take_value_before_completion_unsets_the_key_for_the_inner_future() {
        let mut fut = Box::pin(ID.scope(4, async {
            let first = ID.try_get();
            crate::task::yield_now().await;
            (first, ID.try_get())
        }));
        assert!(poll_once(fut.as_mut()).is_pending());
        assert_eq!(fut.as_mut().take_value(), Some(4));
        assert_eq!(fut.as_mut().take_value(), None);
        let std::task::Poll::Ready((first, second)) = poll_once(fut.as_mut()) else {
            panic!("the scope did not complete on its second poll");
        };
        assert_eq!(first, Ok(4));
        assert!(
            second.is_err(),
            "the taken value is gone for the inner future"
        );
    }

    #[test]
    fn take_value_after_completion_returns_the_scoped_value() {
        let mut fut = Box::pin(NAME.scope("end".into(), async { 1 }));
        assert_eq!(poll_once(fut.as_mut()), std::task::Poll::Ready(1));
        assert_eq!(fut.as_mut().take_value(), Some("end".to_string()));
    }

    #[test]
    fn with_outside_scope_panics_with_message() {
        let err = std::panic::catch_unwind(|| ID.with(|v| *v)).unwrap_err();
        let msg = err
            .downcast::<&str>()
            .map(|s| s.to_string())
            .or_else(|e| e.downcast::<String>().map(|s| *s));
        assert!(msg.unwrap().contains("without setting it first"));
    }

    #[test]
    fn scope_inside_with_of_same_key_panics_instead_of_aliasing() {
        let result =
            std::panic::catch_unwind(|| ID.sync_scope(1, || ID.with(|_| ID.sync_scope(2, || ()))));
        assert!(result.is_err());
        assert!(
            ID.try_with(|v| *v).is_err(),
            "the outer scope was still left cleanly"
        );
    }
}
