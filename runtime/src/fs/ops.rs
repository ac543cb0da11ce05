//! The free functions of `runtime::fs`: one blocking-pool hop each, errors naming the path.

use crate::blocking::Mandatory;
use crate::io::blocking::run_fs as run;
use crate::io::context::with_context;
use std::fs::Metadata;
use std::io;
use std::path::{Path, PathBuf};

/// Runs `op` on the blocking pool with an owned copy of `path`; errors get the path prefixed.
pub(super) async fn with_path<R: Send + 'static>(
    path: &Path,
    mandatory: Mandatory,
    op: impl FnOnce(&Path) -> io::Result<R> + Send + 'static,
) -> io::Result<R> {
    let path: PathBuf = path.to_owned();
    run(
        move || op(&path).map_err(|err| with_context(err, path.display())),
        mandatory,
    )
    .await
}

/// Runs a two-path operation; errors say "`verb` `from` to `to`".
async fn with_paths<R: Send + 'static>(
    verb: &'static str,
    from: &Path,
    to: &Path,
    op: impl FnOnce(&Path, &Path) -> io::Result<R> + Send + 'static,
) -> io::Result<R> {
    let (from, to) = (from.to_owned(), to.to_owned());
    let work = move || {
        op(&from, &to).map_err(|err| {
            with_context(
                err,
                format_args!("{verb} {} to {}", from.display(), to.display()),
            )
        })
    };
    run(work, Mandatory::Yes).await
}

/// Reads a whole file into a vector.
///
/// ```
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let bytes = runtime::fs::read("/proc/self/stat").await?;
///     assert!(!bytes.is_empty());
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
pub async fn read(path: impl AsRef<Path>) -> io::Result<Vec<u8>> {
    #[cfg(all(feature = "io-uring", target_os = "linux"))]
    if let Some(ring) = super::uring::ring() {
        return super::uring::read(ring, path.as_ref()).await;
    }
    with_path(path.as_ref(), Mandatory::No, |p| std::fs::read(p)).await
}

/// Reads a whole UTF-8 file into a string (`InvalidData` if it is not UTF-8).
///
/// ```
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let text = runtime::fs::read_to_string("/proc/self/status").await?;
///     assert!(text.contains("Name:"));
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
pub async fn read_to_string(path: impl AsRef<Path>) -> io::Result<String> {
    #[cfg(all(feature = "io-uring", target_os = "linux"))]
    if let Some(ring) = super::uring::ring() {
        let path = path.as_ref();
        let bytes = super::uring::read(ring, path).await?;
        return String::from_utf8(bytes).map_err(|_| {
            let err = io::Error::new(
                io::ErrorKind::InvalidData,
                "stream did not contain valid UTF-8",
            );
            with_context(err, path.display())
        });
    }
    with_path(path.as_ref(), Mandatory::No, |p| std::fs::read_to_string(p)).await
}

