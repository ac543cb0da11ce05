//! `#[runtime::main]` / `#[runtime::test]` with every key, and the combinators on real
//! runtimes of both flavors, inside spawned tasks too.

use std::future::{pending, ready};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::{self, ThreadId};

fn workers() -> usize {
    runtime::Handle::current().metrics().num_workers()
}

async fn spawned_thread() -> ThreadId {
    runtime::spawn(async { thread::current().id() })
        .await
        .unwrap()
}

// ---- #[runtime::test] ----

#[runtime::test]
async fn test_defaults_to_current_thread() {
    assert_eq!(spawned_thread().await, thread::current().id());
}

#[runtime::test(flavor = "current_thread")]
async fn test_current_thread_flavor() {
    assert_eq!(workers(), 1);
    assert_eq!(spawned_thread().await, thread::current().id());
}

#[runtime::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_multi_thread_with_worker_threads() {
    assert_eq!(workers(), 2);
    // The body runs on the test thread; spawned tasks run on the workers.
    assert_ne!(spawned_thread().await, thread::current().id());
}

#[runtime::test(flavor = "multi_thread")]
async fn test_multi_thread_without_worker_threads() {
    assert!(workers() >= 1);
    assert_ne!(spawned_thread().await, thread::current().id());
}

#[runtime::test]
async fn test_may_return_result() -> Result<(), std::num::ParseIntError> {
    let n: u8 = "7".parse()?;
    assert_eq!(n, 7);
    Ok(())
}

#[runtime::test]
#[should_panic(expected = "panicked inside the test body")]
async fn test_composes_with_should_panic() {
    runtime::task::yield_now().await;
    panic!("panicked inside the test body");
}

#[runtime::test(unhandled_panic = "ignore")]
async fn unhandled_panic_ignore_keeps_the_runtime_going() {
    let err = runtime::spawn(async { panic!("task failure") })
        .await
        .unwrap_err();
    assert!(err.is_panic());
    assert_eq!(runtime::spawn(async { 5 }).await.unwrap(), 5);
}

#[runtime::test(unhandled_panic = "shutdown_runtime")]
#[should_panic(expected = "the runtime is configured to shut down")]
async fn unhandled_panic_shutdown_runtime_current_thread() {
    drop(runtime::spawn(async { panic!("task failure") }));
    pending::<()>().await;
}

#[runtime::test(
    flavor = "multi_thread",
    worker_threads = 2,
    unhandled_panic = "shutdown_runtime"
)]
#[should_panic(expected = "the runtime is configured to shut down")]
async fn unhandled_panic_shutdown_runtime_multi_thread() {
    drop(runtime::spawn(async { panic!("task failure") }));
    pending::<()>().await;
}

mod renamed {
    pub use runtime as inner;
}

#[renamed::inner::test(crate = "crate::renamed::inner")]
async fn crate_key_accepts_a_path() {
    assert_eq!(renamed::inner::spawn(async { 3 }).await.unwrap(), 3);
}

// ---- #[runtime::main] on functions other than `main` ----

/// Doc comments and attributes stay on the generated function.
#[runtime::main(flavor = "current_thread")]
#[inline(never)]
async fn entry_current_thread() -> Result<(ThreadId, usize), String> {
    let id = spawned_thread().await;
    Ok((id, workers()))
}

#[runtime::main(worker_threads = 3)]
async fn entry_multi_thread() -> (ThreadId, usize) {
    (spawned_thread().await, workers())
}

#[runtime::main(
    flavor = "multi_thread",
    worker_threads = 1,
    unhandled_panic = "ignore"
)]
async fn entry_with_panicking_task() -> bool {
    runtime::spawn(async { panic!("ignored") })
        .await
        .unwrap_err()
        .is_panic()
}

#[test]
fn main_attribute_builds_the_configured_runtime() {
    assert_eq!(entry_current_thread(), Ok((thread::current().id(), 1)));
    let (id, workers) = entry_multi_thread();
    assert_ne!(id, thread::current().id());
    assert_eq!(workers, 3);
    assert!(entry_with_panicking_task());
}

// ---- combinators on both flavors and inside spawned tasks ----

/// What [`combinators`] returns: two join outputs, a try_join result, a select winner, and
/// how often the first of two biased ready branches won.
type Outputs = (
    u32,
    u32,
    Result<(u32, u32), &'static str>,
    &'static str,
    u32,
);

/// Exercises every combinator; must be `Send` so it can be spawned.
async fn combinators() -> Outputs {
    let (a, b) = runtime::join!(runtime::spawn(async { 1 }), async {
        runtime::task::yield_now().await;
        2
    });
    let ok = runtime::try_join!(async { Ok(3) }, async {
        runtime::task::yield_now().await;
        Ok(4)
    });
    let dropped = Arc::new(AtomicUsize::new(0));
    struct CountDrop(Arc<AtomicUsize>);
    impl Drop for CountDrop {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let guard = CountDrop(dropped.clone());
    let err: Result<((), u32), &str> = runtime::try_join!(
        async move {
            let _guard = guard;
            pending::<Result<(), &str>>().await
        },
        async { Err("failed") },
    );
    assert_eq!(err, Err("failed"));
    assert_eq!(
        dropped.load(Ordering::SeqCst),
        1,
        "the pending operand was dropped"
    );
    let won = runtime::select! {
        v = runtime::spawn(async {
            runtime::task::yield_now().await;
            "spawned"
        }) => v.unwrap(),
        () = pending() => unreachable!(),
    };
    let mut wins = 0;
    for _ in 0..100 {
        runtime::select! {
            biased;
            () = ready(()) => wins += 1,
            () = ready(()) => {}
        }
    }
    (a.unwrap(), b, ok, won, wins)
}

const EXPECTED: Outputs = (1, 2, Ok((3, 4)), "spawned", 100);

#[runtime::test]
async fn combinators_on_current_thread() {
    assert_eq!(combinators().await, EXPECTED);
    assert_eq!(runtime::spawn(combinators()).await.unwrap(), EXPECTED);
}

#[runtime::test(flavor = "multi_thread", worker_threads = 2)]
async fn combinators_on_multi_thread() {
    assert_eq!(combinators().await, EXPECTED);
    assert_eq!(runtime::spawn(combinators()).await.unwrap(), EXPECTED);
}

#[runtime::test(flavor = "multi_thread", worker_threads = 2)]
async fn select_is_fair_inside_a_spawned_task() {
    let wins = runtime::spawn(async {
        let mut wins = [0u32; 2];
        for _ in 0..10_000 {
            runtime::select! {
                () = ready(()) => wins[0] += 1,
                () = ready(()) => wins[1] += 1,
            }
        }
        wins
    })
    .await
    .unwrap();
    assert!(wins.iter().all(|&w| w >= 4_000), "unfair split: {wins:?}");
}
