//! The guide: the chapters of `docs/` compiled into the API documentation.
//!
//! Each chapter is a doc-only module whose text is the markdown file itself, so every Rust
//! code block in the guide is compiled and run as a doctest (`cargo test -p runtime --doc
//! guide`); the README is included too, so its example is tested as well. Start with
//! [`getting_started`], or [`from_asyncio`] if you know Python's asyncio, or [`from_tokio`]
//! if you know Tokio; [`simulation`] shows how to find concurrency bugs by running tests
//! under seeded schedules. The benchmark
//! results and the verification report live beside the chapters in `docs/`
//! (`benchmarks.md`, `verification.md`).

#[doc = include_str!("../../docs/getting-started.md")]
pub mod getting_started {}

#[doc = include_str!("../../docs/from-asyncio.md")]
pub mod from_asyncio {}

#[doc = include_str!("../../docs/from-tokio.md")]
pub mod from_tokio {}

#[doc = include_str!("../../docs/cancellation.md")]
pub mod cancellation {}

#[doc = include_str!("../../docs/observability.md")]
pub mod observability {}

#[doc = include_str!("../../docs/simulation.md")]
pub mod simulation {}

#[doc = include_str!("../../docs/architecture.md")]
pub mod architecture {}

#[doc = include_str!("../../README.md")]
pub mod readme {}