/// Creates or truncates a file and writes `contents` to it.
///
/// ```
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let path = std::env::temp_dir().join(format!("rt-doc-write-{}", std::process::id()));
///     runtime::fs::write(&path, b"bytes").await?;
///     assert_eq!(runtime::fs::read(&path).await?, b"bytes");
///     runtime::fs::remove_file(&path).await?;
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
pub async fn write(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> io::Result<()> {
    let contents = contents.as_ref().to_owned();
    #[cfg(all(feature = "io-uring", target_os = "linux"))]
    if let Some(ring) = super::uring::ring() {
        return super::uring::write(ring, path.as_ref(), contents).await;
    }
    with_path(path.as_ref(), Mandatory::Yes, move |p| {
        std::fs::write(p, contents)
    })
    .await
}

/// Copies a file's contents and permissions; returns the bytes copied.
///
/// ```
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let dir = std::env::temp_dir();
///     let (a, b) = (dir.join(format!("rt-doc-cp-a-{}", std::process::id())), dir.join(format!("rt-doc-cp-b-{}", std::process::id())));
///     runtime::fs::write(&a, "copy me").await?;
///     assert_eq!(runtime::fs::copy(&a, &b).await?, 7);
///     assert_eq!(runtime::fs::read_to_string(&b).await?, "copy me");
///     runtime::fs::remove_file(&a).await?;
///     runtime::fs::remove_file(&b).await?;
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
pub async fn copy(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<u64> {
    with_paths("copying", from.as_ref(), to.as_ref(), |f, t| {
        std::fs::copy(f, t)
    })
    .await
}

/// Renames (moves) a file or directory, replacing `to` if it is a file.
///
/// ```
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let dir = std::env::temp_dir();
///     let (a, b) = (dir.join(format!("rt-doc-mv-a-{}", std::process::id())), dir.join(format!("rt-doc-mv-b-{}", std::process::id())));
///     runtime::fs::write(&a, "x").await?;
///     runtime::fs::rename(&a, &b).await?;
///     assert!(runtime::fs::metadata(&a).await.is_err());
///     runtime::fs::remove_file(&b).await?;
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
pub async fn rename(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<()> {
    with_paths("renaming", from.as_ref(), to.as_ref(), |f, t| {
        std::fs::rename(f, t)
    })
    .await
}

/// Removes a file.
///
/// ```
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let err = runtime::fs::remove_file("/no/such/file").await.unwrap_err();
///     assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
///     assert!(err.to_string().starts_with("/no/such/file: "));
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
pub async fn remove_file(path: impl AsRef<Path>) -> io::Result<()> {
    with_path(path.as_ref(), Mandatory::Yes, |p| std::fs::remove_file(p)).await
}

/// Removes an empty directory.
///
/// ```
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let dir = std::env::temp_dir().join(format!("rt-doc-rmdir-{}", std::process::id()));
///     runtime::fs::create_dir(&dir).await?;
///     runtime::fs::remove_dir(&dir).await?;
///     assert!(runtime::fs::metadata(&dir).await.is_err());
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
pub async fn remove_dir(path: impl AsRef<Path>) -> io::Result<()> {
    with_path(path.as_ref(), Mandatory::Yes, |p| std::fs::remove_dir(p)).await
}

/// Removes a directory and everything in it.
///
/// ```
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let dir = std::env::temp_dir().join(format!("rt-doc-rmall-{}", std::process::id()));
///     runtime::fs::create_dir_all(dir.join("a/b")).await?;
///     runtime::fs::remove_dir_all(&dir).await?;
///     assert!(runtime::fs::metadata(&dir).await.is_err());
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
pub async fn remove_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    with_path(path.as_ref(), Mandatory::Yes, |p| {
        std::fs::remove_dir_all(p)
    })
    .await
}

/// Creates a directory (its parent must exist; `AlreadyExists` if it does).
///
/// ```
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let dir = std::env::temp_dir().join(format!("rt-doc-mkdir-{}", std::process::id()));
///     runtime::fs::create_dir(&dir).await?;
///     let err = runtime::fs::create_dir(&dir).await.unwrap_err();
///     assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
///     runtime::fs::remove_dir(&dir).await?;
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
pub async fn create_dir(path: impl AsRef<Path>) -> io::Result<()> {
    with_path(path.as_ref(), Mandatory::Yes, |p| std::fs::create_dir(p)).await
}

/// Creates a directory and any missing parents.
///
/// ```
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let dir = std::env::temp_dir().join(format!("rt-doc-mkdirs-{}", std::process::id()));
///     runtime::fs::create_dir_all(dir.join("x/y/z")).await?;
///     assert!(runtime::fs::metadata(dir.join("x/y/z")).await?.is_dir());
///     runtime::fs::remove_dir_all(&dir).await?;
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
pub async fn create_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    with_path(path.as_ref(), Mandatory::Yes, |p| {
        std::fs::create_dir_all(p)
    })
    .await
}

/// Metadata of a path, following symlinks.
///
/// ```
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     assert!(runtime::fs::metadata("/").await?.is_dir());
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
pub async fn metadata(path: impl AsRef<Path>) -> io::Result<Metadata> {
    with_path(path.as_ref(), Mandatory::No, |p| std::fs::metadata(p)).await
}

/// The absolute, symlink-free form of a path (which must exist).
///
/// ```
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     assert_eq!(runtime::fs::canonicalize("/tmp/../").await?, std::path::Path::new("/"));
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
pub async fn canonicalize(path: impl AsRef<Path>) -> io::Result<PathBuf> {
    with_path(path.as_ref(), Mandatory::No, |p| std::fs::canonicalize(p)).await
}
