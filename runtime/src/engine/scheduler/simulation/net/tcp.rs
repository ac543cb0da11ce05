//! Simulated TCP (rule N4): listeners, connects with SYN retries, and connections as two
//! FIFOs of segments.

use super::{Event, HostId, Network, SYN_RETRIES, State, WINDOW, Wakes, register};
use crate::engine::task::coop;
use crate::loom::sync::Arc;
use std::collections::VecDeque;
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::task::{Context, Poll, Waker, ready};
use std::time::{Duration, Instant};

pub(super) struct Listener {
    id: u64,
    backlog: VecDeque<u64>,
    waiters: Vec<Waker>,
}

/// A connection: side 0 connected, side 1 was accepted. `ends[s]` is what side `s` receives
/// and the state of its socket.
pub(super) struct Conn {
    pub(super) hosts: [HostId; 2],
    addrs: [SocketAddr; 2],
    ends: [End; 2],
}

#[derive(Default)]
struct End {
    /// Delivered, not yet read.
    recv: VecDeque<u8>,
    /// The peer's FIN arrived (reads return 0 once `recv` is empty).
    fin: bool,
    /// An RST arrived, or this side's host crashed.
    reset: bool,
    read_shut: bool,
    readers: Vec<Waker>,
    /// Segments travelling toward this side, in order (rule N4).
    in_flight: VecDeque<(Instant, Segment)>,
    /// This side's socket is gone (dropped or its host crashed).
    closed: bool,
    write_shut: bool,
    /// Bytes this side wrote that the peer has not read yet.
    unread: usize,
    writers: Vec<Waker>,
}

enum Segment {
    Data(Vec<u8>),
    Fin,
    Rst,
}

pub(super) struct Connect {
    pub(super) from: HostId,
    local: SocketAddr,
    to: HostId,
    remote: SocketAddr,
    attempt: u32,
    result: Option<io::Result<u64>>,
    waker: Option<Waker>,
}

/// A simulated listening socket.
pub(crate) struct SimListener {
    net: Arc<Network>,
    key: (HostId, u16),
    id: u64,
    local: SocketAddr,
}

/// One side of a simulated connection.
pub(crate) struct SimStream {
    net: Arc<Network>,
    conn: u64,
    side: usize,
    local: SocketAddr,
    peer: SocketAddr,
}

fn reset_error() -> io::Error {
    io::Error::new(
        io::ErrorKind::ConnectionReset,
        "connection reset by the simulated peer (its host crashed or its socket closed)",
    )
}

impl State {
    /// Queues `segment` from side `1 - to_side` toward `to_side` (rule N4: never before the
    /// previous one).
    fn send_segment(&mut self, conn: u64, to_side: usize, segment: Segment, now: Instant) {
        let Some(c) = self.conns.get(&conn) else {
            return;
        };
        let (from, to) = (c.hosts[1 - to_side], c.hosts[to_side]);
        let len = match &segment {
            Segment::Data(bytes) => bytes.len(),
            _ => 0,
        };
        let mut at = self.arrival(from, to, len, now);
        let end = &mut self.conns.get_mut(&conn).expect("checked above").ends[to_side];
        if let Some(&(last, _)) = end.in_flight.back() {
            at = at.max(last);
        }
        end.in_flight.push_back((at, segment));
        self.push(
            at,
            Event::Pipe {
                conn,
                side: to_side,
            },
        );
    }

