//! UDP and Unix-domain sockets: datagram and stream round trips, peeking, connected and
//! unconnected use, and error kinds that name the path.

mod support;

use runtime::io::{AsyncReadExt, AsyncWriteExt};
use runtime::net::{UdpSocket, UnixDatagram, UnixListener, UnixStream};
use std::io;
use std::sync::Arc;
use std::time::Duration;
use support::{TempDir, Watchdog};

const BOUND: Duration = Duration::from_secs(60);

#[test]
fn udp_round_trip_between_tasks_keeps_datagrams_whole() {
    let _dog = Watchdog::new("udp_round_trip", BOUND);
    support::multi(2).block_on(async {
        let server = Arc::new(UdpSocket::bind("127.0.0.1:0").await.unwrap());
        let server_addr = server.local_addr().unwrap();
        let echo = runtime::spawn({
            let server = server.clone();
            async move {
                let mut buf = [0u8; 64];
                for _ in 0..50 {
                    let (n, from) = server.recv_from(&mut buf).await?;
                    server.send_to(&buf[..n], from).await?;
                }
                Ok::<(), io::Error>(())
            }
        });
        let client = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        client.connect(server_addr).await.unwrap();
        for i in 0..50u32 {
            let msg = format!("datagram {i}");
            assert_eq!(client.send(msg.as_bytes()).await.unwrap(), msg.len());
            let mut buf = [0u8; 64];
            let n = client.recv(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], msg.as_bytes());
        }
        echo.await.unwrap().unwrap();
    });
}

#[test]
fn udp_peek_from_leaves_the_datagram_and_try_recv_reports_would_block() {
    support::current().block_on(async {
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let mut buf = [0u8; 8];
        assert_eq!(
            b.try_recv_from(&mut buf).unwrap_err().kind(),
            io::ErrorKind::WouldBlock
        );
        a.send_to(b"peek", b.local_addr().unwrap()).await.unwrap();
        let peeked = b.peek_from(&mut buf).await.unwrap();
        assert_eq!(peeked, (4, a.local_addr().unwrap()));
        assert_eq!(b.recv_from(&mut buf).await.unwrap(), peeked);
        assert_eq!(&buf[..4], b"peek");
        assert_eq!(
            b.try_recv_from(&mut buf).unwrap_err().kind(),
            io::ErrorKind::WouldBlock
        );
    });
}

#[test]
fn unix_stream_round_trip_through_a_listener() {
    let _dog = Watchdog::new("unix_stream_round_trip", BOUND);
    let dir = TempDir::new("stream");
    let path = dir.path("echo.sock");
    support::multi(2).block_on(async {
        let listener = UnixListener::bind(&path).unwrap();
        let server = runtime::spawn(async move {
            let (mut conn, _) = listener.accept().await?;
            let mut all = Vec::new();
            conn.read_to_end(&mut all).await?;
            conn.write_all(&all).await?;
            Ok::<(), io::Error>(())
        });
        let mut client = UnixStream::connect(&path).await.unwrap();
        let payload: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        client.write_all(&payload).await.unwrap();
        client.shutdown(std::net::Shutdown::Write).unwrap();
        let mut back = Vec::new();
        client.read_to_end(&mut back).await.unwrap();
        assert_eq!(back, payload);
        server.await.unwrap().unwrap();
    });
}

#[test]
fn unix_errors_keep_their_kind_and_name_the_path() {
    let dir = TempDir::new("errors");
    let path = dir.path("nobody.sock");
    support::current().block_on(async {
        let err = UnixStream::connect(&path).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound, "{err}");
        assert!(err.to_string().contains("nobody.sock"), "{err}");
        let _listener = UnixListener::bind(&path).unwrap();
        let err = UnixListener::bind(&path).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AddrInUse, "{err}");
        assert!(err.to_string().contains("nobody.sock"), "{err}");
    });
}

#[test]
fn unix_datagram_round_trip_bound_and_paired() {
    let _dog = Watchdog::new("unix_datagram", BOUND);
    let dir = TempDir::new("dgram");
    let path = dir.path("dgram.sock");
    support::current().block_on(async {
        let server = UnixDatagram::bind(&path).unwrap();
        let client = UnixDatagram::unbound().unwrap();
        for i in 0..10u8 {
            client.send_to(&[i; 3], &path).await.unwrap();
        }
        let mut buf = [0u8; 8];
        for i in 0..10u8 {
            let (n, _) = server.recv_from(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], &[i; 3]);
        }
        let (a, b) = UnixDatagram::pair().unwrap();
        a.send(b"pair").await.unwrap();
        let n = b.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"pair");
    });
}

#[test]
fn sockets_created_outside_a_runtime_give_an_error_not_a_panic() {
    let err = UnixStream::pair().unwrap_err();
    assert!(err.to_string().contains("no runtime"), "{err}");
    let std_socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let err = UdpSocket::from_std(std_socket).unwrap_err();
    assert!(err.to_string().contains("no runtime"), "{err}");
}

/// A Linux abstract socket name ("\0name": no file, gone with the socket) unique to this test.
#[cfg(target_os = "linux")]
fn abstract_name(tag: &str) -> String {
    format!("\0rt-abstract-{tag}-{}", std::process::id())
}

#[cfg(target_os = "linux")]
#[test]
fn unix_listener_binds_a_linux_abstract_name_and_exchanges_bytes() {
    use std::os::linux::net::SocketAddrExt;
    let _dog = Watchdog::new("unix_abstract_stream", BOUND);
    let name = abstract_name("stream");
    support::current().block_on(async {
        let listener = UnixListener::bind(&name).unwrap();
        let local = listener.local_addr().unwrap();
        assert_eq!(local.as_abstract_name(), Some(&name.as_bytes()[1..]));
        assert_eq!(local.as_pathname(), None);
        let mut client = UnixStream::connect(&name).await.unwrap();
        let (mut server, _) = listener.accept().await.unwrap();
        assert_eq!(
            client.peer_addr().unwrap().as_abstract_name(),
            Some(&name.as_bytes()[1..])
        );
        client.write_all(b"ping").await.unwrap();
        let mut buf = [0; 4];
        server.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"ping");
        server.write_all(b"pong").await.unwrap();
        client.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"pong");
        // The name is taken while the listener lives.
        let err = UnixListener::bind(&name).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AddrInUse);
    });
}

#[cfg(target_os = "linux")]
#[test]
fn unix_datagram_binds_sends_to_and_connects_to_linux_abstract_names() {
    use std::os::linux::net::SocketAddrExt;
    let _dog = Watchdog::new("unix_abstract_datagram", BOUND);
    let server_name = abstract_name("dgram-server");
    let client_name = abstract_name("dgram-client");
    support::current().block_on(async {
        let server = UnixDatagram::bind(&server_name).unwrap();
        let client = UnixDatagram::bind(&client_name).unwrap();
        assert_eq!(
            server.local_addr().unwrap().as_abstract_name(),
            Some(&server_name.as_bytes()[1..])
        );
        assert_eq!(client.send_to(b"to", &server_name).await.unwrap(), 2);
        let mut buf = [0; 8];
        let (n, from) = server.recv_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"to");
        assert_eq!(from.as_abstract_name(), Some(&client_name.as_bytes()[1..]));
        server.connect(&client_name).unwrap();
        server.send(b"back").await.unwrap();
        assert_eq!(client.recv(&mut buf).await.unwrap(), 4);
        assert_eq!(&buf[..4], b"back");
    });
}
