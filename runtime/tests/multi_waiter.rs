//! Many tasks waiting on one I/O resource at once (issue 16, item 1): every `&self` async
//! operation of every socket type keeps a waiter per task, so each waiting task is woken when
//! readiness arrives, and a waiter that goes away (aborted, dropped) never takes the wake-up
//! of the others with it.
//!
//! Pattern: tasks are spawned on a current-thread runtime and allowed to block (`settle`),
//! then readiness is produced (`trigger`), then every task must finish within `BOUND`
//! (a `timeout`, so a lost wake-up fails the test instead of hanging it).

mod support;

use runtime::io::{AsyncReadExt, AsyncWriteExt};
use runtime::net::{TcpListener, TcpStream, UdpSocket, UnixDatagram, UnixListener, UnixStream};
use runtime::task::JoinHandle;
use std::future::Future;
use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::{TempDir, Watchdog};

/// How long a woken waiter may take to finish; only guards against lost wake-ups.
const BOUND: Duration = Duration::from_secs(10);
/// Backstop for the whole test (aborts the process, naming the test).
const DOG: Duration = Duration::from_secs(120);
/// Tasks waiting at once in the per-type tests.
const WAITERS: usize = 4;

/// Lets every spawned task run until it blocks.
async fn settle() {
    for _ in 0..16 {
        runtime::task::yield_now().await;
    }
}

/// Awaits `handle` within `BOUND`; panics naming `what` if it never finishes.
async fn finish<T: Send + 'static>(what: &str, handle: JoinHandle<T>) -> T {
    match runtime::time::timeout(BOUND, handle).await {
        Ok(result) => result.expect("waiter task panicked"),
        Err(_) => panic!("{what}: a waiting task was never woken"),
    }
}

/// Spawns `WAITERS` tasks running `op`, lets them block, runs `trigger` and returns every
/// task's output; each must be woken.
async fn all_woken<T, Fut, Trig>(what: &str, op: impl Fn(usize) -> Fut, trigger: Trig) -> Vec<T>
where
    T: Send + 'static,
    Fut: Future<Output = T> + Send + 'static,
    Trig: Future<Output = ()>,
{
    let handles: Vec<_> = (0..WAITERS).map(|i| runtime::spawn(op(i))).collect();
    settle().await;
    for handle in &handles {
        assert!(!handle.is_finished(), "{what}: ready before the trigger");
    }
    trigger.await;
    let mut out = Vec::new();
    for handle in handles {
        out.push(finish(what, handle).await);
    }
    out
}

/// Two tasks wait; the one that polled last is aborted; then readiness arrives: the first
/// must still be woken (with one slot per direction, the aborted task held the only waker).
async fn first_woken_after_last_exits<T, Fut, Trig>(
    what: &str,
    op: impl Fn() -> Fut,
    trigger: Trig,
) -> T
where
    T: Send + 'static,
    Fut: Future<Output = T> + Send + 'static,
    Trig: Future<Output = ()>,
{
    let first = runtime::spawn(op());
    settle().await;
    let last = runtime::spawn(op());
    settle().await;
    assert!(
        !first.is_finished() && !last.is_finished(),
        "{what}: ready too early"
    );
    last.abort();
    match last.await {
        Err(err) => assert!(err.is_cancelled()),
        Ok(_) => panic!("{what}: the aborted waiter completed"),
    }
    trigger.await;
    finish(what, first).await
}

fn current() -> runtime::Runtime {
    support::current()
}

async fn tcp_pair() -> io::Result<(TcpStream, TcpStream)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let client = TcpStream::connect(listener.local_addr()?).await?;
    let (server, _) = listener.accept().await?;
    Ok((client, server))
}

// ---------------------------------------------------------------------------------------------
// Listeners
// ---------------------------------------------------------------------------------------------

