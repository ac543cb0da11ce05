//! Prepares the guide's chapters (`docs/*.md` and the README, which `src/guide.rs` compiles
//! into the API docs) so that one Markdown source has working links on GitHub and in rustdoc.
//!
//! The Markdown is written for GitHub: an API item is linked to the source file defining it,
//! with the item's path as the link's title (`[`sleep`](../runtime/src/time/sleep.rs
//! "crate::time::sleep")`), and a chapter to its file (`[Cancellation](cancellation.md)`).
//! This script writes a copy of each chapter to `OUT_DIR` with the links rustdoc resolves
//! instead: the title's intra-doc path, the chapter's `crate::guide` module. A link to a file
//! that is not in the API docs (a benchmark report, a diagram, a source file) becomes its text
//! followed by the file's path in the repository. Code blocks are copied unchanged, so every
//! doc test is the block a reader sees.

use std::env;
use std::fs;
use std::path::{Component, Path, PathBuf};

/// The chapters `src/guide.rs` includes: (file, from the repository's root; module in `guide`).
const CHAPTERS: &[(&str, &str)] = &[
    ("docs/getting-started.md", "getting_started"),
    ("docs/from-asyncio.md", "from_asyncio"),
    ("docs/from-tokio.md", "from_tokio"),
    ("docs/cancellation.md", "cancellation"),
    ("docs/observability.md", "observability"),
    ("docs/simulation.md", "simulation"),
    ("docs/architecture.md", "architecture"),
    ("README.md", "readme"),
];

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by Cargo"));
    let root = manifest
        .parent()
        .expect("the crate sits in the workspace")
        .to_path_buf();
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("set by Cargo"));
    for (file, _) in CHAPTERS {
        let source = root.join(file);
        println!("cargo:rerun-if-changed={}", source.display());
        let text = fs::read_to_string(&source)
            .unwrap_or_else(|e| panic!("reading the guide chapter {}: {e}", source.display()));
        let name = Path::new(file).file_name().expect("a file name");
        fs::write(out.join(name), rewrite(&text, Path::new(file)))
            .unwrap_or_else(|e| panic!("writing {} to OUT_DIR: {e}", file));
    }
}

/// `text` with every link outside code blocks rewritten for rustdoc; `file` is the chapter's
/// path from the repository's root (relative links are counted from its folder).
fn rewrite(text: &str, file: &Path) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_code = false;
    for line in text.split_inclusive('\n') {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            out.push_str(line);
        } else if in_code {
            out.push_str(line);
        } else {
            out.push_str(&rewrite_line(line, file));
        }
    }
    out
}

/// One line of prose: each `[text](target "title")` rewritten by [`target_for_rustdoc`].
fn rewrite_line(line: &str, file: &Path) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(mid) = rest.find("](") {
        let Some(close) = rest[mid..].find(')').map(|i| mid + i) else {
            break;
        };
        let Some(open) = link_text_start(&rest[..mid]) else {
            out.push_str(&rest[..mid + 2]);
            rest = &rest[mid + 2..];
            continue;
        };
        let text = &rest[open + 1..mid];
        let inner = &rest[mid + 2..close];
        let before = &rest[..open];
        match target_for_rustdoc(inner, file) {
            Rustdoc::Link(target) => out.push_str(&format!("{before}[{text}]({target})")),
            // An image (`![alt](file)`) loses its `!` with its link: the alt text stays.
            Rustdoc::Text(path) => {
                out.push_str(before.strip_suffix('!').unwrap_or(before));
                let bare = text.trim_matches('`');
                if text.contains(&path) {
                    out.push_str(text);
                } else if path.ends_with(&format!("/{bare}")) {
                    // `[`task-flow.dot`](task-flow.dot)`: the path alone says it.
                    out.push_str(&format!("`{path}`"));
                } else {
                    out.push_str(&format!("{text} (`{path}`)"));
                }
            }
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// Where the `[` opening the link text ending at the end of `before` is (nested brackets
/// counted), if any.
fn link_text_start(before: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in before.char_indices().rev() {
        match c {
            ']' => depth += 1,
            '[' if depth == 0 => return Some(i),
            '[' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// What a link becomes in rustdoc.
enum Rustdoc {
    /// A link with this target.
    Link(String),
    /// No page in the API docs: the link's text and this path from the repository's root.
    Text(String),
}

/// The rustdoc form of a link whose parenthesised part is `inner` (`target` or
/// `target "title"`).
fn target_for_rustdoc(inner: &str, file: &Path) -> Rustdoc {
    let (target, title) = match inner.split_once(" \"") {
        Some((target, title)) => (target, title.strip_suffix('"')),
        None => (inner, None),
    };
    if let Some(path) = title.filter(|t| t.starts_with("crate::")) {
        return Rustdoc::Link(path.to_owned());
    }
    let is_url = target.contains("://") || target.starts_with("mailto:");
    if is_url || target.starts_with('#') || target.contains("::") {
        return Rustdoc::Link(inner.to_owned());
    }
    let (path, fragment) = match target.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (target, None),
    };
    let from_root = normalize(&file.parent().unwrap_or(Path::new("")).join(path));
    match CHAPTERS
        .iter()
        .find(|(chapter, _)| Path::new(chapter) == from_root)
    {
        Some((_, module)) => Rustdoc::Link(match fragment {
            Some(fragment) => format!("crate::guide::{module}#{fragment}"),
            None => format!("crate::guide::{module}"),
        }),
        None => Rustdoc::Text(from_root.display().to_string()),
    }
}

/// `path` with its `.` and `..` components resolved (it is relative to the repository's root).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}
