//! TCP through the runtime's reactor: echo round trips on both flavors, many concurrent
//! connections, a large checksummed transfer, half-close, error kinds, stale wake-ups,
//! split halves, and shutdown waking pending reads.

mod support;

use runtime::io::{AsyncReadExt, AsyncWriteExt};
use runtime::net::{TcpListener, TcpStream};
use std::future::Future;
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;
use support::Watchdog;

const BOUND: Duration = Duration::from_secs(120);

/// Accepts connections forever, echoing each one until the peer closes.
async fn echo_server() -> io::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    runtime::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            runtime::spawn(async move {
                let (mut r, mut w) = TcpStream::split(&mut conn);
                let _ = runtime::io::copy(&mut r, &mut w).await;
            });
        }
    });
    Ok(addr)
}

async fn round_trip(addr: SocketAddr, rounds: usize, tag: usize) -> io::Result<()> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    for round in 0..rounds {
        let msg = format!("conn {tag} round {round:04}");
        stream.write_all(msg.as_bytes()).await?;
        let mut back = vec![0; msg.len()];
        stream.read_exact(&mut back).await?;
        assert_eq!(back, msg.as_bytes());
    }
    Ok(())
}

#[test]
fn echo_round_trip_current_thread() {
    let _dog = Watchdog::new("echo_round_trip_current_thread", BOUND);
    support::current().block_on(async {
        let addr = echo_server().await.unwrap();
        round_trip(addr, 10, 0).await.unwrap();
    });
}

#[test]
fn echo_round_trip_multi_thread() {
    let _dog = Watchdog::new("echo_round_trip_multi_thread", BOUND);
    support::multi(2).block_on(async {
        let addr = echo_server().await.unwrap();
        round_trip(addr, 10, 0).await.unwrap();
    });
}

#[test]
fn five_hundred_connections_hundred_round_trips_each() {
    let _dog = Watchdog::new("five_hundred_connections", BOUND);
    let done = Arc::new(AtomicUsize::new(0));
    support::multi(4).block_on(async {
        let addr = echo_server().await.unwrap();
        let clients: Vec<_> = (0..500)
            .map(|tag| {
                let done = done.clone();
                runtime::spawn(async move {
                    round_trip(addr, 100, tag).await?;
                    done.fetch_add(1, Ordering::SeqCst);
                    Ok::<(), io::Error>(())
                })
            })
            .collect();
        for client in clients {
            client.await.unwrap().unwrap();
        }
    });
    assert_eq!(done.load(Ordering::SeqCst), 500);
}

/// FNV-1a over a byte stream: enough to catch lost, duplicated or reordered chunks.
fn fnv(hash: &mut u64, bytes: &[u8]) {
    for &b in bytes {
        *hash ^= u64::from(b);
        *hash = hash.wrapping_mul(0x100_0000_01b3);
    }
}

#[test]
fn sixty_four_mib_transfer_checksum_matches() {
    let _dog = Watchdog::new("sixty_four_mib_transfer", BOUND);
    const TOTAL: usize = 64 << 20;
    support::multi(2).block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let sender = runtime::spawn(async move {
            let mut stream = TcpStream::connect(addr).await?;
            let mut hash = 0xcbf2_9ce4_8422_2325u64;
            let mut chunk = vec![0u8; 64 * 1024];
            let mut sent = 0usize;
            while sent < TOTAL {
                for (i, b) in chunk.iter_mut().enumerate() {
                    *b = ((sent + i) as u64)
                        .wrapping_mul(2_654_435_761)
                        .to_le_bytes()[3];
                }
                stream.write_all(&chunk).await?;
                fnv(&mut hash, &chunk);
                sent += chunk.len();
            }
            stream.close().await?;
            Ok::<u64, io::Error>(hash)
        });
        let (mut conn, _) = listener.accept().await.unwrap();
        let mut hash = 0xcbf2_9ce4_8422_2325u64;
        let mut received = 0usize;
        let mut buf = vec![0u8; 8 * 1024];
        loop {
            let n = conn.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            fnv(&mut hash, &buf[..n]);
            received += n;
        }
        assert_eq!(received, TOTAL);
        assert_eq!(sender.await.unwrap().unwrap(), hash);
    });
}