/// Each acceptor takes `quota` connections, reading the 4-byte id each client sends.
async fn accept_quota<S, F, Fut>(quota: usize, accept: F, ids: Arc<Mutex<Vec<u32>>>)
where
    S: runtime::io::AsyncRead + Unpin,
    F: Fn() -> Fut,
    Fut: Future<Output = io::Result<S>>,
{
    for _ in 0..quota {
        let mut conn = accept().await.expect("accept");
        let mut id = [0; 4];
        conn.read_exact(&mut id).await.expect("read id");
        ids.lock().unwrap().push(u32::from_le_bytes(id));
    }
}

fn assert_each_once(ids: &Mutex<Vec<u32>>, total: u32) {
    let mut ids = ids.lock().unwrap().clone();
    ids.sort_unstable();
    assert_eq!(ids, (0..total).collect::<Vec<_>>(), "each connection once");
}

#[test]
fn eight_tcp_acceptors_under_200_concurrent_connects_accept_each_connection_once() {
    let _dog = Watchdog::new("eight_tcp_acceptors", DOG);
    const ACCEPTORS: usize = 8;
    const CLIENTS: usize = 200;
    support::multi(2).block_on(async {
        let listener = Arc::new(TcpListener::bind("127.0.0.1:0").await.unwrap());
        let addr = listener.local_addr().unwrap();
        let ids = Arc::new(Mutex::new(Vec::new()));
        let acceptors: Vec<_> = (0..ACCEPTORS)
            .map(|_| {
                let listener = listener.clone();
                let accept = move || {
                    let listener = listener.clone();
                    async move { Ok(listener.accept().await?.0) }
                };
                runtime::spawn(accept_quota(CLIENTS / ACCEPTORS, accept, ids.clone()))
            })
            .collect();
        // Every acceptor is parked before the first connection arrives.
        runtime::time::sleep(Duration::from_millis(50)).await;
        let clients: Vec<_> = (0..CLIENTS as u32)
            .map(|id| {
                runtime::spawn(async move {
                    let mut stream = TcpStream::connect(addr).await?;
                    stream.write_all(&id.to_le_bytes()).await?;
                    Ok::<_, io::Error>(stream)
                })
            })
            .collect();
        let mut streams = Vec::new();
        for client in clients {
            streams.push(finish("tcp client", client).await.unwrap());
        }
        for acceptor in acceptors {
            finish("tcp acceptor with a quota", acceptor).await;
        }
        assert_each_once(&ids, CLIENTS as u32);
    });
}

#[test]
fn first_tcp_acceptor_still_accepts_after_the_last_poller_is_aborted() {
    let _dog = Watchdog::new("first_tcp_acceptor", DOG);
    current().block_on(async {
        let listener = Arc::new(TcpListener::bind("127.0.0.1:0").await.unwrap());
        let addr = listener.local_addr().unwrap();
        let op = || {
            let listener = listener.clone();
            async move { listener.accept().await.map(|(_, peer)| peer) }
        };
        let client = Arc::new(Mutex::new(None));
        let connect = {
            let client = client.clone();
            async move {
                *client.lock().unwrap() = Some(std::net::TcpStream::connect(addr).unwrap());
            }
        };
        let peer = first_woken_after_last_exits("tcp accept", op, connect).await;
        let local = client
            .lock()
            .unwrap()
            .as_ref()
            .unwrap()
            .local_addr()
            .unwrap();
        assert_eq!(peer.unwrap(), local);
    });
}

#[test]
fn first_tcp_acceptor_still_accepts_after_the_last_poller_drops_its_accept_future() {
    let _dog = Watchdog::new("first_tcp_acceptor_drop", DOG);
    current().block_on(async {
        let listener = Arc::new(TcpListener::bind("127.0.0.1:0").await.unwrap());
        let addr = listener.local_addr().unwrap();
        let first = runtime::spawn({
            let listener = listener.clone();
            async move { listener.accept().await.map(|(_, peer)| peer) }
        });
        settle().await;
        // The last poller gives up (a `select!` or timeout elsewhere) but its task lives on.
        {
            let mut accept = std::pin::pin!(listener.accept());
            assert!(futures_util::poll!(accept.as_mut()).is_pending());
        }
        let client = std::net::TcpStream::connect(addr).unwrap();
        let peer = finish("tcp accept after a dropped accept()", first).await;
        assert_eq!(peer.unwrap(), client.local_addr().unwrap());
    });
}

