//! The simulated network's public face (issue 19 item 3): [`Host`], [`Network`] (from
//! [`net()`](net)), [`Link`], [`partition`] and [`heal`].
//!
//! Under a simulation runtime, `runtime::net`'s `TcpListener`, `TcpStream` and `UdpSocket`
//! go through an in-memory network instead of the kernel; the code using them does not
//! change. The guide's section is
//! [`guide::simulation`](crate::guide::simulation#the-simulated-network).

pub use crate::engine::Link;
use crate::engine::{SimHostId, SimNetwork};
use crate::loom::sync::Arc;
use crate::task::JoinHandle;
use std::fmt;
use std::future::Future;
use std::io;
use std::net::IpAddr;

fn network() -> io::Result<Arc<SimNetwork>> {
    crate::engine::sim_network().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::Unsupported,
            "the simulated network exists only inside a simulation runtime \
             (Builder::new_simulation, sim::run, #[runtime::test(simulation)])",
        )
    })
}

/// A simulated machine: its own name, IPv4 address (`10.0.0.N`, in creation order: `main`,
/// the host of the `block_on` future and of every task not spawned on a host, is
/// `10.0.0.1`), tasks, sockets and ports.
///
/// A task spawned with [`Host::spawn`] runs on the host, and so does every task it spawns
/// in turn; the sockets a task creates belong to its host. `0.0.0.0` and `127.0.0.1` are the
/// host itself, and its name resolves (`TcpStream::connect("db:5432")`,
/// `lookup_host`) to its address.
///
/// ```
/// use runtime::io::{AsyncReadExt, AsyncWriteExt};
/// use runtime::net::{TcpListener, TcpStream};
/// use runtime::sim::Host;
///
/// let run = runtime::sim::run(1, || async {
///     let db = Host::new("db")?;
///     assert_eq!(db.ip().to_string(), "10.0.0.2");
///     db.spawn(async {
///         let listener = TcpListener::bind("0.0.0.0:5432").await?;
///         let (mut conn, _) = listener.accept().await?;
///         conn.write_all(b"hello from db").await?;
///         Ok::<(), std::io::Error>(())
///     });
///     let mut conn = TcpStream::connect("db:5432").await?;
///     let mut reply = String::new();
///     conn.read_to_string(&mut reply).await?;
///     assert_eq!(reply, "hello from db");
///     Ok::<(), std::io::Error>(())
/// });
/// run.result.unwrap().unwrap();
/// ```
#[derive(Clone)]
pub struct Host {
    net: Arc<SimNetwork>,
    id: SimHostId,
    name: Arc<str>,
    ip: IpAddr,
}

impl Host {
    /// Adds a host named `name` to the current simulation's network.
    ///
    /// Errors: `Unsupported` outside a simulation runtime, `AlreadyExists` if the name is
    /// taken, `InvalidInput` if it is not a host name (1-63 letters, digits, `-`, `_`, `.`;
    /// not an IP address, not `localhost`).
    ///
    /// ```
    /// let run = runtime::sim::run(3, || async {
    ///     let a = runtime::sim::Host::new("a").unwrap();
    ///     assert_eq!(a.name(), "a");
    ///     let again = runtime::sim::Host::new("a").unwrap_err();
    ///     assert_eq!(again.kind(), std::io::ErrorKind::AlreadyExists);
    /// });
    /// run.result.unwrap();
    /// let outside = runtime::sim::Host::new("b").unwrap_err();
    /// assert_eq!(outside.kind(), std::io::ErrorKind::Unsupported);
    /// ```
    pub fn new(name: &str) -> io::Result<Host> {
        let net = network()?;
        let (id, ip) = net.add_host(name)?;
        Ok(Host {
            net,
            id,
            name: name.into(),
            ip: IpAddr::V4(ip),
        })
    }

    /// The host named `name` (`main` included); `NotFound` if there is none.
    ///
    /// ```
    /// let run = runtime::sim::run(3, || async {
    ///     runtime::sim::Host::new("cache").unwrap();
    ///     let cache = runtime::sim::Host::named("cache").unwrap();
    ///     assert_eq!(cache.ip().to_string(), "10.0.0.2");
    ///     assert_eq!(runtime::sim::Host::named("main").unwrap().ip().to_string(), "10.0.0.1");
    /// });
    /// run.result.unwrap();
    /// ```
    pub fn named(name: &str) -> io::Result<Host> {
        let net = network()?;
        let (id, ip) = net.host_named(name)?;
        Ok(Host {
            net,
            id,
            name: name.into(),
            ip: IpAddr::V4(ip),
        })
    }