#[test]
fn half_close_peer_reads_eof_and_can_still_write_back() {
    let _dog = Watchdog::new("half_close", BOUND);
    support::current().block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (mut server, _) = listener.accept().await.unwrap();
        client.write_all(b"request").await.unwrap();
        client.shutdown(Shutdown::Write).unwrap();
        let mut request = Vec::new();
        server.read_to_end(&mut request).await.unwrap();
        assert_eq!(request, b"request");
        server.write_all(b"response").await.unwrap();
        server.close().await.unwrap();
        let mut response = Vec::new();
        client.read_to_end(&mut response).await.unwrap();
        assert_eq!(response, b"response");
    });
}

#[test]
fn connect_refused_and_malformed_addresses_are_io_errors_of_the_right_kind() {
    support::current().block_on(async {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let err = TcpStream::connect(("127.0.0.1", port)).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused, "{err}");
        assert!(
            err.to_string().contains(&format!("127.0.0.1:{port}")),
            "{err}"
        );

        for bad in [
            "not an address",
            "127.0.0.1",
            "127.0.0.1:99999",
            "localhost:http",
        ] {
            let err = TcpStream::connect(bad).await.unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{bad}: {err}");
            let err = TcpListener::bind(bad).await.unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{bad}: {err}");
        }
    });
}

#[test]
fn bind_in_use_reports_addr_in_use() {
    support::current().block_on(async {
        let first = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let err = TcpListener::bind(first.local_addr().unwrap())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AddrInUse, "{err}");
    });
}

#[test]
fn lookup_host_localhost_gives_loopback_addresses() {
    support::current().block_on(async {
        let addrs: Vec<_> = runtime::net::lookup_host("localhost:0")
            .await
            .unwrap()
            .collect();
        assert!(!addrs.is_empty());
        assert!(
            addrs.iter().all(|a| a.ip().is_loopback() && a.port() == 0),
            "{addrs:?}"
        );
        let err = runtime::net::lookup_host("no-such-host.invalid:80")
            .await
            .unwrap_err();
        assert!(err.to_string().contains("no-such-host.invalid"), "{err}");
    });
}

struct CountingWaker(AtomicUsize);

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn dropping_a_stream_with_a_pending_read_wakes_nothing_stale() {
    let _dog = Watchdog::new("stale_wakeups", BOUND);
    support::current().block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let counter = Arc::new(CountingWaker(AtomicUsize::new(0)));
        let waker = Waker::from(counter.clone());

        let stream = TcpStream::connect(addr).await.unwrap();
        let (mut peer, _) = listener.accept().await.unwrap();
        {
            let mut buf = [0u8; 16];
            let mut reader = &stream;
            let mut read = pin!(reader.read(&mut buf));
            let polled = read.as_mut().poll(&mut Context::from_waker(&waker));
            assert!(polled.is_pending());
        }
        drop(stream);
        // The old peer now sees EOF and writes into a closed socket; new connections take the
        // freed registration slot and get traffic. None of it may reach the dropped reader.
        let _ = peer.write_all(b"late data").await;
        for _ in 0..20 {
            let mut client = TcpStream::connect(addr).await.unwrap();
            let (mut server, _) = listener.accept().await.unwrap();
            server.write_all(b"x").await.unwrap();
            let mut one = [0u8; 1];
            client.read_exact(&mut one).await.unwrap();
            runtime::task::yield_now().await;
        }
        let mut rest = Vec::new();
        let _ = peer.read_to_end(&mut rest).await;
        assert_eq!(counter.0.load(Ordering::SeqCst), 0);
    });
}

