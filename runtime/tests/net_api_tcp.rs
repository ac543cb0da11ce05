//! TCP additions (issue 20 item 5): `linger`/`set_linger`/`set_zero_linger`, waiting for
//! `Interest::ERROR`, peeking through the split halves (`peek`, `poll_peek`),
//! `TcpStream::poll_peek` and the `TryFrom<std>` conversions, on both runtime flavors.

mod net_api;
mod support;

use net_api::{DOG, both, poll_once, tcp_pair};
use runtime::io::{AsyncReadExt, AsyncWriteExt, Interest};
use runtime::net::{TcpListener, TcpStream, UnixStream};
use std::io;
use std::time::Duration;
use support::Watchdog;

fn would_block<T: std::fmt::Debug>(result: io::Result<T>) {
    assert_eq!(result.unwrap_err().kind(), io::ErrorKind::WouldBlock);
}

#[test]
#[allow(deprecated)]
fn tcp_linger_round_trips_and_zero_linger_resets_the_peer() {
    let _dog = Watchdog::new("tcp_linger", DOG);
    both(|| async {
        let (client, mut server) = tcp_pair().await;
        assert_eq!(client.linger().unwrap(), None);
        client.set_linger(Some(Duration::from_secs(3))).unwrap();
        assert_eq!(client.linger().unwrap(), Some(Duration::from_secs(3)));
        client.set_linger(None).unwrap();
        assert_eq!(client.linger().unwrap(), None);
        client.set_zero_linger().unwrap();
        assert_eq!(client.linger().unwrap(), Some(Duration::ZERO));
        // An abortive close: the peer sees a reset, not end-of-file.
        drop(client);
        let ready = server
            .ready(Interest::ERROR | Interest::READABLE)
            .await
            .unwrap();
        assert!(ready.is_error() || ready.is_read_closed(), "{ready:?}");
        let err = server.read(&mut [0; 4]).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::ConnectionReset);
    });
}

#[test]
fn peek_through_both_kinds_of_read_half_consumes_nothing() {
    let _dog = Watchdog::new("half_peek", DOG);
    both(|| async {
        let (mut client, mut server) = tcp_pair().await;
        server.write_all(b"peek").await.unwrap();
        {
            let (mut reader, _writer) = TcpStream::split(&mut client);
            let mut buf = [0; 4];
            let n = reader.peek(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], &b"peek"[..n]);
            reader.read_exact(&mut buf[..n]).await.unwrap();
            assert_eq!(
                &buf[..n],
                &b"peek"[..n],
                "the read returns the peeked bytes"
            );
            let mut rest = vec![0; 4 - n];
            reader.read_exact(&mut rest).await.unwrap();
        }
        let (mut reader, _writer) = client.into_split();
        server.write_all(b"owned").await.unwrap();
        let mut buf = [0; 5];
        let n = reader.peek(&mut buf).await.unwrap();
        assert!(n > 0);
        let mut all = [0; 5];
        reader.read_exact(&mut all).await.unwrap();
        assert_eq!(&all, b"owned");
        assert_eq!(buf[..n], all[..n]);
    });
}

#[test]
fn try_from_std_converts_blocking_sockets_and_fails_outside_a_runtime() {
    let _dog = Watchdog::new("try_from", DOG);
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = std_listener.local_addr().unwrap();
    // Outside a runtime there is no reactor to register with: an error, not a panic.
    let std_stream = std::net::TcpStream::connect(addr).unwrap();
    assert!(TcpStream::try_from(std_stream).is_err());
    both(|| async {
        // Blocking std sockets: the conversion switches them to non-blocking.
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = std_listener.local_addr().unwrap();
        let listener = TcpListener::try_from(std_listener).unwrap();
        let std_stream = std::net::TcpStream::connect(addr).unwrap();
        let stream = TcpStream::try_from(std_stream).unwrap();
        let (mut accepted, _) = listener.accept().await.unwrap();
        would_block(stream.try_read(&mut [0; 4]));
        accepted.write_all(b"conv").await.unwrap();
        let mut buf = [0; 4];
        (&stream).read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"conv");
        let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
        let a = UnixStream::try_from(a).unwrap();
        would_block(a.try_read(&mut [0; 4]));
    });
}

