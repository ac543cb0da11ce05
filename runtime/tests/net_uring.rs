//! `TcpStream` through the io_uring (`Builder::io_uring_sockets`, feature `io-uring`): exact
//! bytes across sizes, large and vectored writes, write-behind that lands after the stream is
//! dropped or shut down, end-of-file and reset, dropped reads (of the future and of the stream)
//! with a `recv` in flight, each readiness method next to ring state (a `recv` in flight, bytes
//! read ahead, a `send` in flight), and runtime shutdown with recvs in flight; on both flavors
//! (the readiness-method tests on the current-thread one, where the states are deterministic).
//!
//! Run: `cargo test -p runtime --features io-uring --test net_uring` (`--release` for the full
//! stress count; `RT_URING_STRESS_ITERS=N` sets it). Without the feature (or with
//! `RUNTIME_IO_URING=0`) the same tests run the readiness path, which must give the same
//! results; the readiness-method tests skip there (their ring states do not exist).

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
    let mut builder = support::builder(multi);
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

// ---- The readiness API next to ring state, method by method ----
//
// Each test builds the state on a current-thread runtime, where it is deterministic: a read
// polled once and dropped leaves its `recv` in the stream (nothing has been sent), a short
// `read_exact` of a longer message leaves bytes read ahead, and a write leaves its `send` in
// flight until the next driver turn. Each then proves the stream still carries every byte in
// order. Where the kernel refuses io_uring they skip: these states exist only with a ring.

/// Runs `test` with a connected (client, server) pair on a current-thread ring runtime, or
/// returns at once where no ring is expected.
fn with_ring_pair<Fut: Future<Output = ()>>(
    what: &str,
    test: impl FnOnce(TcpStream, TcpStream) -> Fut,
) {
    if !ring_expected() {
        eprintln!("{what}: skipped, this kernel or environment gives no io_uring");
        return;
    }
    let _dog = Watchdog::new(what, Duration::from_secs(60));
    let rt = runtime(false);
    rt.block_on(async {
        let (client, server) = pair().await.unwrap();
        test(client, server).await;
    });
    assert_ring_drains(&rt, what);
}

/// Leaves a ring `recv` of `stream` in flight (nothing to read yet, no bytes ahead).
async fn leave_recv_in_flight(stream: &mut TcpStream) {
    let mut buf = [0u8; 16];
    assert!(
        !support::poll_once_and_drop(stream.read(&mut buf)).await,
        "the read found bytes: the stream had some ahead"
    );
}

/// The server sends `msg` and the client reads its first `first` bytes with `AsyncRead`:
/// the ring's one `recv` took all of it, so `msg[first..]` is left read ahead.
async fn leave_bytes_ahead(
    client: &mut TcpStream,
    server: &mut TcpStream,
    msg: &[u8],
    first: usize,
) {
    server.write_all(msg).await.unwrap();
    server.flush().await.unwrap();
    let mut head = vec![0u8; first];
    client.read_exact(&mut head).await.unwrap();
    assert_eq!(head, msg[..first]);
}

/// The server sends `tail` and the client reads exactly `want` (bytes still ahead, then
/// `tail`) with `AsyncRead`: nothing lost or reordered by what came before.
async fn assert_reads_continue(client: &mut TcpStream, server: &mut TcpStream, want: &[u8]) {
    server.write_all(want).await.unwrap();
    server.flush().await.unwrap();
    let mut got = vec![0u8; want.len()];
    client.read_exact(&mut got).await.unwrap();
    assert_eq!(got, want);
}

/// `result` is the ring's refusal: `Unsupported`, with a message naming the io_uring.
#[track_caller]
fn assert_refused<T: std::fmt::Debug>(result: io::Result<T>, what: &str) {
    let err = result.expect_err(what);
    assert_eq!(err.kind(), io::ErrorKind::Unsupported, "{what}: {err}");
    assert!(err.to_string().contains("io_uring"), "{what}: {err}");
}

