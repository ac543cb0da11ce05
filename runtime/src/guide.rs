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
//!
//! The chapters are written for GitHub, where an API item is linked to its source file with
//! the item's path as the link's title; the build script (`build.rs`) hands rustdoc a copy
//! whose links go to the items' pages and to the other chapters here instead, so one Markdown
//! file reads right in both places.

// Every Rust block in the guide is a whole program a reader can paste over `src/main.rs`, so
// its `fn main` is there on purpose.
#![allow(clippy::needless_doctest_main)]

#[doc = include_str!(concat!(env!("OUT_DIR"), "/getting-started.md"))]
pub mod getting_started {}

#[doc = include_str!(concat!(env!("OUT_DIR"), "/from-asyncio.md"))]
pub mod from_asyncio {}

#[doc = include_str!(concat!(env!("OUT_DIR"), "/from-tokio.md"))]
pub mod from_tokio {}

#[doc = include_str!(concat!(env!("OUT_DIR"), "/cancellation.md"))]
pub mod cancellation {}

#[doc = include_str!(concat!(env!("OUT_DIR"), "/observability.md"))]
pub mod observability {}

#[doc = include_str!(concat!(env!("OUT_DIR"), "/simulation.md"))]
pub mod simulation {}

#[doc = include_str!(concat!(env!("OUT_DIR"), "/architecture.md"))]
pub mod architecture {}

#[doc = include_str!(concat!(env!("OUT_DIR"), "/README.md"))]
pub mod readme {}
