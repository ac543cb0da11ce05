//! The work-stealing deques: crossbeam-deque normally, a lock-based stand-in under loom.
//!
//! Loom cannot see inside crossbeam (it uses its own atomics and epoch GC), so under `cfg(loom)`
//! the same four names are a `Mutex<VecDeque>` with identical signatures. That models the
//! *scheduler's protocol* around the queues; crossbeam's own stress, miri and TSAN suites cover
//! the deque's internals.

#[cfg(not(loom))]
pub(crate) use crossbeam_deque::{Injector, Steal, Stealer, Worker};

#[cfg(loom)]
pub(crate) use model::{Injector, Steal, Stealer, Worker};

#[cfg(loom)]
mod model {
    use super::super::sync::{Arc, Mutex};
    use std::collections::VecDeque;

    /// The outcome of a steal, as in crossbeam.
    #[derive(Debug, PartialEq, Eq)]
    pub(crate) enum Steal<T> {
        Empty,
        Success(T),
        #[allow(dead_code)]
        Retry,
    }

    impl<T> Steal<T> {
        pub(crate) fn success(self) -> Option<T> {
            match self {
                Steal::Success(t) => Some(t),
                _ => None,
            }
        }

        pub(crate) fn is_retry(&self) -> bool {
            matches!(self, Steal::Retry)
        }
    }

    /// The owner's end of a FIFO deque.
    pub(crate) struct Worker<T> {
        queue: Arc<Mutex<VecDeque<T>>>,
    }

    /// A thief's end of a [`Worker`]'s deque.
    pub(crate) struct Stealer<T> {
        queue: Arc<Mutex<VecDeque<T>>>,
    }

    impl<T> Clone for Stealer<T> {
        fn clone(&self) -> Self {
            Self {
                queue: self.queue.clone(),
            }
        }
    }

    impl<T> Worker<T> {
        pub(crate) fn new_fifo() -> Self {
            Self {
                queue: Arc::new(Mutex::new(VecDeque::new())),
            }
        }

        pub(crate) fn stealer(&self) -> Stealer<T> {
            Stealer {
                queue: self.queue.clone(),
            }
        }

        pub(crate) fn push(&self, task: T) {
            self.queue.lock().push_back(task);
        }

        pub(crate) fn pop(&self) -> Option<T> {
            self.queue.lock().pop_front()
        }

        pub(crate) fn len(&self) -> usize {
            self.queue.lock().len()
        }

        pub(crate) fn is_empty(&self) -> bool {
            self.queue.lock().is_empty()
        }
    }

    impl<T> Stealer<T> {
        pub(crate) fn steal(&self) -> Steal<T> {
            self.queue
                .lock()
                .pop_front()
                .map_or(Steal::Empty, Steal::Success)
        }

        pub(crate) fn steal_batch_with_limit_and_pop(
            &self,
            dest: &Worker<T>,
            limit: usize,
        ) -> Steal<T> {
            let mut src = self.queue.lock();
            let Some(first) = src.pop_front() else {
                return Steal::Empty;
            };
            let take = (src.len() + 1).div_ceil(2).min(limit).saturating_sub(1);
            let mut dst = dest.queue.lock();
            for _ in 0..take {
                if let Some(t) = src.pop_front() {
                    dst.push_back(t);
                }
            }
            Steal::Success(first)
        }

        pub(crate) fn len(&self) -> usize {
            self.queue.lock().len()
        }

        pub(crate) fn is_empty(&self) -> bool {
            self.queue.lock().is_empty()
        }
    }

    /// The shared FIFO queue for work from outside the workers.
    pub(crate) struct Injector<T> {
        queue: Mutex<VecDeque<T>>,
    }

    impl<T> Injector<T> {
        pub(crate) fn new() -> Self {
            Self {
                queue: Mutex::new(VecDeque::new()),
            }
        }

        pub(crate) fn push(&self, task: T) {
            self.queue.lock().push_back(task);
        }

        pub(crate) fn steal(&self) -> Steal<T> {
            self.queue
                .lock()
                .pop_front()
                .map_or(Steal::Empty, Steal::Success)
        }

        pub(crate) fn steal_batch_with_limit_and_pop(
            &self,
            dest: &Worker<T>,
            limit: usize,
        ) -> Steal<T> {
            let mut src = self.queue.lock();
            let Some(first) = src.pop_front() else {
                return Steal::Empty;
            };
            let mut dst = dest.queue.lock();
            for _ in 1..limit {
                match src.pop_front() {
                    Some(t) => dst.push_back(t),
                    None => break,
                }
            }
            Steal::Success(first)
        }

        pub(crate) fn len(&self) -> usize {
            self.queue.lock().len()
        }

        pub(crate) fn is_empty(&self) -> bool {
            self.queue.lock().is_empty()
        }
    }
}