/// The client writes `first` with `AsyncWrite` (its `send` is in flight until the next driver
/// turn), `check` runs against that state, then a flush ends it. `first` is small enough for
/// the socket buffers: the peer reads it only afterwards.
async fn with_send_in_flight(
    client: &mut TcpStream,
    first: &[u8],
    check: impl AsyncFnOnce(&TcpStream),
) {
    client.write_all(first).await.unwrap();
    check(client).await;
    client.flush().await.unwrap();
}

/// After the refused call: once writable, `write` (a direct write of `direct`) goes out, then
/// `AsyncWrite` goes on; the server gets `first`, `direct` and `+more`, whole and in order.
async fn direct_write_then_more(
    client: &mut TcpStream,
    server: &mut TcpStream,
    first: &[u8],
    direct: &[u8],
    write: impl FnOnce(&TcpStream) -> io::Result<usize>,
) {
    client.writable().await.unwrap();
    assert_eq!(write(client).unwrap(), direct.len());
    client.write_all(b"+more").await.unwrap();
    client.flush().await.unwrap();
    assert_server_gets(server, &[first, direct, b"+more"].concat()).await;
}

/// The server reads exactly `want`: the bytes arrived whole and in order.
async fn assert_server_gets(server: &mut TcpStream, want: &[u8]) {
    let mut got = vec![0u8; want.len()];
    server.read_exact(&mut got).await.unwrap();
    assert!(
        got == want,
        "the peer got {} bytes, not the ones sent in order",
        got.len()
    );
}

#[test]
fn ready_refuses_an_interest_with_readable_while_the_ring_holds_read_state() {
    use runtime::io::Interest;
    with_ring_pair(
        "ready next to the ring",
        |mut client, mut server| async move {
            leave_recv_in_flight(&mut client).await;
            assert_refused(client.ready(Interest::READABLE).await, "ready(READABLE)");
            let both = Interest::READABLE | Interest::WRITABLE;
            assert_refused(client.ready(both).await, "ready(READABLE | WRITABLE)");
            // The write direction is idle: asking for it alone still works.
            let ready = client.ready(Interest::WRITABLE).await.unwrap();
            assert!(ready.is_writable());
            assert_reads_continue(&mut client, &mut server, b"after ready").await;
            // The recv was collected and every byte handed out: readiness works again.
            server.write_all(b"rd").await.unwrap();
            server.flush().await.unwrap();
            assert!(
                client
                    .ready(Interest::READABLE)
                    .await
                    .unwrap()
                    .is_readable()
            );
            let mut two = [0u8; 2];
            assert_eq!(client.try_read(&mut two).unwrap(), 2);
            assert_eq!(&two, b"rd");
            // A send in flight refuses WRITABLE (alone or with READABLE) the same way.
            with_send_in_flight(&mut client, &pattern(16 << 10, 1), async |c| {
                assert_refused(
                    c.ready(Interest::WRITABLE).await,
                    "ready(WRITABLE), send in flight",
                );
                assert_refused(
                    c.ready(both).await,
                    "ready(READABLE | WRITABLE), send in flight",
                );
            })
            .await;
            assert!(
                client
                    .ready(Interest::WRITABLE)
                    .await
                    .unwrap()
                    .is_writable()
            );
            assert_server_gets(&mut server, &pattern(16 << 10, 1)).await;
        },
    );
}

#[test]
fn poll_read_ready_refuses_with_bytes_ahead_or_a_recv_in_flight() {
    use std::future::poll_fn;
    with_ring_pair(
        "poll_read_ready next to the ring",
        |mut client, mut server| async move {
            leave_bytes_ahead(&mut client, &mut server, b"0123456789", 4).await;
            assert_refused(
                poll_fn(|cx| client.poll_read_ready(cx)).await,
                "bytes ahead",
            );
            let mut rest = [0u8; 6];
            client.read_exact(&mut rest).await.unwrap();
            assert_eq!(&rest, b"456789");
            leave_recv_in_flight(&mut client).await;
            assert_refused(
                poll_fn(|cx| client.poll_read_ready(cx)).await,
                "recv in flight",
            );
            assert_reads_continue(&mut client, &mut server, b"after poll_read_ready").await;
        },
    );
}