#[test]
fn four_unix_acceptors_accept_each_connection_once() {
    let _dog = Watchdog::new("four_unix_acceptors", DOG);
    const ACCEPTORS: usize = 4;
    const CLIENTS: usize = 40;
    let dir = TempDir::new("ul");
    let path = dir.path("sock");
    support::multi(2).block_on(async {
        let listener = Arc::new(UnixListener::bind(&path).unwrap());
        let ids = Arc::new(Mutex::new(Vec::new()));
        let acceptors: Vec<_> = (0..ACCEPTORS)
            .map(|_| {
                let listener = listener.clone();
                let accept = move || {
                    let listener = listener.clone();
                    async move { Ok(listener.accept().await?.0) }
                };
                runtime::spawn(accept_quota(CLIENTS / ACCEPTORS, accept, ids.clone()))
            })
            .collect();
        runtime::time::sleep(Duration::from_millis(50)).await;
        let clients: Vec<_> = (0..CLIENTS as u32)
            .map(|id| {
                let path = path.clone();
                runtime::spawn(async move {
                    let mut stream = UnixStream::connect(&path).await?;
                    stream.write_all(&id.to_le_bytes()).await?;
                    Ok::<_, io::Error>(stream)
                })
            })
            .collect();
        let mut streams = Vec::new();
        for client in clients {
            streams.push(finish("unix client", client).await.unwrap());
        }
        for acceptor in acceptors {
            finish("unix acceptor with a quota", acceptor).await;
        }
        assert_each_once(&ids, CLIENTS as u32);
    });
}

#[test]
fn first_unix_acceptor_still_accepts_after_the_last_poller_is_aborted() {
    let _dog = Watchdog::new("first_unix_acceptor", DOG);
    let dir = TempDir::new("ul-abort");
    let path = dir.path("sock");
    current().block_on(async {
        let listener = Arc::new(UnixListener::bind(&path).unwrap());
        let op = || {
            let listener = listener.clone();
            async move { listener.accept().await.map(drop) }
        };
        let client = Arc::new(Mutex::new(None));
        let connect = {
            let (client, path) = (client.clone(), path.clone());
            async move {
                let stream = std::os::unix::net::UnixStream::connect(&path).unwrap();
                *client.lock().unwrap() = Some(stream);
            }
        };
        first_woken_after_last_exits("unix accept", op, connect)
            .await
            .unwrap();
    });
}

// ---------------------------------------------------------------------------------------------
// TcpStream
// ---------------------------------------------------------------------------------------------

/// Writes with `try_write` until the kernel send buffer is full (the peer is not reading), so
/// the stream's write readiness is cleared. Shared by the TCP and Unix stream tests.
fn fill_send_buffer(try_write: impl Fn(&[u8]) -> io::Result<usize>) {
    let chunk = vec![0u8; 64 * 1024];
    loop {
        match try_write(&chunk) {
            Ok(_) => {}
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => return,
            Err(err) => panic!("filling the send buffer: {err}"),
        }
    }
}

/// Starts a task reading (and discarding) everything `peer` receives.
async fn drain<S: runtime::io::AsyncRead + Unpin + Send + 'static>(mut peer: S) {
    runtime::spawn(async move {
        let _ = runtime::io::copy(&mut peer, &mut runtime::io::sink()).await;
    });
}

async fn fill_tcp(stream: &TcpStream) {
    stream.writable().await.unwrap();
    fill_send_buffer(|buf| stream.try_write(buf));
}

