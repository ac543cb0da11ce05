//! [`RtNet`], [`RtTime`] and [`RtSync`] for [`SmolRt`] over the crates smol is built from:
//! `async-net`, `async-io`'s `Timer`, `async-channel`, `async-lock` and `futures-channel`'s
//! oneshot (smol has none of its own).

use super::SmolRt;
use crate::{RtNet, RtSync, RtTime};
use async_lock::{Mutex, Semaphore};
use async_net::{TcpListener, TcpStream};
use futures_channel::oneshot;
use futures_util::{AsyncReadExt, AsyncWriteExt};
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

impl RtNet for SmolRt {
    type Listener = TcpListener;
    type Stream = TcpStream;

    async fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
        TcpListener::bind(addr).await
    }

    fn local_addr(listener: &TcpListener) -> io::Result<SocketAddr> {
        listener.local_addr()
    }

    async fn accept(listener: &TcpListener) -> io::Result<TcpStream> {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        Ok(stream)
    }

    async fn connect(addr: SocketAddr) -> io::Result<TcpStream> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(stream)
    }

    async fn read(stream: &mut TcpStream, buf: &mut [u8]) -> io::Result<usize> {
        stream.read(buf).await
    }

    async fn write_all(stream: &mut TcpStream, buf: &[u8]) -> io::Result<()> {
        stream.write_all(buf).await
    }
}

impl RtTime for SmolRt {
    async fn sleep(duration: Duration) {
        async_io::Timer::after(duration).await;
    }
}

impl RtSync for SmolRt {
    type Tx = async_channel::Sender<u64>;
    type Rx = async_channel::Receiver<u64>;
    type UnboundedTx = async_channel::Sender<u64>;
    type UnboundedRx = async_channel::Receiver<u64>;
    type OneshotTx = oneshot::Sender<u64>;
    type OneshotRx = oneshot::Receiver<u64>;
    type Mutex = Mutex<u64>;
    type Semaphore = Semaphore;
    type RequestTx = async_channel::Sender<(u64, oneshot::Sender<u64>)>;
    type RequestRx = async_channel::Receiver<(u64, oneshot::Sender<u64>)>;

    fn bounded(capacity: usize) -> (Self::Tx, Self::Rx) {
        async_channel::bounded(capacity)
    }

    async fn send(tx: &Self::Tx, value: u64) {
        tx.send(value).await.expect("benchmark receiver dropped");
    }

    async fn recv(rx: &mut Self::Rx) -> Option<u64> {
        rx.recv().await.ok()
    }

    fn unbounded() -> (Self::UnboundedTx, Self::UnboundedRx) {
        async_channel::unbounded()
    }

    fn send_unbounded(tx: &Self::UnboundedTx, value: u64) {
        tx.try_send(value).expect("benchmark receiver dropped");
    }

    async fn recv_unbounded(rx: &mut Self::UnboundedRx) -> Option<u64> {
        rx.recv().await.ok()
    }

    fn oneshot() -> (Self::OneshotTx, Self::OneshotRx) {
        oneshot::channel()
    }

    fn send_oneshot(tx: Self::OneshotTx, value: u64) {
        tx.send(value).expect("benchmark receiver dropped");
    }

    async fn recv_oneshot(rx: Self::OneshotRx) -> Option<u64> {
        rx.await.ok()
    }

    fn requests(capacity: usize) -> (Self::RequestTx, Self::RequestRx) {
        async_channel::bounded(capacity)
    }

    async fn send_request(tx: &Self::RequestTx, value: u64, reply: Self::OneshotTx) {
        // `is_err`, not `expect`: the error carries the oneshot sender, which need not be `Debug`.
        if tx.send((value, reply)).await.is_err() {
            panic!("benchmark request receiver dropped");
        }
    }

    async fn recv_request(rx: &mut Self::RequestRx) -> Option<(u64, Self::OneshotTx)> {
        rx.recv().await.ok()
    }

    fn mutex(value: u64) -> Self::Mutex {
        Mutex::new(value)
    }

    async fn add_locked(mutex: &Self::Mutex, n: u64) -> u64 {
        let mut guard = mutex.lock().await;
        *guard += n;
        *guard
    }

    fn semaphore(permits: usize) -> Self::Semaphore {
        Semaphore::new(permits)
    }

    async fn with_permit<F>(sem: &Self::Semaphore, f: F) -> F::Output
    where
        F: Future + Send,
        F::Output: Send,
    {
        let _permit = sem.acquire().await;
        f.await
    }
}
