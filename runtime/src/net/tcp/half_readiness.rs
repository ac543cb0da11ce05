//! The readiness API of the TCP halves, Tokio's: `ready`, `readable`, `try_read`,
//! `try_read_vectored`, `try_read_buf` on a read half and `ready`, `writable`, `try_write`,
//! `try_write_vectored` on a write half, each forwarding to the [`TcpStream`] method of the
//! same name. One macro per direction serves the borrowed and the owned halves.
//!
//! [`TcpStream`]: super::TcpStream

/// A runnable doc example for a half: `$make` builds the halves from `stream` (whose peer
/// is `peer`), `$body` uses them.
macro_rules! half_example {
    ($make:literal, $body:literal) => {
        concat!(
            "```\n",
            "# let rt = runtime::Runtime::new().unwrap();\n",
            "rt.block_on(async {\n",
            "    let listener = std::net::TcpListener::bind(\"127.0.0.1:0\")?;\n",
            "    #[allow(unused_mut)]\n",
            "    let mut stream = runtime::net::TcpStream::connect(listener.local_addr()?).await?;\n",
            "    let mut peer = listener.accept()?.0;\n",
            "    ",
            $make,
            "\n",
            $body,
            "\n",
            "    Ok::<(), std::io::Error>(())\n",
            "}).unwrap();\n",
            "```"
        )
    };
}

/// The read half's readiness methods; `$get` reaches the `&TcpStream` from `$this`.
macro_rules! read_half_readiness {
    ($ty:ty, |$this:ident| $get:expr, $make:literal) => {
        impl $ty {
            /// Waits until any of `interest` is ready ([`TcpStream::ready`] through the
            /// half). Any number of tasks may wait at once.
            ///
            #[doc = $crate::net::tcp::half_readiness::half_example!(
                                        $make,
                                        "    std::io::Write::write_all(&mut peer, b\"hi\")?;
    let ready = reader.ready(runtime::io::Interest::READABLE).await?;
    assert!(ready.is_readable());"
                                    )]
            pub async fn ready(
                &self,
                interest: $crate::io::Interest,
            ) -> std::io::Result<$crate::io::Ready> {
                let $this = self;
                $get.ready(interest).await
            }

            /// Waits until the stream is readable ([`TcpStream::readable`] through the half).
            ///
            #[doc = $crate::net::tcp::half_readiness::half_example!(
                                        $make,
                                        "    std::io::Write::write_all(&mut peer, b\"hi\")?;
    reader.readable().await?;
    let mut buf = [0; 4];
    let n = reader.try_read(&mut buf)?;
    assert_eq!(&buf[..n], b\"hi\");"
                                    )]
            pub async fn readable(&self) -> std::io::Result<()> {
                let $this = self;
                $get.readable().await
            }

            /// Reads what is available without waiting ([`TcpStream::try_read`] through the
            /// half): `WouldBlock` if nothing is, `Ok(0)` at end-of-file.
            ///
            #[doc = $crate::net::tcp::half_readiness::half_example!(
                                        $make,
                                        "    let err = reader.try_read(&mut [0; 4]).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);"
                                    )]
            pub fn try_read(&self, buf: &mut [u8]) -> std::io::Result<usize> {
                let $this = self;
                $get.try_read(buf)
            }

            /// [`TcpStream::try_read_vectored`] through the half.
            ///
            #[doc = $crate::net::tcp::half_readiness::half_example!(
                                        $make,
                                        "    std::io::Write::write_all(&mut peer, b\"abc\")?;
    reader.readable().await?;
    let (mut x, mut y) = ([0; 1], [0; 4]);
    let mut bufs = [std::io::IoSliceMut::new(&mut x), std::io::IoSliceMut::new(&mut y)];
    assert_eq!(reader.try_read_vectored(&mut bufs)?, 3);
    assert_eq!((&x, &y[..2]), (b\"a\", &b\"bc\"[..]));"
                                    )]
            pub fn try_read_vectored(
                &self,
                bufs: &mut [std::io::IoSliceMut<'_>],
            ) -> std::io::Result<usize> {
                let $this = self;
                $get.try_read_vectored(bufs)
            }

            /// [`TcpStream::try_read_buf`] through the half (appends to a `Vec<u8>`).
            ///
            #[doc = $crate::net::tcp::half_readiness::half_example!(
                                        $make,
                                        "    std::io::Write::write_all(&mut peer, b\"buf\")?;
    reader.readable().await?;
    let mut buf = Vec::new();
    assert_eq!(reader.try_read_buf(&mut buf)?, 3);
    assert_eq!(buf, b\"buf\");"
                                    )]
            pub fn try_read_buf(&self, buf: &mut Vec<u8>) -> std::io::Result<usize> {
                let $this = self;
                $get.try_read_buf(buf)
            }
        }
    };
}

/// The write half's readiness methods; `$get` reaches the `&TcpStream` from `$this`.
macro_rules! write_half_readiness {
    ($ty:ty, |$this:ident| $get:expr, $make:literal) => {
        impl $ty {
            /// Waits until any of `interest` is ready ([`TcpStream::ready`] through the
            /// half). Any number of tasks may wait at once.
            ///
            #[doc = $crate::net::tcp::half_readiness::half_example!(
                        $make,
                        "    let ready = writer.ready(runtime::io::Interest::WRITABLE).await?;
    assert!(ready.is_writable());
    # drop(&mut peer);"
                    )]
            pub async fn ready(
                &self,
                interest: $crate::io::Interest,
            ) -> std::io::Result<$crate::io::Ready> {
                let $this = self;
                $get.ready(interest).await
            }

            /// Waits until the stream is writable ([`TcpStream::writable`] through the half).
            ///
            #[doc = $crate::net::tcp::half_readiness::half_example!(
                        $make,
                        "    writer.writable().await?;
    assert_eq!(writer.try_write(b\"hey\")?, 3);
    let mut buf = [0; 3];
    std::io::Read::read_exact(&mut peer, &mut buf)?;
    assert_eq!(&buf, b\"hey\");"
                    )]
            pub async fn writable(&self) -> std::io::Result<()> {
                let $this = self;
                $get.writable().await
            }

            /// Writes what fits without waiting ([`TcpStream::try_write`] through the half):
            /// `WouldBlock` if nothing does.
            ///
            #[doc = $crate::net::tcp::half_readiness::half_example!(
                        $make,
                        "    writer.writable().await?;
    assert_eq!(writer.try_write(b\"ok\")?, 2);
    # drop(&mut peer);"
                    )]
            pub fn try_write(&self, buf: &[u8]) -> std::io::Result<usize> {
                let $this = self;
                $get.try_write(buf)
            }

            /// [`TcpStream::try_write_vectored`] through the half.
            ///
            #[doc = $crate::net::tcp::half_readiness::half_example!(
                        $make,
                        "    writer.writable().await?;
    let bufs = [std::io::IoSlice::new(b\"a\"), std::io::IoSlice::new(b\"bc\")];
    assert_eq!(writer.try_write_vectored(&bufs)?, 3);
    # drop(&mut peer);"
                    )]
            pub fn try_write_vectored(
                &self,
                bufs: &[std::io::IoSlice<'_>],
            ) -> std::io::Result<usize> {
                let $this = self;
                $get.try_write_vectored(bufs)
            }
        }
    };
}

pub(crate) use {half_example, read_half_readiness, write_half_readiness};
