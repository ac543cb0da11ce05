//! `UdpSocket`'s added API (issue 20 item 5): `ready`/`try_io`/`async_io`, the `poll_*`
//! family driven through `std::future::poll_fn`, `peek_sender`/`try_peek_sender`, the
//! `recv_buf` family, multicast loop/TTL, TOS and TCLASS round trips and `TryFrom<std>`, with
//! the multi-waiter cases, on both runtime flavors.

mod net_api;
mod support;

use net_api::{DOG, all_woken, both, poll_once, settle};
use runtime::io::Interest;
use runtime::net::UdpSocket;
use std::future::poll_fn;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use support::Watchdog;

fn would_block<T: std::fmt::Debug>(result: io::Result<T>) {
    assert_eq!(result.unwrap_err().kind(), io::ErrorKind::WouldBlock);
}

/// Two sockets on loopback; `a` is shared for the multi-waiter tests.
async fn pair() -> (Arc<UdpSocket>, UdpSocket) {
    let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    (Arc::new(a), b)
}

fn addr(socket: &UdpSocket) -> SocketAddr {
    socket.local_addr().unwrap()
}

#[test]
fn udp_ready_try_io_and_async_io_follow_the_datagrams() {
    let _dog = Watchdog::new("udp_ready", DOG);
    both(|| async {
        let (a, b) = pair().await;
        assert!(a.ready(Interest::WRITABLE).await.unwrap().is_writable());
        would_block(a.try_io(Interest::READABLE, || Ok(())));
        b.send_to(b"one", addr(&a)).await.unwrap();
        assert!(a.ready(Interest::READABLE).await.unwrap().is_readable());
        let mut buf = [0; 8];
        let (n, from) = a
            .try_io(Interest::READABLE, || a.try_recv_from(&mut buf))
            .unwrap();
        assert_eq!((&buf[..n], from), (&b"one"[..], addr(&b)));
        // The inner WouldBlock clears readiness, so try_io stops calling its closure.
        would_block(a.try_io(Interest::READABLE, || a.try_recv_from(&mut buf)));
        would_block(a.try_io(Interest::READABLE, || -> io::Result<()> {
            panic!("called while readiness was cleared")
        }));
        let reader = runtime::spawn({
            let a = a.clone();
            async move {
                let mut buf = [0; 8];
                let n = a
                    .async_io(Interest::READABLE, || a.try_recv(&mut buf))
                    .await
                    .unwrap();
                buf[..n].to_vec()
            }
        });
        settle().await;
        assert!(!reader.is_finished());
        a.connect(addr(&b)).await.unwrap();
        b.send_to(b"two", addr(&a)).await.unwrap();
        assert_eq!(net_api::finish("udp async_io", reader).await, b"two");
    });
}

#[test]
fn udp_poll_family_sends_receives_and_peeks_through_poll_fn() {
    let _dog = Watchdog::new("udp_poll", DOG);
    both(|| async {
        let (a, b) = pair().await;
        let mut buf = [0; 16];
        assert!(poll_once(|cx| a.poll_recv_ready(cx)).is_pending());
        assert!(poll_once(|cx| a.poll_recv_from(cx, &mut buf)).is_pending());
        assert!(poll_once(|cx| a.poll_peek_sender(cx)).is_pending());
        poll_fn(|cx| b.poll_send_ready(cx)).await.unwrap();
        let sent = poll_fn(|cx| b.poll_send_to(cx, b"first", addr(&a))).await;
        assert_eq!(sent.unwrap(), 5);
        poll_fn(|cx| a.poll_recv_ready(cx)).await.unwrap();
        assert_eq!(
            poll_fn(|cx| a.poll_peek_sender(cx)).await.unwrap(),
            addr(&b)
        );
        let (n, from) = poll_fn(|cx| a.poll_peek_from(cx, &mut buf)).await.unwrap();
        assert_eq!((&buf[..n], from), (&b"first"[..], addr(&b)));
        // Peeking left it queued: the receive gets the same datagram.
        let (n, from) = poll_fn(|cx| a.poll_recv_from(cx, &mut buf)).await.unwrap();
        assert_eq!((&buf[..n], from), (&b"first"[..], addr(&b)));

        a.connect(addr(&b)).await.unwrap();
        b.connect(addr(&a)).await.unwrap();
        assert_eq!(poll_fn(|cx| b.poll_send(cx, b"second")).await.unwrap(), 6);
        let n = poll_fn(|cx| a.poll_recv(cx, &mut buf)).await.unwrap();
        assert_eq!(&buf[..n], b"second");
        // A datagram longer than the buffer is truncated to it.
        b.send(b"truncated").await.unwrap();
        let n = poll_fn(|cx| a.poll_recv(cx, &mut buf[..4])).await.unwrap();
        assert_eq!(&buf[..n], b"trun");
    });
}

