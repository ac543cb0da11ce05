//! `runtime::compat::tokio_io::TokioIo`: Tokio's I/O traits (and Tokio's own extension
//! methods on them) over runtime sockets, with no Tokio runtime: large transfers byte for
//! byte, reads into uninitialized `ReadBuf`s, shutdown seen as EOF, a lying reader rejected.

#[path = "../../runtime/tests/support/mod.rs"]
mod support;

use runtime::compat::tokio_io::TokioIo;
use runtime::net::{TcpListener, TcpStream};
use std::future::poll_fn;
use std::io;
use std::mem::MaybeUninit;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use support::Watchdog;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt, ReadBuf};

#[test]
fn tokio_extension_methods_move_a_large_payload_over_tcp() {
    let _dog = Watchdog::new("tokio_io_tcp", Duration::from_secs(60));
    support::multi(2).block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let payload: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        let sent = payload.clone();
        let writer = runtime::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let mut stream = TokioIo::new(stream);
            stream.write_all(&sent).await.unwrap();
            stream.shutdown().await.unwrap(); // the reader sees EOF after the last byte
        });
        let mut stream = TokioIo::new(TcpStream::connect(addr).await.unwrap());
        assert_eq!(stream.read_u8().await.unwrap(), payload[0]);
        let mut rest = Vec::new();
        let n = stream.read_to_end(&mut rest).await.unwrap();
        assert_eq!(n, payload.len() - 1);
        assert!(rest == payload[1..], "payload differs");
        writer.await.unwrap();
    });
}

#[test]
fn reads_into_uninitialized_memory_fill_exactly_what_arrived() {
    support::current().block_on(async {
        let (a, b) = runtime::net::UnixStream::pair().unwrap();
        let (mut a, mut b) = (TokioIo::new(a), TokioIo::new(b));
        a.write_all(b"abcdef").await.unwrap();
        let mut storage = [MaybeUninit::<u8>::uninit(); 4];
        let mut buf = ReadBuf::uninit(&mut storage);
        while buf.remaining() > 0 {
            poll_fn(|cx| Pin::new(&mut b).poll_read(cx, &mut buf))
                .await
                .unwrap();
        }
        assert_eq!(buf.filled(), b"abcd");
        let mut tail = [0u8; 2];
        b.read_exact(&mut tail).await.unwrap();
        assert_eq!(&tail, b"ef");
        drop(a);
        assert_eq!(
            b.read(&mut tail).await.unwrap(),
            0,
            "EOF after the writer is gone"
        );
    });
}

/// Claims one byte more than the buffer holds.
struct Liar;

impl runtime::io::AsyncRead for Liar {
    fn poll_read(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(buf.len() + 1))
    }
}

#[test]
fn a_reader_claiming_more_than_the_buffer_is_an_error_not_a_fill() {
    support::current().block_on(async {
        let mut io = TokioIo::new(Liar);
        let mut storage = [0u8; 3];
        let mut buf = ReadBuf::new(&mut storage);
        let err = poll_fn(|cx| Pin::new(&mut io).poll_read(cx, &mut buf))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(err.to_string().contains("4 bytes"), "{err}");
        assert!(buf.filled().is_empty());
    });
}

#[test]
fn vectored_writes_reach_the_peer_in_order() {
    support::current().block_on(async {
        let (a, b) = runtime::net::UnixStream::pair().unwrap();
        let (mut a, mut b) = (TokioIo::new(a), TokioIo::new(b));
        let parts = [
            io::IoSlice::new(b"one "),
            io::IoSlice::new(b"two "),
            io::IoSlice::new(b"three"),
        ];
        assert!(tokio::io::AsyncWrite::is_write_vectored(&a));
        let n = a.write_vectored(&parts).await.unwrap();
        assert_eq!(n, 13, "a Unix socket takes 13 bytes in one writev");
        a.shutdown().await.unwrap();
        let mut got = String::new();
        b.read_to_string(&mut got).await.unwrap();
        assert_eq!(got, "one two three");
    });
}
