//! The simulated network (issue 19 item 3): hosts, links, partitions and crashes, with every
//! packet a delivery at a virtual time.
//!
//! # Rules
//!
//! - **N1 (one state, one lock).** A simulation's whole network (hosts, listeners,
//!   connections, UDP sockets, packets in flight) is one [`State`] behind one mutex, owned by
//!   the simulation's [`Handle`](super::Handle). Only the simulation's thread touches it, so
//!   the lock is never contended; it exists because sockets are `Send + Sync`. No waker is
//!   woken and no task aborted while it is held: operations collect them in a [`Wakes`] and
//!   run them after unlocking.
//! - **N2 (deliveries).** A packet in flight is an entry in `State::events`, keyed by its
//!   virtual arrival time and a sequence number (ties go in sending order). The run loop's
//!   idle step (rule S3) jumps the clock to the earlier of the next timer and the next
//!   delivery ([`Network::next_event_at`]) and delivers what is due
//!   ([`Network::deliver_due`]); a pending delivery therefore keeps rule S4 from declaring a
//!   deadlock. (The plan in `../mod.rs` put packets in the timer wheel; a queue of its own
//!   keeps exact nanosecond arrival times, which the wheel rounds to its tick, and costs no
//!   timer entry per packet.) Each delivery adds its kind, size, connection and virtual time
//!   to the trace hash (rule S5).
//! - **N3 (randomness).** Jitter and loss are drawn from the network's own SplitMix64 stream
//!   (`seed ^ NET_STREAM`), never the scheduler's, so network use does not shift the
//!   schedule's draws; draws happen in program order on the one thread.
//! - **N4 (TCP).** Each direction of a connection is a FIFO of segments (data, FIN, RST): a
//!   segment never overtakes the one before it (its arrival is at least the previous one's),
//!   nothing is lost. A segment due while its link is partitioned stays at the head of the
//!   FIFO (held, as TCP's retransmissions would keep trying); [`Network::heal`] re-times the
//!   held segments to arrive one latency after the heal. A connect's SYN is retried like
//!   Linux's (6 retries, 1 s doubling: `TimedOut` after 127 s of virtual time) while the path
//!   is partitioned or the host is down. Each side may have at most [`WINDOW`] bytes written
//!   and not yet read by the peer; a writer past it waits.
//! - **N5 (UDP).** Datagrams are independent: jitter reorders them, the link's loss
//!   probability drops them at send, and a partition, a down host or no bound socket drops
//!   them at arrival (no ICMP error is reported, as on a real host).
//! - **N6 (hosts).** Host 0 is `main` (the `block_on` future and every task not spawned on a
//!   host); [`OnHost`] wraps a task spawned on another host and sets the thread's current
//!   host while it is polled, so tasks inherit their spawner's host and sockets belong to the
//!   host of the task that created them. A crash aborts the host's tasks, closes its listeners
//!   and UDP sockets, and sends an RST to the peer of each of its connections.

mod tcp;
mod udp;

use tcp::check_local as tcp_check_local;
pub(crate) use tcp::{SimListener, SimStream};
pub(crate) use udp::SimUdp;

use super::rng::{SplitMix64, mix};
use crate::engine::DriverHandle;
use crate::engine::task::AbortRef;
use crate::loom::sync::Mutex;
use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr};
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// What the seed is XORed with to start the network's stream (rule N3).
const NET_STREAM: u64 = 0x0E7_0E7_0E7_0E7_0E7;

/// Bytes a side may have written and not yet read by its peer (rule N4): a send buffer plus
/// the peer's receive buffer, roughly.
pub(crate) const WINDOW: usize = 256 * 1024;

/// Datagrams a UDP socket queues before it drops new ones (a receive buffer).
const UDP_QUEUE: usize = 1024;

/// Linux's SYN retries (`tcp_syn_retries`, 6) with a 1 s initial timeout, doubling: a connect
/// that gets no answer fails after 1+2+4+8+16+32+64 = 127 s.
const SYN_RETRIES: u32 = 6;

/// A host's index: 0 is `main`.
pub(crate) type HostId = usize;

/// The first ephemeral port (IANA's dynamic range, as `bind(…:0)` and `connect` use).
const EPHEMERAL: u16 = 49152;

