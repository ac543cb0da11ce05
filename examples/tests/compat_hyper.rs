//! `runtime::compat::hyper` in process: hyper's HTTP/1 and HTTP/2 clients and servers over
//! `HyperIo` (bodies checked byte for byte), HTTP/2 streams spawned by `Executor`, the
//! header-read timeout driven by `Timer`, `Timer::reset` in place, the read adapter's
//! filled-byte accounting and its rejection of a lying reader, and (with `tokio-io`) that no
//! Tokio runtime is current inside hyper's handlers.

#[path = "../../runtime/tests/support/mod.rs"]
mod support;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::rt::{Read as _, ReadBuf, Timer as _};
use hyper::{Request, Response};
use runtime::compat::hyper::{Executor, HyperIo, Timer};
use runtime::io::AsyncReadExt;
use runtime::net::{TcpListener, TcpStream};
use std::future::poll_fn;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use support::Watchdog;

/// Echoes the body back, prefixed by the path, and counts nothing: a pure function of the
/// request so every response can be predicted.
async fn echo(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let path = req.uri().path().to_owned();
    let body = req.into_body().collect().await?.to_bytes();
    let mut out = path.into_bytes();
    out.extend_from_slice(&body);
    Ok(Response::new(Full::new(Bytes::from(out))))
}

/// Binds a listener and serves every connection with `echo`, HTTP/1 or HTTP/2 by `h2`.
async fn start_server(h2: bool) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    runtime::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            runtime::spawn(async move {
                let io = HyperIo::new(stream);
                let service = hyper::service::service_fn(echo);
                let served = if h2 {
                    hyper::server::conn::http2::Builder::new(Executor::current())
                        .timer(Timer)
                        .serve_connection(io, service)
                        .await
                } else {
                    hyper::server::conn::http1::Builder::new()
                        .timer(Timer)
                        .serve_connection(io, service)
                        .await
                };
                served.expect("server connection failed");
            });
        }
    });
    addr
}

/// A body of `len` bytes whose every byte depends on its position and `seed`.
fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

#[test]
fn http1_round_trips_large_bodies_byte_for_byte() {
    let _dog = Watchdog::new("http1_round_trips", Duration::from_secs(120));
    support::multi(2).block_on(async {
        let addr = start_server(false).await;
        let stream = TcpStream::connect(addr).await.unwrap();
        let (mut sender, conn) = hyper::client::conn::http1::handshake(HyperIo::new(stream))
            .await
            .unwrap();
        let conn = runtime::spawn(conn);
        // Several requests on one keep-alive connection, bodies from empty to 1 MiB (many
        // partial reads and writes on each side).
        for (i, len) in [0usize, 1, 8191, 65_537, 1 << 20].into_iter().enumerate() {
            let body = pattern(len, i as u8);
            let request = Request::post(format!("/r{i}"))
                .header("host", "test")
                .body(Full::new(Bytes::from(body.clone())))
                .unwrap();
            // HTTP/1 carries one request at a time: wait until the previous one is done.
            sender.ready().await.unwrap();
            let response = sender.send_request(request).await.unwrap();
            assert_eq!(response.status(), 200);
            assert_eq!(response.version(), hyper::Version::HTTP_11);
            let got = response.into_body().collect().await.unwrap().to_bytes();
            let mut want = format!("/r{i}").into_bytes();
            want.extend_from_slice(&body);
            assert!(got == want, "request {i}: body of {len} bytes differs");
        }
        drop(sender);
        conn.await.unwrap().unwrap(); // the client connection ends cleanly
    });
}