#[test]
fn every_tcp_stream_readable_and_peek_waiter_is_woken_by_one_write() {
    let _dog = Watchdog::new("tcp_readable_peek", DOG);
    current().block_on(async {
        let (client, mut server) = tcp_pair().await.unwrap();
        let client = Arc::new(client);
        let op = |i: usize| {
            let client = client.clone();
            async move {
                if i.is_multiple_of(2) {
                    client.readable().await.unwrap();
                    0
                } else {
                    let mut buf = [0; 5];
                    client.peek(&mut buf).await.unwrap()
                }
            }
        };
        let write = async { server.write_all(b"hello").await.unwrap() };
        let peeked = all_woken("tcp readable/peek", op, write).await;
        assert!(peeked.iter().skip(1).step_by(2).all(|&n| n > 0));
        // The data is still queued: readable and peek consume nothing.
        let mut buf = [0; 5];
        assert_eq!(client.try_read(&mut buf).unwrap(), 5);
    });
}

#[test]
fn first_tcp_stream_readable_waiter_is_woken_after_the_last_is_aborted() {
    let _dog = Watchdog::new("tcp_readable_abort", DOG);
    current().block_on(async {
        let (client, mut server) = tcp_pair().await.unwrap();
        let client = Arc::new(client);
        let op = || {
            let client = client.clone();
            async move { client.readable().await }
        };
        let write = async { server.write_all(b"x").await.unwrap() };
        first_woken_after_last_exits("tcp readable", op, write)
            .await
            .unwrap();
        let op = || {
            let client = client.clone();
            async move { client.peek(&mut [0; 8]).await }
        };
        let mut buf = [0; 1];
        client.try_read(&mut buf).unwrap(); // drained: peek waits again
        let write = async { server.write_all(b"y").await.unwrap() };
        assert_eq!(
            first_woken_after_last_exits("tcp peek", op, write)
                .await
                .unwrap(),
            1
        );
    });
}

#[test]
fn every_tcp_stream_writable_waiter_is_woken_when_the_peer_drains() {
    let _dog = Watchdog::new("tcp_writable", DOG);
    current().block_on(async {
        let (client, server) = tcp_pair().await.unwrap();
        let client = Arc::new(client);
        fill_tcp(&client).await;
        let op = |_| {
            let client = client.clone();
            async move { client.writable().await }
        };
        for done in all_woken("tcp writable", op, drain(server)).await {
            done.unwrap();
        }
    });
}

#[test]
fn first_tcp_stream_writable_waiter_is_woken_after_the_last_is_aborted() {
    let _dog = Watchdog::new("tcp_writable_abort", DOG);
    current().block_on(async {
        let (client, server) = tcp_pair().await.unwrap();
        let client = Arc::new(client);
        fill_tcp(&client).await;
        let op = || {
            let client = client.clone();
            async move { client.writable().await }
        };
        first_woken_after_last_exits("tcp writable", op, drain(server))
            .await
            .unwrap();
    });
}

// ---------------------------------------------------------------------------------------------
// UdpSocket
// ---------------------------------------------------------------------------------------------

async fn udp_pair() -> (Arc<UdpSocket>, UdpSocket) {
    let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    a.connect(b.local_addr().unwrap()).await.unwrap();
    b.connect(a.local_addr().unwrap()).await.unwrap();
    (Arc::new(a), b)
}

#[test]
fn every_udp_recv_and_recv_from_waiter_gets_its_own_datagram() {
    let _dog = Watchdog::new("udp_recv", DOG);
    current().block_on(async {
        let (a, b) = udp_pair().await;
        let op = |i: usize| {
            let a = a.clone();
            async move {
                let mut buf = [0; 8];
                let n = if i.is_multiple_of(2) {
                    a.recv(&mut buf).await.unwrap()
                } else {
                    a.recv_from(&mut buf).await.unwrap().0
                };
                buf[..n].to_vec()
            }
        };
        let send = async {
            for i in 0..WAITERS as u8 {
                b.send(&[i]).await.unwrap();
            }
        };
        let mut got = all_woken("udp recv/recv_from", op, send).await;
        got.sort();
        let want: Vec<Vec<u8>> = (0..WAITERS as u8).map(|i| vec![i]).collect();
        assert_eq!(got, want, "each datagram received exactly once");
    });
}

