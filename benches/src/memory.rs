//! Memory per idle spawned task and per idle TCP connection (issue 8), measured as the growth
//! of the process's resident set (`/proc/self/statm`) while `count` of them are pending.
//!
//! Each measurement must run in a fresh process so earlier workloads' heap does not hide the
//! growth: `compare` re-executes itself as `compare --memory-child RUNTIME KIND COUNT`, which
//! calls [`measure`] and prints bytes per item.

use crate::Rt;
use crate::workloads::echo::serve_n;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// What [`measure`] fills the runtime with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Spawned tasks, each pending forever on a future that never wakes.
    Task,
    /// Loopback connections: a server task blocked in a 1-byte read per connection, plus the
    /// client stream (held, idle).
    Tcp,
}

impl Kind {
    /// The command-line spelling.
    ///
    /// ```
    /// use benches::memory::Kind;
    /// assert_eq!(Kind::parse(Kind::Tcp.name()), Some(Kind::Tcp));
    /// assert_eq!(Kind::parse("disk"), None);
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Kind::Task => "task",
            Kind::Tcp => "tcp",
        }
    }

    /// Parses [`Kind::name`]'s output.
    pub fn parse(s: &str) -> Option<Kind> {
        [Kind::Task, Kind::Tcp].into_iter().find(|k| k.name() == s)
    }
}

/// Resident set size of this process in bytes, from `/proc/self/statm`.
///
/// # Errors
/// When `/proc` is missing or the file is not in the expected format.
///
/// ```
/// assert!(benches::memory::rss_bytes().unwrap() > 0);
/// ```
pub fn rss_bytes() -> io::Result<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm")?;
    let pages = statm
        .split_whitespace()
        .nth(1)
        .and_then(|f| f.parse::<u64>().ok())
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("unexpected /proc/self/statm: {statm:?}"),
            )
        })?;
    Ok(pages * page_size())
}

fn page_size() -> u64 {
    // SAFETY: sysconf only reads a system constant; it has no preconditions.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    u64::try_from(size).unwrap_or(4096)
}

/// Connections allowed to wait in the listen queue while the clients connect (the smallest
/// default backlog of the three runtimes' listeners is 128, smol's via the std listener).
const BACKLOG_SLACK: u64 = 64;

/// Waits (polling from this non-runtime thread) until `counter` reaches `target`.
fn wait_for(counter: &AtomicU64, target: u64, what: &str) -> io::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while counter.load(Ordering::Acquire) < target {
        if Instant::now() > deadline {
            let got = counter.load(Ordering::Acquire);
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("only {got} of {target} {what} became idle within 60 s"),
            ));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    Ok(())
}

/// Starts `R` with `workers` workers, fills it with `count` idle items of `kind` and returns the
/// RSS growth per item in bytes. The runtime is leaked (the child process exits right after).
///
/// # Errors
/// When the runtime cannot start, `/proc` cannot be read, or the items do not all become idle
/// within a minute.
///
/// ```
/// use benches::{adapters::TokioRt, memory::{Kind, measure}};
/// let per_task = measure::<TokioRt>(1, Kind::Task, 1_000).unwrap();
/// assert!(per_task.is_finite());
/// ```
pub fn measure<R: Rt>(workers: usize, kind: Kind, count: u64) -> io::Result<f64> {
    let rt = R::new(workers)?;
    // Warm-up: threads running, allocator arenas created, before the baseline is taken.
    rt.block_on(rt.spawn_remote(async {
        let hs: Vec<_> = (0..1_000u64).map(|i| R::spawn(async move { i })).collect();
        for h in hs {
            h.await;
        }
    }));
    let before = rss_bytes()?;
    let idle = Arc::new(AtomicU64::new(0));
    match kind {
        Kind::Task => {
            let idle2 = idle.clone();
            // Kept, not dropped: dropping a smol `Task` cancels it.
            let _root = rt.spawn_remote(async move {
                for _ in 0..count {
                    let idle = idle2.clone();
                    R::spawn_detached(async move {
                        idle.fetch_add(1, Ordering::Release);
                        std::future::pending::<()>().await;
                    });
                }
            });
            wait_for(&idle, count, "tasks")?;
        }
        Kind::Tcp => {
            let idle2 = idle.clone();
            let accepted = idle.clone();
            let setup = rt.spawn_remote(async move {
                let listener = R::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await?;
                let addr = R::local_addr(&listener)?;
                let server = serve_n::<R, _, _>(listener, count, move |mut s| {
                    let idle = idle2.clone();
                    async move {
                        idle.fetch_add(1, Ordering::Release);
                        let mut byte = [0u8; 1];
                        // Blocks until the process exits: the clients never write.
                        let _ = R::read(&mut s, &mut byte).await;
                    }
                });
                let mut clients = Vec::with_capacity(count as usize);
                for connected in 1..=count {
                    clients.push(R::connect(addr).await?);
                    // Stay well inside the listen backlog: a full backlog drops SYNs and the
                    // kernel retries after a second, which would dominate the set-up time.
                    while connected > accepted.load(Ordering::Acquire) + BACKLOG_SLACK {
                        R::yield_now().await;
                    }
                }
                server.await;
                Ok::<_, io::Error>(clients)
            });
            let clients = rt.block_on(setup)?;
            wait_for(&idle, count, "connections")?;
            std::mem::forget(clients);
        }
    }
    // Let lazily-touched pages settle (queues, timers) before sampling.
    std::thread::sleep(Duration::from_millis(50));
    let after = rss_bytes()?;
    std::mem::forget(rt);
    Ok((after.saturating_sub(before)) as f64 / count as f64)
}