#[test]
fn http2_serves_concurrent_streams_on_one_connection() {
    let _dog = Watchdog::new("http2_concurrent_streams", Duration::from_secs(120));
    support::multi(2).block_on(async {
        let addr = start_server(true).await;
        let stream = TcpStream::connect(addr).await.unwrap();
        let (sender, conn) =
            hyper::client::conn::http2::handshake(Executor::current(), HyperIo::new(stream))
                .await
                .unwrap();
        runtime::spawn(conn);
        let mut tasks = runtime::task::JoinSet::new();
        for i in 0..64u8 {
            let mut sender = sender.clone();
            tasks.spawn(async move {
                let body = pattern(1000 + usize::from(i) * 517, i);
                let request = Request::post(format!("http://test/s{i}"))
                    .body(Full::new(Bytes::from(body.clone())))
                    .unwrap();
                let response = sender.send_request(request).await.unwrap();
                assert_eq!(response.version(), hyper::Version::HTTP_2);
                let got = response.into_body().collect().await.unwrap().to_bytes();
                let mut want = format!("/s{i}").into_bytes();
                want.extend_from_slice(&body);
                (i, got == want)
            });
        }
        let mut seen = Vec::new();
        while let Some(done) = tasks.join_next().await {
            let (i, same) = done.unwrap();
            assert!(same, "stream {i}: body differs");
            seen.push(i);
        }
        seen.sort_unstable();
        assert_eq!(seen, (0..64).collect::<Vec<u8>>());
    });
}

#[test]
fn header_read_timeout_closes_a_silent_connection() {
    let _dog = Watchdog::new("header_read_timeout", Duration::from_secs(60));
    support::multi(2).block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = runtime::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            hyper::server::conn::http1::Builder::new()
                .timer(Timer)
                .header_read_timeout(Duration::from_millis(200))
                .serve_connection(HyperIo::new(stream), hyper::service::service_fn(echo))
                .await
        });
        let mut client = TcpStream::connect(addr).await.unwrap();
        // Half a request head, then silence: only the timer can end this connection.
        use runtime::io::AsyncWriteExt;
        client
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        let err = server.await.unwrap().unwrap_err();
        assert!(err.is_timeout(), "expected a header timeout, got {err:?}");
        let mut rest = Vec::new();
        client.read_to_end(&mut rest).await.unwrap();
        // hyper answers 408 to a half-read head that timed out, then closes.
        let text = String::from_utf8_lossy(&rest);
        assert!(
            text.is_empty() || text.starts_with("HTTP/1.1 408"),
            "unexpected reply: {text}"
        );
    });
}

#[test]
fn timer_follows_the_paused_clock_and_resets_in_place() {
    let rt = runtime::Builder::new_current_thread()
        .start_paused(true)
        .build()
        .unwrap();
    rt.block_on(async {
        let start = Timer.now();
        assert_eq!(start, runtime::time::Instant::now().into_std());

        // Ours: moved earlier in place.
        let mut sleep = Timer.sleep(Duration::from_secs(3600));
        let before = &*sleep as *const dyn hyper::rt::Sleep as *const ();
        Timer.reset(&mut sleep, start + Duration::from_secs(2));
        let after = &*sleep as *const dyn hyper::rt::Sleep as *const ();
        assert_eq!(before, after, "reset must not allocate a new sleep");
        sleep.await;
        assert_eq!(Timer.now() - start, Duration::from_secs(2));

        // sleep_until on the same clock, then moved later after completing.
        let mut sleep = Timer.sleep_until(start + Duration::from_secs(5));
        (&mut sleep).await;
        assert_eq!(Timer.now() - start, Duration::from_secs(5));
        Timer.reset(&mut sleep, start + Duration::from_secs(9));
        sleep.await;
        assert_eq!(Timer.now() - start, Duration::from_secs(9));
    });
}

/// A reader that fills at most `chunk` bytes per call from `data`, or lies about how much it
/// read when `lie` is set.
struct Source {
    data: Vec<u8>,
    chunk: usize,
    lie: bool,
}

impl runtime::io::AsyncRead for Source {
    fn poll_read(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.lie {
            return Poll::Ready(Ok(buf.len() + 1));
        }
        let n = this.chunk.min(buf.len()).min(this.data.len());
        buf[..n].copy_from_slice(&this.data[..n]);
        this.data.drain(..n);
        Poll::Ready(Ok(n))
    }
}

