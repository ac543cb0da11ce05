//! The combinator macros `join!`, `try_join!`, `select!` and `pin!`, and the hidden support
//! module (`runtime::__private`) that their expansions and those of `#[runtime::main]` /
//! `#[runtime::test]` refer to.
//!
//! `join!`, `try_join!` and `select!` are thin `macro_rules!` wrappers that hand their input,
//! prefixed with `$crate`, to proc-macro engines in the `runtime-macros` crate; `pin!` is purely
//! declarative. Nothing here uses `unsafe`: the expansions store their operands in one
//! `PollFutures` (see `poll_futures.rs`), projected with `pin-project-lite`.

mod join;
mod maybe_done;
mod pin;
mod poll_futures;
mod select;
pub mod support;
