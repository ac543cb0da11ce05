//! [`RtNet`], [`RtTime`] and [`RtSync`] for [`RuntimeRt`] over `runtime::{net, time, sync}`.

use super::RuntimeRt;
use crate::{RtNet, RtSync, RtTime};
use futures_util::{AsyncReadExt, AsyncWriteExt};
use runtime::net::{TcpListener, TcpStream};
use runtime::sync::{Mutex, Semaphore, mpsc, oneshot};
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

impl RtNet for RuntimeRt {
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

impl RtTime for RuntimeRt {
    async fn sleep(duration: Duration) {
        runtime::time::sleep(duration).await;
    }
}

impl RtSync for RuntimeRt {
    type Tx = mpsc::Sender<u64>;
    type Rx = mpsc::Receiver<u64>;
    type UnboundedTx = mpsc::UnboundedSender<u64>;
    type UnboundedRx = mpsc::UnboundedReceiver<u64>;
    type OneshotTx = oneshot::Sender<u64>;
    type OneshotRx = oneshot::Receiver<u64>;
    type Mutex = Mutex<u64>;
    type Semaphore = Semaphore;
    type RequestTx = mpsc::Sender<(u64, oneshot::Sender<u64>)>;
    type RequestRx = mpsc::Receiver<(u64, oneshot::Sender<u64>)>;

    fn bounded(capacity: usize) -> (Self::Tx, Self::Rx) {
        mpsc::channel(capacity)
    }

    async fn send(tx: &Self::Tx, value: u64) {
        tx.send(value).await.expect("benchmark receiver dropped");
    }

    async fn recv(rx: &mut Self::Rx) -> Option<u64> {
        rx.recv().await
    }

    fn unbounded() -> (Self::UnboundedTx, Self::UnboundedRx) {
        mpsc::unbounded_channel()
    }

    fn send_unbounded(tx: &Self::UnboundedTx, value: u64) {
        tx.send(value).expect("benchmark receiver dropped");
    }

    async fn recv_unbounded(rx: &mut Self::UnboundedRx) -> Option<u64> {
        rx.recv().await
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
        mpsc::channel(capacity)
    }

    async fn send_request(tx: &Self::RequestTx, value: u64, reply: Self::OneshotTx) {
        // `is_err`, not `expect`: the error carries the oneshot sender, which need not be `Debug`.
        if tx.send((value, reply)).await.is_err() {
            panic!("benchmark request receiver dropped");
        }
    }

    async fn recv_request(rx: &mut Self::RequestRx) -> Option<(u64, Self::OneshotTx)> {
        rx.recv().await
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
        let _permit = sem.acquire().await.expect("benchmark semaphore closed");
        f.await
    }
}
