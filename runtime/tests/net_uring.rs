//! `TcpStream` through the io_uring (`Builder::io_uring_sockets`, feature `io-uring`): exact
//! bytes across sizes, large and vectored writes, write-behind that lands after the stream is
//! dropped or shut down, end-of-file and reset, dropped reads (of the future and of the stream)
//! with a `recv` in flight, the readiness API next to a ring read, and runtime shutdown with
//! recvs in flight; on both flavors.
//!
//! Run: `cargo test -p runtime --features io-uring --test net_uring` (`--release` for the full
//! stress count; `RT_URING_STRESS_ITERS=N` sets it). Without the feature (or with
//! `RUNTIME_IO_URING=0`) the same tests run the readiness path, which must give the same
//! results.

mod support;

use runtime::io::{AsyncReadExt, AsyncWriteExt};
use runtime::net::{TcpListener, TcpStream};
use std::future::Future;
use std::io::{self, IoSlice, Read, Write};
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;
use support::Watchdog;

/// Whether a runtime built with `io_uring_sockets(true)` should read and write through a ring
/// (as `fs_uring`'s `ring_expected`).
fn ring_expected() -> bool {
    cfg!(all(feature = "io-uring", target_os = "linux"))
        && std::env::var_os("RUNTIME_IO_URING").is_none_or(|v| v != "0")
        && std::fs::read_to_string("/proc/sys/kernel/io_uring_disabled")
            .map_or(true, |v| v.trim() == "0")
}

fn runtime(multi: bool) -> runtime::Runtime {
    let mut builder = if multi {
        let mut b = runtime::Builder::new_multi_thread();
        b.worker_threads(2);
        b
    } else {
        runtime::Builder::new_current_thread()
    };
    builder.io_uring_sockets(true).build().unwrap()
}

/// Bytes that differ at every offset within a 251-byte cycle (prime: no 4 KiB block repeats).
fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| ((i % 251) as u8).wrapping_add(seed))
        .collect()
}

/// A connected pair on the current runtime: (client, server).
async fn pair() -> io::Result<(TcpStream, TcpStream)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let client = TcpStream::connect(listener.local_addr()?).await?;
    let (server, _) = listener.accept().await?;
    Ok((client, server))
}

/// Waits (bounded) until the ring has nothing of this runtime's left in flight.
fn assert_ring_drains(rt: &runtime::Runtime, what: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let left = rt.handle().io_uring_in_flight();
        if left == 0 {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{what}: {left} ring operations still in flight after 20 s"
        );
        rt.block_on(runtime::time::sleep(Duration::from_millis(5)));
    }
}

#[test]
fn a_pending_read_is_a_ring_recv_only_when_the_builder_asks_for_ring_sockets() {
    let _dog = Watchdog::new("ring sockets switch", Duration::from_secs(60));
    for multi in [false, true] {
        for sockets in [false, true] {
            let mut builder = if multi {
                runtime::Builder::new_multi_thread()
            } else {
                runtime::Builder::new_current_thread()
            };
            let rt = builder.io_uring_sockets(sockets).build().unwrap();
            let in_flight = rt.block_on(async {
                let (mut client, _server) = pair().await.unwrap();
                let mut buf = [0; 8];
                assert!(!support::poll_once_and_drop(client.read(&mut buf)).await);
                // Give a deferred submission its driver turn.
                runtime::time::sleep(Duration::from_millis(20)).await;
                runtime::Handle::current().io_uring_in_flight()
            });
            let want = usize::from(sockets && ring_expected());
            assert_eq!(in_flight, want, "multi = {multi}, sockets = {sockets}");
            assert_ring_drains(&rt, "after the streams were dropped");
        }
    }
}

