//! hyper 1.x hello world, HTTP/1.1 keep-alive, on `runtime` (through
//! `runtime::compat::hyper::HyperIo`) and on Tokio (through hyper-util's `TokioIo`, the adapter
//! Tokio users run hyper with), shared by `benches/hyper.rs` (in-process client) and the
//! `hyper_wrk` binary (external `wrk` client).
//!
//! The server code is the same hyper `http1::Builder` and service on both; the in-process load
//! comes from [`CONNECTIONS`] keep-alive connections each sending [`REQUESTS_PER_CONNECTION`]
//! sequential GETs (raw bytes, no client library, so the client costs the same on both).
//!
//! ```
//! let (rt, addr) = benches::hyper_hello::on_runtime::start(1);
//! assert_eq!(benches::hyper_hello::on_runtime::batch(&rt, addr), benches::hyper_hello::BATCH);
//! ```

use bytes::Bytes;
use http_body_util::Full;
use std::convert::Infallible;
use std::net::SocketAddr;

/// Concurrent keep-alive connections: wrk's usual `-c50`.
pub const CONNECTIONS: usize = 50;
/// Requests per connection per batch: with 50 connections, 5 000 requests a batch, so the 50
/// connects per batch are about 1% of the work.
pub const REQUESTS_PER_CONNECTION: usize = 100;
/// Requests in one [`on_runtime::batch`] / [`on_tokio::batch`].
pub const BATCH: usize = CONNECTIONS * REQUESTS_PER_CONNECTION;

/// The request every in-process client sends.
pub const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n";
/// The response body.
pub const BODY: &[u8] = b"Hello, world!";

/// The service: answers every request with [`BODY`].
pub async fn hello(
    _req: hyper::Request<hyper::body::Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    Ok(hyper::Response::new(Full::new(Bytes::from_static(BODY))))
}

/// Whether `buf` holds one complete hello response (head, then the 13-byte body last).
fn complete(buf: &[u8]) -> bool {
    buf.ends_with(BODY) && buf.windows(4).any(|w| w == b"\r\n\r\n")
}

/// Where timed stretches of hyper requests spent their time, to tell a run that was slow
/// because each request cost more CPU from one that was slow because the workers sat idle or
/// waited for a CPU (the machine was shared): process CPU time and context switches per request
/// (`getrusage`), and each busy thread's shares of the wall time running, runnable but waiting
/// for a CPU, and sleeping (`/proc/self/task/*/schedstat`). Both runtimes live in one process
/// but only one is loaded at a time, so a stretch's figures are (nearly all) that runtime's.
///
/// Only what happens between [`begin`](Usage::begin) and [`end`](Usage::end) counts, so a
/// harness's own work between stretches (criterion's analysis) is left out.
///
/// ```
/// let mut usage = benches::hyper_hello::Usage::default();
/// usage.begin();
/// usage.end();
/// let line = usage.report(1);
/// assert!(line.contains("us/req"), "{line}");
/// ```
#[derive(Debug, Clone, Default)]
pub struct Usage {
    /// Summed over the ended stretches: user and system CPU (microseconds), voluntary and
    /// involuntary context switches.
    rusage: [f64; 4],
    /// Summed over the ended stretches, per thread.
    threads: Vec<ThreadTimes>,
    /// Summed wall time of the ended stretches, in seconds.
    elapsed: f64,
    /// The longest batch [`note_batch`](Usage::note_batch) was told of.
    slowest: std::time::Duration,
    /// The open stretch's starting snapshot.
    open: Option<([f64; 4], Vec<ThreadTimes>, std::time::Instant)>,
}

/// One thread's (id, name, nanoseconds on a CPU, nanoseconds runnable but waiting for one).
type ThreadTimes = (String, String, f64, f64);

impl Usage {
    /// Starts a stretch.
    pub fn begin(&mut self) {
        self.open = Some((rusage(), thread_times(), std::time::Instant::now()));
    }

