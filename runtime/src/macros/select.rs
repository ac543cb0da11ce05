//! `select!`: wait on several futures, run the handler of the first to complete.

/// Waits on several futures at once and runs the handler of the first one to complete,
/// dropping the others.
///
/// ```text
/// runtime::select! {
///     [biased;]
///     <pattern> = <future> [, if <condition>] => <handler>,
///     ...
///     [else => <handler>]
/// }
/// ```
///
/// How it runs:
/// 1. Every `<condition>` is evaluated; a branch whose condition is `false` is *disabled*.
/// 2. Every `<future>` expression is evaluated (those of disabled branches too) and converted
///    with [`IntoFuture`](std::future::IntoFuture).
/// 3. The enabled futures are polled in the current task. By default each poll starts at a
///    randomly chosen branch, so a branch that is always ready cannot starve the others; with
///    `biased;` they are polled top to bottom, which makes the order predictable.
/// 4. When a future completes its branch is disabled. If the value matches `<pattern>`, every
///    future is dropped and `<handler>` runs with the pattern's bindings; its value is the
///    value of the `select!`. If it does not match, the remaining branches keep going.
/// 5. If every branch is disabled, the `else` handler runs; without an `else` branch the
///    `select!` panics with a message saying so. A `select!` may consist of an `else` branch
///    alone (as Tokio's): it is then just that handler.
///
/// Patterns are those of a `match`, including `mut`, `ref` and `ref mut` bindings. A future
/// expression may borrow a temporary (`&mut std::future::ready(())`): it lives until the
/// futures are dropped.
///
/// The handler runs after the futures are dropped and outside any closure, so it can use what
/// the futures borrowed, and `break`, `continue`, `return`, `?` and `.await` in it act on the
/// surrounding code. At most 64 branches are supported.
///
/// **Cancellation:** the futures that lose are dropped. Use futures that are cancel-safe, or pin
/// a future outside a loop (see [`pin!`](crate::pin!)) and select on `&mut fut` to keep it
/// across iterations.
///
/// ```
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let mut evens = Vec::new();
///     let mut odds = Vec::new();
///     for n in 0..6u32 {
///         runtime::select! {
///             // Only even numbers match this pattern: odd ones disable the branch and
///             // fall through to the next.
///             0 = std::future::ready(n % 2) => evens.push(n),
///             _ = std::future::ready(()), if n % 2 == 1 => odds.push(n),
///             else => unreachable!(),
///         }
///     }
///     assert_eq!(evens, [0, 2, 4]);
///     assert_eq!(odds, [1, 3, 5]);
///
///     // `biased;` polls in order: the first ready branch wins.
///     let winner = runtime::select! {
///         biased;
///         v = async { "first" } => v,
///         v = async { "second" } => v,
///     };
///     assert_eq!(winner, "first");
///
///     // `ref mut` binds into the branch's value; a future may borrow a temporary.
///     let len = runtime::select! {
///         ref mut v = std::future::ready(vec![1]) => { v.push(2); v.len() }
///         () = &mut std::future::ready(()) => 0,
///     };
///     assert!(len == 2 || len == 0);
///     let fallback = runtime::select! { else => "no branches" };
///     assert_eq!(fallback, "no branches");
/// }
/// ```
#[macro_export]
macro_rules! select {
    ($($input:tt)*) => {
        $crate::__private::select_impl!($crate; $($input)*)
    };
}
