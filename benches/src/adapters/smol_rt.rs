//! [`SmolRt`]: smol's `async_executor::Executor` run by N threads, behind the [`Rt`] adapter.
//!
//! Each worker thread runs `async_io::block_on(executor.run(shutdown))`, the pattern smol
//! documents for multi-threaded use (async-io's `block_on` drives the reactor and timers while
//! the thread would otherwise sleep). A thread-local holds the executor so [`Rt::spawn`] from a
//! task needs no captured handle (as `tokio::spawn` and `runtime::spawn` need none);
//! [`Rt::block_on`] sets it on the bench thread for its duration, which only polls the root
//! future and does not run executor tasks (like a Tokio multi-thread `block_on`).

use crate::Rt;
use async_executor::{Executor, Task};
use std::cell::RefCell;
use std::future::Future;
use std::io;
use std::sync::Arc;
use std::thread::JoinHandle;

thread_local! {
    static CURRENT: RefCell<Option<Arc<Executor<'static>>>> = const { RefCell::new(None) };
}

/// smol's executor on a fixed number of threads.
///
/// ```
/// use benches::{Rt, adapters::SmolRt};
/// let rt = SmolRt::new(2).unwrap();
/// let h = rt.spawn_remote(async { SmolRt::spawn(async { 7 }).await });
/// assert_eq!(rt.block_on(h), 7);
/// ```
#[derive(Debug)]
pub struct SmolRt {
    ex: Arc<Executor<'static>>,
    /// Dropping it closes the channel, which ends every `executor.run`.
    stop: Option<smol::channel::Sender<()>>,
    threads: Vec<JoinHandle<()>>,
}

/// Restores the previous thread-local executor when dropped.
struct Enter(Option<Arc<Executor<'static>>>);

impl Enter {
    fn new(ex: &Arc<Executor<'static>>) -> Enter {
        Enter(CURRENT.with(|c| c.replace(Some(ex.clone()))))
    }
}

impl Drop for Enter {
    fn drop(&mut self) {
        CURRENT.with(|c| *c.borrow_mut() = self.0.take());
    }
}

fn with_current<R>(f: impl FnOnce(&Executor<'static>) -> R) -> R {
    CURRENT.with(|c| {
        let current = c.borrow();
        let ex = current
            .as_deref()
            .expect("SmolRt::spawn called outside a SmolRt thread or block_on");
        f(ex)
    })
}

impl Rt for SmolRt {
    const NAME: &'static str = "smol";
    type Join<T: Send + 'static> = Task<T>;

    fn new(workers: usize) -> io::Result<Self> {
        let ex = Arc::new(Executor::new());
        let (stop, stopped) = smol::channel::bounded::<()>(1);
        let mut rt = SmolRt {
            ex,
            stop: Some(stop),
            threads: Vec::with_capacity(workers),
        };
        for i in 0..workers {
            let ex = rt.ex.clone();
            let stopped = stopped.clone();
            let thread = std::thread::Builder::new()
                .name(format!("smol-worker-{i}"))
                .spawn(move || {
                    let _enter = Enter::new(&ex);
                    // An error only means the channel closed: the runtime is shutting down.
                    let _ = async_io::block_on(ex.run(stopped.recv()));
                })?;
            // On error, `rt` drops here and stops the threads already started.
            rt.threads.push(thread);
        }
        Ok(rt)
    }

    fn block_on<F: Future>(&self, future: F) -> F::Output {
        let _enter = Enter::new(&self.ex);
        smol::future::block_on(future)
    }

    fn spawn_remote<F>(&self, future: F) -> Self::Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.ex.spawn(future)
    }

    fn spawn<F>(future: F) -> Self::Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        with_current(|ex| ex.spawn(future))
    }

    fn spawn_detached<F>(future: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        with_current(|ex| ex.spawn(future).detach());
    }

    fn yield_now() -> impl Future<Output = ()> + Send {
        smol::future::yield_now()
    }
}

impl Drop for SmolRt {
    fn drop(&mut self) {
        drop(self.stop.take());
        for thread in self.threads.drain(..) {
            // A worker that panicked already reported it; shutdown continues with the rest.
            let _ = thread.join();
        }
    }
}
