//! Addresses and ports on the simulated network: which host an address names, the address a
//! host sends from, and the port a bind gets (its own, or an ephemeral one).

use super::{EPHEMERAL, HostId, State};
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

impl State {
    /// The host an address names, seen from `from`: loopback and unspecified are `from`
    /// itself; an address no host has is `HostUnreachable`.
    pub(super) fn host_of(&self, from: HostId, ip: IpAddr) -> io::Result<HostId> {
        if ip.is_loopback() || ip.is_unspecified() {
            return Ok(from);
        }
        let found = match ip {
            IpAddr::V4(v4) => self.hosts.iter().position(|h| h.ip == v4),
            IpAddr::V6(_) => None,
        };
        found.ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::HostUnreachable,
                format!("no simulated host has the address {ip}"),
            )
        })
    }

    /// An unused port of `host` for `used` (TCP listeners or UDP sockets).
    pub(super) fn ephemeral(
        &mut self,
        host: HostId,
        used: impl Fn(&State, u16) -> bool,
    ) -> io::Result<u16> {
        for _ in 0..=(u16::MAX - EPHEMERAL) {
            let port = self.hosts[host].next_port;
            self.hosts[host].next_port = if port == u16::MAX {
                EPHEMERAL
            } else {
                port + 1
            };
            if !used(self, port) {
                return Ok(port);
            }
        }
        Err(io::Error::new(
            io::ErrorKind::AddrNotAvailable,
            "no ephemeral port left on the simulated host",
        ))
    }

    /// The port a socket binding `addr` on `host` gets, after checking that `addr` is one of
    /// the host's own addresses ([`check_local`](Self::check_local)): port 0 draws an
    /// ephemeral one, another port is taken as asked unless `used` says a `what` (`"listener"`,
    /// `"UDP socket"`) holds it already (`AddrInUse`).
    pub(super) fn choose_port(
        &mut self,
        host: HostId,
        addr: SocketAddr,
        what: &str,
        used: impl Fn(&State, u16) -> bool,
    ) -> io::Result<u16> {
        self.check_local(host, addr)?;
        match addr.port() {
            0 => self.ephemeral(host, used),
            port if used(self, port) => Err(io::Error::new(
                io::ErrorKind::AddrInUse,
                format!("address in use: a simulated {what} is bound to port {port}"),
            )),
            port => Ok(port),
        }
    }

    /// `addr` must be one of `host`'s own addresses (its IP, loopback or unspecified), and the
    /// host must be up.
    pub(super) fn check_local(&self, host: HostId, addr: SocketAddr) -> io::Result<()> {
        let h = &self.hosts[host];
        if h.down {
            return Err(io::Error::other("the simulated host is down (crashed)"));
        }
        let ip = addr.ip();
        if ip.is_loopback() || ip.is_unspecified() || ip == IpAddr::V4(h.ip) {
            return Ok(());
        }
        Err(io::Error::new(
            io::ErrorKind::AddrNotAvailable,
            format!(
                "cannot bind {addr} on simulated host `{}` (address {}): not one of its addresses",
                h.name, h.ip
            ),
        ))
    }

    /// The address `host` sends from toward `to`: loopback for a loopback or unspecified
    /// destination, else the host's own address.
    pub(super) fn source_ip(&self, host: HostId, to: IpAddr) -> IpAddr {
        if to.is_loopback() || to.is_unspecified() {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        } else {
            IpAddr::V4(self.hosts[host].ip)
        }
    }
}
