//! `task::Builder`: spawn a task with a name (shown by task dumps and `task::name()`).

use super::JoinHandle;
use super::spawn::{spawn_blocking_on, spawn_on};
use crate::blocking::Mandatory;
use crate::engine::{self, Meta};
use std::future::Future;
use std::io;
use std::panic::Location;

/// Configures a task before spawning it: today, its name.
///
/// The name appears in task dumps ([`Handle::dump`](crate::Handle::dump)) and inside the task
/// through [`name`](super::name). Unlike [`spawn`](crate::spawn), the `spawn*` methods return
/// an error instead of panicking when there is no runtime. Every spawn records the caller's
/// source location, as [`spawn`](crate::spawn) does.
///
/// ```
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let task = runtime::task::Builder::new()
///         .name("conn 10.0.0.7")
///         .spawn(async { runtime::task::name() })?;
///     assert_eq!(task.await.unwrap().as_deref(), Some("conn 10.0.0.7"));
///     # Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
#[derive(Debug, Default, Clone, Copy)]
#[must_use = "a Builder does nothing until one of its spawn methods is called"]
pub struct Builder<'a> {
    name: Option<&'a str>,
}

impl<'a> Builder<'a> {
    /// A builder for an unnamed task.
    ///
    /// ```
    /// let builder = runtime::task::Builder::new();
    /// # let _ = builder;
    /// ```
    pub fn new() -> Builder<'a> {
        Builder { name: None }
    }

    /// Names the task. The name is copied once, at spawn.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// let task = runtime::task::Builder::new()
    ///     .name("ticker")
    ///     .spawn_on(async { runtime::task::name() }, rt.handle())
    ///     .unwrap();
    /// assert_eq!(rt.block_on(task).unwrap().as_deref(), Some("ticker"));
    /// ```
    pub fn name(self, name: &'a str) -> Builder<'a> {
        Builder { name: Some(name) }
    }

    /// Spawns `future` on the current runtime (see [`crate::spawn`]).
    ///
    /// # Errors
    /// An [`io::ErrorKind::Other`] error saying so when there is no current runtime (where
    /// [`crate::spawn`] panics). A runtime that is shutting down accepts the spawn and the
    /// handle resolves to a cancelled [`JoinError`](super::JoinError), as with `spawn`.
    ///
    /// ```
    /// let err = runtime::task::Builder::new().name("orphan").spawn(async {}).unwrap_err();
    /// assert!(err.to_string().contains("no runtime"), "{err}");
    /// ```
    #[track_caller]
    pub fn spawn<F>(self, future: F) -> io::Result<JoinHandle<F::Output>>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let meta = self.meta(Location::caller());
        match engine::with_current(|handle| handle.cloned()) {
            Some(handle) => Ok(spawn_on(&handle, future, meta)),
            None => Err(no_runtime("spawn")),
        }
    }

    /// Spawns `future` on the runtime behind `handle`, from any thread.
    ///
    /// # Errors
    /// None today; the `Result` keeps Tokio's signature.
    ///
    /// ```
    /// let rt = runtime::Runtime::new().unwrap();
    /// let task = runtime::task::Builder::new()
    ///     .name("on handle")
    ///     .spawn_on(async { 7 }, rt.handle())
    ///     .unwrap();
    /// assert_eq!(rt.block_on(task).unwrap(), 7);
    /// ```
    #[track_caller]
    pub fn spawn_on<F>(self, future: F, handle: &crate::Handle) -> io::Result<JoinHandle<F::Output>>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let meta = self.meta(Location::caller());
        Ok(spawn_on(&handle.inner, future, meta))
    }

    /// Runs `f` on the current runtime's blocking pool (see
    /// [`spawn_blocking`](super::spawn_blocking)); inside `f`, [`name`](super::name) answers
    /// this builder's name.
    ///
    /// # Errors
    /// As [`Builder::spawn`]: an error when there is no current runtime.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let task = runtime::task::Builder::new()
    ///         .name("hash files")
    ///         .spawn_blocking(runtime::task::name)
    ///         .unwrap();
    ///     assert_eq!(task.await.unwrap().as_deref(), Some("hash files"));
    /// });
    /// ```
    #[track_caller]
    pub fn spawn_blocking<F, R>(self, f: F) -> io::Result<JoinHandle<R>>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let meta = self.meta(Location::caller());
        engine::with_current(|handle| {
            handle.map(|handle| spawn_blocking_on(handle, f, Mandatory::No, meta))
        })
        .ok_or_else(|| no_runtime("spawn_blocking"))
    }

    /// Runs `f` on the blocking pool of the runtime behind `handle`.
    ///
    /// # Errors
    /// None today; the `Result` keeps Tokio's signature.
    ///
    /// ```
    /// let rt = runtime::Runtime::new().unwrap();
    /// let task = runtime::task::Builder::new()
    ///     .spawn_blocking_on(|| 2 + 3, rt.handle())
    ///     .unwrap();
    /// assert_eq!(rt.block_on(task).unwrap(), 5);
    /// ```
    #[track_caller]
    pub fn spawn_blocking_on<F, R>(self, f: F, handle: &crate::Handle) -> io::Result<JoinHandle<R>>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let meta = self.meta(Location::caller());
        Ok(spawn_blocking_on(&handle.inner, f, Mandatory::No, meta))
    }

    /// Spawns a named `!Send` task into the current [`LocalSet`](super::LocalSet) or
    /// [`LocalRuntime`](crate::LocalRuntime) (see [`spawn_local`](super::spawn_local)).
    ///
    /// # Errors
    /// Outside a `LocalSet` or `LocalRuntime` (where [`spawn_local`](super::spawn_local)
    /// panics); the future is dropped.
    ///
    /// ```
    /// let rt = runtime::Builder::new_current_thread()
    ///     .build_local(runtime::LocalOptions::default())
    ///     .unwrap();
    /// rt.block_on(async {
    ///     let task = runtime::task::Builder::new()
    ///         .name("cache")
    ///         .spawn_local(async { std::rc::Rc::new(runtime::task::name().unwrap()) })
    ///         .unwrap();
    ///     assert_eq!(*task.await.unwrap(), "cache");
    /// });
    /// assert!(runtime::task::Builder::new().spawn_local(async {}).is_err());
    /// ```
    #[track_caller]
    pub fn spawn_local<F>(self, future: F) -> io::Result<JoinHandle<F::Output>>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let meta = self.meta(Location::caller());
        super::local::spawn_local_with(future, meta).map_err(|future| {
            drop(future);
            io::Error::other(
                "no local set: task::Builder::spawn_local must be called inside a LocalSet or a \
                 LocalRuntime, or use spawn_local_on with a LocalSet",
            )
        })
    }

    /// Spawns a named `!Send` task into `local_set` (see [`LocalSet::spawn_local`](
    /// super::LocalSet::spawn_local)). Never fails; a `Result` as Tokio's.
    ///
    /// ```
    /// let rt = runtime::Builder::new_current_thread().build().unwrap();
    /// let local = runtime::task::LocalSet::new();
    /// let task = runtime::task::Builder::new()
    ///     .name("on the set")
    ///     .spawn_local_on(async { runtime::task::name().map(String::from) }, &local)
    ///     .unwrap();
    /// assert_eq!(local.block_on(&rt, task).unwrap().as_deref(), Some("on the set"));
    /// ```
    #[track_caller]
    pub fn spawn_local_on<F>(
        self,
        future: F,
        local_set: &super::LocalSet,
    ) -> io::Result<JoinHandle<F::Output>>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let meta = self.meta(Location::caller());
        Ok(local_set.spawn_local_with(future, meta))
    }

    fn meta(&self, at: &'static Location<'static>) -> Meta {
        Meta::named(at, self.name)
    }
}

fn no_runtime(what: &str) -> io::Error {
    io::Error::other(format!(
        "no runtime: task::Builder::{what} must be called from the context of a runtime \
         (inside block_on, a task, or after Runtime::enter), or use the `_on` variant with a \
         Handle"
    ))
}