#[test]
fn try_read_vectored_hands_out_bytes_ahead_in_order_and_refuses_while_a_recv_is_in_flight() {
    use std::io::IoSliceMut;
    with_ring_pair(
        "try_read_vectored next to the ring",
        |mut client, mut server| async move {
            leave_bytes_ahead(&mut client, &mut server, b"abcdefghijkl", 2).await;
            let (mut one, mut three) = ([0u8; 1], [0u8; 3]);
            let mut bufs = [IoSliceMut::new(&mut one), IoSliceMut::new(&mut three)];
            assert_eq!(client.try_read_vectored(&mut bufs).unwrap(), 4);
            assert_eq!((&one, &three), (b"c", b"def"));
            // Part of what is left, then AsyncRead takes the rest ahead and what comes next.
            let (mut empty, mut two) = ([0u8; 0], [0u8; 2]);
            let mut bufs = [IoSliceMut::new(&mut empty), IoSliceMut::new(&mut two)];
            assert_eq!(client.try_read_vectored(&mut bufs).unwrap(), 2);
            assert_eq!(&two, b"gh");
            let mut four = [0u8; 4];
            client.read_exact(&mut four).await.unwrap();
            assert_eq!(&four, b"ijkl");
            // Nothing ahead, no recv: the socket itself, which the ring emptied.
            let err = client
                .try_read_vectored(&mut [IoSliceMut::new(&mut four)])
                .unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::WouldBlock, "{err}");
            leave_recv_in_flight(&mut client).await;
            assert_refused(
                client.try_read_vectored(&mut [IoSliceMut::new(&mut four)]),
                "try_read_vectored, recv in flight",
            );
            assert_reads_continue(&mut client, &mut server, b"after try_read_vectored").await;
        },
    );
}

#[test]
fn try_read_buf_appends_bytes_ahead_in_order_and_refuses_while_a_recv_is_in_flight() {
    with_ring_pair(
        "try_read_buf next to the ring",
        |mut client, mut server| async move {
            leave_bytes_ahead(&mut client, &mut server, b"abcdefgh", 2).await;
            // Room for two more bytes: exactly two are taken, as one receive would.
            let mut buf = Vec::with_capacity(3);
            buf.push(b'>');
            assert_eq!(client.try_read_buf(&mut buf).unwrap(), 2);
            assert_eq!(buf, b">cd");
            // A full vector grows first, then takes the rest.
            let mut all = Vec::new();
            assert_eq!(client.try_read_buf(&mut all).unwrap(), 4);
            assert_eq!(all, b"efgh");
            let err = client.try_read_buf(&mut all).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::WouldBlock, "{err}");
            assert_eq!(all, b"efgh");
            leave_recv_in_flight(&mut client).await;
            assert_refused(
                client.try_read_buf(&mut all),
                "try_read_buf, recv in flight",
            );
            assert_eq!(all, b"efgh", "a refused call appended nothing");
            assert_reads_continue(&mut client, &mut server, b"after try_read_buf").await;
        },
    );
}

#[test]
fn try_io_refuses_without_calling_f_while_the_direction_is_busy() {
    use runtime::io::Interest;
    with_ring_pair(
        "try_io next to the ring",
        |mut client, mut server| async move {
            leave_recv_in_flight(&mut client).await;
            let mut called = false;
            let result = client.try_io(Interest::READABLE, || {
                called = true;
                Ok(())
            });
            assert_refused(result, "try_io(READABLE), recv in flight");
            assert!(!called, "f ran past the ring");
            let result = client.try_io(Interest::READABLE | Interest::WRITABLE, || {
                called = true;
                Ok(())
            });
            assert_refused(result, "try_io(READABLE | WRITABLE), recv in flight");
            assert!(!called, "f ran past the ring");
            assert_reads_continue(&mut client, &mut server, b"after try_io").await;
            let msg = pattern(16 << 10, 2);
            with_send_in_flight(&mut client, &msg, async |c| {
                let result = c.try_io(Interest::WRITABLE, || {
                    called = true;
                    Ok(())
                });
                assert_refused(result, "try_io(WRITABLE), send in flight");
            })
            .await;
            assert!(!called, "f ran past the ring");
            assert_server_gets(&mut server, &msg).await;
        },
    );
}

