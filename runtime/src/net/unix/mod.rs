//! Unix-domain sockets: [`UnixListener`], [`UnixStream`], [`UnixDatagram`].
//!
//! Every `path` argument may also be a Linux abstract name: a path whose first byte is NUL
//! (`"\0name"`) names a socket in the abstract namespace (no file; the name is freed with
//! the socket), as `std::os::linux::net::SocketAddrExt::from_abstract_name` does.

mod datagram;
mod listener;
mod stream;

pub use datagram::UnixDatagram;
pub use listener::UnixListener;
pub use stream::UnixStream;

use std::fmt;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::net::SocketAddr;
use std::path::Path;

/// The abstract name in `path` (its bytes after a leading NUL), if it is one.
fn abstract_name(path: &Path) -> Option<&[u8]> {
    path.as_os_str().as_bytes().strip_prefix(b"\0")
}

/// The socket address `path` names: an abstract name on Linux (see the module docs), else the
/// filesystem path. Elsewhere a leading NUL is an `InvalidInput` error, as in std.
fn socket_addr(path: &Path) -> io::Result<SocketAddr> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    if let Some(name) = abstract_name(path) {
        #[cfg(target_os = "android")]
        use std::os::android::net::SocketAddrExt;
        #[cfg(target_os = "linux")]
        use std::os::linux::net::SocketAddrExt;
        return SocketAddr::from_abstract_name(name);
    }
    SocketAddr::from_pathname(path)
}

/// `path` for error messages: abstract names as `@name` (the `ss`/`netstat` spelling), since
/// the NUL byte does not print.
fn shown(path: &Path) -> impl fmt::Display + '_ {
    struct Shown<'a>(&'a Path);
    impl fmt::Display for Shown<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match abstract_name(self.0) {
                Some(name) => write!(f, "@{}", name.escape_ascii()),
                None => self.0.display().fmt(f),
            }
        }
    }
    Shown(path)
}

/// For a Linux abstract name, its address for the calls std only offers with a path
/// (`UnixDatagram::connect`, `send_to`); `None` for a filesystem path (use the path-based
/// call, which rejects a NUL inside the path).
fn abstract_sockaddr(path: &Path) -> Option<io::Result<socket2::SockAddr>> {
    if cfg!(any(target_os = "linux", target_os = "android")) && abstract_name(path).is_some() {
        Some(socket2::SockAddr::unix(path))
    } else {
        None
    }
}