fn echo_exact_bytes(multi: bool) {
    let _dog = Watchdog::new("echo sizes", Duration::from_secs(120));
    let rt = runtime(multi);
    rt.block_on(async {
        let (mut client, server) = pair().await.unwrap();
        // The server echoes with small reads, so bytes wait in its read-ahead buffer.
        let echo = runtime::spawn(async move {
            let mut server = server;
            let mut buf = [0u8; 100];
            let mut total = 0u64;
            loop {
                let n = server.read(&mut buf).await.unwrap();
                if n == 0 {
                    server.close().await.unwrap();
                    return total;
                }
                total += n as u64;
                server.write_all(&buf[..n]).await.unwrap();
            }
        });
        let mut sent = 0u64;
        for (i, size) in [1, 63, 64, 100, 4095, 4096, 4097, 65_535, 65_536, 300_000]
            .into_iter()
            .enumerate()
        {
            let msg = pattern(size, i as u8);
            let (mut rd, mut wr) = TcpStream::split(&mut client);
            let reader = async {
                let mut back = vec![0u8; size];
                rd.read_exact(&mut back).await.map(|()| back)
            };
            let writer = async { wr.write_all(&msg).await };
            let (back, wrote) = futures_join(reader, writer).await;
            wrote.unwrap();
            assert!(back.unwrap() == msg, "size {size}: echoed bytes differ");
            sent += size as u64;
        }
        client.close().await.unwrap();
        let mut rest = Vec::new();
        assert_eq!(client.read_to_end(&mut rest).await.unwrap(), 0);
        assert_eq!(echo.await.unwrap(), sent);
    });
    assert_ring_drains(&rt, "echo");
}

/// Both futures to completion on this task (a minimal join: no extra dependency).
async fn futures_join<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let mut a = pin!(a);
    let mut b = pin!(b);
    let (mut ra, mut rb) = (None, None);
    std::future::poll_fn(|cx| {
        if ra.is_none()
            && let Poll::Ready(v) = a.as_mut().poll(cx)
        {
            ra = Some(v);
        }
        if rb.is_none()
            && let Poll::Ready(v) = b.as_mut().poll(cx)
        {
            rb = Some(v);
        }
        if ra.is_some() && rb.is_some() {
            Poll::Ready((ra.take().unwrap(), rb.take().unwrap()))
        } else {
            Poll::Pending
        }
    })
    .await
}

#[test]
fn echo_returns_the_exact_bytes_for_every_size_current_thread() {
    echo_exact_bytes(false);
}

#[test]
fn echo_returns_the_exact_bytes_for_every_size_multi_thread() {
    echo_exact_bytes(true);
}

/// A std peer thread that reads everything until end-of-file and returns it.
fn std_reader() -> (std::net::SocketAddr, std::thread::JoinHandle<Vec<u8>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let thread = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let mut all = Vec::new();
        conn.read_to_end(&mut all).unwrap();
        all
    });
    (addr, thread)
}

#[test]
fn large_and_vectored_writes_then_dropping_the_stream_deliver_every_byte_in_order() {
    let _dog = Watchdog::new("write then drop", Duration::from_secs(120));
    for multi in [false, true] {
        let rt = runtime(multi);
        let (addr, peer) = std_reader();
        let big = pattern(8 << 20, 7);
        rt.block_on(async {
            let mut stream = TcpStream::connect(addr).await.unwrap();
            stream.write_all(&big).await.unwrap();
            let n = stream
                .write_vectored(&[IoSlice::new(b""), IoSlice::new(b"tail"), IoSlice::new(b"!")])
                .await
                .unwrap();
            // A ring write takes the first non-empty slice; readiness writes all of them.
            assert!(n == 4 || n == 5, "wrote {n} of 5");
            stream.write_all(&b"tail!"[n..]).await.unwrap();
            stream.write_all(b"!").await.unwrap();
            // Dropped without flush or close: the last send is still in flight (U7/U8).
        });
        let mut want = big.clone();
        want.extend_from_slice(b"tail!!");
        let got = peer.join().unwrap();
        assert_eq!(got.len(), want.len(), "multi = {multi}");
        assert!(got == want, "multi = {multi}: bytes differ");
        assert_ring_drains(&rt, "write then drop");
    }
}

#[test]
fn a_write_shutdown_right_after_a_write_sends_every_byte_before_the_fin() {
    let _dog = Watchdog::new("shutdown after write", Duration::from_secs(60));
    for multi in [false, true] {
        let rt = runtime(multi);
        let (addr, peer) = std_reader();
        let data = pattern(1 << 20, 3);
        rt.block_on(async {
            let mut stream = TcpStream::connect(addr).await.unwrap();
            stream.write_all(&data).await.unwrap();
            stream.shutdown(std::net::Shutdown::Write).unwrap();
            // The peer closes once it has read to our FIN; the stream stays open until then.
            let mut rest = Vec::new();
            assert_eq!(stream.read_to_end(&mut rest).await.unwrap(), 0);
        });
        let got = peer.join().unwrap();
        assert!(got == data, "multi = {multi}: got {} bytes", got.len());
    }
}

