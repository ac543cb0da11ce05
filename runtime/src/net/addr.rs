//! Socket addresses: [`ToSocketAddrs`] (what `bind`/`connect`/`send_to` accept) and
//! [`lookup_host`].
//!
//! Literal addresses are parsed in place; anything that needs DNS is resolved with std's
//! resolver on the blocking pool, so a slow name server never stalls a worker.

use crate::blocking::Mandatory;
use crate::io::context::with_context;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

/// Anything that names one or more socket addresses: the same set of types as
/// [`std::net::ToSocketAddrs`] (`SocketAddr`, `(IpAddr, u16)`, `"host:port"`,
/// `("host", port)`, `&[SocketAddr]`, ...). Sealed: the runtime decides where resolution runs.
///
/// ```
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     use std::net::{Ipv4Addr, SocketAddr};
///     let a: Vec<SocketAddr> = runtime::net::lookup_host((Ipv4Addr::LOCALHOST, 80)).await?.collect();
///     let b: Vec<SocketAddr> = runtime::net::lookup_host("127.0.0.1:80").await?.collect();
///     assert_eq!(a, b);
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
pub trait ToSocketAddrs: sealed::Sealed {}

pub(crate) mod sealed {
    use super::Resolve;

    /// The conversion behind [`ToSocketAddrs`](super::ToSocketAddrs).
    pub trait Sealed {
        #[doc(hidden)]
        fn to_resolve(&self) -> Resolve;
    }
}

/// What an address value needs: nothing (already addresses) or a name lookup.
#[doc(hidden)]
#[derive(Debug)]
pub enum Resolve {
    /// Addresses known without a lookup.
    Ready(Vec<SocketAddr>),
    /// `"host:port"` to resolve.
    Name(String),
    /// `("host", port)` to resolve.
    HostPort(String, u16),
}

macro_rules! literal_addrs {
    ($($ty:ty => |$v:ident| $conv:expr;)*) => {$(
        impl ToSocketAddrs for $ty {}
        impl sealed::Sealed for $ty {
            fn to_resolve(&self) -> Resolve {
                let $v = self;
                Resolve::Ready(vec![$conv])
            }
        }
    )*};
}

literal_addrs! {
    SocketAddr => |a| *a;
    SocketAddrV4 => |a| SocketAddr::V4(*a);
    SocketAddrV6 => |a| SocketAddr::V6(*a);
    (IpAddr, u16) => |a| SocketAddr::new(a.0, a.1);
    (Ipv4Addr, u16) => |a| SocketAddr::new(IpAddr::V4(a.0), a.1);
    (Ipv6Addr, u16) => |a| SocketAddr::new(IpAddr::V6(a.0), a.1);
}

impl ToSocketAddrs for [SocketAddr] {}
impl sealed::Sealed for [SocketAddr] {
    fn to_resolve(&self) -> Resolve {
        Resolve::Ready(self.to_vec())
    }
}

impl ToSocketAddrs for Vec<SocketAddr> {}
impl sealed::Sealed for Vec<SocketAddr> {
    fn to_resolve(&self) -> Resolve {
        Resolve::Ready(self.clone())
    }
}

impl ToSocketAddrs for str {}
impl sealed::Sealed for str {
    fn to_resolve(&self) -> Resolve {
        match self.parse() {
            Ok(addr) => Resolve::Ready(vec![addr]),
            Err(_) => Resolve::Name(self.to_owned()),
        }
    }
}

impl ToSocketAddrs for String {}
impl sealed::Sealed for String {
    fn to_resolve(&self) -> Resolve {
        self.as_str().to_resolve()
    }
}

impl ToSocketAddrs for (&str, u16) {}
impl sealed::Sealed for (&str, u16) {
    fn to_resolve(&self) -> Resolve {
        match self.0.parse::<IpAddr>() {
            Ok(ip) => Resolve::Ready(vec![SocketAddr::new(ip, self.1)]),
            Err(_) => Resolve::HostPort(self.0.to_owned(), self.1),
        }
    }
}

impl ToSocketAddrs for (String, u16) {}
impl sealed::Sealed for (String, u16) {
    fn to_resolve(&self) -> Resolve {
        (self.0.as_str(), self.1).to_resolve()
    }
}

