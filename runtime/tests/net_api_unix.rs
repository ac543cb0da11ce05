//! Unix-domain additions (issue 20 item 5): `UnixDatagram`'s `ready`/`try_io`/`async_io`,
//! `poll_*` family, `try_send_to`/`try_recv_from`, `recv_buf` family and std conversions;
//! `UnixListener::bind_addr` and `UnixStream::connect_addr` with std's `SocketAddr` (paths and
//! Linux abstract names), with the multi-waiter and error cases, on both runtime flavors.

mod net_api;
mod support;

use net_api::{DOG, all_woken, both, poll_once, settle};
use runtime::io::{AsyncReadExt, AsyncWriteExt, Interest};
use runtime::net::{UnixDatagram, UnixListener, UnixStream};
use std::future::poll_fn;
use std::io;
use std::os::unix::net::SocketAddr;
use std::sync::Arc;
use support::TempDir;
use support::Watchdog;

fn would_block<T: std::fmt::Debug>(result: io::Result<T>) {
    assert_eq!(result.unwrap_err().kind(), io::ErrorKind::WouldBlock);
}

#[test]
fn unix_datagram_ready_try_io_and_async_io_follow_the_datagrams() {
    let _dog = Watchdog::new("udg_ready", DOG);
    both(|| async {
        let (a, b) = UnixDatagram::pair().unwrap();
        let b = Arc::new(b);
        assert!(b.ready(Interest::WRITABLE).await.unwrap().is_writable());
        would_block(b.try_io(Interest::READABLE, || Ok(())));
        let reader = runtime::spawn({
            let b = b.clone();
            async move {
                let mut buf = [0; 8];
                let n = b
                    .async_io(Interest::READABLE, || b.try_recv(&mut buf))
                    .await
                    .unwrap();
                buf[..n].to_vec()
            }
        });
        settle().await;
        assert!(!reader.is_finished());
        a.send(b"one").await.unwrap();
        assert_eq!(net_api::finish("udg async_io", reader).await, b"one");
        // The queue is empty again: try_io's closure sees WouldBlock and readiness is cleared.
        let mut buf = [0; 8];
        would_block(b.try_io(Interest::READABLE, || b.try_recv(&mut buf)));
        a.send(b"two").await.unwrap();
        assert!(b.ready(Interest::READABLE).await.unwrap().is_readable());
        let n = b
            .try_io(Interest::READABLE, || b.try_recv(&mut buf))
            .unwrap();
        assert_eq!(&buf[..n], b"two");
    });
}

#[test]
fn unix_datagram_poll_family_moves_datagrams_through_poll_fn() {
    let _dog = Watchdog::new("udg_poll", DOG);
    both(|| async {
        let dir = TempDir::new("udg-poll");
        let path = dir.path("server");
        let server = UnixDatagram::bind(&path).unwrap();
        let client = UnixDatagram::unbound().unwrap();
        let mut buf = [0; 16];
        assert!(poll_once(|cx| server.poll_recv_ready(cx)).is_pending());
        assert!(poll_once(|cx| server.poll_recv_from(cx, &mut buf)).is_pending());
        poll_fn(|cx| client.poll_send_ready(cx)).await.unwrap();
        let sent = poll_fn(|cx| client.poll_send_to(cx, b"to path", &path)).await;
        assert_eq!(sent.unwrap(), 7);
        poll_fn(|cx| server.poll_recv_ready(cx)).await.unwrap();
        let (n, from) = poll_fn(|cx| server.poll_recv_from(cx, &mut buf))
            .await
            .unwrap();
        assert_eq!(&buf[..n], b"to path");
        assert!(from.is_unnamed());

        let (a, b) = UnixDatagram::pair().unwrap();
        assert_eq!(poll_fn(|cx| a.poll_send(cx, b"pair")).await.unwrap(), 4);
        let n = poll_fn(|cx| b.poll_recv(cx, &mut buf)).await.unwrap();
        assert_eq!(&buf[..n], b"pair");
    });
}

#[test]
fn unix_datagram_sends_to_a_missing_path_fail_naming_it() {
    let _dog = Watchdog::new("udg_missing", DOG);
    both(|| async {
        let dir = TempDir::new("udg-missing");
        let missing = dir.path("nobody");
        let client = UnixDatagram::unbound().unwrap();
        client.writable().await.unwrap();
        let err = client.try_send_to(b"x", &missing).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        assert!(err.to_string().contains("nobody"), "{err}");
        let err = poll_fn(|cx| client.poll_send_to(cx, b"x", &missing))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        assert!(err.to_string().contains("nobody"), "{err}");
    });
}

#[test]
fn unix_datagram_try_send_to_and_try_recv_from_work_without_waiting() {
    let _dog = Watchdog::new("udg_try", DOG);
    both(|| async {
        let dir = TempDir::new("udg-try");
        let path = dir.path("server");
        let server = UnixDatagram::bind(&path).unwrap();
        let client_path = dir.path("client");
        let client = UnixDatagram::bind(&client_path).unwrap();
        would_block(server.try_recv_from(&mut [0; 4]));
        client.writable().await.unwrap();
        assert_eq!(client.try_send_to(b"hi", &path).unwrap(), 2);
        server.readable().await.unwrap();
        let mut buf = [0; 4];
        let (n, from) =
            net_api::until_ready("try_recv_from", || server.try_recv_from(&mut buf)).await;
        assert_eq!(&buf[..n], b"hi");
        assert_eq!(from.as_pathname(), Some(client_path.as_path()));
    });
}