    /// Ends the stretch [`begin`](Usage::begin) started and adds it to the totals (nothing if
    /// none is open).
    pub fn end(&mut self) {
        let Some((rusage0, threads0, start)) = self.open.take() else {
            return;
        };
        self.elapsed += start.elapsed().as_secs_f64();
        for (sum, (now, then)) in self.rusage.iter_mut().zip(rusage().iter().zip(rusage0)) {
            *sum += now - then;
        }
        for (id, name, run, wait) in thread_times() {
            let Some((_, _, run0, wait0)) = threads0.iter().find(|t| t.0 == id) else {
                continue;
            };
            match self.threads.iter_mut().find(|t| t.0 == id) {
                Some(sum) => {
                    sum.2 += run - run0;
                    sum.3 += wait - wait0;
                }
                None => self.threads.push((id, name, run - run0, wait - wait0)),
            }
        }
    }

    /// Process CPU time (user plus system) of the ended stretches, in microseconds per request
    /// for `requests` requests: unlike requests/s, barely moved by other processes competing
    /// for the CPUs, so it compares two runtimes on a busy machine.
    pub fn cpu_per_request(&self, requests: u64) -> f64 {
        (self.rusage[0] + self.rusage[1]) / requests.max(1) as f64
    }

    /// Records one batch's duration; the report names the longest (a stall of a second or
    /// more in one batch, such as a dropped SYN's retransmission, shows there).
    pub fn note_batch(&mut self, took: std::time::Duration) {
        self.slowest = self.slowest.max(took);
    }

    /// Two lines describing the ended stretches, which served `requests` requests in all:
    /// req/s, user and system CPU per request, voluntary and involuntary context switches per
    /// request, the slowest batch noted; then each thread that ran more than 1% of the time
    /// with its run / wait / sleep shares.
    pub fn report(&self, requests: u64) -> String {
        let requests = requests.max(1) as f64;
        let per = |i: usize| self.rusage[i] / requests;
        let mut out = format!(
            "  {:>8.0} req/s: user {:.2} us/req, sys {:.2} us/req, vcsw {:.3}/req, ivcsw {:.3}/req, \
             slowest batch {:.1} ms\n   ",
            requests / self.elapsed.max(1e-9),
            per(0),
            per(1),
            per(2),
            per(3),
            self.slowest.as_secs_f64() * 1e3
        );
        let total = self.elapsed.max(1e-9) * 1e9;
        for (_, name, run, wait) in &self.threads {
            let (run, wait) = (run / total, wait / total);
            if run > 0.01 {
                let sleep = (1.0 - run - wait).max(0.0);
                out += &format!(
                    " {name}: run {:.0}% wait {:.0}% sleep {:.0}% |",
                    run * 100.0,
                    wait * 100.0,
                    sleep * 100.0
                );
            }
        }
        out
    }
}

/// Process CPU time (user, system, in microseconds) and context switches (voluntary,
/// involuntary) so far.
fn rusage() -> [f64; 4] {
    let mut ru = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: `getrusage` only writes a `rusage` into the pointer it is given, which points at
    // a zeroed, properly aligned `rusage`; RUSAGE_SELF is always a valid target.
    let ru = unsafe {
        libc::getrusage(libc::RUSAGE_SELF, ru.as_mut_ptr());
        ru.assume_init()
    };
    let micros = |t: libc::timeval| t.tv_sec as f64 * 1e6 + t.tv_usec as f64;
    [
        micros(ru.ru_utime),
        micros(ru.ru_stime),
        ru.ru_nvcsw as f64,
        ru.ru_nivcsw as f64,
    ]
}

/// Per thread of this process, from `/proc/self/task/*/schedstat` (empty where that is
/// missing).
fn thread_times() -> Vec<ThreadTimes> {
    let Ok(dir) = std::fs::read_dir("/proc/self/task") else {
        return Vec::new();
    };
    dir.flatten()
        .filter_map(|task| {
            let path = task.path();
            let name = std::fs::read_to_string(path.join("comm")).ok()?;
            let stat = std::fs::read_to_string(path.join("schedstat")).ok()?;
            let mut fields = stat.split_whitespace().map(|f| f.parse::<f64>().ok());
            let (run, wait) = (fields.next()??, fields.next()??);
            let id = task.file_name().to_string_lossy().into_owned();
            Some((id, name.trim().to_string(), run, wait))
        })
        .collect()
}