/// How packets travel between two hosts (or, as the default, between any two).
///
/// ```
/// use std::time::Duration;
/// let link = runtime::sim::Link {
///     latency: Duration::from_millis(20),
///     jitter: Duration::from_millis(5),
///     ..runtime::sim::Link::default()
/// };
/// assert_eq!(link.loss, 0.0);
/// assert_eq!(link.bandwidth, None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Link {
    /// One-way delay of every packet (default 1 ms).
    pub latency: Duration,
    /// Each packet also waits a uniformly drawn extra delay in `0..=jitter` (default none).
    /// TCP segments still arrive in order; UDP datagrams may be reordered.
    pub jitter: Duration,
    /// Bytes per virtual second the link carries in each direction (`None`: unlimited). A
    /// packet waits for the ones sent before it on the link to be transmitted.
    pub bandwidth: Option<u64>,
    /// Probability in `0.0..=1.0` that a UDP datagram is lost (TCP never loses data).
    pub loss: f64,
}

impl Default for Link {
    fn default() -> Link {
        Link {
            latency: Duration::from_millis(1),
            jitter: Duration::ZERO,
            bandwidth: None,
            loss: 0.0,
        }
    }
}

/// Wakers to wake and tasks to abort once the state's lock is released (rule N1).
#[derive(Default)]
pub(crate) struct Wakes {
    wakers: Vec<Waker>,
    aborts: Vec<AbortRef>,
}

impl Wakes {
    fn all(&mut self, wakers: &mut Vec<Waker>) {
        self.wakers.append(wakers);
    }

    fn run(self) {
        for waker in self.wakers {
            waker.wake();
        }
        for task in self.aborts {
            task.abort();
        }
    }
}

/// Stores `waker` in `list` unless an equivalent one is there (any number of waiters).
fn register(list: &mut Vec<Waker>, waker: &Waker) {
    if !list.iter().any(|w| w.will_wake(waker)) {
        list.push(waker.clone());
    }
}

struct HostState {
    name: String,
    ip: Ipv4Addr,
    down: bool,
    tasks: Vec<AbortRef>,
    next_port: u16,
}

/// A packet or timeout due at a virtual time (rule N2).
enum Event {
    /// The head segments of the FIFO toward `side` of connection `conn` may be due.
    Pipe {
        conn: u64,
        side: usize,
    },
    /// A connect's SYN arrives (or is lost and retried).
    Syn {
        connect: u64,
    },
    /// A connect's answer (accepted or refused) arrives at the client.
    SynReply {
        connect: u64,
        result: Result<u64, io::ErrorKind>,
    },
    Datagram(udp::Datagram),
}

pub(crate) struct State {
    rng: SplitMix64,
    seq: u64,
    next_id: u64,
    hosts: Vec<HostState>,
    default_link: Link,
    /// Per-pair links, keyed (lower id, higher id).
    links: BTreeMap<(HostId, HostId), Link>,
    /// When each directed link finishes transmitting what it was given (bandwidth).
    busy_until: BTreeMap<(HostId, HostId), Instant>,
    /// Directed pairs that cannot reach each other.
    blocked: BTreeSet<(HostId, HostId)>,
    events: BTreeMap<(Instant, u64), Event>,
    listeners: BTreeMap<(HostId, u16), tcp::Listener>,
    conns: BTreeMap<u64, tcp::Conn>,
    connects: BTreeMap<u64, tcp::Connect>,
    udp: BTreeMap<(HostId, u16), udp::Udp>,
    /// Packets delivered and datagrams dropped (for tests and the docs).
    pub(crate) stats: NetStats,
}

/// Counts of what the network did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NetStats {
    pub(crate) delivered: u64,
    pub(crate) dropped: u64,
}

/// A simulation's network (rule N1).
pub(crate) struct Network {
    state: Mutex<State>,
    driver: DriverHandle,
}

thread_local! {
    /// The host of the task being polled (rule N6); 0 outside any host's task.
    static CURRENT_HOST: Cell<HostId> = const { Cell::new(0) };
}

/// The host of the running task (0: `main`).
pub(crate) fn current_host() -> HostId {
    CURRENT_HOST.with(Cell::get)
}

/// Runs `f` as if on `host` (a spawn inside it lands on `host`).
pub(crate) fn with_host<R>(host: HostId, f: impl FnOnce() -> R) -> R {
    let _guard = HostGuard::enter(host);
    f()
}

struct HostGuard(HostId);

impl HostGuard {
    fn enter(host: HostId) -> HostGuard {
        HostGuard(CURRENT_HOST.with(|c| c.replace(host)))
    }
}

impl Drop for HostGuard {
    fn drop(&mut self) {
        CURRENT_HOST.with(|c| c.set(self.0));
    }
}

/// A task spawned on a host other than `main`: polled with that host current (rule N6).
pub(crate) struct OnHost<F> {
    host: HostId,
    future: F,
}

impl<F> OnHost<F> {
    pub(crate) fn new(host: HostId, future: F) -> OnHost<F> {
        OnHost { host, future }
    }
}

