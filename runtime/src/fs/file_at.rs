//! Positional I/O on a [`File`]: [`File::read_at`] and [`File::write_at`], the async forms of
//! `std::os::unix::fs::FileExt`'s methods. They take `&self`, so many tasks can read one
//! file at once (share it in an `Arc`); the file position is neither used nor moved.
//!
//! With the runtime's io_uring (feature `io-uring`) each call is one ring operation through
//! a runtime-owned buffer; otherwise one blocking-pool hop.

use super::file::File;
use crate::blocking::Mandatory;
use crate::io::blocking::run;
use std::io;
use std::os::unix::fs::FileExt;

impl File {
    /// Reads up to `buf.len()` bytes starting at byte `offset` of the file; returns how many
    /// (`0` at or past the end). Does not wait for this `File`'s buffered writes: flush first
    /// if they must be visible.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let path = std::env::temp_dir().join(format!("rt-doc-read-at-{}", std::process::id()));
    ///     runtime::fs::write(&path, "0123456789").await?;
    ///     let file = runtime::fs::File::open(&path).await?;
    ///     let mut four = [0u8; 4];
    ///     assert_eq!(file.read_at(&mut four, 3).await?, 4);
    ///     assert_eq!(&four, b"3456");
    ///     assert_eq!(file.read_at(&mut four, 10).await?, 0);
    ///     runtime::fs::remove_file(&path).await?;
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        #[cfg(all(feature = "io-uring", target_os = "linux"))]
        if let Some(ring) = super::uring::ring() {
            return super::uring::read_at(ring, &self.std, buf, offset).await;
        }
        let std = self.std.clone();
        let len = buf.len();
        let data = run(
            move || {
                let mut data = vec![0u8; len];
                let n = std.read_at(&mut data, offset)?;
                data.truncate(n);
                Ok(data)
            },
            Mandatory::No,
        )
        .await?;
        buf[..data.len()].copy_from_slice(&data);
        Ok(data.len())
    }

    /// Writes up to `buf.len()` bytes at byte `offset` of the file; returns how many (a short
    /// count is possible, as for `pwrite`). On Linux a file opened with `append` ignores
    /// `offset` and writes at the end. Does not wait for this `File`'s buffered writes.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let path = std::env::temp_dir().join(format!("rt-doc-write-at-{}", std::process::id()));
    ///     runtime::fs::write(&path, "0123456789").await?;
    ///     let file = runtime::fs::File::options().write(true).open(&path).await?;
    ///     assert_eq!(file.write_at(b"ab", 4).await?, 2);
    ///     assert_eq!(runtime::fs::read(&path).await?, b"0123ab6789");
    ///     runtime::fs::remove_file(&path).await?;
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn write_at(&self, buf: &[u8], offset: u64) -> io::Result<usize> {
        #[cfg(all(feature = "io-uring", target_os = "linux"))]
        if let Some(ring) = super::uring::ring() {
            return super::uring::write_at(ring, &self.std, buf, offset).await;
        }
        let std = self.std.clone();
        let data = buf.to_vec();
        run(move || std.write_at(&data, offset), Mandatory::Yes).await
    }
}
