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
