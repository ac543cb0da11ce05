//! `join!` and `try_join!`: wait on several futures concurrently inside the current task.

/// Runs several futures concurrently in the current task and returns all their outputs.
///
/// Each operand may be anything that implements [`IntoFuture`](std::future::IntoFuture). They
/// are polled together in the task that awaits the `join!` (no task is spawned, so the futures
/// need not be `Send` or `'static`), and each is dropped as soon as it completes. The outputs
/// come back as a tuple, in operand order. To run futures in *parallel* on several workers, spawn
/// them instead and join their handles.
///
/// On every wake-up, polling starts one operand later than the time before, so an operand that
/// is always ready cannot keep the others from being polled first. Begin with `biased;` to
/// poll them top to bottom on every wake-up instead (a fixed order, as Tokio's). An operand
/// may borrow a temporary (`&mut std::future::ready(1)`): it lives until the `join!` ends.
/// With no operand the result is `()`.
///
/// ```
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let (a, b, c) = runtime::join!(async { 1 }, async { "two" }, std::future::ready(3.0));
///     assert_eq!((a, b, c), (1, "two", 3.0));
///
///     // `biased;`: polled in order, the first operand first on every wake-up.
///     let order = std::sync::Mutex::new(Vec::new());
///     runtime::join!(
///         biased;
///         async { order.lock().unwrap().push("first") },
///         async { order.lock().unwrap().push("second") },
///     );
///     assert_eq!(*order.lock().unwrap(), ["first", "second"]);
///     let () = runtime::join!(biased;);
/// }
/// ```
#[macro_export]
macro_rules! join {
    ($($futures:tt)*) => {
        $crate::__private::join_impl!($crate; $($futures)*)
    };
}

/// Runs several fallible futures concurrently in the current task; the first `Err` wins.
///
/// Every operand's output is a `Result<T, E>` with the same `E`. If all succeed the macro
/// returns `Ok` with the tuple of values in operand order. As soon as one fails the macro returns
/// that `Err` and drops (cancels) the operands still running, without polling them again.
/// `biased;` fixes the polling order as for [`join!`]; with no operand the result is `Ok(())`.
///
/// ```
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     async fn parse(s: &str) -> Result<u32, std::num::ParseIntError> {
///         s.parse()
///     }
///     assert_eq!(runtime::try_join!(parse("1"), parse("2")), Ok((1, 2)));
///     assert!(runtime::try_join!(parse("1"), parse("x")).is_err());
///     // In order: the second operand fails before the third is ever polled.
///     assert!(runtime::try_join!(biased; parse("1"), parse("x"), parse("3")).is_err());
///     let empty: Result<(), std::num::ParseIntError> = runtime::try_join!(biased;);
///     assert_eq!(empty, Ok(()));
/// }
/// ```
#[macro_export]
macro_rules! try_join {
    ($($futures:tt)*) => {
        $crate::__private::try_join_impl!($crate; $($futures)*)
    };
}