#[test]
fn a_read_returns_zero_after_the_peer_closes_and_an_error_after_a_reset() {
    let _dog = Watchdog::new("eof and reset", Duration::from_secs(60));
    for multi in [false, true] {
        let rt = runtime(multi);
        rt.block_on(async {
            // End-of-file: the peer writes, then closes.
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let mut stream = TcpStream::connect(listener.local_addr().unwrap())
                .await
                .unwrap();
            let (mut peer, _) = listener.accept().unwrap();
            peer.write_all(b"last words").unwrap();
            drop(peer);
            let mut got = Vec::new();
            assert_eq!(stream.read_to_end(&mut got).await.unwrap(), 10);
            assert_eq!(got, b"last words");
            assert_eq!(stream.read(&mut [0; 4]).await.unwrap(), 0, "EOF again");

            // Reset: the peer closes with our bytes unread, so its kernel answers with RST.
            let mut stream = TcpStream::connect(listener.local_addr().unwrap())
                .await
                .unwrap();
            let (peer, _) = listener.accept().unwrap();
            stream.write_all(b"never read").await.unwrap();
            stream.flush().await.unwrap();
            runtime::time::sleep(Duration::from_millis(50)).await;
            drop(peer);
            let err = stream.read(&mut [0; 4]).await.unwrap_err();
            assert_eq!(
                err.kind(),
                io::ErrorKind::ConnectionReset,
                "multi = {multi}: {err}"
            );
        });
        assert_ring_drains(&rt, "eof and reset");
    }
}

fn drop_read_futures_in_flight(multi: bool) {
    let iters = support::uring_stress_iters(100_000);
    let _dog = Watchdog::new("dropped read futures", Duration::from_secs(600));
    let rt = runtime(multi);
    rt.block_on(async move {
        let (mut client, mut server) = pair().await.unwrap();
        let mut expected = Vec::new();
        let mut got = Vec::new();
        let mut buf = [0u8; 64];
        for i in 0..iters {
            // A read with nothing to read: its recv is in flight when the future is dropped.
            if support::poll_once_and_drop(client.read(&mut buf)).await {
                unreachable!("nothing was sent yet");
            }
            if i % 1000 == 999 {
                let chunk = pattern(1 + i % 97, i as u8);
                server.write_all(&chunk).await.unwrap();
                expected.extend_from_slice(&chunk);
                // The dropped futures' recv takes these bytes; the next read collects them.
                while got.len() < expected.len() {
                    let n = client.read(&mut buf).await.unwrap();
                    got.extend_from_slice(&buf[..n]);
                }
            }
        }
        assert_eq!(got, expected, "bytes lost or reordered by dropped reads");
    });
    assert_ring_drains(&rt, "dropped read futures");
}

#[test]
fn dropped_read_futures_with_a_recv_in_flight_lose_no_bytes_current_thread() {
    drop_read_futures_in_flight(false);
}

#[test]
fn dropped_read_futures_with_a_recv_in_flight_lose_no_bytes_multi_thread() {
    drop_read_futures_in_flight(true);
}

#[test]
fn dropping_streams_with_a_recv_in_flight_cancels_it_and_frees_everything() {
    let iters = (support::uring_stress_iters(100_000) / 50).max(100);
    let _dog = Watchdog::new("dropped streams", Duration::from_secs(600));
    for multi in [false, true] {
        let rt = runtime(multi);
        rt.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            for i in 0..iters {
                let mut client = TcpStream::connect(addr).await.unwrap();
                let (mut server, _) = listener.accept().await.unwrap();
                let mut buf = [0u8; 32];
                assert!(!support::poll_once_and_drop(client.read(&mut buf)).await);
                if i % 2 == 0 {
                    // Bytes arrive after the stream (and its recv's buffer) may be gone.
                    drop(client);
                    let _ = server.write_all(b"late bytes").await;
                } else {
                    let _ = server.write_all(b"late bytes").await;
                    drop(client);
                }
                // The server sees the client's close (its recv was cancelled, its socket shut).
                let mut rest = Vec::new();
                let _ = server.read_to_end(&mut rest).await;
            }
        });
        assert_ring_drains(&rt, "dropped streams");
    }
}