#[test]
fn every_udp_readable_and_peek_from_waiter_is_woken_by_one_datagram() {
    let _dog = Watchdog::new("udp_readable_peek", DOG);
    current().block_on(async {
        let (a, b) = udp_pair().await;
        let from = b.local_addr().unwrap();
        let op = |i: usize| {
            let a = a.clone();
            async move {
                if i.is_multiple_of(2) {
                    a.readable().await.unwrap();
                    None
                } else {
                    let mut buf = [0; 8];
                    let (n, addr) = a.peek_from(&mut buf).await.unwrap();
                    Some((buf[..n].to_vec(), addr))
                }
            }
        };
        let send = async { assert_eq!(b.send(b"one").await.unwrap(), 3) };
        for peeked in all_woken("udp readable/peek_from", op, send)
            .await
            .into_iter()
            .flatten()
        {
            assert_eq!(peeked, (b"one".to_vec(), from));
        }
        let mut buf = [0; 8];
        assert_eq!(a.try_recv(&mut buf).unwrap(), 3, "peeking left it queued");
    });
}

#[test]
fn first_udp_waiters_are_woken_after_the_last_is_aborted() {
    let _dog = Watchdog::new("udp_abort", DOG);
    current().block_on(async {
        let (a, b) = udp_pair().await;
        let recv = || {
            let a = a.clone();
            async move { a.recv(&mut [0; 8]).await }
        };
        let send = async { b.send(b"1").await.map(drop).unwrap() };
        assert_eq!(
            first_woken_after_last_exits("udp recv", recv, send)
                .await
                .unwrap(),
            1
        );

        let recv_from = || {
            let a = a.clone();
            async move { a.recv_from(&mut [0; 8]).await.map(|(n, _)| n) }
        };
        let send = async { b.send(b"22").await.map(drop).unwrap() };
        let n = first_woken_after_last_exits("udp recv_from", recv_from, send).await;
        assert_eq!(n.unwrap(), 2);

        let peek = || {
            let a = a.clone();
            async move { a.peek_from(&mut [0; 8]).await.map(|(n, _)| n) }
        };
        let send = async { b.send(b"333").await.map(drop).unwrap() };
        assert_eq!(
            first_woken_after_last_exits("udp peek_from", peek, send)
                .await
                .unwrap(),
            3
        );
        a.try_recv(&mut [0; 8]).unwrap();
        // `WouldBlock` clears the cached readiness, so `readable` waits again.
        assert_eq!(
            a.try_recv(&mut [0; 8]).unwrap_err().kind(),
            io::ErrorKind::WouldBlock
        );

        let readable = || {
            let a = a.clone();
            async move { a.readable().await }
        };
        let send = async { b.send(b"4").await.map(drop).unwrap() };
        first_woken_after_last_exits("udp readable", readable, send)
            .await
            .unwrap();
    });
}

/// A fresh socket learns it is writable only at the reactor's next turn, so tasks started
/// right after `bind` all wait for that first edge together.
#[test]
fn every_udp_send_send_to_and_writable_waiter_is_woken_by_the_first_writable_edge() {
    let _dog = Watchdog::new("udp_send", DOG);
    current().block_on(async {
        let target = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let to = target.local_addr().unwrap();
        let a = Arc::new(UdpSocket::bind("127.0.0.1:0").await.unwrap());
        a.connect(to).await.unwrap();
        let handles: Vec<_> = (0..3 * WAITERS)
            .map(|i| {
                let a = a.clone();
                runtime::spawn(async move {
                    match i % 3 {
                        0 => a.send(b"s").await.unwrap(),
                        1 => a.send_to(b"t", to).await.unwrap(),
                        _ => a.writable().await.map(|()| 1).unwrap(),
                    }
                })
            })
            .collect();
        for handle in handles {
            assert_eq!(finish("udp send/send_to/writable", handle).await, 1);
        }
        let mut buf = [0; 4];
        for _ in 0..2 * WAITERS {
            let (n, from) = target.recv_from(&mut buf).await.unwrap();
            assert_eq!((n, from), (1, a.local_addr().unwrap()));
        }
    });
}