    pub(super) fn deliver_pipe(
        &mut self,
        conn: u64,
        side: usize,
        now: Instant,
        wakes: &mut Wakes,
        trace: &mut dyn FnMut(u64),
    ) {
        let Some(c) = self.conns.get(&conn) else {
            return;
        };
        let (from, to) = (c.hosts[1 - side], c.hosts[side]);
        if !self.reachable(from, to) || self.hosts[to].down {
            return; // held at the head of the FIFO until `release_held` (rule N4)
        }
        let c = self.conns.get_mut(&conn).expect("checked above");
        let mut bounce = false;
        while c.ends[side]
            .in_flight
            .front()
            .is_some_and(|(at, _)| *at <= now)
        {
            let (_, segment) = c.ends[side].in_flight.pop_front().expect("checked");
            self.stats.delivered += 1;
            let end = &mut c.ends[side];
            match segment {
                Segment::Data(bytes) => {
                    trace(conn << 2 | side as u64);
                    trace(bytes.len() as u64);
                    if end.closed {
                        // Data for a socket that is gone: the host answers with an RST.
                        c.ends[1 - side].unread = 0;
                        bounce = true;
                    } else if end.read_shut {
                        c.ends[1 - side].unread =
                            c.ends[1 - side].unread.saturating_sub(bytes.len());
                        wakes.all(&mut c.ends[1 - side].writers);
                    } else {
                        end.recv.extend(bytes);
                    }
                }
                Segment::Fin => {
                    trace(conn << 2 | 2);
                    end.fin = true;
                }
                Segment::Rst => {
                    trace(conn << 2 | 3);
                    end.reset = true;
                    wakes.all(&mut end.writers);
                }
            }
            wakes.all(&mut c.ends[side].readers);
        }
        if bounce && !c.ends[1 - side].reset && !c.ends[1 - side].closed {
            self.send_segment(conn, 1 - side, Segment::Rst, now);
        }
        self.forget_if_done(conn);
    }

    /// Re-times segments held by a partition or a down host that can now move (rule N4).
    pub(super) fn release_held(&mut self, now: Instant) {
        let ids: Vec<u64> = self.conns.keys().copied().collect();
        for conn in ids {
            for side in 0..2 {
                let c = &self.conns[&conn];
                let (from, to) = (c.hosts[1 - side], c.hosts[side]);
                let held = c.ends[side]
                    .in_flight
                    .front()
                    .is_some_and(|(at, _)| *at <= now);
                if !held || !self.reachable(from, to) || self.hosts[to].down {
                    continue;
                }
                let latency = self.link(from, to).latency;
                let end = &mut self.conns.get_mut(&conn).expect("listed").ends[side];
                let mut floor = now + latency;
                for (at, _) in &mut end.in_flight {
                    *at = (*at).max(floor);
                    floor = *at;
                }
                let first = end.in_flight.front().expect("held").0;
                self.push(first, Event::Pipe { conn, side });
            }
        }
    }