#[test]
fn the_readiness_api_hands_out_read_ahead_bytes_and_refuses_while_a_recv_is_in_flight() {
    let _dog = Watchdog::new("readiness next to the ring", Duration::from_secs(60));
    let rt = runtime(false);
    rt.block_on(async {
        let (mut client, mut server) = pair().await.unwrap();
        server.write_all(b"abcdef").await.unwrap();
        let mut two = [0u8; 2];
        client.read_exact(&mut two).await.unwrap();
        assert_eq!(&two, b"ab");
        if ring_expected() {
            // The ring read "cdef" ahead: try_read hands those out first, in order.
            let mut four = [0u8; 4];
            assert_eq!(client.try_read(&mut four).unwrap(), 4);
            assert_eq!(&four, b"cdef");
            // A pending ring recv: the readiness API refuses instead of reordering.
            assert!(!support::poll_once_and_drop(client.read(&mut four)).await);
            let err = client.try_read(&mut four).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::Unsupported);
            assert_eq!(
                client.readable().await.unwrap_err().kind(),
                io::ErrorKind::Unsupported
            );
            assert_eq!(
                client.peek(&mut four).await.unwrap_err().kind(),
                io::ErrorKind::Unsupported
            );
            server.write_all(b"gh").await.unwrap();
            client.read_exact(&mut two).await.unwrap();
            assert_eq!(&two, b"gh");
        }
        // A stream never read with AsyncRead uses readiness as without the ring.
        client.write_all(b"xy").await.unwrap();
        client.flush().await.unwrap();
        server.readable().await.unwrap();
        let mut got = [0u8; 2];
        loop {
            match server.try_read(&mut got) {
                Ok(n) => {
                    assert_eq!(&got[..n], &b"xy"[..n]);
                    break;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => server.readable().await.unwrap(),
                Err(e) => panic!("try_read: {e}"),
            }
        }
    });
}

#[test]
fn dropping_the_runtime_with_recvs_in_flight_returns() {
    let _dog = Watchdog::new("runtime drop with recvs", Duration::from_secs(60));
    for multi in [false, true] {
        let rt = runtime(multi);
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        rt.block_on(async {
            for _ in 0..20 {
                // The listener's backlog completes the handshake; nobody accepts or writes.
                let mut stream = TcpStream::connect(addr).await.unwrap();
                runtime::spawn(async move {
                    let mut buf = [0u8; 16];
                    // Nothing ever arrives: this read waits until the runtime goes.
                    let _ = stream.read(&mut buf).await;
                });
            }
            // Let every task start its recv.
            runtime::time::sleep(Duration::from_millis(50)).await;
        });
        if ring_expected() {
            assert_eq!(rt.handle().io_uring_in_flight(), 20, "multi = {multi}");
        }
        drop(rt);
        drop(listener);
    }
}

#[test]
fn more_idle_connections_than_the_completion_queue_holds_still_echo() {
    // 5 000 recvs waiting on idle connections, more than the ring's 4 096 CQEs: a send must
    // still get through (capped socket operations deadlocked here).
    let _dog = Watchdog::new("many idle connections", Duration::from_secs(120));
    let rt = runtime(true);
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut idle = Vec::new();
        for _ in 0..5_000 {
            let client = TcpStream::connect(addr).await.unwrap();
            let (server, _) = listener.accept().await.unwrap();
            let waiter = runtime::spawn(async move {
                let mut server = server;
                let mut buf = [0u8; 8];
                server.read(&mut buf).await.map(|n| buf[..n].to_vec())
            });
            idle.push((client, waiter));
        }
        runtime::time::sleep(Duration::from_millis(50)).await;
        for (i, (client, _)) in idle.iter_mut().enumerate() {
            client.write_all(&(i as u32).to_le_bytes()).await.unwrap();
        }
        for (i, (_, waiter)) in idle.into_iter().enumerate() {
            assert_eq!(waiter.await.unwrap().unwrap(), (i as u32).to_le_bytes());
        }
    });
}
