//! Programs shown in `docs/` that the `runtime` crate cannot run as its own doc tests (they use
//! crates only this member depends on) are example files here, and each Markdown block must
//! stay identical to its file: the file compiles in CI, so the block a reader pastes does too.

use std::path::Path;

/// The body of the first ```` ```rust,ignore ```` block in `doc` that contains `marker`.
fn ignored_block(doc: &str, marker: &str) -> String {
    let mut rest = doc;
    while let Some(start) = rest.find("```rust,ignore\n") {
        let body = &rest[start + "```rust,ignore\n".len()..];
        let end = body.find("\n```").expect("an unclosed code block");
        if body[..end].contains(marker) {
            return format!("{}\n", &body[..end]);
        }
        rest = &body[end..];
    }
    panic!("no ```rust,ignore block containing {marker:?}");
}

/// The example file without its leading `//!` doc comment and the blank line after it.
fn program(file: &str) -> String {
    let lines: Vec<&str> = file.lines().skip_while(|l| l.starts_with("//!")).collect();
    let lines = lines.strip_prefix(&[""][..]).unwrap_or(&lines);
    format!("{}\n", lines.join("\n"))
}

fn read(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn observability_console_block_is_the_console_example() {
    let doc = read("../docs/observability.md");
    let block = ignored_block(&doc, "console_subscriber::ConsoleLayer::builder()");
    assert_eq!(block, program(&read("console.rs")));
}