/// The server and client on `runtime`.
pub mod on_runtime {
    use super::*;
    use runtime::compat::hyper::HyperIo;
    use runtime::io::{AsyncReadExt, AsyncWriteExt};
    use runtime::net::{TcpListener, TcpStream};

    /// Starts a runtime with `workers` workers serving hello on a loopback port.
    pub fn start(workers: usize) -> (runtime::Runtime, SocketAddr) {
        let rt = runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .build()
            .expect("runtime");
        let addr = rt.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
            let addr = listener.local_addr().expect("addr");
            runtime::spawn(async move {
                while let Ok((stream, _)) = listener.accept().await {
                    let _ = stream.set_nodelay(true);
                    runtime::spawn(async move {
                        let _ = hyper::server::conn::http1::Builder::new()
                            .serve_connection(
                                HyperIo::new(stream),
                                hyper::service::service_fn(hello),
                            )
                            .await;
                    });
                }
            });
            addr
        });
        (rt, addr)
    }

    async fn client(addr: SocketAddr) -> usize {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        let (mut buf, mut chunk, mut ok) = (Vec::new(), [0u8; 1024], 0);
        for _ in 0..REQUESTS_PER_CONNECTION {
            stream.write_all(REQUEST).await.expect("write");
            buf.clear();
            while !complete(&buf) {
                let n = stream.read(&mut chunk).await.expect("read");
                assert!(n > 0, "server closed the connection");
                buf.extend_from_slice(&chunk[..n]);
            }
            ok += usize::from(buf.starts_with(b"HTTP/1.1 200 OK"));
        }
        ok
    }

    /// One batch; returns how many requests got 200.
    pub fn batch(rt: &runtime::Runtime, addr: SocketAddr) -> usize {
        rt.block_on(async {
            let tasks: Vec<_> = (0..CONNECTIONS)
                .map(|_| runtime::spawn(client(addr)))
                .collect();
            let mut ok = 0;
            for task in tasks {
                ok += task.await.expect("client task");
            }
            ok
        })
    }
}

/// The server and client on Tokio.
pub mod on_tokio {
    use super::*;
    use hyper_util::rt::TokioIo;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    /// Starts a Tokio runtime with `workers` workers serving hello on a loopback port.
    pub fn start(workers: usize) -> (tokio::runtime::Runtime, SocketAddr) {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .enable_all()
            .build()
            .expect("tokio");
        let addr = rt.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
            let addr = listener.local_addr().expect("addr");
            tokio::spawn(async move {
                while let Ok((stream, _)) = listener.accept().await {
                    let _ = stream.set_nodelay(true);
                    tokio::spawn(async move {
                        let _ = hyper::server::conn::http1::Builder::new()
                            .serve_connection(
                                TokioIo::new(stream),
                                hyper::service::service_fn(hello),
                            )
                            .await;
                    });
                }
            });
            addr
        });
        (rt, addr)
    }

    async fn client(addr: SocketAddr) -> usize {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        let (mut buf, mut chunk, mut ok) = (Vec::new(), [0u8; 1024], 0);
        for _ in 0..REQUESTS_PER_CONNECTION {
            stream.write_all(REQUEST).await.expect("write");
            buf.clear();
            while !complete(&buf) {
                let n = stream.read(&mut chunk).await.expect("read");
                assert!(n > 0, "server closed the connection");
                buf.extend_from_slice(&chunk[..n]);
            }
            ok += usize::from(buf.starts_with(b"HTTP/1.1 200 OK"));
        }
        ok
    }

    /// One batch; returns how many requests got 200.
    pub fn batch(rt: &tokio::runtime::Runtime, addr: SocketAddr) -> usize {
        rt.block_on(async {
            let tasks: Vec<_> = (0..CONNECTIONS)
                .map(|_| tokio::spawn(client(addr)))
                .collect();
            let mut ok = 0;
            for task in tasks {
                ok += task.await.expect("client task");
            }
            ok
        })
    }
}