    /// The host the calling task runs on (`main` for the `block_on` future).
    ///
    /// ```
    /// let run = runtime::sim::run(3, || async {
    ///     let web = runtime::sim::Host::new("web").unwrap();
    ///     let seen = web.spawn(async { runtime::sim::Host::current().unwrap().name().to_owned() });
    ///     assert_eq!(seen.await.unwrap(), "web");
    ///     assert_eq!(runtime::sim::Host::current().unwrap().name(), "main");
    /// });
    /// run.result.unwrap();
    /// ```
    pub fn current() -> io::Result<Host> {
        let net = network()?;
        let id = crate::engine::sim_current_host();
        let name: Arc<str> = net.host_name(id).into();
        let (_, ip) = net.host_named(&name)?;
        Ok(Host {
            net,
            id,
            name,
            ip: IpAddr::V4(ip),
        })
    }

    /// The host's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The host's address (`10.0.0.N`).
    pub fn ip(&self) -> IpAddr {
        self.ip
    }

    /// Whether the host is crashed (and not restarted).
    pub fn is_down(&self) -> bool {
        self.net.is_down(self.id)
    }

    /// Spawns `future` as a task on this host (it and the tasks it spawns run there). On a
    /// crashed host the task is cancelled at once (its `JoinHandle` gives a cancelled
    /// `JoinError`).
    ///
    /// # Panics
    ///
    /// Outside the simulation runtime the host belongs to, as `runtime::spawn` does outside
    /// any runtime.
    ///
    /// ```
    /// let run = runtime::sim::run(3, || async {
    ///     let worker = runtime::sim::Host::new("worker").unwrap();
    ///     worker.spawn(async { 6 * 7 }).await.unwrap()
    /// });
    /// assert_eq!(run.result.unwrap(), 42);
    /// ```
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let same = crate::engine::sim_network().is_some_and(|net| Arc::ptr_eq(&net, &self.net));
        assert!(
            same,
            "sim::Host::spawn must be called inside the simulation runtime the host belongs to"
        );
        crate::engine::sim_with_host(self.id, || crate::spawn(future))
    }

    /// Crashes the host: its tasks are cancelled, its listeners and UDP sockets closed, and
    /// the peers of its TCP connections get a reset (their reads and writes fail with
    /// `ConnectionReset` one link latency later). Until [`restart`](Self::restart),
    /// packets to it are lost and connects to it time out. `InvalidInput` for `main`.
    ///
    /// ```
    /// let run = runtime::sim::run(3, || async {
    ///     let db = runtime::sim::Host::new("db").unwrap();
    ///     let task = db.spawn(std::future::pending::<()>());
    ///     db.crash().unwrap();
    ///     assert!(task.await.unwrap_err().is_cancelled());
    ///     assert!(db.is_down());
    ///     let main = runtime::sim::Host::named("main").unwrap();
    ///     assert_eq!(main.crash().unwrap_err().kind(), std::io::ErrorKind::InvalidInput);
    /// });
    /// run.result.unwrap();
    /// ```
    pub fn crash(&self) -> io::Result<()> {
        self.net.crash(self.id)
    }

    /// Brings a crashed host back (same name and address, nothing of its old state) and
    /// spawns `start` on it, as a rebooted machine runs its start-up.
    ///
    /// ```
    /// let run = runtime::sim::run(3, || async {
    ///     let db = runtime::sim::Host::new("db").unwrap();
    ///     db.crash().unwrap();
    ///     let up = db.restart(async { "started" });
    ///     assert_eq!(up.await.unwrap(), "started");
    ///     assert!(!db.is_down());
    /// });
    /// run.result.unwrap();
    /// ```
    #[track_caller]
    pub fn restart<F>(&self, start: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.net.restart(self.id);
        self.spawn(start)
    }
}

impl fmt::Debug for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Host")
            .field("name", &self.name)
            .field("ip", &self.ip)
            .finish()
    }
}

/// The current simulation's network: links, partitions, counters. Get it with
/// [`net()`](net).
#[derive(Clone)]
pub struct Network {
    net: Arc<SimNetwork>,
}