impl<F: Future> Future for OnHost<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: `future` is structurally pinned: it is never moved out of `self`, and
        // `OnHost` has no `Drop` impl and no `Unpin` impl of its own.
        let this = unsafe { self.get_unchecked_mut() };
        let _guard = HostGuard::enter(this.host);
        // SAFETY: as above, `this.future` stays where it is for as long as `self` is pinned.
        unsafe { Pin::new_unchecked(&mut this.future) }.poll(cx)
    }
}

fn ip_of(host: HostId) -> Ipv4Addr {
    Ipv4Addr::from(0x0A00_0001u32 + host as u32)
}

impl Network {
    pub(crate) fn new(seed: u64, driver: DriverHandle) -> Network {
        Network {
            state: Mutex::new(State {
                rng: SplitMix64::new(mix(seed ^ NET_STREAM)),
                seq: 0,
                next_id: 0,
                hosts: vec![HostState {
                    name: "main".to_owned(),
                    ip: ip_of(0),
                    down: false,
                    tasks: Vec::new(),
                    next_port: EPHEMERAL,
                }],
                default_link: Link::default(),
                links: BTreeMap::new(),
                busy_until: BTreeMap::new(),
                blocked: BTreeSet::new(),
                events: BTreeMap::new(),
                listeners: BTreeMap::new(),
                conns: BTreeMap::new(),
                connects: BTreeMap::new(),
                udp: BTreeMap::new(),
                stats: NetStats::default(),
            }),
            driver,
        }
    }

    fn now(&self) -> Instant {
        self.driver.now()
    }

    /// Runs `f` on the state, then the wakes it collected (rule N1).
    fn with<R>(&self, f: impl FnOnce(&mut State, Instant, &mut Wakes) -> R) -> R {
        let now = self.now();
        let mut wakes = Wakes::default();
        let result = f(&mut self.state.lock(), now, &mut wakes);
        wakes.run();
        result
    }

    pub(crate) fn stats(&self) -> NetStats {
        self.state.lock().stats
    }

