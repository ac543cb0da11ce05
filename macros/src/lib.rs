//! Proc-macros behind `#[runtime::main]` and `#[runtime::test]`, and the expansion engines of
//! `runtime::select!`, `runtime::join!` and `runtime::try_join!`.
//!
//! Use them through the `runtime` crate, which re-exports the attributes and wraps the
//! function-like helpers in `macro_rules!` macros that pass `$crate` along (so renaming the
//! dependency keeps working). Module map: `config` reads attribute arguments, `entry` expands
//! the attributes, `select`, `join` and `pattern` implement the combinators.
#![warn(missing_docs)]

use proc_macro::TokenStream;

mod config;
mod entry;
mod join;
mod list;
mod pattern;
mod select;

/// Marks an `async fn` as the program's entry point, run to completion on a new runtime.
///
/// Arguments (all optional, `key = value`):
/// - `flavor = "multi_thread"` (default), `"current_thread"`, or `"local"`: a current-thread
///   `runtime::LocalRuntime`, on which the body and its tasks may `spawn_local` `!Send` tasks;
/// - `worker_threads = N` (N > 0, `multi_thread` only; default: the number of CPUs);
/// - `start_paused = true|false` (`current_thread` only): start with the clock paused;
/// - `unhandled_panic = "ignore"` (default) or `"shutdown_runtime"`: what a panicking spawned
///   task does to the runtime;
/// - `crate = "path"`: where the `runtime` crate is, if the dependency was renamed.
///
/// The function may return `()` or any type `main` may return, such as `Result<(), E>`. Its
/// attributes and doc comments are kept. The body runs on the thread that called `main` (via
/// `Runtime::block_on`); tasks it spawns run on the workers.
///
/// ```
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() -> Result<(), std::num::ParseIntError> {
///     let n: u32 = "42".parse()?;
///     let doubled = runtime::spawn(async move { n * 2 }).await.unwrap();
///     assert_eq!(doubled, 84);
///     Ok(())
/// }
/// ```
///
/// Mistakes are compile errors pointing at the offending token: a missing `async`, arguments on
/// `main`, an unknown or repeated key, a bad value, `worker_threads = 0`, `start_paused` with
/// `multi_thread`.
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::expand(config::Kind::Main, args.into(), item.into()).into()
}

/// Marks an `async fn` as a test, run on a fresh runtime per test.
///
/// Takes the same arguments as [`macro@main`], but the default flavor is `"current_thread"`
/// (so `worker_threads` needs `flavor = "multi_thread"`). It adds `#[test]` itself and composes
/// with other test attributes such as `#[should_panic]` or `#[ignore]`; the test may return a
/// `Result`.
///
/// `#[runtime::test(simulation, seeds = N)]` runs the body under `N` seeds (20 by default) of
/// the seeded simulation flavor (`runtime::sim::check`). A plain current-thread test also runs
/// that way when the environment has `RUNTIME_TEST_FLAVOR=simulation` (seeds from
/// `RUNTIME_SIM_SEEDS`, `RUNTIME_SIM_SEED_INDEX`, `RUNTIME_SEED`), so a whole suite can be
/// run under simulation; `#[runtime::test(no_simulation)]` keeps a test that needs real
/// threads, sockets or wall time on its current-thread runtime.
///
/// ```
/// #[runtime::test]
/// async fn adds() {
///     assert_eq!(runtime::spawn(async { 1 + 1 }).await.unwrap(), 2);
/// }
///
/// #[runtime::test(no_simulation)] // a real thread wakes it
/// async fn from_a_thread() {
///     let (tx, rx) = runtime::sync::oneshot::channel();
///     std::thread::spawn(move || tx.send(3).unwrap());
///     assert_eq!(rx.await.unwrap(), 3);
/// }
///
/// #[runtime::test(flavor = "multi_thread", worker_threads = 2)]
/// #[should_panic(expected = "boom")]
/// async fn panics() {
///     panic!("boom");
/// }
/// # fn main() {}
/// ```
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::expand(config::Kind::Test, args.into(), item.into()).into()
}

/// Implementation detail of `runtime::select!`; input is `<crate path>; <select! input>`.
#[doc(hidden)]
#[proc_macro]
pub fn select_impl(input: TokenStream) -> TokenStream {
    let (krate, rest) = split_crate_path(input.into());
    select::expand(krate, rest).into()
}

/// Implementation detail of `runtime::join!`; input is `<crate path>; <futures>`.
#[doc(hidden)]
#[proc_macro]
pub fn join_impl(input: TokenStream) -> TokenStream {
    let (krate, rest) = split_crate_path(input.into());
    join::expand(join::Mode::Join, krate, rest).into()
}

/// Implementation detail of `runtime::try_join!`; input is `<crate path>; <futures>`.
#[doc(hidden)]
#[proc_macro]
pub fn try_join_impl(input: TokenStream) -> TokenStream {
    let (krate, rest) = split_crate_path(input.into());
    join::expand(join::Mode::TryJoin, krate, rest).into()
}

/// Splits `<crate path> ; <rest>` at the first top-level `;`.
fn split_crate_path(
    input: proc_macro2::TokenStream,
) -> (proc_macro2::TokenStream, proc_macro2::TokenStream) {
    let mut tokens = input.into_iter();
    let krate = tokens
        .by_ref()
        .take_while(|t| !matches!(t, proc_macro2::TokenTree::Punct(p) if p.as_char() == ';'))
        .collect();
    (krate, tokens.collect())
}

#[cfg(test)]
mod tests {
    // Not a glob: the crate root defines a `test` attribute of its own.
    use super::split_crate_path;
    use quote::quote;

    #[test]
    fn crate_path_is_split_at_the_first_semicolon() {
        let (krate, rest) = split_crate_path(quote!(::a::b; biased; x = f => x));
        assert_eq!(krate.to_string(), ":: a :: b");
        assert_eq!(rest.to_string(), "biased ; x = f => x");
    }
}
