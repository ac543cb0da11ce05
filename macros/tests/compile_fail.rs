//! Every misuse of the macros is a compile error pointing at the offending token.
//!
//! The expected diagnostics live next to each case in `fail/*.stderr`. After changing a message
//! on purpose, regenerate them with `TRYBUILD=overwrite cargo test -p runtime-macros --test
//! compile_fail` and review the diff.

#[test]
fn misuse_is_a_compile_error() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/fail/*.rs");
}
