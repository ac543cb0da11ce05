//! Simulated UDP (rule N5): independent datagrams, lost, reordered or dropped at arrival.

use super::{Event, HostId, Network, State, UDP_QUEUE, Wakes, register};
use crate::engine::task::coop;
use crate::loom::sync::Arc;
use std::collections::VecDeque;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::task::{Context, Poll, ready};

pub(super) struct Datagram {
    from: SocketAddr,
    from_host: HostId,
    to: SocketAddr,
    to_host: HostId,
    data: Vec<u8>,
}

pub(super) struct Udp {
    id: u64,
    queue: VecDeque<(SocketAddr, Vec<u8>)>,
    pub(super) waiters: Vec<std::task::Waker>,
    peer: Option<SocketAddr>,
}

/// A simulated UDP socket.
pub(crate) struct SimUdp {
    net: Arc<Network>,
    key: (HostId, u16),
    id: u64,
    local: SocketAddr,
}

impl State {
    pub(super) fn deliver_datagram(
        &mut self,
        d: Datagram,
        wakes: &mut Wakes,
        trace: &mut dyn FnMut(u64),
    ) {
        trace(u64::from(d.to.port()) << 32 | d.data.len() as u64);
        let arrives = self.reachable(d.from_host, d.to_host) && !self.hosts[d.to_host].down;
        let socket = self
            .udp
            .get_mut(&(d.to_host, d.to.port()))
            .filter(|s| s.queue.len() < UDP_QUEUE)
            .filter(|s| {
                s.peer
                    .is_none_or(|p| p == d.from || same_host_peer(p, d.from))
            });
        match socket {
            Some(socket) if arrives => {
                socket.queue.push_back((d.from, d.data));
                wakes.all(&mut socket.waiters);
                self.stats.delivered += 1;
            }
            _ => self.stats.dropped += 1,
        }
    }
}

/// A connected socket's peer given as loopback matches a sender on the same host.
fn same_host_peer(peer: SocketAddr, from: SocketAddr) -> bool {
    peer.port() == from.port()
        && (peer.ip().is_loopback() || peer.ip().is_unspecified())
        && from.ip().is_loopback()
}

impl SimUdp {
    pub(crate) fn bind(net: &Arc<Network>, host: HostId, addr: SocketAddr) -> io::Result<SimUdp> {
        net.with(|state, _, _| {
            super::tcp_check_local(state, host, addr)?;
            let port = match addr.port() {
                0 => state.ephemeral(host, |s, p| s.udp.contains_key(&(host, p)))?,
                port if state.udp.contains_key(&(host, port)) => {
                    return Err(io::Error::new(
                        io::ErrorKind::AddrInUse,
                        format!("address in use: a simulated UDP socket is bound to port {port}"),
                    ));
                }
                port => port,
            };
            let id = state.next_id();
            state.udp.insert(
                (host, port),
                Udp {
                    id,
                    queue: VecDeque::new(),
                    waiters: Vec::new(),
                    peer: None,
                },
            );
            Ok(SimUdp {
                net: net.clone(),
                key: (host, port),
                id,
                local: SocketAddr::new(addr.ip(), port),
            })
        })
    }

    pub(crate) fn local_addr(&self) -> SocketAddr {
        self.local
    }

    pub(crate) fn connect(&self, peer: SocketAddr) -> io::Result<()> {
        self.with_socket(|socket| {
            socket.peer = Some(peer);
            Ok(())
        })
    }

    pub(crate) fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.with_socket(|socket| {
            socket.peer.ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::NotConnected,
                    "the simulated UDP socket is not connected",
                )
            })
        })
    }

    fn with_socket<R>(&self, f: impl FnOnce(&mut Udp) -> io::Result<R>) -> io::Result<R> {
        self.net.with(|state, _, _| {
            match state.udp.get_mut(&self.key).filter(|s| s.id == self.id) {
                Some(socket) => f(socket),
                None => Err(closed()),
            }
        })
    }

    /// Sends one datagram to `to` (or the connected peer); never waits (rule N5).
    pub(crate) fn poll_send_to(
        &self,
        cx: &mut Context<'_>,
        buf: &[u8],
        to: Option<SocketAddr>,
    ) -> Poll<io::Result<usize>> {
        let mut coop = ready!(coop::poll_proceed_as(cx, "simulated send"));
        if let Some(fault) = super::injected_fault(cx, true) {
            return fault;
        }
        coop.made_progress();
        Poll::Ready(self.net.with(|state, now, _| {
            let socket = state
                .udp
                .get(&self.key)
                .filter(|s| s.id == self.id)
                .ok_or_else(closed)?;
            let to = match (to, socket.peer) {
                (Some(to), _) => to,
                (None, Some(peer)) => peer,
                (None, None) => {
                    return Err(io::Error::new(
                        io::ErrorKind::NotConnected,
                        "send on a simulated UDP socket that is not connected",
                    ));
                }
            };
            if buf.len() > 65_507 {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "datagram longer than UDP's 65 507-byte limit",
                ));
            }
            let host = self.key.0;
            let Some(to_host) = state.host_of(host, to.ip()) else {
                return Err(io::Error::new(
                    io::ErrorKind::HostUnreachable,
                    format!("no simulated host has the address {}", to.ip()),
                ));
            };
            let from_ip = if to.ip().is_loopback() || to.ip().is_unspecified() {
                IpAddr::V4(Ipv4Addr::LOCALHOST)
            } else {
                IpAddr::V4(state.hosts[host].ip)
            };
            let from = SocketAddr::new(from_ip, self.key.1);
            if state.lost(host, to_host) {
                state.stats.dropped += 1;
                return Ok(buf.len());
            }
            let at = state.arrival(host, to_host, buf.len(), now);
            state.push(
                at,
                Event::Datagram(Datagram {
                    from,
                    from_host: host,
                    to,
                    to_host,
                    data: buf.to_vec(),
                }),
            );
            Ok(buf.len())
        }))
    }

    /// Receives one datagram (truncated to `buf`, as UDP does) and its sender.
    pub(crate) fn poll_recv_from(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<(usize, SocketAddr)>> {
        let mut coop = ready!(coop::poll_proceed_as(cx, "simulated recv"));
        if let Some(fault) = super::injected_fault(cx, false) {
            return fault;
        }
        let result = self.net.with(|state, _, _| {
            let Some(socket) = state.udp.get_mut(&self.key).filter(|s| s.id == self.id) else {
                return Some(Err(closed()));
            };
            match socket.queue.pop_front() {
                Some((from, data)) => {
                    let n = data.len().min(buf.len());
                    buf[..n].copy_from_slice(&data[..n]);
                    Some(Ok((n, from)))
                }
                None => {
                    register(&mut socket.waiters, cx.waker());
                    None
                }
            }
        });
        match result {
            None => Poll::Pending,
            Some(result) => {
                coop.made_progress();
                Poll::Ready(result)
            }
        }
    }
}

fn closed() -> io::Error {
    io::Error::new(
        io::ErrorKind::NotConnected,
        "the simulated UDP socket was closed (its host crashed)",
    )
}

impl Drop for SimUdp {
    fn drop(&mut self) {
        self.net.with(|state, _, wakes| {
            if state.udp.get(&self.key).is_some_and(|s| s.id == self.id)
                && let Some(mut socket) = state.udp.remove(&self.key)
            {
                wakes.all(&mut socket.waiters);
            }
        });
    }
}