    pub(super) fn deliver_syn(
        &mut self,
        id: u64,
        now: Instant,
        wakes: &mut Wakes,
        trace: &mut dyn FnMut(u64),
    ) {
        let Some(connect) = self.connects.get(&id) else {
            return;
        };
        let (from, to, remote, local) = (connect.from, connect.to, connect.remote, connect.local);
        trace(id << 2 | 1);
        if !self.reachable(from, to) || self.hosts[to].down {
            // Lost: retry after 1, 2, 4, ... s, then give up (rule N4).
            let connect = self.connects.get_mut(&id).expect("checked");
            let wait = Duration::from_secs(1 << connect.attempt);
            if connect.attempt == SYN_RETRIES {
                connect.result = Some(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "connection timed out: no answer to 7 SYNs over about 127 s of virtual \
                     time (the simulated host is partitioned away or down)",
                )));
                if let Some(waker) = connect.waker.take() {
                    wakes.wakers.push(waker);
                }
                return;
            }
            connect.attempt += 1;
            let next = if connect.attempt == SYN_RETRIES {
                // The last retry is followed by one more doubled wait before giving up.
                now + wait + Duration::from_secs(1 << SYN_RETRIES)
            } else {
                now + wait
            };
            self.push(next, Event::Syn { connect: id });
            return;
        }
        let result = match self.listeners.get(&(to, remote.port())) {
            None => Err(io::ErrorKind::ConnectionRefused),
            Some(_) => {
                let conn = self.next_id();
                self.conns.insert(
                    conn,
                    Conn {
                        hosts: [from, to],
                        addrs: [local, remote],
                        ends: [End::default(), End::default()],
                    },
                );
                let listener = self.listeners.get_mut(&(to, remote.port())).expect("found");
                listener.backlog.push_back(conn);
                wakes.all(&mut listener.waiters);
                Ok(conn)
            }
        };
        let at = self.arrival(to, from, 0, now);
        self.push(
            at,
            Event::SynReply {
                connect: id,
                result,
            },
        );
    }

    pub(super) fn deliver_syn_reply(
        &mut self,
        id: u64,
        result: Result<u64, io::ErrorKind>,
        wakes: &mut Wakes,
        trace: &mut dyn FnMut(u64),
    ) {
        trace(id << 2 | 2);
        let Some(connect) = self.connects.get_mut(&id) else {
            // The connecting side gave up (dropped its future): reset the connection.
            if let Ok(conn) = result
                && let Some(c) = self.conns.get_mut(&conn)
            {
                c.ends[0].closed = true;
                c.ends[1].reset = true;
                wakes.all(&mut c.ends[1].readers);
            }
            return;
        };
        connect.result = Some(match result {
            Ok(conn) => Ok(conn),
            Err(kind) => Err(io::Error::new(
                kind,
                format!(
                    "connection refused: nothing listens on {} of the simulated network",
                    connect.remote
                ),
            )),
        });
        if let Some(waker) = connect.waker.take() {
            wakes.wakers.push(waker);
        }
    }

    /// Closes a listener (its drop, or its host's crash) and resets what it had not accepted.
    pub(super) fn close_listener(
        &mut self,
        key: (HostId, u16),
        id: Option<u64>,
        now: Instant,
        wakes: &mut Wakes,
    ) {
        if id.is_some_and(|id| self.listeners.get(&key).is_none_or(|l| l.id != id)) {
            return;
        }
        if let Some(mut listener) = self.listeners.remove(&key) {
            wakes.all(&mut listener.waiters);
            for conn in listener.backlog {
                if let Some(c) = self.conns.get_mut(&conn) {
                    c.ends[1].closed = true;
                }
                self.send_segment(conn, 0, Segment::Rst, now);
            }
        }
    }

    /// `host` crashed: its side of `conn` is gone, the peer gets an RST (rule N6).
    pub(super) fn crash_conn(&mut self, conn: u64, host: HostId, now: Instant, wakes: &mut Wakes) {
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        for side in 0..2 {
            if c.hosts[side] == host {
                let end = &mut c.ends[side];
                end.closed = true;
                end.reset = true;
                end.in_flight.clear();
                wakes.all(&mut end.readers);
                wakes.all(&mut end.writers);
            }
        }
        for side in 0..2 {
            let c = &self.conns[&conn];
            if c.hosts[side] != host && !c.ends[side].closed {
                self.send_segment(conn, side, Segment::Rst, now);
            }
        }
    }

    fn forget_if_done(&mut self, conn: u64) {
        if let Some(c) = self.conns.get(&conn)
            && c.ends.iter().all(|e| e.closed && e.in_flight.is_empty())
        {
            self.conns.remove(&conn);
        }
    }
}

