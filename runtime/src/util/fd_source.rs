//! A descriptor the runtime owns, as a mio source: what the reactor watches for the io_uring
//! eventfd (`engine/driver/uring.rs`) and for a child's pidfd (`process/reap.rs`). What each
//! descriptor is for (how it is opened, what its readiness means) stays with its owner; this
//! type only owns it, lends it out and registers it.

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};

/// An owned descriptor registered with mio by its raw number; closed when dropped (after the
/// reactor deregistered it, as `io_driver::Registered` and `PollEvented` do).
#[derive(Debug)]
pub(crate) struct FdSource(OwnedFd);

impl FdSource {
    pub(crate) fn new(fd: OwnedFd) -> FdSource {
        FdSource(fd)
    }
}

impl AsFd for FdSource {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.0.as_fd()
    }
}

impl AsRawFd for FdSource {
    fn as_raw_fd(&self) -> RawFd {
        self.0.as_raw_fd()
    }
}

impl mio::event::Source for FdSource {
    fn register(
        &mut self,
        registry: &mio::Registry,
        token: mio::Token,
        interests: mio::Interest,
    ) -> io::Result<()> {
        mio::unix::SourceFd(&self.as_raw_fd()).register(registry, token, interests)
    }

    fn reregister(
        &mut self,
        registry: &mio::Registry,
        token: mio::Token,
        interests: mio::Interest,
    ) -> io::Result<()> {
        mio::unix::SourceFd(&self.as_raw_fd()).reregister(registry, token, interests)
    }

    fn deregister(&mut self, registry: &mio::Registry) -> io::Result<()> {
        mio::unix::SourceFd(&self.as_raw_fd()).deregister(registry)
    }
}

#[cfg(test)]
mod tests {
    use super::FdSource;
    use std::io::Write;
    use std::os::fd::{AsRawFd, OwnedFd};
    use std::os::unix::net::UnixStream;
    use std::time::Duration;

    /// The read end of a socket pair, with the other end to write into.
    fn pair() -> (FdSource, UnixStream) {
        let (read, write) = UnixStream::pair().expect("socketpair");
        read.set_nonblocking(true).expect("nonblocking");
        (FdSource::new(OwnedFd::from(read)), write)
    }

    /// The tokens of one `poll` (a bounded wait, so a missing event fails instead of hanging).
    fn tokens(poll: &mut mio::Poll, wait: Duration) -> Vec<usize> {
        let mut events = mio::Events::with_capacity(8);
        poll.poll(&mut events, Some(wait)).expect("poll");
        events.iter().map(|e| e.token().0).collect()
    }

    #[test]
    fn fd_source_reports_readable_under_its_token_and_nothing_after_deregister() {
        let mut poll = mio::Poll::new().expect("mio poll");
        let (mut source, mut write) = pair();
        let registry = poll.registry();
        registry
            .register(&mut source, mio::Token(7), mio::Interest::READABLE)
            .expect("register");
        assert_eq!(tokens(&mut poll, Duration::ZERO), Vec::<usize>::new());
        write.write_all(b"x").expect("write");
        assert_eq!(tokens(&mut poll, Duration::from_secs(5)), vec![7]);

        poll.registry()
            .reregister(&mut source, mio::Token(9), mio::Interest::READABLE)
            .expect("reregister");
        assert_eq!(tokens(&mut poll, Duration::from_secs(5)), vec![9]);

        poll.registry().deregister(&mut source).expect("deregister");
        write.write_all(b"y").expect("write");
        assert_eq!(
            tokens(&mut poll, Duration::from_millis(50)),
            Vec::<usize>::new()
        );
    }

    #[test]
    fn fd_source_lends_the_descriptor_it_owns() {
        let (source, _write) = pair();
        let raw = source.as_raw_fd();
        assert_eq!(std::os::fd::AsFd::as_fd(&source).as_raw_fd(), raw);
        assert!(raw >= 0);
    }
}