#[test]
fn read_adapter_marks_exactly_the_bytes_read_as_filled() {
    support::current().block_on(async {
        let mut io = HyperIo::new(Source {
            data: b"hello hyper".to_vec(),
            chunk: 5,
            lie: false,
        });
        let mut storage = [std::mem::MaybeUninit::<u8>::uninit(); 8];
        let mut buf = ReadBuf::uninit(&mut storage);
        poll_fn(|cx| Pin::new(&mut io).poll_read(cx, buf.unfilled()))
            .await
            .unwrap();
        assert_eq!(buf.filled(), b"hello");
        // The second read only has room for 3 more bytes.
        poll_fn(|cx| Pin::new(&mut io).poll_read(cx, buf.unfilled()))
            .await
            .unwrap();
        assert_eq!(buf.filled(), b"hello hy");
        // A full buffer reads nothing and stays as it is.
        poll_fn(|cx| Pin::new(&mut io).poll_read(cx, buf.unfilled()))
            .await
            .unwrap();
        assert_eq!(buf.filled(), b"hello hy");
        assert_eq!(io.get_ref().data, b"per");
    });
}

#[test]
fn read_adapter_rejects_a_reader_claiming_more_than_the_buffer() {
    support::current().block_on(async {
        let mut io = HyperIo::new(Source {
            data: Vec::new(),
            chunk: 0,
            lie: true,
        });
        let mut storage = [0u8; 4];
        let mut buf = ReadBuf::new(&mut storage);
        let err = poll_fn(|cx| Pin::new(&mut io).poll_read(cx, buf.unfilled()))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(err.to_string().contains("5 bytes"), "{err}");
        assert!(buf.filled().is_empty(), "nothing may be marked filled");
    });
}

#[test]
fn executor_from_a_handle_spawns_from_outside_the_runtime() {
    use hyper::rt::Executor as _;
    let rt = support::multi(2);
    let exec = Executor::new(rt.handle().clone());
    let (tx, rx) = std::sync::mpsc::channel();
    for i in 0..10 {
        let tx = tx.clone();
        exec.execute(async move {
            let on_runtime = runtime::Handle::try_current().is_ok();
            tx.send((i, on_runtime)).unwrap();
        });
    }
    let mut got: Vec<_> = (0..10)
        .map(|_| rx.recv_timeout(Duration::from_secs(30)).unwrap())
        .collect();
    got.sort_unstable();
    assert_eq!(got, (0..10).map(|i| (i, true)).collect::<Vec<_>>());
}

/// With Tokio's crate linked (the `tokio-io` feature is on in this crate), hyper's handlers
/// still run on `runtime` with no Tokio runtime current, on HTTP/1 and on HTTP/2 (whose
/// streams run on tasks spawned by `Executor`).
#[test]
fn no_tokio_runtime_inside_handlers() {
    let _dog = Watchdog::new("no_tokio_runtime", Duration::from_secs(60));
    async fn check(
        _req: Request<Incoming>,
    ) -> Result<Response<Full<Bytes>>, std::convert::Infallible> {
        let tokio = match tokio::runtime::Handle::try_current() {
            Ok(_) => "tokio runtime present",
            Err(_) => "no tokio runtime",
        };
        let ours = runtime::Handle::try_current().is_ok();
        Ok(Response::new(Full::new(Bytes::from(format!(
            "{tokio}; runtime current: {ours}"
        )))))
    }
    support::multi(2).block_on(async {
        for h2 in [false, true] {
            let (a, b) = runtime::net::UnixStream::pair().unwrap();
            runtime::spawn(async move {
                let service = hyper::service::service_fn(check);
                if h2 {
                    let _ = hyper::server::conn::http2::Builder::new(Executor::current())
                        .serve_connection(HyperIo::new(a), service)
                        .await;
                } else {
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(HyperIo::new(a), service)
                        .await;
                }
            });
            let request = || {
                Request::get("http://test/")
                    .header("host", "test")
                    .body(Full::new(Bytes::new()))
                    .unwrap()
            };
            let response = if h2 {
                let (mut s, c) =
                    hyper::client::conn::http2::handshake(Executor::current(), HyperIo::new(b))
                        .await
                        .unwrap();
                runtime::spawn(c);
                s.send_request(request()).await.unwrap()
            } else {
                let (mut s, c) = hyper::client::conn::http1::handshake(HyperIo::new(b))
                    .await
                    .unwrap();
                runtime::spawn(c);
                s.send_request(request()).await.unwrap()
            };
            let body = response.into_body().collect().await.unwrap().to_bytes();
            assert_eq!(body, "no tokio runtime; runtime current: true", "h2 = {h2}");
        }
    });
}
