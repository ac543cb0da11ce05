//! [`HyperIo`]: hyper's `rt::Read`/`rt::Write` over any `futures-io` stream.
//!
//! # Unsafe
//! This file holds the module's one `unsafe` operation, in [`read_into`]: hyper hands reads
//! a cursor over possibly uninitialized memory, and marking bytes as filled needs
//! `ReadBufCursor::advance`, which is `unsafe`. The invariant it relies on: **bytes are only
//! reported filled after `initialize_unfilled_to` has initialized them and the reader has
//! written them, and never more than the slice it was given** (a reader claiming more is
//! turned into an `InvalidData` error before the cursor moves).

use futures_io::{AsyncRead, AsyncWrite};
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

pin_project_lite::pin_project! {
    /// Adapts a `futures-io` stream (a [`TcpStream`](crate::net::TcpStream), a
    /// [`UnixStream`](crate::net::UnixStream), a TLS stream, ...) to hyper's I/O traits, so
    /// hyper's `serve_connection` and `handshake` functions accept it.
    ///
    /// Reads go straight into hyper's buffer (the part offered to a read is zeroed first,
    /// as `futures-io` needs, and its size adapts to what recent reads returned); writes,
    /// vectored writes, flush and shutdown (`poll_close`) are forwarded.
    ///
    /// ```
    /// use runtime::compat::hyper::HyperIo;
    /// use runtime::net::{TcpListener, TcpStream};
    /// use http_body_util::{BodyExt, Empty, Full};
    /// use bytes::Bytes;
    ///
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// let listener = TcpListener::bind("127.0.0.1:0").await?;
    /// let addr = listener.local_addr()?;
    /// runtime::spawn(async move {
    ///     let (stream, _) = listener.accept().await.unwrap();
    ///     let service = hyper::service::service_fn(|_req| async {
    ///         Ok::<_, std::convert::Infallible>(hyper::Response::new(Full::new(Bytes::from("hi"))))
    ///     });
    ///     let _ = hyper::server::conn::http1::Builder::new()
    ///         .serve_connection(HyperIo::new(stream), service)
    ///         .await;
    /// });
    ///
    /// let stream = TcpStream::connect(addr).await?;
    /// let (mut sender, conn) = hyper::client::conn::http1::handshake(HyperIo::new(stream))
    ///     .await
    ///     .unwrap();
    /// runtime::spawn(conn);
    /// let request = hyper::Request::get("/").header("host", "x").body(Empty::<Bytes>::new()).unwrap();
    /// let response = sender.send_request(request).await.unwrap();
    /// let body = response.into_body().collect().await.unwrap().to_bytes();
    /// assert_eq!(body, "hi");
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    #[derive(Debug)]
    pub struct HyperIo<T> {
        #[pin]
        inner: T,
        // How many bytes of hyper's buffer the next read zeroes and offers (see `ReadSize`).
        read_size: ReadSize,
    }
}

/// Adaptive read size. hyper offers every read its whole free buffer (8 KiB and up), and
/// each offer must be zeroed first (`futures-io` reads need initialized memory), also for
/// the reads that end in `Pending`. Offering only about what recent reads returned keeps
/// that zeroing small for small requests; a read that fills its offer doubles the next one,
/// so large bodies quickly get whole-buffer reads.
#[derive(Debug, Clone, Copy)]
struct ReadSize(usize);

impl ReadSize {
    /// Start and floor: 1 KiB holds a typical request head (wrk's is ~40 B, a browser's
    /// ~500 B); bigger ones cost one extra read, then the size has doubled.
    const MIN: usize = 1024;

    /// Ceiling: above hyper's largest read buffer (~400 KiB by default), so never what limits
    /// a read; it only bounds how long shrinking back takes.
    const MAX: usize = 1 << 20;

    fn after_read(self, offered: usize, read: usize) -> ReadSize {
        if offered > 0 && read == offered {
            ReadSize((self.0 * 2).min(Self::MAX))
        } else if read < self.0 / 4 {
            ReadSize((self.0 / 2).max(Self::MIN))
        } else {
            self
        }
    }
}