/// The current simulation's [`Network`]; `Unsupported` outside a simulation runtime.
///
/// ```
/// use std::time::Duration;
/// use runtime::sim::Link;
///
/// let run = runtime::sim::run(3, || async {
///     let net = runtime::sim::net().unwrap();
///     net.set_link(Link { latency: Duration::from_millis(10), ..Link::default() });
///     runtime::sim::Host::new("a").unwrap();
///     runtime::sim::Host::new("b").unwrap();
///     net.set_link_between("a", "b", Link { loss: 0.5, ..Link::default() }).unwrap();
///     assert!(net.set_link_between("a", "nobody", Link::default()).is_err());
/// });
/// run.result.unwrap();
/// ```
pub fn net() -> io::Result<Network> {
    network().map(|net| Network { net })
}

impl Network {
    fn id(&self, name: &str) -> io::Result<SimHostId> {
        self.net.host_named(name).map(|(id, _)| id)
    }

    /// Sets the link every pair of hosts uses unless [`set_link_between`] gave it its own
    /// (the default link is [`Link::default()`]: 1 ms, no jitter, no loss, unlimited
    /// bandwidth). A host talking to itself is always instant and lossless.
    ///
    /// [`set_link_between`]: Self::set_link_between
    pub fn set_link(&self, link: Link) {
        self.net.set_default_link(link);
    }

    /// Sets the link between hosts `a` and `b` (both directions); `NotFound` for an unknown
    /// host name.
    pub fn set_link_between(&self, a: &str, b: &str, link: Link) -> io::Result<()> {
        let (a, b) = (self.id(a)?, self.id(b)?);
        self.net.set_link(a, b, link);
        Ok(())
    }

    /// Cuts hosts `a` and `b` off from each other, both ways: UDP datagrams between them
    /// are lost; TCP segments are held (as TCP's retransmissions keep trying) and arrive one
    /// latency after [`heal`](Self::heal), in order; a connect between them times out after
    /// about 127 s of virtual time unless the partition heals first (Linux's SYN retries).
    pub fn partition(&self, a: &str, b: &str) -> io::Result<()> {
        let (a, b) = (self.id(a)?, self.id(b)?);
        self.net.partition(a, b, true);
        Ok(())
    }

    /// Cuts `from -> to` only: `to` still reaches `from` (a one-way partition, as an
    /// asymmetric firewall rule makes).
    pub fn partition_one_way(&self, from: &str, to: &str) -> io::Result<()> {
        let (from, to) = (self.id(from)?, self.id(to)?);
        self.net.partition(from, to, false);
        Ok(())
    }

    /// Heals a [`partition`](Self::partition) between `a` and `b` (both ways).
    pub fn heal(&self, a: &str, b: &str) -> io::Result<()> {
        let (a, b) = (self.id(a)?, self.id(b)?);
        self.net.heal(Some((a, b)), true);
        Ok(())
    }

    /// Heals a one-way partition `from -> to`.
    pub fn heal_one_way(&self, from: &str, to: &str) -> io::Result<()> {
        let (from, to) = (self.id(from)?, self.id(to)?);
        self.net.heal(Some((from, to)), false);
        Ok(())
    }

    /// Heals every partition.
    pub fn heal_all(&self) {
        self.net.heal(None, true);
    }

    /// Packets delivered so far (TCP segments and UDP datagrams).
    pub fn delivered(&self) -> u64 {
        self.net.stats().delivered
    }

    /// UDP datagrams dropped so far (lost on the link, across a partition, to a down host or
    /// a port nobody bound).
    pub fn dropped(&self) -> u64 {
        self.net.stats().dropped
    }
}

impl fmt::Debug for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Network")
            .field("delivered", &self.delivered())
            .field("dropped", &self.dropped())
            .finish()
    }
}

/// [`Network::partition`] on the current simulation: `sim::partition("api", "db")`.
///
/// ```
/// let run = runtime::sim::run(3, || async {
///     runtime::sim::Host::new("api").unwrap();
///     runtime::sim::Host::new("db").unwrap();
///     runtime::sim::partition("api", "db").unwrap();
///     runtime::sim::heal("api", "db").unwrap();
///     let err = runtime::sim::partition("api", "nowhere").unwrap_err();
///     assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
/// });
/// run.result.unwrap();
/// ```
pub fn partition(a: &str, b: &str) -> io::Result<()> {
    net()?.partition(a, b)
}

/// [`Network::heal`] on the current simulation.
pub fn heal(a: &str, b: &str) -> io::Result<()> {
    net()?.heal(a, b)
}