    /// Adds a host named `name` (an error if the name is taken or not a host name).
    pub(crate) fn add_host(&self, name: &str) -> io::Result<(HostId, Ipv4Addr)> {
        let valid = !name.is_empty()
            && name.len() <= 63
            && name.parse::<IpAddr>().is_err()
            && name != "localhost"
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_');
        if !valid {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "`{name}` is not a simulated host name: use 1-63 letters, digits, `-`, \
                     `_` or `.`, not an IP address and not `localhost`"
                ),
            ));
        }
        let mut state = self.state.lock();
        if state.hosts.iter().any(|h| h.name == name) {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("a simulated host named `{name}` already exists"),
            ));
        }
        let id = state.hosts.len();
        if id >= 0x00FF_FFFE {
            return Err(io::Error::other("too many simulated hosts"));
        }
        let ip = ip_of(id);
        state.hosts.push(HostState {
            name: name.to_owned(),
            ip,
            down: false,
            tasks: Vec::new(),
            next_port: EPHEMERAL,
        });
        Ok((id, ip))
    }

    /// The host named `name`.
    pub(crate) fn host_named(&self, name: &str) -> io::Result<(HostId, Ipv4Addr)> {
        self.state.lock().host_named(name)
    }

    pub(crate) fn host_name(&self, host: HostId) -> String {
        self.state.lock().hosts[host].name.clone()
    }

    /// Resolves a host name (rule N6's DNS): `localhost` is the loopback address, a host's
    /// name its address.
    pub(crate) fn resolve(&self, name: &str) -> io::Result<IpAddr> {
        if name.eq_ignore_ascii_case("localhost") {
            return Ok(IpAddr::V4(Ipv4Addr::LOCALHOST));
        }
        self.state
            .lock()
            .host_named(name)
            .map(|(_, ip)| IpAddr::V4(ip))
            .map_err(|_| {
                io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("no simulated host is named `{name}` (create it with sim::Host::new)"),
                )
            })
    }

    /// Records a task spawned on `host`; aborts it at once if the host is down.
    pub(crate) fn adopt(&self, host: HostId, task: AbortRef) {
        self.with(|state, _, wakes| {
            let h = &mut state.hosts[host];
            h.tasks.retain(|t| !t.is_finished());
            if h.down {
                wakes.aborts.push(task);
            } else {
                h.tasks.push(task);
            }
        });
    }

    pub(crate) fn set_default_link(&self, link: Link) {
        self.state.lock().default_link = link;
    }

    pub(crate) fn set_link(&self, a: HostId, b: HostId, link: Link) {
        self.state.lock().links.insert((a.min(b), a.max(b)), link);
    }

    /// Blocks `from -> to` (and `to -> from` if `both`).
    pub(crate) fn partition(&self, from: HostId, to: HostId, both: bool) {
        let mut state = self.state.lock();
        state.blocked.insert((from, to));
        if both {
            state.blocked.insert((to, from));
        }
    }

    /// Unblocks `from -> to` (and back if `both`; every pair if `None`), re-timing the TCP
    /// segments held by the partition (rule N4).
    pub(crate) fn heal(&self, pair: Option<(HostId, HostId)>, both: bool) {
        self.with(|state, now, _| {
            match pair {
                None => state.blocked.clear(),
                Some((a, b)) => {
                    state.blocked.remove(&(a, b));
                    if both {
                        state.blocked.remove(&(b, a));
                    }
                }
            }
            state.release_held(now);
        });
    }

    /// Crashes `host` (rule N6): aborts its tasks, closes its listeners and UDP sockets, and
    /// resets its connections. A crashed host is down until [`restart`](Self::restart).
    pub(crate) fn crash(&self, host: HostId) -> io::Result<()> {
        if host == 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the `main` host (the block_on future's) cannot crash",
            ));
        }
        self.with(|state, now, wakes| {
            let h = &mut state.hosts[host];
            h.down = true;
            wakes.aborts.append(&mut h.tasks);
            state.crash_sockets(host, now, wakes);
        });
        Ok(())
    }

    /// Brings a crashed host back up (its address and name unchanged).
    pub(crate) fn restart(&self, host: HostId) {
        self.with(|state, now, _| {
            state.hosts[host].down = false;
            state.release_held(now);
        });
    }

    pub(crate) fn is_down(&self, host: HostId) -> bool {
        self.state.lock().hosts[host].down
    }

    /// Runtime shutdown (after every task was cancelled): drops what the state still holds
    /// that points back at the runtime, the hosts' task references and the stored wakers
    /// (each holds a task, which holds the scheduler, which holds this network: a cycle
    /// that would otherwise keep the runtime and its driver's descriptors alive). Dropped
    /// outside the lock.
    pub(crate) fn shutdown(&self) {
        let taken = {
            let mut state = self.state.lock();
            let tasks: Vec<Vec<AbortRef>> = state
                .hosts
                .iter_mut()
                .map(|h| std::mem::take(&mut h.tasks))
                .collect();
            (
                tasks,
                std::mem::take(&mut state.listeners),
                std::mem::take(&mut state.conns),
                std::mem::take(&mut state.connects),
                std::mem::take(&mut state.udp),
                std::mem::take(&mut state.events),
            )
        };
        drop(taken);
    }

    /// When the next packet is due (rule N2).
    pub(crate) fn next_event_at(&self) -> Option<Instant> {
        self.state.lock().events.keys().next().map(|&(at, _)| at)
    }

    /// Delivers every packet due by now, adding each to the trace through `trace` (rule N2).
    pub(crate) fn deliver_due(&self, start: Instant, trace: &mut dyn FnMut(u64)) {
        loop {
            let done = self.with(|state, now, wakes| {
                let Some(entry) = state.events.first_entry() else {
                    return true;
                };
                if entry.key().0 > now {
                    return true;
                }
                let event = entry.remove();
                let at = u64::try_from(now.saturating_duration_since(start).as_nanos())
                    .unwrap_or(u64::MAX);
                state.deliver(event, now, wakes, &mut |word| {
                    trace(word);
                    trace(at);
                });
                false
            });
            if done {
                return;
            }
        }
    }
}

