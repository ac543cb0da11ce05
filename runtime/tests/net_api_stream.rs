//! Stream sockets' readiness API (issue 20 item 5): `ready(Interest)`, `try_io`, `async_io`,
//! `poll_read_ready`/`poll_write_ready`, `try_read_vectored`, `try_read_buf`,
//! `try_write_vectored` on `TcpStream` and `UnixStream`, with the multi-waiter cases.

mod net_api;
mod support;

use net_api::{DOG, all_woken, both, poll_once, settle, tcp_pair, until_ready};
use runtime::io::{AsyncWriteExt, Interest, Ready};
use runtime::net::UnixStream;
use std::io::{self, IoSlice, IoSliceMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use support::Watchdog;

fn would_block<T: std::fmt::Debug>(result: io::Result<T>) {
    assert_eq!(result.unwrap_err().kind(), io::ErrorKind::WouldBlock);
}

#[test]
fn interest_combines_removes_and_prints_its_flags() {
    let mut both_ways = Interest::READABLE;
    both_ways |= Interest::WRITABLE;
    assert!(both_ways.is_readable() && both_ways.is_writable() && !both_ways.is_error());
    assert_eq!(
        both_ways.remove(Interest::READABLE),
        Some(Interest::WRITABLE)
    );
    assert_eq!(Interest::ERROR.remove(Interest::ERROR), None);
    assert_eq!(
        format!("{:?}", Interest::READABLE | Interest::ERROR),
        "Interest(READABLE | ERROR)"
    );
    assert_eq!(Interest::ERROR.mask(), Ready::ERROR);
}

#[test]
fn tcp_ready_reports_readable_only_once_data_arrives() {
    let _dog = Watchdog::new("tcp_ready_readable", DOG);
    both(|| async {
        let (client, mut server) = tcp_pair().await;
        let ready = client.ready(Interest::WRITABLE).await.unwrap();
        assert!(ready.is_writable() && !ready.is_readable());
        would_block(client.try_read(&mut [0; 8]));
        let client = Arc::new(client);
        let waiter = runtime::spawn({
            let client = client.clone();
            async move { client.ready(Interest::READABLE).await.unwrap() }
        });
        settle().await;
        assert!(!waiter.is_finished(), "readable before any data");
        server.write_all(b"data").await.unwrap();
        let ready = net_api::finish("tcp ready", waiter).await;
        assert!(ready.is_readable());
        let mut buf = [0; 8];
        let n = client.try_read(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"data");
    });
}

#[test]
fn tcp_ready_reports_read_closed_once_the_peer_closes() {
    let _dog = Watchdog::new("tcp_ready_closed", DOG);
    both(|| async {
        let (client, server) = tcp_pair().await;
        drop(server);
        let ready = client.ready(Interest::READABLE).await.unwrap();
        assert!(ready.is_read_closed(), "{ready:?}");
        assert_eq!(client.try_read(&mut [0; 8]).unwrap(), 0);
    });
}

#[test]
fn tcp_try_io_skips_the_closure_until_ready_and_clears_readiness_on_would_block() {
    let _dog = Watchdog::new("tcp_try_io", DOG);
    both(|| async {
        let (client, mut server) = tcp_pair().await;
        let calls = AtomicUsize::new(0);
        let count = || {
            calls.fetch_add(1, Ordering::SeqCst);
            Err::<(), _>(io::ErrorKind::WouldBlock.into())
        };
        would_block(client.try_io(Interest::READABLE, count));
        assert_eq!(calls.load(Ordering::SeqCst), 0, "called while not readable");

        server.write_all(b"one").await.unwrap();
        client.readable().await.unwrap();
        would_block(client.try_io(Interest::READABLE, count));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // The closure's WouldBlock cleared the readiness: try_read no longer even tries,
        // though "one" is queued, until a new edge arrives.
        would_block(client.try_read(&mut [0; 8]));
        server.write_all(b"two").await.unwrap();
        client.readable().await.unwrap();
        let mut buf = [0; 8];
        let n = client.try_read(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"onetwo");
    });
}

#[test]
fn tcp_async_io_waits_for_readiness_before_running_the_closure() {
    let _dog = Watchdog::new("tcp_async_io", DOG);
    both(|| async {
        let (client, mut server) = tcp_pair().await;
        let client = Arc::new(client);
        let calls = Arc::new(AtomicUsize::new(0));
        let reader = runtime::spawn({
            let (client, calls) = (client.clone(), calls.clone());
            async move {
                let mut buf = [0; 8];
                let n = client
                    .async_io(Interest::READABLE, || {
                        calls.fetch_add(1, Ordering::SeqCst);
                        client.try_read(&mut buf)
                    })
                    .await
                    .unwrap();
                buf[..n].to_vec()
            }
        });
        settle().await;
        assert_eq!(calls.load(Ordering::SeqCst), 0, "ran before readiness");
        server.write_all(b"async").await.unwrap();
        assert_eq!(net_api::finish("async_io", reader).await, b"async");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    });
}

#[test]
fn tcp_poll_read_ready_is_pending_until_data_and_poll_write_ready_is_ready() {
    let _dog = Watchdog::new("tcp_poll_ready", DOG);
    both(|| async {
        let (client, mut server) = tcp_pair().await;
        std::future::poll_fn(|cx| client.poll_write_ready(cx))
            .await
            .unwrap();
        assert!(poll_once(|cx| client.poll_read_ready(cx)).is_pending());
        server.write_all(b"x").await.unwrap();
        runtime::time::timeout(
            net_api::BOUND,
            std::future::poll_fn(|cx| client.poll_read_ready(cx)),
        )
        .await
        .expect("poll_read_ready never woke")
        .unwrap();
        assert_eq!(client.try_read(&mut [0; 4]).unwrap(), 1);
    });
}

#[test]
fn tcp_try_read_vectored_and_try_write_vectored_keep_byte_order() {
    let _dog = Watchdog::new("tcp_vectored", DOG);
    both(|| async {
        let (client, server) = tcp_pair().await;
        would_block(client.try_read_vectored(&mut [IoSliceMut::new(&mut [0; 4])]));
        server.writable().await.unwrap();
        let bufs = [
            IoSlice::new(b"ab"),
            IoSlice::new(b""),
            IoSlice::new(b"cdef"),
        ];
        assert_eq!(server.try_write_vectored(&bufs).unwrap(), 6);
        let (mut first, mut second) = ([0; 3], [0; 8]);
        client.readable().await.unwrap();
        let n = until_ready("try_read_vectored", || {
            client
                .try_read_vectored(&mut [IoSliceMut::new(&mut first), IoSliceMut::new(&mut second)])
        })
        .await;
        assert_eq!(n, 6);
        assert_eq!((&first, &second[..3]), (b"abc", &b"def"[..]));
    });
}

#[test]
fn tcp_try_read_buf_appends_grows_a_full_vector_and_reports_eof() {
    let _dog = Watchdog::new("tcp_read_buf", DOG);
    both(|| async {
        let (client, mut server) = tcp_pair().await;
        let mut buf = b"pre".to_vec();
        buf.shrink_to_fit();
        would_block(client.try_read_buf(&mut buf));
        assert_eq!(buf, b"pre", "a WouldBlock must leave the vector as it was");
        server.write_all(&[7; 100]).await.unwrap();
        client.readable().await.unwrap();
        // The vector was full: it grows by 64 bytes, so one call reads 64 of the 100.
        assert_eq!(client.try_read_buf(&mut buf).unwrap(), 64);
        assert_eq!(buf.len(), 67);
        let mut rest = Vec::with_capacity(64);
        let n = until_ready("rest", || client.try_read_buf(&mut rest)).await;
        assert_eq!((n, &rest[..]), (36, &[7; 36][..]));
        drop(server);
        client.readable().await.unwrap();
        assert_eq!(
            until_ready("eof", || client.try_read_buf(&mut rest)).await,
            0
        );
    });
}

#[test]
fn every_tcp_ready_and_async_io_waiter_is_woken_by_one_write() {
    let _dog = Watchdog::new("tcp_ready_waiters", DOG);
    both(|| async {
        let (client, mut server) = tcp_pair().await;
        let client = Arc::new(client);
        let op = |i: usize| {
            let client = client.clone();
            async move {
                if i == 0 {
                    let mut buf = [0; 8];
                    // A peek through async_io on a duplicate of the fd (it shares the
                    // non-blocking flag): consumes nothing, so every waiter sees data.
                    let fd = std::os::fd::AsFd::as_fd(&*client)
                        .try_clone_to_owned()
                        .unwrap();
                    let dup = std::net::TcpStream::from(fd);
                    client
                        .async_io(Interest::READABLE, || dup.peek(&mut buf))
                        .await
                        .unwrap() as u8
                } else {
                    client
                        .ready(Interest::READABLE)
                        .await
                        .unwrap()
                        .is_readable() as u8
                }
            }
        };
        let write = async { server.write_all(b"wake").await.unwrap() };
        let seen = all_woken("tcp ready/async_io", op, write).await;
        assert!(seen[0] > 0 && seen[1..].iter().all(|&r| r == 1), "{seen:?}");
        let mut buf = [0; 8];
        let n = client.try_read(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"wake");
    });
}

#[test]
fn unix_stream_ready_try_io_and_poll_ready_follow_the_data() {
    let _dog = Watchdog::new("unix_ready", DOG);
    both(|| async {
        let (a, b) = UnixStream::pair().unwrap();
        assert!(a.ready(Interest::WRITABLE).await.unwrap().is_writable());
        would_block(a.try_io(Interest::READABLE, || Ok(())));
        assert!(poll_once(|cx| a.poll_read_ready(cx)).is_pending());
        std::future::poll_fn(|cx| b.poll_write_ready(cx))
            .await
            .unwrap();
        assert_eq!(b.try_write(b"unix").unwrap(), 4);
        assert!(a.ready(Interest::READABLE).await.unwrap().is_readable());
        // Once both are cached, a combined interest reports both.
        let ready = a
            .ready(Interest::READABLE | Interest::WRITABLE)
            .await
            .unwrap();
        assert!(ready.is_readable() && ready.is_writable(), "{ready:?}");
        std::future::poll_fn(|cx| a.poll_read_ready(cx))
            .await
            .unwrap();
        let mut buf = [0; 8];
        let n = a
            .try_io(Interest::READABLE, || a.try_read(&mut buf))
            .unwrap();
        assert_eq!(&buf[..n], b"unix");
        // try_read's WouldBlock (inside try_io) cleared readiness: the next ready waits.
        would_block(a.try_io(Interest::READABLE, || a.try_read(&mut buf)));
        assert!(poll_once(|cx| a.poll_read_ready(cx)).is_pending());
    });
}

#[test]
fn unix_stream_vectored_and_buf_forms_move_bytes_in_order() {
    let _dog = Watchdog::new("unix_vectored", DOG);
    both(|| async {
        let (a, b) = UnixStream::pair().unwrap();
        would_block(a.try_read_buf(&mut Vec::new()));
        would_block(a.try_read_vectored(&mut [IoSliceMut::new(&mut [0; 2])]));
        b.writable().await.unwrap();
        let n = b
            .try_write_vectored(&[IoSlice::new(b"12"), IoSlice::new(b"345")])
            .unwrap();
        assert_eq!(n, 5);
        a.readable().await.unwrap();
        let mut head = [0; 2];
        let n = a
            .try_read_vectored(&mut [IoSliceMut::new(&mut head)])
            .unwrap();
        assert_eq!((n, &head), (2, b"12"));
        let mut rest = b"#".to_vec();
        let n = until_ready("unix read_buf", || a.try_read_buf(&mut rest)).await;
        assert_eq!((n, &rest[..]), (3, &b"#345"[..]));
        drop(b);
        a.readable().await.unwrap();
        assert_eq!(until_ready("eof", || a.try_read_buf(&mut rest)).await, 0);
    });
}

#[test]
fn every_unix_stream_ready_waiter_is_woken_by_one_write() {
    let _dog = Watchdog::new("unix_ready_waiters", DOG);
    both(|| async {
        let (a, mut b) = UnixStream::pair().unwrap();
        let a = Arc::new(a);
        let op = |_| {
            let a = a.clone();
            async move { a.ready(Interest::READABLE).await.unwrap() }
        };
        let write = async { b.write_all(b"all").await.unwrap() };
        for ready in all_woken("unix ready", op, write).await {
            assert!(ready.is_readable());
        }
    });
}