impl<T> HyperIo<T> {
    /// Wraps `inner`.
    ///
    /// ```
    /// let io = runtime::compat::hyper::HyperIo::new(futures_util::io::Cursor::new(vec![1u8]));
    /// assert_eq!(io.get_ref().get_ref(), &[1]);
    /// ```
    pub fn new(inner: T) -> HyperIo<T> {
        HyperIo {
            inner,
            read_size: ReadSize(ReadSize::MIN),
        }
    }

    /// The wrapped stream.
    ///
    /// ```
    /// let io = runtime::compat::hyper::HyperIo::new(futures_util::io::Cursor::new(vec![1u8]));
    /// assert_eq!(io.get_ref().position(), 0);
    /// ```
    pub fn get_ref(&self) -> &T {
        &self.inner
    }

    /// The wrapped stream, mutably.
    ///
    /// ```
    /// let mut io = runtime::compat::hyper::HyperIo::new(futures_util::io::Cursor::new(vec![1u8]));
    /// io.get_mut().set_position(1);
    /// assert_eq!(io.get_ref().position(), 1);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// Unwraps the stream.
    ///
    /// ```
    /// let io = runtime::compat::hyper::HyperIo::new(futures_util::io::Cursor::new(vec![1u8]));
    /// assert_eq!(io.into_inner().into_inner(), vec![1]);
    /// ```
    pub fn into_inner(self) -> T {
        self.inner
    }
}

/// Reads from `reader` into (at most `limit` bytes of) the unfilled part of `cursor`, marks
/// the bytes read as filled and returns how many bytes were offered and read.
fn read_into<R: AsyncRead + ?Sized>(
    reader: Pin<&mut R>,
    cx: &mut Context<'_>,
    mut cursor: ::hyper::rt::ReadBufCursor<'_>,
    limit: usize,
) -> Poll<io::Result<(usize, usize)>> {
    // Zeroes only the part hyper has not initialized before, so each byte at most once.
    let unfilled = cursor.initialize_unfilled_to(cursor.remaining().min(limit));
    let capacity = unfilled.len();
    let n = ready!(reader.poll_read(cx, unfilled))?;
    if n > capacity {
        return Poll::Ready(Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("HyperIo: the reader reported {n} bytes read into a {capacity}-byte buffer"),
        )));
    }
    // SAFETY: the first `capacity` bytes of the unfilled part were initialized by
    // `initialize_unfilled_to` above, and `n <= capacity` was just checked, so advancing by
    // `n` only marks initialized bytes (the ones the reader wrote) as filled (module
    // invariant).
    unsafe { cursor.advance(n) };
    Poll::Ready(Ok((capacity, n)))
}

impl<T: AsyncRead> ::hyper::rt::Read for HyperIo<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ::hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.project();
        let (offered, read) = ready!(read_into(this.inner, cx, buf, this.read_size.0))?;
        *this.read_size = this.read_size.after_read(offered, read);
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncWrite> ::hyper::rt::Write for HyperIo<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.project().inner.poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_close(cx)
    }

    /// `true`: hyper then queues head and body as separate slices for one vectored write
    /// instead of copying the body next to the head. Streams without a real vectored write
    /// fall back to `futures-io`'s default (the first non-empty slice per call), still
    /// correct.
    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.project().inner.poll_write_vectored(cx, bufs)
    }
}

#[cfg(test)]
mod tests {
    use super::ReadSize;

    #[test]
    fn read_size_doubles_on_full_reads_and_halves_on_small_ones() {
        let size = ReadSize(ReadSize::MIN);
        assert_eq!(size.after_read(1024, 1024).0, 2048);
        assert_eq!(
            size.after_read(1024, 1000).0,
            1024,
            "a mostly full read keeps the size"
        );
        assert_eq!(ReadSize(8192).after_read(8192, 100).0, 4096);
        assert_eq!(
            size.after_read(1024, 10).0,
            ReadSize::MIN,
            "never below the floor"
        );
        assert_eq!(size.after_read(0, 0).0, 1024, "an empty offer says nothing");
        assert_eq!(
            ReadSize(ReadSize::MAX)
                .after_read(ReadSize::MAX, ReadSize::MAX)
                .0,
            ReadSize::MAX
        );
    }
}
