//! TCP on loopback through the reactor: readiness wakes, a read-closed edge, and an echo round
//! trip driven by a separate driver thread.

mod support;

use io_driver::{Driver, Interest, Ready, Registered};
use std::future::poll_fn;
use std::io::{self, Read, Write};
use std::net::Shutdown;
use std::task::{Context, Poll, Waker};
use support::{Counter, DriverThread, block_on, turn_until};

fn loopback_listener() -> mio::net::TcpListener {
    mio::net::TcpListener::bind("127.0.0.1:0".parse().unwrap()).expect("bind")
}

#[test]
fn connect_wakes_the_listener_reader_and_the_stream_writer() {
    let (mut driver, handle) = Driver::new().unwrap();
    let listener = Registered::new(loopback_listener(), &handle).unwrap();
    let addr = listener.get_ref().local_addr().unwrap();

    let accept_wakes = Counter::new();
    let waker = Waker::from(accept_wakes.clone());
    let mut accept_cx = Context::from_waker(&waker);
    assert!(listener.poll_read_ready(&mut accept_cx).is_pending());

    let client = Registered::new(mio::net::TcpStream::connect(addr).unwrap(), &handle).unwrap();
    let write_wakes = Counter::new();
    let waker = Waker::from(write_wakes.clone());
    let mut write_cx = Context::from_waker(&waker);
    assert!(client.poll_write_ready(&mut write_cx).is_pending());

    turn_until(&mut driver, || {
        accept_wakes.count() > 0 && write_wakes.count() > 0
    });
    assert_eq!((accept_wakes.count(), write_wakes.count()), (1, 1));

    let Poll::Ready(Ok(event)) = listener.poll_read_ready(&mut accept_cx) else {
        panic!("listener must be readable after the wake");
    };
    assert!(event.ready().contains(Ready::READABLE));
    let (stream, peer) = listener.get_ref().accept().unwrap();
    assert_eq!(peer, client.get_ref().local_addr().unwrap());
    drop(stream);
    let Poll::Ready(Ok(event)) = client.poll_write_ready(&mut write_cx) else {
        panic!("stream must be writable after the wake");
    };
    assert!(event.ready().is_writable());
    assert_eq!(handle.metrics().registrations_alive, 2);
}

#[test]
fn peer_write_shutdown_sets_read_closed_for_good() {
    let (mut driver, handle) = Driver::new().unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let peer = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (accepted, _) = listener.accept().unwrap();
    accepted.set_nonblocking(true).unwrap();
    let stream = Registered::new(mio::net::TcpStream::from_std(accepted), &handle).unwrap();

    let wakes = Counter::new();
    let waker = Waker::from(wakes.clone());
    let mut cx = Context::from_waker(&waker);
    assert!(stream.poll_read_ready(&mut cx).is_pending());
    peer.shutdown(Shutdown::Write).unwrap();
    turn_until(&mut driver, || wakes.count() > 0);

    let Poll::Ready(Ok(event)) = stream.poll_read_ready(&mut cx) else {
        panic!("read-closed must make the stream readable");
    };
    assert!(event.ready().is_read_closed(), "{event:?}");
    let mut buf = [0; 8];
    assert_eq!((stream.get_ref()).read(&mut buf).unwrap(), 0, "EOF");
    // Clearing what was observed keeps READ_CLOSED: the reader never waits after EOF.
    stream.registration().clear_readiness(event);
    let Poll::Ready(Ok(again)) = stream.poll_read_ready(&mut cx) else {
        panic!("READ_CLOSED is never cleared");
    };
    assert!(again.ready().is_read_closed());
    assert!(!again.ready().contains(Ready::READABLE));
}

async fn write_all(stream: &Registered<mio::net::TcpStream>, mut data: &[u8]) -> io::Result<()> {
    while !data.is_empty() {
        let n = poll_fn(|cx| stream.poll_write_io(cx, |s| (&*s).write(data))).await?;
        data = &data[n..];
    }
    Ok(())
}

async fn read_exact(stream: &Registered<mio::net::TcpStream>, buf: &mut [u8]) -> io::Result<()> {
    let mut filled = 0;
    while filled < buf.len() {
        let n = poll_fn(|cx| stream.poll_read_io(cx, |s| (&*s).read(&mut buf[filled..]))).await?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        filled += n;
    }
    Ok(())
}

#[test]
fn echo_round_trips_through_a_driver_thread() {
    let (driver_thread, handle) = DriverThread::start();
    let listener = Registered::new(loopback_listener(), &handle).unwrap();
    let addr = listener.get_ref().local_addr().unwrap();

    let server = {
        let handle = handle.clone();
        std::thread::spawn(move || {
            block_on(async {
                let (stream, _) = poll_fn(|cx| listener.poll_read_io(cx, |l| l.accept())).await?;
                let stream = Registered::new(stream, &handle)?;
                let mut buf = [0; 1024];
                loop {
                    let n = poll_fn(|cx| stream.poll_read_io(cx, |s| (&*s).read(&mut buf))).await?;
                    if n == 0 {
                        return io::Result::Ok(());
                    }
                    write_all(&stream, &buf[..n]).await?;
                }
            })
        })
    };

    let client = Registered::new(mio::net::TcpStream::connect(addr).unwrap(), &handle).unwrap();
    block_on(async {
        // The server drains in 1 KiB reads until WouldBlock and the client waits for the echo,
        // so both sides repeatedly park on the reactor. 32 KiB fits in loopback buffers, so the
        // write-all-then-read pattern cannot deadlock.
        let message: Vec<u8> = (0..32 * 1024).map(|i| (i % 251) as u8).collect();
        let mut echoed = vec![0; message.len()];
        for _ in 0..8 {
            write_all(&client, &message).await.unwrap();
            read_exact(&client, &mut echoed).await.unwrap();
            assert_eq!(echoed, message);
        }
    });
    client.get_ref().shutdown(Shutdown::Write).unwrap();
    server.join().unwrap().unwrap();
    drop(client);
    let driver = driver_thread.stop();
    assert!(handle.metrics().readiness_events > 0);
    drop(driver);
    assert!(
        handle.is_shutdown(),
        "dropping the driver shuts the reactor down"
    );
}

#[test]
fn registration_tokens_are_distinct_and_interest_limits_wakes() {
    let (mut driver, handle) = Driver::new().unwrap();
    let (mut a, b) = mio::net::UnixStream::pair().unwrap();
    let registration = handle.register(&mut a, Interest::READABLE).unwrap();
    let other = Registered::new(b, &handle).unwrap();
    assert_ne!(registration.token(), other.registration().token());

    // `a` is registered for reading only: the fresh socket's writability is never reported.
    let read_wakes = Counter::new();
    let waker = Waker::from(read_wakes.clone());
    assert!(
        registration
            .poll_read_ready(&mut Context::from_waker(&waker))
            .is_pending()
    );
    driver.turn(Some(std::time::Duration::ZERO)).unwrap();
    assert_eq!(read_wakes.count(), 0);
    let mut cx = Context::from_waker(Waker::noop());
    assert!(registration.poll_write_ready(&mut cx).is_pending());

    (other.get_ref()).write_all(b"x").unwrap();
    turn_until(&mut driver, || read_wakes.count() > 0);
    assert_eq!(read_wakes.count(), 1);
    registration.deregister(&mut a).unwrap();
}