impl State {
    fn host_named(&self, name: &str) -> io::Result<(HostId, Ipv4Addr)> {
        self.hosts
            .iter()
            .position(|h| h.name == name)
            .map(|id| (id, self.hosts[id].ip))
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("no simulated host is named `{name}`"),
                )
            })
    }

    fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn push(&mut self, at: Instant, event: Event) {
        self.seq += 1;
        self.events.insert((at, self.seq), event);
    }

    fn link(&self, a: HostId, b: HostId) -> Link {
        if a == b {
            // Loopback: instant, lossless.
            return Link {
                latency: Duration::ZERO,
                jitter: Duration::ZERO,
                bandwidth: None,
                loss: 0.0,
            };
        }
        self.links
            .get(&(a.min(b), a.max(b)))
            .copied()
            .unwrap_or(self.default_link)
    }

    fn reachable(&self, from: HostId, to: HostId) -> bool {
        from == to || !self.blocked.contains(&(from, to))
    }

    /// When `len` bytes sent now from `from` arrive at `to` (latency, jitter, bandwidth).
    fn arrival(&mut self, from: HostId, to: HostId, len: usize, now: Instant) -> Instant {
        let link = self.link(from, to);
        let mut sent = now;
        if let Some(bandwidth) = link.bandwidth.filter(|&b| b > 0 && from != to) {
            let busy = self.busy_until.entry((from, to)).or_insert(now);
            let start = (*busy).max(now);
            let nanos = (len as u128 * 1_000_000_000).div_ceil(u128::from(bandwidth));
            sent = start + Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX));
            *busy = sent;
        }
        let jitter = if link.jitter.is_zero() {
            Duration::ZERO
        } else {
            let nanos = u64::try_from(link.jitter.as_nanos()).unwrap_or(u64::MAX);
            Duration::from_nanos(self.rng.below(nanos.saturating_add(1)))
        };
        sent + link.latency + jitter
    }

    /// A loss draw for a datagram on `from -> to` (rule N5).
    fn lost(&mut self, from: HostId, to: HostId) -> bool {
        let loss = self.link(from, to).loss;
        if loss <= 0.0 {
            return false;
        }
        // 53 random bits as a uniform float in [0, 1).
        let draw = (self.rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        draw < loss
    }

    /// The host an address names, seen from `from`: loopback and unspecified are `from`
    /// itself.
    fn host_of(&self, from: HostId, ip: IpAddr) -> Option<HostId> {
        if ip.is_loopback() || ip.is_unspecified() {
            return Some(from);
        }
        let IpAddr::V4(ip) = ip else { return None };
        self.hosts.iter().position(|h| h.ip == ip)
    }

    /// An unused port of `host` for `used` (TCP listeners or UDP sockets).
    fn ephemeral(&mut self, host: HostId, used: impl Fn(&State, u16) -> bool) -> io::Result<u16> {
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

    fn deliver(
        &mut self,
        event: Event,
        now: Instant,
        wakes: &mut Wakes,
        trace: &mut dyn FnMut(u64),
    ) {
        match event {
            Event::Pipe { conn, side } => self.deliver_pipe(conn, side, now, wakes, trace),
            Event::Syn { connect } => self.deliver_syn(connect, now, wakes, trace),
            Event::SynReply { connect, result } => {
                self.deliver_syn_reply(connect, result, wakes, trace);
            }
            Event::Datagram(datagram) => self.deliver_datagram(datagram, wakes, trace),
        }
    }

    fn crash_sockets(&mut self, host: HostId, now: Instant, wakes: &mut Wakes) {
        let listeners: Vec<_> = self
            .listeners
            .keys()
            .filter(|k| k.0 == host)
            .copied()
            .collect();
        for key in listeners {
            self.close_listener(key, None, now, wakes);
        }
        let sockets: Vec<_> = self.udp.keys().filter(|k| k.0 == host).copied().collect();
        for key in sockets {
            if let Some(mut socket) = self.udp.remove(&key) {
                wakes.all(&mut socket.waiters);
            }
        }
        let conns: Vec<u64> = self
            .conns
            .iter()
            .filter(|(_, c)| c.hosts.contains(&host))
            .map(|(&id, _)| id)
            .collect();
        for id in conns {
            self.crash_conn(id, host, now, wakes);
        }
        let connects: Vec<u64> = self
            .connects
            .iter()
            .filter(|(_, c)| c.from == host)
            .map(|(&id, _)| id)
            .collect();
        for id in connects {
            self.connects.remove(&id);
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::ip_of;

    #[test]
    fn hosts_get_consecutive_addresses_in_10_0_0_0() {
        assert_eq!(ip_of(0).to_string(), "10.0.0.1");
        assert_eq!(ip_of(1).to_string(), "10.0.0.2");
        assert_eq!(ip_of(300).to_string(), "10.0.1.45");
    }
}

/// The fault plan's verdict on a simulated socket operation about to run (rule S7, as
/// `PollEvented` applies it to real sockets): `None` to go on; `Some(Pending)` for a spurious
/// `WouldBlock` (the task is woken to try again); `Some(Ready(Err))` for an injected error.
/// Reads, receives and accepts count as reads; writes, sends and connects as writes.
pub(super) fn injected_fault<T>(cx: &Context<'_>, write: bool) -> Option<Poll<io::Result<T>>> {
    match super::io_fault(write)? {
        super::IoFault::SpuriousWouldBlock => {
            cx.waker().wake_by_ref();
            Some(Poll::Pending)
        }
        super::IoFault::Error(err) => Some(Poll::Ready(Err(err))),
    }
}