#[test]
fn udp_poll_send_on_an_unconnected_socket_is_an_error() {
    let _dog = Watchdog::new("udp_poll_send_err", DOG);
    both(|| async {
        let (a, _b) = pair().await;
        let err = poll_fn(|cx| a.poll_send(cx, b"nowhere")).await.unwrap_err();
        assert_ne!(err.kind(), io::ErrorKind::WouldBlock, "{err}");
    });
}

#[test]
fn udp_peek_sender_leaves_the_datagram_and_try_peek_sender_would_block_when_empty() {
    let _dog = Watchdog::new("udp_peek_sender", DOG);
    both(|| async {
        let (a, b) = pair().await;
        would_block(a.try_peek_sender());
        b.send_to(b"who", addr(&a)).await.unwrap();
        assert_eq!(a.peek_sender().await.unwrap(), addr(&b));
        assert_eq!(a.try_peek_sender().unwrap(), addr(&b));
        let mut buf = [0; 8];
        let (n, from) = a.recv_from(&mut buf).await.unwrap();
        assert_eq!((&buf[..n], from), (&b"who"[..], addr(&b)));
        would_block(a.try_peek_sender());
    });
}

#[test]
fn udp_recv_buf_family_appends_each_datagram_and_would_block_when_empty() {
    let _dog = Watchdog::new("udp_recv_buf", DOG);
    both(|| async {
        let (a, b) = pair().await;
        let mut buf = b"[".to_vec();
        would_block(a.try_recv_buf_from(&mut buf));
        assert_eq!(buf, b"[", "a WouldBlock must leave the vector as it was");
        b.send_to(b"one", addr(&a)).await.unwrap();
        let (n, from) = a.recv_buf_from(&mut buf).await.unwrap();
        assert_eq!((n, from, &buf[..]), (3, addr(&b), &b"[one"[..]));
        b.send_to(b"two", addr(&a)).await.unwrap();
        a.readable().await.unwrap();
        let (n, _) =
            net_api::until_ready("try_recv_buf_from", || a.try_recv_buf_from(&mut buf)).await;
        assert_eq!((n, &buf[..]), (3, &b"[onetwo"[..]));

        a.connect(addr(&b)).await.unwrap();
        let mut conn = Vec::new();
        would_block(a.try_recv_buf(&mut conn));
        b.send_to(&[9; 100], addr(&a)).await.unwrap();
        // An empty vector grows by 64 bytes: the 100-byte datagram is truncated to that.
        assert_eq!(a.recv_buf(&mut conn).await.unwrap(), 64);
        assert_eq!(conn, [9; 64]);
        b.send_to(b"three", addr(&a)).await.unwrap();
        a.readable().await.unwrap();
        let mut last = Vec::with_capacity(32);
        let n = net_api::until_ready("try_recv_buf", || a.try_recv_buf(&mut last)).await;
        assert_eq!((n, &last[..]), (5, &b"three"[..]));
    });
}

#[test]
fn every_udp_ready_peek_sender_and_recv_buf_waiter_is_woken() {
    let _dog = Watchdog::new("udp_waiters", DOG);
    both(|| async {
        let (a, b) = pair().await;
        let b_addr = addr(&b);
        // Waiters 0 and 1 only look (ready, peek_sender); waiter 2 takes a datagram. Two are
        // sent, so one is still queued for the lookers whichever runs first.
        let op = |i: usize| {
            let a = a.clone();
            async move {
                match i {
                    0 => a.ready(Interest::READABLE).await.unwrap().is_readable() as usize,
                    1 => (a.peek_sender().await.unwrap() == b_addr) as usize,
                    _ => {
                        let mut buf = Vec::new();
                        a.recv_buf_from(&mut buf).await.unwrap();
                        buf.len()
                    }
                }
            }
        };
        let send = async {
            b.send_to(b"abc", addr(&a)).await.unwrap();
            b.send_to(b"def", addr(&a)).await.unwrap();
        };
        let seen = all_woken("udp ready/peek_sender/recv_buf_from", op, send).await;
        assert_eq!(seen, [1, 1, 3]);
    });
}

