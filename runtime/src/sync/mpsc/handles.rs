//! What the bounded and the unbounded channel's handles share, written once: both receivers
//! are a `chan: Arc<Chan<T>>` plus the `batch: VecDeque<T>` they take from it, both senders
//! a `chan: Arc<Chan<T>>`, so the same method bodies and trait impls serve both.
//!
//! `receiver_methods!` and `sender_methods!` expand, inside an `impl` block, the methods they
//! are given by name; each handle's file keeps its own rustdoc (with that type's runnable
//! example) on each name.
//! `receiver_impls!` and `sender_impls!` write the trait impls. Both are macros, not a
//! generic inner type, so each handle compiles to exactly the code it had before: no extra
//! call, allocation or atomic on the send or receive path.

/// Expands the named receiver methods; see the module documentation.
///
/// Names: receivers `recv`, `recv_many`, `try_recv`, `poll_recv`, `close`, `is_closed`, `len`,
/// `is_empty`.
macro_rules! receiver_methods {
    // Each `#[doc]`s-then-name entry goes to the `@name` arm below that writes it.
    ($($(#[$m:meta])* $name:ident;)*) => {
        $($crate::sync::mpsc::handles::receiver_methods! { @$name [$(#[$m])*] })*
    };

    (@recv [$(#[$m:meta])*]) => {
        $(#[$m])*
        #[track_caller]
        pub fn recv(&mut self) -> impl Future<Output = Option<T>> + '_ {
            $crate::engine::Located::new(
                "mpsc::Receiver::recv",
                std::future::poll_fn(|cx| self.chan.poll_recv(cx, &mut self.batch)),
            )
        }
    };
    (@recv_many [$(#[$m:meta])*]) => {
        $(#[$m])*
        pub async fn recv_many(&mut self, buf: &mut Vec<T>, limit: usize) -> usize {
            std::future::poll_fn(|cx| self.chan.poll_recv_many(cx, &mut self.batch, buf, limit))
                .await
        }
    };
    (@try_recv [$(#[$m:meta])*]) => {
        $(#[$m])*
        pub fn try_recv(&mut self) -> Result<T, $crate::sync::mpsc::error::TryRecvError> {
            use $crate::sync::mpsc::chan::TryPop;
            use $crate::sync::mpsc::error::TryRecvError;
            match self.chan.try_pop(&mut self.batch) {
                TryPop::Item(value) => Ok(value),
                TryPop::Empty => Err(TryRecvError::Empty),
                TryPop::Done => Err(TryRecvError::Disconnected),
            }
        }
    };
    (@poll_recv [$(#[$m:meta])*]) => {
        $(#[$m])*
        pub fn poll_recv(
            &mut self,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<T>> {
            self.chan.poll_recv(cx, &mut self.batch)
        }
    };
    (@close [$(#[$m:meta])*]) => {
        $(#[$m])*
        pub fn close(&mut self) {
            self.chan.close_rx();
        }
    };
    (@is_closed [$(#[$m:meta])*]) => {
        $(#[$m])*
        pub fn is_closed(&self) -> bool {
            self.chan.is_closed_for_rx()
        }
    };
    (@len [$(#[$m:meta])*]) => {
        $(#[$m])*
        pub fn len(&self) -> usize {
            self.chan.len(&self.batch)
        }
    };
    (@is_empty [$(#[$m:meta])*]) => {
        $(#[$m])*
        pub fn is_empty(&self) -> bool {
            self.len() == 0
        }
    };
}

/// Expands the named sender methods (`closed`, `is_closed`, `same_channel`); see the module
/// documentation.
macro_rules! sender_methods {
    // Each `#[doc]`s-then-name entry goes to the `@name` arm below that writes it.
    ($($(#[$m:meta])* $name:ident;)*) => {
        $($crate::sync::mpsc::handles::sender_methods! { @$name [$(#[$m])*] })*
    };

    (@closed [$(#[$m:meta])*]) => {
        $(#[$m])*
        pub async fn closed(&self) {
            self.chan.closed().await;
        }
    };
    (@is_closed [$(#[$m:meta])*]) => {
        $(#[$m])*
        pub fn is_closed(&self) -> bool {
            self.chan.is_rx_closed()
        }
    };
    (@same_channel [$(#[$m:meta])*]) => {
        $(#[$m])*
        pub fn same_channel(&self, other: &Self) -> bool {
            $crate::loom::sync::Arc::ptr_eq(&self.chan, &other.chan)
        }
    };
}

/// A receiver's trait impls: `Unpin`, the unwind-safety pair, `Drop` (closes the receiving
/// side), `Stream` and `Debug` (under `$name`).
macro_rules! receiver_impls {
    ($ty:ident, $name:literal) => {
        // Messages in `batch` are never pinned: the receiver moves them out by value, so it is
        // `Unpin` whatever `T` is (as before it held a batch).
        impl<T> Unpin for $ty<T> {}

        // Unwind safety, for every `T` (like the shared channel state, `chan.rs`): the batch
        // only hands messages out by value, and `&Self` gives no access to them.
        impl<T> std::panic::RefUnwindSafe for $ty<T> {}
        impl<T> std::panic::UnwindSafe for $ty<T> {}

        impl<T> Drop for $ty<T> {
            fn drop(&mut self) {
                self.chan.drop_rx();
            }
        }

        impl<T> futures_core::Stream for $ty<T> {
            type Item = T;

            fn poll_next(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<Option<T>> {
                let this = self.get_mut();
                this.chan.poll_recv(cx, &mut this.batch)
            }
        }

        impl<T> std::fmt::Debug for $ty<T> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct($name).field("len", &self.len()).finish()
            }
        }
    };
}

/// A sender's `Clone` (one more sender counted) and `Drop` (one fewer).
macro_rules! sender_impls {
    ($ty:ident) => {
        impl<T> Clone for $ty<T> {
            fn clone(&self) -> Self {
                self.chan.add_tx();
                Self {
                    chan: self.chan.clone(),
                }
            }
        }

        impl<T> Drop for $ty<T> {
            fn drop(&mut self) {
                self.chan.drop_tx();
            }
        }
    };
}

pub(crate) use {receiver_impls, receiver_methods, sender_impls, sender_methods};
