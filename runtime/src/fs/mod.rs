//! Files and directories, run on the blocking pool (the OS has no readiness-based file I/O),
//! except, with the `io-uring` feature on Linux, [`File`] reads and writes,
//! [`File::read_at`]/[`File::write_at`], [`read`], [`read_to_string`] and [`write`](fn@write), which go
//! through the runtime's io_uring when it has one (see
//! [`Handle::io_uring_active`](crate::runtime::Handle::io_uring_active) and
//! `docs/architecture.md`).
//!
//! Every function takes the same arguments as its `std::fs` namesake and returns its result
//! asynchronously; errors keep their [`io::ErrorKind`](std::io::ErrorKind) and put the path in
//! the message (`"/etc/nope: No such file or directory (os error 2)"`). Writes run in the
//! blocking pool's *mandatory* class: a write that was accepted still happens if the runtime
//! shuts down meanwhile. [`File`] buffers, so reading in small pieces does not cost one thread
//! hop per read.
//!
//! # Examples
//!
//! ```
//! # let rt = runtime::Runtime::new().unwrap();
//! rt.block_on(async {
//!     let dir = std::env::temp_dir().join(format!("rt-doc-fs-{}", std::process::id()));
//!     runtime::fs::create_dir_all(&dir).await?;
//!     let path = dir.join("greeting.txt");
//!     runtime::fs::write(&path, "hello").await?;
//!     assert_eq!(runtime::fs::read_to_string(&path).await?, "hello");
//!     runtime::fs::remove_dir_all(&dir).await?;
//!     let err = runtime::fs::read(&path).await.unwrap_err();
//!     assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
//!     assert!(err.to_string().contains("greeting.txt"));
//!     Ok::<(), std::io::Error>(())
//! }).unwrap();
//! ```

mod buf;
mod file;
#[cfg(unix)]
mod file_at;
mod file_std;
mod open_options;
mod ops;
mod read_dir;
#[cfg(all(feature = "io-uring", target_os = "linux"))]
mod uring;

pub use file::File;
pub use open_options::OpenOptions;
pub use ops::{
    canonicalize, copy, create_dir, create_dir_all, metadata, read, read_to_string, remove_dir,
    remove_dir_all, remove_file, rename, write,
};
pub use read_dir::{DirEntry, ReadDir, read_dir};