#[test]
fn every_udp_recv_buf_waiter_gets_its_own_datagram() {
    let _dog = Watchdog::new("udp_recv_buf_waiters", DOG);
    both(|| async {
        let (a, b) = pair().await;
        let op = |_| {
            let a = a.clone();
            async move {
                let mut buf = Vec::new();
                a.recv_buf(&mut buf).await.unwrap();
                buf
            }
        };
        a.connect(addr(&b)).await.unwrap();
        let send = async {
            for i in 0..net_api::WAITERS as u8 {
                b.send_to(&[i], addr(&a)).await.unwrap();
            }
        };
        let mut got: Vec<u8> = all_woken("udp recv_buf", op, send)
            .await
            .into_iter()
            .flatten()
            .collect();
        got.sort();
        assert_eq!(got, (0..net_api::WAITERS as u8).collect::<Vec<_>>());
    });
}

#[test]
fn udp_multicast_tos_and_tclass_options_round_trip() {
    let _dog = Watchdog::new("udp_options", DOG);
    both(|| async {
        let v4 = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        assert!(v4.multicast_loop_v4().unwrap());
        v4.set_multicast_loop_v4(false).unwrap();
        assert!(!v4.multicast_loop_v4().unwrap());
        assert_eq!(v4.multicast_ttl_v4().unwrap(), 1);
        v4.set_multicast_ttl_v4(42).unwrap();
        assert_eq!(v4.multicast_ttl_v4().unwrap(), 42);
        v4.set_tos_v4(0x10).unwrap();
        assert_eq!(v4.tos_v4().unwrap(), 0x10);
        #[allow(deprecated)]
        {
            v4.set_tos(0x08).unwrap();
            assert_eq!(v4.tos().unwrap(), 0x08);
        }
        // An IPv6-only option on an IPv4 socket is an error, not a panic.
        assert!(v4.multicast_loop_v6().is_err());
        if let Ok(v6) = UdpSocket::bind("[::1]:0").await {
            v6.set_multicast_loop_v6(false).unwrap();
            assert!(!v6.multicast_loop_v6().unwrap());
            v6.set_tclass_v6(0x28).unwrap();
            assert_eq!(v6.tclass_v6().unwrap(), 0x28);
        }
    });
}

#[test]
fn udp_try_from_std_converts_a_blocking_socket() {
    let _dog = Watchdog::new("udp_try_from", DOG);
    both(|| async {
        let std_socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let socket = UdpSocket::try_from(std_socket).unwrap();
        // Non-blocking now: an empty queue is WouldBlock, not a hang.
        would_block(socket.try_recv_from(&mut [0; 4]));
        socket.send_to(b"me", addr(&socket)).await.unwrap();
        let mut buf = [0; 4];
        let (n, _) = socket.recv_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"me");
    });
}

#[test]
fn udp_peek_forms_leave_the_datagram_queued() {
    let _dog = Watchdog::new("udp_peek", DOG);
    both(|| async {
        let (a, b) = pair().await;
        a.connect(addr(&b)).await.unwrap();
        let mut buf = [0; 8];
        would_block(a.try_peek(&mut buf));
        would_block(a.try_peek_from(&mut buf));
        assert!(poll_once(|cx| a.poll_peek(cx, &mut buf)).is_pending());
        b.send_to(b"keep", addr(&a)).await.unwrap();
        assert_eq!(poll_fn(|cx| a.poll_peek(cx, &mut buf)).await.unwrap(), 4);
        assert_eq!(a.peek(&mut buf).await.unwrap(), 4);
        assert_eq!(a.try_peek(&mut buf).unwrap(), 4);
        assert_eq!(a.try_peek_from(&mut buf).unwrap(), (4, addr(&b)));
        assert_eq!(a.recv(&mut buf).await.unwrap(), 4);
        assert_eq!(&buf[..4], b"keep");
        would_block(a.try_peek(&mut buf));
    });
}

#[test]
fn every_udp_peek_waiter_sees_the_same_datagram() {
    let _dog = Watchdog::new("udp_peek_waiters", DOG);
    both(|| async {
        let (a, b) = pair().await;
        a.connect(addr(&b)).await.unwrap();
        let op = |_| {
            let a = a.clone();
            async move {
                let mut buf = [0; 8];
                let n = a.peek(&mut buf).await.unwrap();
                buf[..n].to_vec()
            }
        };
        let send = async {
            b.send_to(b"same", addr(&a)).await.unwrap();
        };
        for seen in all_woken("udp peek", op, send).await {
            assert_eq!(seen, b"same");
        }
    });
}