impl<T: ToSocketAddrs + ?Sized> ToSocketAddrs for &T {}
impl<T: ToSocketAddrs + ?Sized> sealed::Sealed for &T {
    fn to_resolve(&self) -> Resolve {
        (**self).to_resolve()
    }
}

/// Resolves `addr` to a non-empty list of socket addresses (names on the blocking pool).
pub(crate) async fn resolve<A: ToSocketAddrs>(addr: A) -> io::Result<Vec<SocketAddr>> {
    let resolve = addr.to_resolve();
    drop(addr);
    let (addrs, shown) = match resolve {
        Resolve::Ready(addrs) => {
            if addrs.is_empty() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "empty list of socket addresses",
                ));
            }
            return Ok(addrs);
        }
        Resolve::Name(name) if let Some(net) = crate::engine::sim_network() => {
            return sim_resolve(&net, &name);
        }
        Resolve::HostPort(host, port) if let Some(net) = crate::engine::sim_network() => {
            return Ok(vec![SocketAddr::new(net.resolve(&host)?, port)]);
        }
        Resolve::Name(name) => {
            let shown = name.clone();
            let addrs =
                crate::io::blocking::run(move || std_resolve(name.as_str()), Mandatory::No).await;
            (addrs, shown)
        }
        Resolve::HostPort(host, port) => {
            let shown = format!("{host}:{port}");
            let addrs =
                crate::io::blocking::run(move || std_resolve((host.as_str(), port)), Mandatory::No)
                    .await;
            (addrs, shown)
        }
    };
    match addrs {
        Ok(addrs) if addrs.is_empty() => Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("resolving `{shown}`: no addresses found"),
        )),
        Ok(addrs) => Ok(addrs),
        Err(err) => Err(with_context(err, format_args!("resolving `{shown}`"))),
    }
}

/// A `"host:port"` name on the simulated network (issue 19 item 3): `localhost` and the
/// simulated hosts' names resolve, anything else is `NotFound`.
fn sim_resolve(net: &crate::engine::SimNetwork, name: &str) -> io::Result<Vec<SocketAddr>> {
    let invalid = || {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("`{name}` is not `host:port` (a port number is needed)"),
        )
    };
    let (host, port) = name.rsplit_once(':').ok_or_else(invalid)?;
    let port: u16 = port.parse().map_err(|_| invalid())?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    Ok(vec![SocketAddr::new(net.resolve(host)?, port)])
}

fn std_resolve(addr: impl std::net::ToSocketAddrs) -> io::Result<Vec<SocketAddr>> {
    addr.to_socket_addrs().map(Iterator::collect)
}

/// Runs `op` on each address in turn until one succeeds; otherwise returns the last error,
/// prefixed with `what` and the address that failed.
pub(crate) fn each_addr<R>(
    addrs: &[SocketAddr],
    what: &str,
    mut op: impl FnMut(SocketAddr) -> io::Result<R>,
) -> io::Result<R> {
    let mut last = None;
    for &addr in addrs {
        match op(addr) {
            Ok(value) => return Ok(value),
            Err(err) => last = Some(with_context(err, format_args!("{what} {addr}"))),
        }
    }
    Err(last.unwrap_or_else(|| {
        io::Error::new(io::ErrorKind::InvalidInput, "no socket addresses given")
    }))
}

/// Resolves a host name (with a port) to its addresses, on the blocking pool; literal
/// addresses are returned without a lookup.
///
/// Fails with the resolver's error (kind kept, message naming the host) if the name does not
/// resolve, and with `InvalidInput` if the string is not `host:port`.
///
/// ```
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let addrs: Vec<_> = runtime::net::lookup_host("localhost:0").await?.collect();
///     assert!(addrs.iter().all(|a| a.ip().is_loopback() && a.port() == 0));
///     let err = runtime::net::lookup_host("localhost").await.unwrap_err(); // no port
///     assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
pub async fn lookup_host<A: ToSocketAddrs>(
    host: A,
) -> io::Result<impl Iterator<Item = SocketAddr> + std::fmt::Debug> {
    let addrs = resolve(host).await?;
    // A literal address resolves at once: spend the budget so a loop over it still yields.
    crate::task::coop::consume_budget().await;
    Ok(addrs.into_iter())
}
