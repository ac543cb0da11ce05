//! Criterion benchmarks comparing `runtime` with Tokio and smol; see `benches/` and `src/bin/compare.rs`.