// ---------------------------------------------------------------------------------------------
// UnixDatagram
// ---------------------------------------------------------------------------------------------

/// Sends until the peer's queue is full, so `a`'s write readiness is cleared.
async fn fill_unix_datagram(a: &UnixDatagram) {
    a.writable().await.unwrap();
    loop {
        match a.try_send(&[0; 64]) {
            Ok(_) => {}
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => return,
            Err(err) => panic!("filling the peer's queue: {err}"),
        }
    }
}

/// Starts a task receiving (and discarding) every datagram `b` gets.
async fn drain_unix_datagram(b: UnixDatagram) {
    runtime::spawn(async move {
        let mut buf = [0; 128];
        while b.recv(&mut buf).await.is_ok() {}
    });
}

#[test]
fn every_unix_datagram_recv_recv_from_and_readable_waiter_is_woken() {
    let _dog = Watchdog::new("unix_datagram_recv", DOG);
    current().block_on(async {
        let (a, b) = UnixDatagram::pair().unwrap();
        let a = Arc::new(a);
        let op = |i: usize| {
            let a = a.clone();
            async move {
                let mut buf = [0; 8];
                let n = match i % 3 {
                    0 => a.recv(&mut buf).await.unwrap(),
                    1 => a.recv_from(&mut buf).await.unwrap().0,
                    _ => return a.readable().await.map(|()| None).unwrap(),
                };
                Some(buf[..n].to_vec())
            }
        };
        let handles: Vec<_> = (0..3 * WAITERS).map(|i| runtime::spawn(op(i))).collect();
        settle().await;
        assert!(handles.iter().all(|h| !h.is_finished()));
        for i in 0..2 * WAITERS as u8 {
            b.send(&[i]).await.unwrap();
        }
        let mut got: Vec<Vec<u8>> = Vec::new();
        for handle in handles {
            got.extend(finish("unix datagram recv/recv_from/readable", handle).await);
        }
        got.sort();
        let want: Vec<Vec<u8>> = (0..2 * WAITERS as u8).map(|i| vec![i]).collect();
        assert_eq!(got, want, "each datagram received exactly once");
    });
}

#[test]
fn every_unix_datagram_send_and_writable_waiter_is_woken_when_the_peer_drains() {
    let _dog = Watchdog::new("unix_datagram_send", DOG);
    current().block_on(async {
        let (a, b) = UnixDatagram::pair().unwrap();
        let a = Arc::new(a);
        fill_unix_datagram(&a).await;
        let op = |i: usize| {
            let a = a.clone();
            async move {
                if i.is_multiple_of(2) {
                    a.send(b"late").await.unwrap()
                } else {
                    a.writable().await.map(|()| 4).unwrap()
                }
            }
        };
        let sent = all_woken("unix datagram send/writable", op, drain_unix_datagram(b)).await;
        assert_eq!(sent, vec![4; WAITERS]);
    });
}