impl SimListener {
    /// Binds a listener on the current host at `addr` (port 0: an ephemeral one).
    pub(crate) fn bind(
        net: &Arc<Network>,
        host: HostId,
        addr: SocketAddr,
    ) -> io::Result<SimListener> {
        net.with(|state, _, _| {
            check_local(state, host, addr)?;
            let port = match addr.port() {
                0 => state.ephemeral(host, |s, p| s.listeners.contains_key(&(host, p)))?,
                port if state.listeners.contains_key(&(host, port)) => {
                    return Err(io::Error::new(
                        io::ErrorKind::AddrInUse,
                        format!("address in use: a simulated listener is bound to port {port}"),
                    ));
                }
                port => port,
            };
            let id = state.next_id();
            state.listeners.insert(
                (host, port),
                Listener {
                    id,
                    backlog: VecDeque::new(),
                    waiters: Vec::new(),
                },
            );
            Ok(SimListener {
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

    pub(crate) fn poll_accept(
        &self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<(SimStream, SocketAddr)>> {
        let mut coop = ready!(coop::poll_proceed_as(cx, "simulated accept"));
        if let Some(fault) = super::injected_fault(cx, false) {
            return fault;
        }
        let accepted = self.net.with(|state, _, _| {
            let Some(listener) = state
                .listeners
                .get_mut(&self.key)
                .filter(|l| l.id == self.id)
            else {
                return Some(Err(io::Error::new(
                    io::ErrorKind::NotConnected,
                    "the simulated listener was closed (its host crashed)",
                )));
            };
            match listener.backlog.pop_front() {
                Some(conn) => {
                    let c = &state.conns[&conn];
                    Some(Ok((conn, c.addrs)))
                }
                None => {
                    register(&mut listener.waiters, cx.waker());
                    None
                }
            }
        });
        match accepted {
            None => Poll::Pending,
            Some(result) => {
                coop.made_progress();
                Poll::Ready(result.map(|(conn, addrs)| {
                    let stream = SimStream {
                        net: self.net.clone(),
                        conn,
                        side: 1,
                        local: SocketAddr::new(self.local.ip(), addrs[1].port()),
                        peer: addrs[0],
                    };
                    (stream, addrs[0])
                }))
            }
        }
    }
}

impl Drop for SimListener {
    fn drop(&mut self) {
        self.net.with(|state, now, wakes| {
            state.close_listener(self.key, Some(self.id), now, wakes);
        });
    }
}

/// `addr` must be one of `host`'s own addresses (its IP, loopback or unspecified).
pub(super) fn check_local(state: &State, host: HostId, addr: SocketAddr) -> io::Result<()> {
    if state.hosts[host].down {
        return Err(io::Error::other("the simulated host is down (crashed)"));
    }
    let ip = addr.ip();
    if ip.is_loopback() || ip.is_unspecified() || ip == std::net::IpAddr::V4(state.hosts[host].ip) {
        return Ok(());
    }
    Err(io::Error::new(
        io::ErrorKind::AddrNotAvailable,
        format!(
            "cannot bind {addr} on simulated host `{}` (address {}): not one of its addresses",
            state.hosts[host].name, state.hosts[host].ip
        ),
    ))
}

/// A connect in progress: its SYN is in flight (rule N4).
pub(crate) struct Connecting {
    net: Arc<Network>,
    id: u64,
    local: SocketAddr,
    remote: SocketAddr,
}

impl SimStream {
    /// Starts connecting from `host` to `remote`; await the result with
    /// [`Connecting::poll`].
    pub(crate) fn connect(
        net: &Arc<Network>,
        host: HostId,
        remote: SocketAddr,
    ) -> io::Result<Connecting> {
        net.with(|state, now, _| {
            if state.hosts[host].down {
                return Err(io::Error::other("the simulated host is down (crashed)"));
            }
            let Some(to) = state.host_of(host, remote.ip()) else {
                return Err(io::Error::new(
                    io::ErrorKind::HostUnreachable,
                    format!("no simulated host has the address {}", remote.ip()),
                ));
            };
            if remote.port() == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "cannot connect to port 0",
                ));
            }
            let port = state.ephemeral(host, |s, p| {
                s.listeners.contains_key(&(host, p))
                    || s.conns
                        .values()
                        .any(|c| (0..2).any(|i| c.hosts[i] == host && c.addrs[i].port() == p))
            })?;
            let ip = if remote.ip().is_loopback() || remote.ip().is_unspecified() {
                std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)
            } else {
                std::net::IpAddr::V4(state.hosts[host].ip)
            };
            let local = SocketAddr::new(ip, port);
            let id = state.next_id();
            state.connects.insert(
                id,
                Connect {
                    from: host,
                    local,
                    to,
                    remote,
                    attempt: 0,
                    result: None,
                    waker: None,
                },
            );
            let at = state.arrival(host, to, 0, now);
            state.push(at, Event::Syn { connect: id });
            Ok(Connecting {
                net: net.clone(),
                id,
                local,
                remote,
            })
        })
    }

    pub(crate) fn local_addr(&self) -> SocketAddr {
        self.local
    }

    pub(crate) fn peer_addr(&self) -> SocketAddr {
        self.peer
    }

    pub(crate) fn poll_read(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let mut coop = ready!(coop::poll_proceed_as(cx, "simulated read"));
        if let Some(fault) = super::injected_fault(cx, false) {
            return fault;
        }
        let result = self.net.with(|state, _, wakes| {
            let Some(c) = state.conns.get_mut(&self.conn) else {
                return Some(Err(reset_error()));
            };
            let end = &mut c.ends[self.side];
            if end.reset {
                return Some(Err(reset_error()));
            }
            if end.read_shut || buf.is_empty() {
                return Some(Ok(0));
            }
            if end.recv.is_empty() {
                if end.fin {
                    return Some(Ok(0));
                }
                register(&mut end.readers, cx.waker());
                return None;
            }
            let n = buf.len().min(end.recv.len());
            for (slot, byte) in buf.iter_mut().zip(end.recv.drain(..n)) {
                *slot = byte;
            }
            let sender = &mut c.ends[1 - self.side];
            sender.unread = sender.unread.saturating_sub(n);
            wakes.all(&mut sender.writers);
            Some(Ok(n))
        });
        match result {
            None => Poll::Pending,
            Some(result) => {
                coop.made_progress();
                Poll::Ready(result)
            }
        }
    }

    pub(crate) fn poll_write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let mut coop = ready!(coop::poll_proceed_as(cx, "simulated write"));
        if let Some(fault) = super::injected_fault(cx, true) {
            return fault;
        }
        let result = self.net.with(|state, now, _| {
            let Some(c) = state.conns.get_mut(&self.conn) else {
                return Some(Err(reset_error()));
            };
            // This side's socket state (and what it receives) is `ends[side]`.
            let own = &mut c.ends[self.side];
            if own.reset {
                return Some(Err(reset_error()));
            }
            if own.write_shut {
                return Some(Err(io::Error::new(
                    io::ErrorKind::BrokenPipe,
                    "write after shutdown(Write) on a simulated stream",
                )));
            }
            if buf.is_empty() {
                return Some(Ok(0));
            }
            let room = WINDOW.saturating_sub(own.unread);
            if room == 0 {
                register(&mut own.writers, cx.waker());
                return None;
            }
            let n = room.min(buf.len());
            own.unread += n;
            state.send_segment(
                self.conn,
                1 - self.side,
                Segment::Data(buf[..n].to_vec()),
                now,
            );
            Some(Ok(n))
        });
        match result {
            None => Poll::Pending,
            Some(result) => {
                coop.made_progress();
                Poll::Ready(result)
            }
        }
    }

    pub(crate) fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.net.with(|state, now, wakes| {
            let Some(c) = state.conns.get_mut(&self.conn) else {
                return Err(io::Error::new(
                    io::ErrorKind::NotConnected,
                    "the simulated connection is gone",
                ));
            };
            let own = &mut c.ends[self.side];
            if matches!(how, Shutdown::Read | Shutdown::Both) {
                own.read_shut = true;
                wakes.all(&mut own.readers);
            }
            if matches!(how, Shutdown::Write | Shutdown::Both) && !own.write_shut {
                own.write_shut = true;
                if !own.reset {
                    state.send_segment(self.conn, 1 - self.side, Segment::Fin, now);
                }
            }
            Ok(())
        })
    }
}

