//! [`OpenOptions`]: how to open a [`File`](super::File) (std's builder, opened on the blocking
//! pool).

use super::File;
use super::ops::with_path;
use crate::blocking::Mandatory;
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// Options for opening a file, mirroring [`std::fs::OpenOptions`].
///
/// ```
/// use runtime::fs::OpenOptions;
/// use runtime::io::AsyncWriteExt;
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let path = std::env::temp_dir().join(format!("rt-doc-oo-{}", std::process::id()));
///     let mut log = OpenOptions::new().append(true).create(true).open(&path).await?;
///     log.write_all(b"line\n").await?;
///     log.flush().await?;
///     let err = OpenOptions::new().write(true).create_new(true).open(&path).await.unwrap_err();
///     assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
///     runtime::fs::remove_file(&path).await?;
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
#[derive(Clone, Debug)]
pub struct OpenOptions(std::fs::OpenOptions);

impl OpenOptions {
    /// All options off.
    ///
    /// ```
    /// let _options = runtime::fs::OpenOptions::new();
    /// ```
    pub fn new() -> OpenOptions {
        OpenOptions(std::fs::OpenOptions::new())
    }

    /// Open for reading.
    ///
    /// ```
    /// let _options = runtime::fs::OpenOptions::new().read(true);
    /// ```
    pub fn read(&mut self, read: bool) -> &mut OpenOptions {
        self.0.read(read);
        self
    }

    /// Open for writing.
    ///
    /// ```
    /// let _options = runtime::fs::OpenOptions::new().write(true);
    /// ```
    pub fn write(&mut self, write: bool) -> &mut OpenOptions {
        self.0.write(write);
        self
    }

    /// Every write goes to the end of the file.
    ///
    /// ```
    /// let _options = runtime::fs::OpenOptions::new().append(true);
    /// ```
    pub fn append(&mut self, append: bool) -> &mut OpenOptions {
        self.0.append(append);
        self
    }

    /// Truncate to zero length on open (needs `write`).
    ///
    /// ```
    /// let _options = runtime::fs::OpenOptions::new().write(true).truncate(true);
    /// ```
    pub fn truncate(&mut self, truncate: bool) -> &mut OpenOptions {
        self.0.truncate(truncate);
        self
    }

    /// Create the file if it does not exist (needs `write` or `append`).
    ///
    /// ```
    /// let _options = runtime::fs::OpenOptions::new().write(true).create(true);
    /// ```
    pub fn create(&mut self, create: bool) -> &mut OpenOptions {
        self.0.create(create);
        self
    }

    /// Create the file, failing with `AlreadyExists` if it exists.
    ///
    /// ```
    /// let _options = runtime::fs::OpenOptions::new().write(true).create_new(true);
    /// ```
    pub fn create_new(&mut self, create_new: bool) -> &mut OpenOptions {
        self.0.create_new(create_new);
        self
    }

    /// The permission bits a newly created file gets (before the umask).
    ///
    /// ```
    /// let _options = runtime::fs::OpenOptions::new().write(true).create(true).mode(0o600);
    /// ```
    pub fn mode(&mut self, mode: u32) -> &mut OpenOptions {
        self.0.mode(mode);
        self
    }

    /// Opens `path` with these options; errors name the path.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let file = runtime::fs::OpenOptions::new().read(true).open("/proc/self/stat").await?;
    ///     assert!(file.metadata().await?.is_file());
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn open(&self, path: impl AsRef<Path>) -> io::Result<File> {
        let options = self.0.clone();
        let file = with_path(path.as_ref(), Mandatory::No, move |p| options.open(p)).await?;
        Ok(File::from_std(file))
    }
}

impl Default for OpenOptions {
    fn default() -> OpenOptions {
        OpenOptions::new()
    }
}
