//! `spawn` against `spawn_local` on the current-thread flavor (issue 20): the same workload,
//! `n` tasks spawned from inside `block_on` and then awaited, with either spawn function.
//! Used by the `local` criterion bench and the `spawn_local_cost` binary (callgrind).

/// `n` tasks spawned with `runtime::spawn` inside `block_on` on a current-thread runtime, then
/// awaited; returns the sum of their outputs (`0 + 1 + .. + n-1`).
///
/// ```
/// assert_eq!(benches::local_spawn::spawn_many_current_thread(10), 45);
/// ```
pub fn spawn_many_current_thread(n: u64) -> u64 {
    let rt = runtime::Builder::new_current_thread()
        .build()
        .expect("current-thread runtime");
    rt.block_on(async move {
        let handles: Vec<_> = (0..n).map(|i| runtime::spawn(async move { i })).collect();
        let mut sum = 0;
        for handle in handles {
            sum += handle.await.expect("task");
        }
        sum
    })
}

/// The same with `task::spawn_local` in a `LocalSet` on a current-thread runtime.
///
/// ```
/// assert_eq!(benches::local_spawn::spawn_many_local(10), 45);
/// ```
pub fn spawn_many_local(n: u64) -> u64 {
    let rt = runtime::Builder::new_current_thread()
        .build()
        .expect("current-thread runtime");
    let local = runtime::task::LocalSet::new();
    local.block_on(&rt, async move {
        let handles: Vec<_> = (0..n)
            .map(|i| runtime::task::spawn_local(async move { i }))
            .collect();
        let mut sum = 0;
        for handle in handles {
            sum += handle.await.expect("task");
        }
        sum
    })
}