#[test]
fn async_io_refuses_without_calling_f_while_the_direction_is_busy() {
    use runtime::io::Interest;
    with_ring_pair(
        "async_io next to the ring",
        |mut client, mut server| async move {
            leave_recv_in_flight(&mut client).await;
            let mut calls = 0;
            let result = client
                .async_io(Interest::READABLE, || {
                    calls += 1;
                    Ok(())
                })
                .await;
            assert_refused(result, "async_io(READABLE), recv in flight");
            assert_eq!(calls, 0, "f ran past the ring");
            // The idle write direction is not held up by the read side's state.
            let n = client
                .async_io(Interest::WRITABLE, || {
                    calls += 1;
                    Ok(5)
                })
                .await
                .unwrap();
            assert_eq!((n, calls), (5, 1));
            assert_reads_continue(&mut client, &mut server, b"after async_io").await;
            let msg = pattern(16 << 10, 3);
            with_send_in_flight(&mut client, &msg, async |c| {
                let result = c
                    .async_io(Interest::WRITABLE, || {
                        calls += 1;
                        Ok(())
                    })
                    .await;
                assert_refused(result, "async_io(WRITABLE), send in flight");
            })
            .await;
            assert_eq!(calls, 1, "f ran past the ring");
            assert_server_gets(&mut server, &msg).await;
        },
    );
}

#[test]
fn writable_refuses_while_a_send_is_in_flight_and_works_after_a_flush() {
    with_ring_pair(
        "writable next to the ring",
        |mut client, mut server| async move {
            let msg = pattern(16 << 10, 4);
            with_send_in_flight(&mut client, &msg, async |c| {
                assert_refused(c.writable().await, "writable, send in flight");
            })
            .await;
            direct_write_then_more(&mut client, &mut server, &msg, b"tail", |c| {
                c.try_write(b"tail")
            })
            .await;
        },
    );
}

#[test]
fn try_write_refuses_while_a_send_is_in_flight_so_bytes_stay_in_order() {
    with_ring_pair(
        "try_write next to the ring",
        |mut client, mut server| async move {
            let msg = pattern(16 << 10, 5);
            with_send_in_flight(&mut client, &msg, async |c| {
                assert_refused(c.try_write(b"overtaker"), "try_write, send in flight");
            })
            .await;
            direct_write_then_more(&mut client, &mut server, &msg, b"second", |c| {
                c.try_write(b"second")
            })
            .await;
        },
    );
}

#[test]
fn try_write_vectored_refuses_while_a_send_is_in_flight_so_bytes_stay_in_order() {
    with_ring_pair(
        "try_write_vectored next to the ring",
        |mut client, mut server| async move {
            let msg = pattern(16 << 10, 6);
            let bufs = [IoSlice::new(b"sec"), IoSlice::new(b"ond")];
            with_send_in_flight(&mut client, &msg, async |c| {
                assert_refused(
                    c.try_write_vectored(&bufs),
                    "try_write_vectored, send in flight",
                );
            })
            .await;
            direct_write_then_more(&mut client, &mut server, &msg, b"second", |c| {
                c.try_write_vectored(&bufs)
            })
            .await;
        },
    );
}

#[test]
fn poll_write_ready_refuses_while_a_send_is_in_flight_and_works_after_a_flush() {
    use std::future::poll_fn;
    with_ring_pair(
        "poll_write_ready next to the ring",
        |mut client, mut server| async move {
            let msg = pattern(16 << 10, 7);
            with_send_in_flight(&mut client, &msg, async |c| {
                assert_refused(poll_fn(|cx| c.poll_write_ready(cx)).await, "send in flight");
            })
            .await;
            poll_fn(|cx| client.poll_write_ready(cx)).await.unwrap();
            assert_eq!(client.try_write(b"!").unwrap(), 1);
            let mut want = msg.clone();
            want.push(b'!');
            assert_server_gets(&mut server, &want).await;
        },
    );
}
