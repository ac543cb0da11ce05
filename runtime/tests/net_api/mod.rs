//! Helpers shared by the `net_api_*` test files (issue 20 item 5): running a test body on both
//! runtime flavors, the multi-waiter pattern, one-shot polls and socket fixtures.
#![allow(dead_code)] // each test file uses a subset

use runtime::net::{TcpListener, TcpStream};
use runtime::task::JoinHandle;
use std::future::Future;
use std::io;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

/// How long a woken waiter may take to finish; only guards against lost wake-ups.
pub const BOUND: Duration = Duration::from_secs(10);
/// Backstop for a whole test (the watchdog aborts the process, naming the test).
pub const DOG: Duration = Duration::from_secs(120);
/// Tasks waiting at once in the multi-waiter tests.
pub const WAITERS: usize = 3;

/// Runs the body `make()` builds on a current-thread runtime, then on a two-worker
/// multi-thread runtime.
pub fn both<Fut: Future<Output = ()>>(make: impl Fn() -> Fut) {
    crate::support::current().block_on(make());
    crate::support::multi(2).block_on(make());
}

/// Lets every spawned task run until it blocks.
pub async fn settle() {
    for _ in 0..16 {
        runtime::task::yield_now().await;
    }
    // On the multi-thread flavor the tasks run on other workers: give them a moment too.
    runtime::time::sleep(Duration::from_millis(20)).await;
}

/// Awaits `handle` within `BOUND`; panics naming `what` if it never finishes.
pub async fn finish<T: Send + 'static>(what: &str, handle: JoinHandle<T>) -> T {
    match runtime::time::timeout(BOUND, handle).await {
        Ok(result) => result.expect("waiter task panicked"),
        Err(_) => panic!("{what}: a waiting task was never woken"),
    }
}

/// Spawns `WAITERS` tasks running `op(i)`, lets them block, checks none finished, runs
/// `trigger`, and returns every task's output: each must be woken.
pub async fn all_woken<T, Fut, Trig>(what: &str, op: impl Fn(usize) -> Fut, trigger: Trig) -> Vec<T>
where
    T: Send + 'static,
    Fut: Future<Output = T> + Send + 'static,
    Trig: Future<Output = ()>,
{
    let handles: Vec<_> = (0..WAITERS).map(|i| runtime::spawn(op(i))).collect();
    settle().await;
    for handle in &handles {
        assert!(!handle.is_finished(), "{what}: ready before the trigger");
    }
    trigger.await;
    let mut out = Vec::new();
    for handle in handles {
        out.push(finish(what, handle).await);
    }
    out
}

/// Polls `poll` once with a no-op waker (from inside a runtime task).
pub fn poll_once<T>(poll: impl FnOnce(&mut Context<'_>) -> Poll<T>) -> Poll<T> {
    poll(&mut Context::from_waker(Waker::noop()))
}

/// Waits (bounded) until `what` stops returning `WouldBlock`, yielding in between.
pub async fn until_ready<T>(what: &str, mut op: impl FnMut() -> io::Result<T>) -> T {
    let deadline = std::time::Instant::now() + BOUND;
    loop {
        match op() {
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                assert!(std::time::Instant::now() < deadline, "{what}: never ready");
                runtime::time::sleep(Duration::from_millis(1)).await;
            }
            other => return other.unwrap_or_else(|err| panic!("{what}: {err}")),
        }
    }
}

/// A connected TCP pair on loopback: (client, server).
pub async fn tcp_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (server, _) = listener.accept().await.unwrap();
    (client, server)
}
