//! Loom models of `runtime`'s concurrent state machines; run with `RUSTFLAGS="--cfg loom"`.