impl Drop for SimStream {
    fn drop(&mut self) {
        self.net.with(|state, now, wakes| {
            let Some(c) = state.conns.get_mut(&self.conn) else {
                return;
            };
            let own = &mut c.ends[self.side];
            own.closed = true;
            own.in_flight.clear();
            let unread = !own.recv.is_empty();
            let (shut, reset) = (own.write_shut, own.reset);
            wakes.all(&mut own.writers);
            if !reset {
                // Closing with unread data sends an RST (as Linux does), else a FIN.
                if unread {
                    state.send_segment(self.conn, 1 - self.side, Segment::Rst, now);
                } else if !shut {
                    state.send_segment(self.conn, 1 - self.side, Segment::Fin, now);
                }
            }
            state.forget_if_done(self.conn);
        });
    }
}

impl Connecting {
    pub(crate) fn poll(&self, cx: &mut Context<'_>) -> Poll<io::Result<SimStream>> {
        let result = self.net.with(|state, _, _| {
            let connect = state.connects.get_mut(&self.id)?;
            if connect.result.is_none() {
                connect.waker = Some(cx.waker().clone());
                return None;
            }
            state.connects.remove(&self.id).and_then(|c| c.result)
        });
        match result {
            None => Poll::Pending,
            Some(Ok(conn)) => Poll::Ready(Ok(SimStream {
                net: self.net.clone(),
                conn,
                side: 0,
                local: self.local,
                peer: self.remote,
            })),
            Some(Err(err)) => Poll::Ready(Err(err)),
        }
    }
}

impl Drop for Connecting {
    fn drop(&mut self) {
        // A connect given up: forget it; a connection its SYN made is reset on the reply.
        let finished = self.net.with(|state, _, _| state.connects.remove(&self.id));
        if let Some(Connect {
            result: Some(Ok(conn)),
            ..
        }) = finished
        {
            drop(SimStream {
                net: self.net.clone(),
                conn,
                side: 0,
                local: self.local,
                peer: self.remote,
            });
        }
    }
}