#[test]
fn unix_datagram_recv_buf_family_appends_and_would_block_when_empty() {
    let _dog = Watchdog::new("udg_buf", DOG);
    both(|| async {
        let (a, b) = UnixDatagram::pair().unwrap();
        let mut buf = b">".to_vec();
        would_block(b.try_recv_buf(&mut buf));
        would_block(b.try_recv_buf_from(&mut buf));
        assert_eq!(buf, b">");
        a.send(b"one").await.unwrap();
        assert_eq!(b.recv_buf(&mut buf).await.unwrap(), 3);
        a.send(b"two").await.unwrap();
        let (n, from) = b.recv_buf_from(&mut buf).await.unwrap();
        assert_eq!((n, &buf[..]), (3, &b">onetwo"[..]));
        assert!(from.is_unnamed());
        a.send(&[5; 100]).await.unwrap();
        b.readable().await.unwrap();
        let mut full = Vec::new();
        // An empty vector grows by 64 bytes: the datagram is truncated to that.
        let (n, _) =
            net_api::until_ready("try_recv_buf_from", || b.try_recv_buf_from(&mut full)).await;
        assert_eq!((n, full.len()), (64, 64));
        a.send(b"last").await.unwrap();
        b.readable().await.unwrap();
        let mut last = Vec::with_capacity(8);
        let n = net_api::until_ready("try_recv_buf", || b.try_recv_buf(&mut last)).await;
        assert_eq!((n, &last[..]), (4, &b"last"[..]));
    });
}

#[test]
fn every_unix_datagram_ready_and_recv_buf_waiter_is_woken() {
    let _dog = Watchdog::new("udg_waiters", DOG);
    both(|| async {
        let (a, b) = UnixDatagram::pair().unwrap();
        let b = Arc::new(b);
        // Waiter 0 only looks (ready); waiters 1 and 2 each take one datagram.
        let op = |i: usize| {
            let b = b.clone();
            async move {
                let mut buf = Vec::new();
                match i {
                    0 => b.ready(Interest::READABLE).await.unwrap().is_readable() as usize,
                    1 => b.recv_buf(&mut buf).await.unwrap(),
                    _ => b.recv_buf_from(&mut buf).await.unwrap().0,
                }
            }
        };
        let send = async {
            a.send(b"x").await.unwrap();
            a.send(b"yy").await.unwrap();
        };
        let seen = all_woken("udg ready/recv_buf", op, send).await;
        assert_eq!(seen[0], 1);
        let mut lens = [seen[1], seen[2]];
        lens.sort();
        assert_eq!(lens, [1, 2]);
    });
}

#[test]
fn unix_datagram_std_conversions_round_trip() {
    let _dog = Watchdog::new("udg_std", DOG);
    both(|| async {
        let (a, b) = std::os::unix::net::UnixDatagram::pair().unwrap();
        let a = UnixDatagram::try_from(a).unwrap();
        let b = UnixDatagram::from_std(b).unwrap();
        would_block(b.try_recv(&mut [0; 4]));
        a.send(b"conv").await.unwrap();
        let b = b.into_std().unwrap();
        let mut buf = [0; 4];
        // Still non-blocking after into_std: the datagram is already there.
        assert_eq!(b.recv(&mut buf).unwrap(), 4);
        assert_eq!(
            b.recv(&mut buf).unwrap_err().kind(),
            io::ErrorKind::WouldBlock
        );
    });
}

#[test]
fn bind_addr_and_connect_addr_use_std_socket_addresses() {
    let _dog = Watchdog::new("unix_addr", DOG);
    both(|| async {
        let dir = TempDir::new("addr");
        let path = dir.path("listener");
        let addr = SocketAddr::from_pathname(&path).unwrap();
        let listener = UnixListener::bind_addr(&addr).unwrap();
        assert_eq!(
            listener.local_addr().unwrap().as_pathname(),
            Some(path.as_path())
        );
        let err = UnixListener::bind_addr(&addr).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AddrInUse);
        assert!(err.to_string().contains("listener"), "{err}");

        let mut client = UnixStream::connect_addr(&addr).await.unwrap();
        let (mut server, _) = listener.accept().await.unwrap();
        client.write_all(b"addr").await.unwrap();
        let mut buf = [0; 4];
        server.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"addr");

        let missing = SocketAddr::from_pathname(dir.path("missing")).unwrap();
        let err = UnixStream::connect_addr(&missing).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        assert!(err.to_string().contains("missing"), "{err}");
    });
}

#[cfg(target_os = "linux")]
#[test]
fn bind_addr_and_connect_addr_accept_linux_abstract_names() {
    use std::os::linux::net::SocketAddrExt;
    let _dog = Watchdog::new("unix_abstract", DOG);
    both(|| async {
        let name = format!("rt-netapi-abstract-{}", std::process::id());
        let addr = SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
        let listener = UnixListener::bind_addr(&addr).unwrap();
        assert_eq!(
            listener.local_addr().unwrap().as_abstract_name(),
            Some(name.as_bytes())
        );
        let mut client = UnixStream::connect_addr(&addr).await.unwrap();
        let (mut server, _) = listener.accept().await.unwrap();
        server.write_all(b"abs").await.unwrap();
        let mut buf = [0; 3];
        client.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"abs");
        drop(listener);
        // The name is freed with the socket: nobody listens there any more.
        let err = UnixStream::connect_addr(&addr).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused);
    });
}