#[test]
fn first_unix_datagram_waiters_are_woken_after_the_last_is_aborted() {
    let _dog = Watchdog::new("unix_datagram_abort", DOG);
    current().block_on(async {
        let (a, b) = UnixDatagram::pair().unwrap();
        let (a, b) = (Arc::new(a), Arc::new(b));
        let recv = || {
            let a = a.clone();
            async move { a.recv(&mut [0; 8]).await }
        };
        let send = async { b.send(b"12").await.map(drop).unwrap() };
        assert_eq!(
            first_woken_after_last_exits("unix recv", recv, send)
                .await
                .unwrap(),
            2
        );

        let recv_from = || {
            let a = a.clone();
            async move { a.recv_from(&mut [0; 8]).await.map(|(n, _)| n) }
        };
        let send = async { b.send(b"123").await.map(drop).unwrap() };
        let n = first_woken_after_last_exits("unix recv_from", recv_from, send).await;
        assert_eq!(n.unwrap(), 3);

        fill_unix_datagram(&b).await;
        let send = || {
            let b = b.clone();
            async move { b.send(b"x").await }
        };
        let drain = {
            let a = a.clone();
            async move {
                runtime::spawn(async move { while a.recv(&mut [0; 128]).await.is_ok() {} });
            }
        };
        assert_eq!(
            first_woken_after_last_exits("unix send", send, drain)
                .await
                .unwrap(),
            1
        );
    });
}

/// `send_to` on an unbound socket, started before the reactor has reported it writable.
#[test]
fn every_unix_datagram_send_to_waiter_is_woken_by_the_first_writable_edge() {
    let _dog = Watchdog::new("unix_datagram_send_to", DOG);
    let dir = TempDir::new("ud-send-to");
    let path = dir.path("sock");
    current().block_on(async {
        let server = UnixDatagram::bind(&path).unwrap();
        let client = Arc::new(UnixDatagram::unbound().unwrap());
        let handles: Vec<_> = (0..WAITERS)
            .map(|_| {
                let (client, path) = (client.clone(), path.clone());
                runtime::spawn(async move { client.send_to(b"hi", &path).await.unwrap() })
            })
            .collect();
        for handle in handles {
            assert_eq!(finish("unix datagram send_to", handle).await, 2);
        }
        for _ in 0..WAITERS {
            assert_eq!(server.recv(&mut [0; 4]).await.unwrap(), 2);
        }
    });
}

// ---------------------------------------------------------------------------------------------
// UnixStream
// ---------------------------------------------------------------------------------------------

async fn fill_unix_stream(stream: &UnixStream) {
    stream.writable().await.unwrap();
    fill_send_buffer(|buf| stream.try_write(buf));
}

#[test]
fn every_unix_stream_readable_waiter_is_woken_by_one_write() {
    let _dog = Watchdog::new("unix_stream_readable", DOG);
    current().block_on(async {
        let (a, mut b) = UnixStream::pair().unwrap();
        let a = Arc::new(a);
        let op = |_| {
            let a = a.clone();
            async move { a.readable().await }
        };
        let write = async { b.write_all(b"data").await.unwrap() };
        for done in all_woken("unix stream readable", op, write).await {
            done.unwrap();
        }
        let mut buf = [0; 8];
        assert_eq!(a.try_read(&mut buf).unwrap(), 4);
    });
}

#[test]
fn every_unix_stream_writable_waiter_is_woken_when_the_peer_drains() {
    let _dog = Watchdog::new("unix_stream_writable", DOG);
    current().block_on(async {
        let (a, b) = UnixStream::pair().unwrap();
        let a = Arc::new(a);
        fill_unix_stream(&a).await;
        let op = |_| {
            let a = a.clone();
            async move { a.writable().await }
        };
        for done in all_woken("unix stream writable", op, drain(b)).await {
            done.unwrap();
        }
    });
}

#[test]
fn first_unix_stream_waiters_are_woken_after_the_last_is_aborted() {
    let _dog = Watchdog::new("unix_stream_abort", DOG);
    current().block_on(async {
        let (a, mut b) = UnixStream::pair().unwrap();
        let a = Arc::new(a);
        let readable = || {
            let a = a.clone();
            async move { a.readable().await }
        };
        let write = async { b.write_all(b"r").await.unwrap() };
        first_woken_after_last_exits("unix stream readable", readable, write)
            .await
            .unwrap();

        fill_unix_stream(&a).await;
        let writable = || {
            let a = a.clone();
            async move { a.writable().await }
        };
        first_woken_after_last_exits("unix stream writable", writable, drain(b))
            .await
            .unwrap();
    });
}
