//! [`File`]'s bridges to `std` and its handle-level methods: [`File::rewind`],
//! [`File::try_clone`], [`File::into_std`] (waits for the operation in flight),
//! [`File::try_into_std`] (refuses while one is in flight), [`File::set_max_buf_size`],
//! `From<std::fs::File>`, and the Unix descriptor traits.
//!
//! Handing the descriptor to `std` must leave it where the caller's reads left it: unread
//! read-ahead bytes are dropped and the OS position moved back by their count first (the
//! rule `file.rs` follows before every write and seek).

use super::file::{File, State};
use crate::blocking::Mandatory;
use crate::io::blocking::run_fs as run;
use crate::loom::sync::Arc;
use std::io::{self, Seek, SeekFrom};
use std::time::Duration;

impl File {
    /// Moves the position back to the start of the file (waiting for buffered writes).
    ///
    /// ```
    /// use runtime::io::{AsyncReadExt, AsyncWriteExt};
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let path = std::env::temp_dir().join(format!("rt-doc-rewind-{}", std::process::id()));
    ///     let mut file = runtime::fs::File::options()
    ///         .read(true).write(true).create(true).truncate(true).open(&path).await?;
    ///     file.write_all(b"again").await?;
    ///     file.rewind().await?;
    ///     let mut text = String::new();
    ///     file.read_to_string(&mut text).await?;
    ///     assert_eq!(text, "again");
    ///     runtime::fs::remove_file(&path).await?;
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn rewind(&mut self) -> io::Result<()> {
        futures_util::AsyncSeekExt::seek(self, SeekFrom::Start(0))
            .await
            .map(drop)
    }

    /// A new `File` on a duplicate of the same descriptor (`dup`): both share the OS file
    /// position, so a read, write or seek through one moves the other.
    ///
    /// As Tokio's, it clones the descriptor as it is now: bytes this `File` has read ahead
    /// but not handed out, and writes still in flight, are not accounted for. Flush first
    /// (and avoid interleaving reads through both) when positions matter. The clone keeps
    /// this file's [maximum buffer size](Self::set_max_buf_size).
    ///
    /// ```
    /// use runtime::io::{AsyncReadExt, AsyncWriteExt};
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let path = std::env::temp_dir().join(format!("rt-doc-clone-{}", std::process::id()));
    ///     let mut file = runtime::fs::File::create(&path).await?;
    ///     let mut other = file.try_clone().await?;
    ///     file.write_all(b"one ").await?;
    ///     file.flush().await?;
    ///     other.write_all(b"two").await?; // continues at the shared position
    ///     other.flush().await?;
    ///     assert_eq!(runtime::fs::read(&path).await?, b"one two");
    ///     runtime::fs::remove_file(&path).await?;
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn try_clone(&self) -> io::Result<File> {
        let std = self.std.clone();
        let cloned = run(move || std.try_clone(), Mandatory::No).await?;
        let mut file = File::from_std(cloned);
        file.max_buf = self.max_buf;
        Ok(file)
    }

    /// The `std` file, once the operation in flight (if any) has finished.
    ///
    /// Unread read-ahead bytes are given back (the OS position moves back to where the
    /// caller's reads stopped). A write still in flight completes first, but its error, if
    /// any, is lost: [`flush`](crate::io::AsyncWriteExt::flush) first to see it. If a
    /// cancelled `metadata`/`sync_all`/`set_len` call left a blocking job holding the file,
    /// this waits for that job too.
    ///
    /// ```
    /// use runtime::io::AsyncReadExt;
    /// use std::io::Read;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let path = std::env::temp_dir().join(format!("rt-doc-into-std-{}", std::process::id()));
    ///     runtime::fs::write(&path, "abcdef").await?;
    ///     let mut file = runtime::fs::File::open(&path).await?;
    ///     let mut two = [0u8; 2];
    ///     file.read_exact(&mut two).await?; // reads ahead past "ab"
    ///     let mut std_file = file.into_std().await;
    ///     let mut rest = String::new();
    ///     std_file.read_to_string(&mut rest)?;
    ///     assert_eq!(rest, "cdef");
    ///     runtime::fs::remove_file(&path).await?;
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn into_std(mut self) -> std::fs::File {
        // Completes at once for an idle file: still one budgeted operation.
        crate::task::coop::consume_budget().await;
        // The job in flight reports its result to nobody (documented above).
        let _ = std::future::poll_fn(|cx| self.poll_flush_priv(cx)).await;
        let back = self.idle_buf().discard_read();
        if back != 0 {
            let std = self.std.clone();
            // A failed seek back leaves the position after the read-ahead bytes; there is no
            // error to return it in, as for Tokio's (which never seeks back).
            let _ = run(
                move || (&*std).seek(SeekFrom::Current(back)),
                Mandatory::Yes,
            )
            .await;
        }
        let mut std = self.into_shared();
        loop {
            match Arc::try_unwrap(std) {
                Ok(file) => return file,
                // A blocking job of a cancelled call still holds the file; it ends soon.
                Err(shared) => {
                    std = shared;
                    crate::time::sleep(Duration::from_millis(1)).await;
                }
            }
        }
    }