#[test]
fn owned_halves_work_from_separate_tasks_and_reunite() {
    let _dog = Watchdog::new("owned_halves", BOUND);
    support::multi(2).block_on(async {
        let addr = echo_server().await.unwrap();
        let (mut reader, mut writer) = TcpStream::connect(addr).await.unwrap().into_split();
        let writer_task = runtime::spawn(async move {
            for i in 0..100u32 {
                writer.write_all(&i.to_le_bytes()).await?;
            }
            Ok::<_, io::Error>(writer)
        });
        for i in 0..100u32 {
            let mut word = [0u8; 4];
            reader.read_exact(&mut word).await.unwrap();
            assert_eq!(u32::from_le_bytes(word), i);
        }
        let writer = writer_task.await.unwrap().unwrap();
        let stream = reader.reunite(writer).unwrap();
        assert_eq!(stream.peer_addr().unwrap(), addr);
    });
}

#[test]
fn runtime_shutdown_wakes_pending_reads_with_an_error() {
    let _dog = Watchdog::new("shutdown_wakes_reads", BOUND);
    let rt = support::multi(2);
    let (listener, client) = rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        (listener, client)
    });
    let (server, _) = rt.block_on(listener.accept()).unwrap();
    // The stream outlives its runtime: a read started afterwards fails instead of hanging.
    let _keep = server;
    drop(rt);
    let mut buf = [0u8; 4];
    let mut cx = Context::from_waker(Waker::noop());
    let mut reader = &client;
    let mut read = pin!(reader.read(&mut buf));
    match read.as_mut().poll(&mut cx) {
        Poll::Ready(Err(err)) => assert!(err.to_string().contains("shutting down"), "{err}"),
        other => panic!("expected a shutdown error, got {other:?}"),
    }
}

/// Vectored writes, small (sent flattened into one plain write) and large (sent vectored),
/// through `AsyncWrite::poll_write_vectored` and `try_write_vectored`: the peer receives every
/// byte in order and each call reports the bytes it took.
#[test]
fn vectored_writes_small_and_large_arrive_intact() {
    let _dog = Watchdog::new("vectored_writes_small_and_large_arrive_intact", BOUND);
    support::multi(2).block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let reader = runtime::spawn(async move {
            let (mut conn, _) = listener.accept().await.unwrap();
            let mut all = Vec::new();
            conn.read_to_end(&mut all).await.unwrap();
            all
        });
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let head = b"HTTP/1.1 200 OK\r\ncontent-length: 13\r\n\r\n";
        let big: Vec<u8> = (0..5000u32).map(|i| i as u8).collect();
        let mut expected = Vec::new();
        for bufs in [
            vec![io::IoSlice::new(head), io::IoSlice::new(b"Hello, world!")],
            vec![
                io::IoSlice::new(b""),
                io::IoSlice::new(b"one"),
                io::IoSlice::new(b""),
            ],
            vec![io::IoSlice::new(head), io::IoSlice::new(&big)],
        ] {
            let total: usize = bufs.iter().map(|b| b.len()).sum();
            let mut sent = 0;
            while sent < total {
                // Skip what was already taken, across slices, as a caller of a vectored
                // write must.
                let mut skip = sent;
                let rest: Vec<io::IoSlice<'_>> = bufs
                    .iter()
                    .filter_map(|b| {
                        let cut = skip.min(b.len());
                        skip -= cut;
                        (cut < b.len()).then(|| io::IoSlice::new(&b[cut..]))
                    })
                    .collect();
                let n = stream.write_vectored(&rest).await.unwrap();
                assert!(n > 0 && n <= total - sent);
                sent += n;
            }
            expected.extend(bufs.iter().flat_map(|b| b.iter().copied()));
        }
        stream.writable().await.unwrap();
        let n = stream
            .try_write_vectored(&[io::IoSlice::new(b"ab"), io::IoSlice::new(b"cd")])
            .unwrap();
        assert_eq!(n, 4);
        expected.extend_from_slice(b"abcd");
        stream.shutdown(Shutdown::Write).unwrap();
        assert_eq!(reader.await.unwrap(), expected);
    });
}