#[test]
fn tcp_poll_peek_on_the_stream_and_both_halves_consumes_nothing() {
    let _dog = Watchdog::new("tcp_poll_peek", DOG);
    both(|| async {
        let (mut client, mut server) = tcp_pair().await;
        let mut buf = [0; 8];
        assert!(poll_once(|cx| client.poll_peek(cx, &mut buf)).is_pending());
        server.write_all(b"abc").await.unwrap();
        let n = std::future::poll_fn(|cx| client.poll_peek(cx, &mut buf))
            .await
            .unwrap();
        assert_eq!(&buf[..n], &b"abc"[..n]);
        {
            let (mut reader, _writer) = TcpStream::split(&mut client);
            let n = std::future::poll_fn(|cx| reader.poll_peek(cx, &mut buf))
                .await
                .unwrap();
            assert_eq!(&buf[..n], &b"abc"[..n]);
        }
        let (mut reader, _writer) = client.into_split();
        let n = std::future::poll_fn(|cx| reader.poll_peek(cx, &mut buf))
            .await
            .unwrap();
        assert_eq!(&buf[..n], &b"abc"[..n]);
        let mut all = [0; 3];
        reader.read_exact(&mut all).await.unwrap();
        assert_eq!(&all, b"abc");
        drop(server);
        let n = std::future::poll_fn(|cx| reader.poll_peek(cx, &mut buf))
            .await
            .unwrap();
        assert_eq!(n, 0, "end-of-file peeks as 0");
    });
}

#[test]
fn tcp_ready_for_error_alone_waits_for_a_reset() {
    let _dog = Watchdog::new("tcp_ready_error", DOG);
    both(|| async {
        let (client, server) = tcp_pair().await;
        let server = std::sync::Arc::new(server);
        let waiter = runtime::spawn({
            let server = server.clone();
            async move { server.ready(Interest::ERROR).await.unwrap() }
        });
        net_api::settle().await;
        assert!(!waiter.is_finished(), "an error before anything happened");
        client.set_zero_linger().unwrap();
        drop(client);
        let ready = net_api::finish("ready(ERROR)", waiter).await;
        assert!(ready.is_error(), "{ready:?}");
        assert!(!ready.is_readable() && !ready.is_writable(), "{ready:?}");
    });
}

#[test]
fn borrowed_halves_forward_the_readiness_api() {
    let _dog = Watchdog::new("half_readiness", DOG);
    both(|| async {
        let (mut client, mut server) = tcp_pair().await;
        let (reader, writer) = TcpStream::split(&mut client);
        would_block(reader.try_read(&mut [0; 4]));
        would_block(reader.try_read_buf(&mut Vec::new()));
        assert!(
            writer
                .ready(Interest::WRITABLE)
                .await
                .unwrap()
                .is_writable()
        );
        writer.writable().await.unwrap();
        assert_eq!(writer.try_write(b"ab").unwrap(), 2);
        let bufs = [std::io::IoSlice::new(b"c"), std::io::IoSlice::new(b"d")];
        assert_eq!(writer.try_write_vectored(&bufs).unwrap(), 2);
        let mut got = [0; 4];
        server.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"abcd");

        server.write_all(b"xyz").await.unwrap();
        assert!(
            reader
                .ready(Interest::READABLE)
                .await
                .unwrap()
                .is_readable()
        );
        reader.readable().await.unwrap();
        let mut first = [0; 1];
        let n = reader
            .try_read_vectored(&mut [std::io::IoSliceMut::new(&mut first)])
            .unwrap();
        assert_eq!((n, &first), (1, b"x"));
        let mut rest = Vec::new();
        let n = net_api::until_ready("half try_read_buf", || reader.try_read_buf(&mut rest)).await;
        assert_eq!((n, &rest[..]), (2, &b"yz"[..]));
    });
}

#[test]
fn every_owned_read_half_ready_waiter_is_woken_and_the_write_half_writes() {
    let _dog = Watchdog::new("owned_half_waiters", DOG);
    both(|| async {
        let (client, mut server) = tcp_pair().await;
        let (reader, writer) = client.into_split();
        let reader = std::sync::Arc::new(reader);
        let op = |i: usize| {
            let reader = reader.clone();
            async move {
                if i == 0 {
                    reader.readable().await.unwrap();
                    true
                } else {
                    reader
                        .ready(Interest::READABLE)
                        .await
                        .unwrap()
                        .is_readable()
                }
            }
        };
        let write = async { server.write_all(b"go").await.unwrap() };
        assert!(
            net_api::all_woken("owned half ready", op, write)
                .await
                .into_iter()
                .all(|r| r)
        );
        let mut buf = [0; 2];
        assert_eq!(reader.try_read(&mut buf).unwrap(), 2);
        writer.writable().await.unwrap();
        assert_eq!(writer.try_write(b"back").unwrap(), 4);
        let mut back = [0; 4];
        server.read_exact(&mut back).await.unwrap();
        assert_eq!(&back, b"back");
    });
}