    /// The `std` file now, or `Err(self)` if an operation is in flight (a read, a buffered
    /// write, a seek, the blocking job of a cancelled call, or with the io_uring the read of
    /// the next chunk a sequential reader of big chunks gets ahead); nothing is lost either
    /// way, and after a [`flush`](crate::io::AsyncWriteExt::flush) nothing is in flight.
    ///
    /// Unread read-ahead bytes are given back first: one `lseek` on this thread (it only
    /// moves the descriptor's position, no I/O).
    ///
    /// ```
    /// use runtime::io::AsyncWriteExt;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let path = std::env::temp_dir().join(format!("rt-doc-try-std-{}", std::process::id()));
    ///     let mut file = runtime::fs::File::create(&path).await?;
    ///     file.write_all(b"x").await?; // the write runs in the background
    ///     let mut file = match file.try_into_std() {
    ///         Ok(_) => unreachable!("a write is in flight"),
    ///         Err(file) => file,
    ///     };
    ///     file.flush().await?;
    ///     let std_file = file.try_into_std().expect("idle now");
    ///     assert_eq!(std_file.metadata()?.len(), 1);
    ///     runtime::fs::remove_file(&path).await?;
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn try_into_std(mut self) -> Result<std::fs::File, File> {
        if matches!(self.state, State::Busy(_)) || Arc::strong_count(&self.std) != 1 {
            return Err(self);
        }
        let back = self.idle_buf().discard_read();
        if back != 0 {
            // Only moves the descriptor's offset (see above); a failure leaves it after the
            // read-ahead bytes, with no error to return it in.
            let _ = (&*self.std).seek(SeekFrom::Current(back));
        }
        let std = self.into_shared();
        // The count was 1 above and only this `File` (now consumed) could clone it.
        Ok(Arc::try_unwrap(std).expect("the file is no longer shared"))
    }

    /// Sets the largest number of bytes one blocking read or write moves (default 2 MiB,
    /// as Tokio's): a `write` of more returns the count it took, a read-ahead never
    /// exceeds it. Smaller means less memory per file and shorter blocking jobs; larger
    /// means fewer thread hops for big transfers. `0` is taken as `1` (a zero-byte limit
    /// would make every read look like the end of the file).
    ///
    /// ```
    /// use runtime::io::AsyncWriteExt;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let path = std::env::temp_dir().join(format!("rt-doc-maxbuf-{}", std::process::id()));
    ///     let mut file = runtime::fs::File::create(&path).await?;
    ///     file.set_max_buf_size(4);
    ///     assert_eq!(file.write(b"0123456789").await?, 4);
    ///     file.flush().await?;
    ///     runtime::fs::remove_file(&path).await?;
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn set_max_buf_size(&mut self, max_buf_size: usize) {
        self.max_buf = max_buf_size.max(1);
    }

    /// Takes the shared `std` file out of a `File` that has no operation in flight.
    fn into_shared(self) -> Arc<std::fs::File> {
        let File { std, .. } = self;
        std
    }
}

impl From<std::fs::File> for File {
    /// Same as [`File::from_std`].
    ///
    /// ```
    /// let std_file = std::fs::File::open("/proc/self/stat").unwrap();
    /// let file: runtime::fs::File = std_file.into();
    /// # drop(file);
    /// ```
    fn from(file: std::fs::File) -> File {
        File::from_std(file)
    }
}

#[cfg(unix)]
mod unix {
    use super::File;
    use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, RawFd};

    /// The descriptor, borrowed (for `fstat`, `flock`, ...). Operations through it bypass
    /// the `File`'s buffering: flush first.
    ///
    /// ```
    /// use std::os::fd::AsRawFd;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let file = runtime::fs::File::open("/proc/self/stat").await.unwrap();
    ///     assert!(file.as_raw_fd() >= 0);
    /// });
    /// ```
    impl AsRawFd for File {
        fn as_raw_fd(&self) -> RawFd {
            self.std.as_raw_fd()
        }
    }

    /// The descriptor as a [`BorrowedFd`] tied to the `File`'s lifetime.
    ///
    /// ```
    /// use std::os::fd::AsFd;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let file = runtime::fs::File::open("/proc/self/stat").await.unwrap();
    ///     let dup = file.as_fd().try_clone_to_owned().unwrap();
    ///     assert_eq!(std::fs::File::from(dup).metadata().unwrap().is_file(), true);
    /// });
    /// ```
    impl AsFd for File {
        fn as_fd(&self) -> BorrowedFd<'_> {
            self.std.as_fd()
        }
    }

    /// Takes ownership of an open descriptor.
    ///
    /// ```
    /// use std::os::fd::{FromRawFd, IntoRawFd};
    /// let fd = std::fs::File::open("/proc/self/stat").unwrap().into_raw_fd();
    /// // SAFETY: `fd` is an open file descriptor this code owns and hands over.
    /// let file = unsafe { runtime::fs::File::from_raw_fd(fd) };
    /// # drop(file);
    /// ```
    impl FromRawFd for File {
        /// # Safety
        /// `fd` must be an open descriptor that the caller owns and hands over (the
        /// contract of [`std::fs::File::from_raw_fd`]).
        unsafe fn from_raw_fd(fd: RawFd) -> File {
            // SAFETY: the caller upholds `from_raw_fd`'s contract, which is std's.
            File::from_std(unsafe { std::fs::File::from_raw_fd(fd) })
        }
    }
}
