//! Proc-macros behind `#[runtime::main]` and `#[runtime::test]`.
