//! The `tokio_port` example exists twice, on Tokio (`benches/examples/tokio_port.rs`) and on
//! `runtime` (`runtime/examples/tokio_port.rs`); the port must change nothing but `use` lines
//! and the `main` attribute, as `docs/from-tokio.md` promises.

use std::path::Path;

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

#[test]
fn the_runtime_port_differs_from_the_tokio_program_only_in_use_lines_and_the_attribute() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let tokio = read(&root.join("benches/examples/tokio_port.rs"));
    let ported = read(&root.join("runtime/examples/tokio_port.rs"));
    let tokio: Vec<&str> = tokio.lines().collect();
    let ported: Vec<&str> = ported.lines().collect();
    assert_eq!(
        tokio.len(),
        ported.len(),
        "the two files have different lengths"
    );
    let mut changed = 0;
    for (number, (before, after)) in tokio.iter().zip(&ported).enumerate() {
        if before == after {
            continue;
        }
        changed += 1;
        let allowed = (before.starts_with("use tokio::") && after.starts_with("use runtime::"))
            || (*before == "#[tokio::main]" && *after == "#[runtime::main]");
        assert!(
            allowed,
            "line {} differs beyond a `use` line or the attribute:\n  tokio:   {before}\n  runtime: {after}",
            number + 1
        );
    }
    // Every `use tokio::` line and the attribute changed: nothing of Tokio is left.
    assert!(changed >= 2, "only {changed} lines differ");
    assert!(
        ported.iter().all(|line| !line.contains("tokio::")),
        "the port still names tokio"
    );
}
