//! [`read_dir`]: a directory listing as a `Stream` of [`DirEntry`], fetched from the blocking
//! pool in batches.

use crate::blocking::Mandatory;
use crate::io::blocking::{join_error, run_fs as run, spawn};
use crate::io::context::with_context;
use crate::loom::sync::Arc;
use crate::task::JoinHandle;
use futures_core::Stream;
use std::collections::VecDeque;
use std::ffi::OsString;
use std::fmt;
use std::fs::{FileType, Metadata};
use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

/// Entries fetched per blocking-pool hop. Tokio's value (`CHUNK_SIZE`); a listing benchmark
/// over a large directory would justify changing it.
const BATCH: usize = 32;

/// Lists the entries of a directory (without `.` and `..`) as a
/// [`Stream`](futures_core::Stream) of `io::Result<DirEntry>`; errors name the directory.
///
/// ```
/// use futures_util::StreamExt;
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let dir = std::env::temp_dir().join(format!("rt-doc-readdir-{}", std::process::id()));
///     runtime::fs::create_dir_all(&dir).await?;
///     runtime::fs::write(dir.join("a"), "").await?;
///     let mut names = Vec::new();
///     let mut entries = runtime::fs::read_dir(&dir).await?;
///     while let Some(entry) = entries.next().await {
///         names.push(entry?.file_name());
///     }
///     assert_eq!(names, ["a"]);
///     runtime::fs::remove_dir_all(&dir).await?;
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
pub async fn read_dir(path: impl AsRef<Path>) -> io::Result<ReadDir> {
    let path: PathBuf = path.as_ref().to_owned();
    let shown = path.clone();
    let std = run(
        move || std::fs::read_dir(&path).map_err(|err| with_context(err, path.display())),
        Mandatory::No,
    )
    .await?;
    Ok(ReadDir {
        state: State::Idle(Some(Batch {
            entries: VecDeque::new(),
            std,
            done: false,
        })),
        path: shown,
    })
}

struct Batch {
    entries: VecDeque<io::Result<DirEntry>>,
    std: std::fs::ReadDir,
    done: bool,
}

enum State {
    Idle(Option<Batch>),
    Busy(JoinHandle<Batch>),
}

/// The stream returned by [`read_dir`]; also offers [`next_entry`](Self::next_entry).
pub struct ReadDir {
    state: State,
    path: PathBuf,
}

impl ReadDir {
    /// The next entry, or `None` at the end of the listing.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut entries = runtime::fs::read_dir("/").await?;
    ///     let mut count = 0;
    ///     while let Some(_entry) = entries.next_entry().await? {
    ///         count += 1;
    ///     }
    ///     assert!(count > 0);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn next_entry(&mut self) -> io::Result<Option<DirEntry>> {
        // An entry from the current batch comes at once: spend the budget for each.
        std::future::poll_fn(|cx| {
            crate::task::coop::poll_budgeted(cx, |cx| self.poll_next_entry(cx))
        })
        .await
        .transpose()
    }

    fn poll_next_entry(&mut self, cx: &mut Context<'_>) -> Poll<Option<io::Result<DirEntry>>> {
        loop {
            match &mut self.state {
                State::Idle(slot) => {
                    // `None`: a failed job ended the listing.
                    let Some(batch) = slot.as_mut() else {
                        return Poll::Ready(None);
                    };
                    if let Some(entry) = batch.entries.pop_front() {
                        return Poll::Ready(Some(entry));
                    }
                    if batch.done {
                        return Poll::Ready(None);
                    }
                    let mut batch = slot.take().expect("batch present while idle");
                    let job = move || {
                        fill(&mut batch);
                        batch
                    };
                    match spawn(job, Mandatory::No) {
                        Ok(handle) => self.state = State::Busy(handle),
                        Err(err) => return Poll::Ready(Some(Err(err))),
                    }
                }
                State::Busy(handle) => match ready!(Pin::new(handle).poll(cx)) {
                    Ok(batch) => self.state = State::Idle(Some(batch)),
                    Err(err) => {
                        // The listing is lost with the job: report it once, then end.
                        self.state = State::Idle(None);
                        let err = with_context(join_error(err), self.path.display());
                        return Poll::Ready(Some(Err(err)));
                    }
                },
            }
        }
    }
}

fn fill(batch: &mut Batch) {
    for _ in 0..BATCH {
        match batch.std.next() {
            Some(Ok(entry)) => batch.entries.push_back(Ok(DirEntry(Arc::new(entry)))),
            Some(Err(err)) => batch.entries.push_back(Err(err)),
            None => {
                batch.done = true;
                return;
            }
        }
    }
}

impl Stream for ReadDir {
    type Item = io::Result<DirEntry>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        crate::task::coop::poll_budgeted(cx, |cx| this.poll_next_entry(cx))
    }
}

impl fmt::Debug for ReadDir {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadDir")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// One entry of a [`ReadDir`] listing.
///
/// ```
/// use futures_util::StreamExt;
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let mut entries = runtime::fs::read_dir("/").await?;
///     let entry = entries.next().await.unwrap()?;
///     assert_eq!(entry.path(), std::path::Path::new("/").join(entry.file_name()));
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
#[derive(Clone)]
pub struct DirEntry(Arc<std::fs::DirEntry>);

impl DirEntry {
    /// The full path (the listed directory joined with [`file_name`](Self::file_name)).
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let entry = runtime::fs::read_dir("/").await?.next_entry().await?.unwrap();
    ///     assert!(entry.path().starts_with("/"));
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn path(&self) -> PathBuf {
        self.0.path()
    }

    /// The entry's bare name.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let entry = runtime::fs::read_dir("/").await?.next_entry().await?.unwrap();
    ///     assert!(!entry.file_name().is_empty());
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn file_name(&self) -> OsString {
        self.0.file_name()
    }

    /// The entry's metadata (not following a symlink), fetched on the blocking pool.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let entry = runtime::fs::read_dir("/").await?.next_entry().await?.unwrap();
    ///     let meta = entry.metadata().await?;
    ///     assert_eq!(meta.is_dir(), entry.file_type().await?.is_dir());
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn metadata(&self) -> io::Result<Metadata> {
        let entry = self.0.clone();
        run(
            move || {
                entry
                    .metadata()
                    .map_err(|err| with_context(err, entry.path().display()))
            },
            Mandatory::No,
        )
        .await
    }

    /// The entry's file type (usually known from the listing itself).
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut entries = runtime::fs::read_dir("/").await?;
    ///     let mut dirs = 0;
    ///     while let Some(entry) = entries.next_entry().await? {
    ///         dirs += entry.file_type().await?.is_dir() as usize;
    ///     }
    ///     assert!(dirs > 0);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn file_type(&self) -> io::Result<FileType> {
        let entry = self.0.clone();
        run(
            move || {
                entry
                    .file_type()
                    .map_err(|err| with_context(err, entry.path().display()))
            },
            Mandatory::No,
        )
        .await
    }
}

impl fmt::Debug for DirEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DirEntry").field(&self.0.path()).finish()
    }
}
