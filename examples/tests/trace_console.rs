//! `tokio-console` attached to a service on `runtime` (feature `tracing`): the console layer
//! of `console-subscriber` is installed, a workload runs on each flavor, and the test reads
//! what the console would show through the console's own gRPC API: the tasks with their kind,
//! id, spawn location, poll count and waker counts, and the timers as resources.
//!
//! The gRPC client runs on a Tokio runtime of its own in the test thread (console-subscriber
//! serves from a Tokio runtime on its own thread too); the workload runs on ours.

use console_api::field::{Name, Value};
use console_api::instrument::InstrumentRequest;
use console_api::instrument::instrument_client::InstrumentClient;
use console_api::resources::resource::kind::{Kind as ResourceKind, Known};
use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::panic::Location;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};
use std::time::Duration;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Installs the console layer once per test process, serving on a free loopback port.
fn console_addr() -> SocketAddr {
    static ADDR: OnceLock<SocketAddr> = OnceLock::new();
    *ADDR.get_or_init(|| {
        let addr = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free loopback port");
        let layer = console_subscriber::ConsoleLayer::builder()
            .server_addr(addr)
            // Keep finished tasks and resources so the test still sees them.
            .retention(Duration::from_secs(600))
            .publish_interval(Duration::from_millis(20))
            .spawn();
        tracing_subscriber::registry().with(layer).init();
        addr
    })
}

/// Spawns `future` and returns the location `runtime::spawn` records: this function's caller.
#[track_caller]
fn spawn_here<F>(
    future: F,
) -> (
    runtime::task::JoinHandle<F::Output>,
    &'static Location<'static>,
)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    (runtime::spawn(future), Location::caller())
}

/// [`spawn_here`] with a name (`task::Builder`), which the task span carries.
#[track_caller]
fn spawn_named_here<F>(
    name: &str,
    future: F,
) -> (
    runtime::task::JoinHandle<F::Output>,
    &'static Location<'static>,
)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handle = runtime::task::Builder::new()
        .name(name)
        .spawn(future)
        .expect("inside a runtime");
    (handle, Location::caller())
}

/// A sleep and the location `runtime::time::sleep` records: this function's caller.
#[track_caller]
fn sleep_here(duration: Duration) -> (runtime::time::Sleep, &'static Location<'static>) {
    (runtime::time::sleep(duration), Location::caller())
}

/// A timeout and the location `runtime::time::timeout` records: this function's caller.
#[track_caller]
fn timeout_here<F: Future>(
    duration: Duration,
    future: F,
) -> (runtime::time::Timeout<F>, &'static Location<'static>) {
    (runtime::time::timeout(duration, future), Location::caller())
}

/// The caller's location, to pair with a constructor called on the same line (the same file
/// and line as the resource's, another column).
#[track_caller]
fn here() -> &'static Location<'static> {
    Location::caller()
}

/// A future that clones its waker on the first poll and has another thread wake it by value:
/// one clone, one wake, two polls.
struct WokenFromThread {
    woken: bool,
}

impl Future for WokenFromThread {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.woken {
            return Poll::Ready(());
        }
        self.woken = true;
        let waker = cx.waker().clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(10));
            waker.wake();
        });
        Poll::Pending
    }
}

/// What one flavor's workload spawned: each task's id and spawn location.
struct Spawned {
    yielder: (u64, &'static Location<'static>),
    woken: (u64, &'static Location<'static>),
    sleeper: (u64, &'static Location<'static>),
    blocking_id: u64,
    sleep_location: &'static Location<'static>,
    timeout_location: &'static Location<'static>,
    /// Where the Mutex, Semaphore, RwLock and oneshot channel were made (file and line).
    sync_lines: [(&'static str, &'static Location<'static>); 4],
}

fn id_of<T>(handle: &runtime::task::JoinHandle<T>) -> u64 {
    handle
        .id()
        .to_string()
        .parse()
        .expect("a task id prints as a number")
}

/// Runs the workload on `rt`: a task that yields 4 times (5 polls, 4 self-wakes), one woken
/// from another thread (2 polls, 1 clone, 1 wake), one that sleeps and times out a ready
/// future (a `Sleep` and a `Timeout` resource), and a blocking task.
fn run_workload(rt: &runtime::Runtime) -> Spawned {
    rt.block_on(async {
        let (yielder, yielder_at) = spawn_named_here("yielder", async {
            for _ in 0..4 {
                runtime::task::yield_now().await;
            }
        });
        let (woken, woken_at) = spawn_here(WokenFromThread { woken: false });
        let (locations_tx, locations_rx) = std::sync::mpsc::channel();
        let (sleeper, sleeper_at) = spawn_here(async move {
            let (sleep, sleep_at) = sleep_here(Duration::from_millis(30));
            sleep.await;
            let (timeout, timeout_at) =
                timeout_here(Duration::from_secs(30), std::future::ready(3));
            assert_eq!(timeout.await.unwrap(), 3);
            locations_tx.send((sleep_at, timeout_at)).unwrap();
        });
        let blocking = runtime::task::spawn_blocking(|| 7);
        let ids = (
            id_of(&yielder),
            id_of(&woken),
            id_of(&sleeper),
            id_of(&blocking),
        );
        let bounded = runtime::time::timeout(Duration::from_secs(20), async {
            yielder.await.unwrap();
            woken.await.unwrap();
            sleeper.await.unwrap();
            assert_eq!(blocking.await.unwrap(), 7);
            use_sync_primitives().await
        });
        let sync_lines = bounded.await.expect("the workload finishes within 20 s");
        let (sleep_location, timeout_location) = locations_rx.recv().unwrap();
        Spawned {
            yielder: (ids.0, yielder_at),
            woken: (ids.1, woken_at),
            sleeper: (ids.2, sleeper_at),
            blocking_id: ids.3,
            sleep_location,
            timeout_location,
            sync_lines,
        }
    })
}

/// Makes and uses one of each instrumented sync primitive; returns their concrete types (as
/// the console names them) and where they were made.
async fn use_sync_primitives() -> [(&'static str, &'static Location<'static>); 4] {
    use runtime::sync::{Mutex, RwLock, Semaphore, oneshot};
    use std::sync::Arc;
    let (mutex, mutex_at) = (Arc::new(Mutex::new(0)), here());
    let (semaphore, semaphore_at) = (Semaphore::new(3), here());
    let (rwlock, rwlock_at) = (RwLock::new(1), here());
    let ((tx, rx), oneshot_at) = (oneshot::channel(), here());
    // A contended lock: the spawned task waits in `Mutex::lock` while we hold it.
    let guard = mutex.lock().await;
    let waiter = runtime::spawn({
        let mutex = mutex.clone();
        async move { *mutex.lock().await += 1 }
    });
    runtime::task::yield_now().await;
    drop(guard);
    waiter.await.unwrap();
    assert_eq!(*mutex.lock().await, 1);
    let permit = semaphore.acquire_many(2).await.unwrap();
    let read = *rwlock.read().await;
    *rwlock.write().await += read;
    assert_eq!(*rwlock.read().await, 2);
    tx.send(5).unwrap();
    assert_eq!(rx.await, Ok(5));
    // Kept: the console should report one permit in use at the end.
    permit.forget();
    [
        ("Mutex", mutex_at),
        ("Semaphore", semaphore_at),
        ("RwLock", rwlock_at),
        ("Sender|Receiver", oneshot_at),
    ]
}

/// A task as the console reports it.
#[derive(Debug, Default, Clone)]
struct SeenTask {
    fields: HashMap<String, String>,
    location: Option<(String, u32, u32)>,
    polls: u64,
    wakes: u64,
    self_wakes: u64,
    waker_clones: u64,
    waker_drops: u64,
    dropped: bool,
}

/// A resource as the console reports it.
#[derive(Debug, Default, Clone)]
struct SeenResource {
    concrete_type: String,
    is_timer: bool,
    location: Option<(String, u32, u32)>,
    attributes: HashMap<String, (String, Option<String>)>,
}

fn value_text(value: &Value) -> String {
    match value {
        Value::DebugVal(s) | Value::StrVal(s) => s.clone(),
        Value::U64Val(v) => v.to_string(),
        Value::I64Val(v) => v.to_string(),
        Value::BoolVal(v) => v.to_string(),
    }
}

fn location_of(location: &Option<console_api::Location>) -> Option<(String, u32, u32)> {
    let location = location.as_ref()?;
    Some((location.file.clone()?, location.line?, location.column?))
}

fn expected(location: &Location<'_>) -> Option<(String, u32, u32)> {
    Some((
        location.file().to_owned(),
        location.line(),
        location.column(),
    ))
}

/// The console's view, folded from its update stream.
#[derive(Default)]
struct ConsoleView {
    tasks: HashMap<u64, SeenTask>,
    resources: HashMap<u64, SeenResource>,
    /// Operations on resources: (source, the resource's concrete type).
    async_ops: Vec<(String, Option<u64>)>,
    /// Polls of those operations: (name, resource id, ready).
    poll_ops: Vec<(String, Option<u64>, bool)>,
}

impl ConsoleView {
    fn apply(&mut self, update: console_api::instrument::Update) {
        if let Some(tasks) = update.task_update {
            for task in tasks.new_tasks {
                let Some(id) = task.id else { continue };
                let seen = self.tasks.entry(id.id).or_default();
                seen.location = location_of(&task.location);
                for field in task.fields {
                    if let (Some(Name::StrName(name)), Some(value)) = (field.name, field.value) {
                        seen.fields.insert(name, value_text(&value));
                    }
                }
            }
            for (id, stats) in tasks.stats_update {
                let seen = self.tasks.entry(id).or_default();
                seen.polls = stats.poll_stats.map_or(0, |poll| poll.polls);
                seen.wakes = stats.wakes;
                seen.self_wakes = stats.self_wakes;
                seen.waker_clones = stats.waker_clones;
                seen.waker_drops = stats.waker_drops;
                seen.dropped = stats.dropped_at.is_some();
            }
        }
        if let Some(ops) = update.async_op_update {
            for op in ops.new_async_ops {
                self.async_ops
                    .push((op.source, op.resource_id.map(|id| id.id)));
            }
        }
        if let Some(resources) = update.resource_update {
            for poll_op in resources.new_poll_ops {
                let resource = poll_op.resource_id.map(|id| id.id);
                self.poll_ops
                    .push((poll_op.name, resource, poll_op.is_ready));
            }
            for resource in resources.new_resources {
                let Some(id) = resource.id else { continue };
                let seen = self.resources.entry(id.id).or_default();
                seen.concrete_type = resource.concrete_type;
                seen.is_timer = matches!(
                    resource.kind.and_then(|kind| kind.kind),
                    Some(ResourceKind::Known(k)) if k == Known::Timer as i32
                );
                seen.location = location_of(&resource.location);
            }
            for (id, stats) in resources.stats_update {
                let seen = self.resources.entry(id).or_default();
                for attribute in stats.attributes {
                    let Some(field) = attribute.field else {
                        continue;
                    };
                    if let (Some(Name::StrName(name)), Some(value)) = (field.name, field.value) {
                        seen.attributes
                            .insert(name, (value_text(&value), attribute.unit.clone()));
                    }
                }
            }
        }
    }

    fn task(&self, task_id: u64) -> Option<&SeenTask> {
        let id = task_id.to_string();
        self.tasks
            .values()
            .find(|task| task.fields.get("task.id") == Some(&id))
    }

    /// The resource of `concrete_type` made on `location`'s line.
    fn resource_on_line(
        &self,
        concrete_type: &str,
        location: &Location<'_>,
    ) -> Option<&SeenResource> {
        self.resources.values().find(|r| {
            r.concrete_type == concrete_type
                && r.location.as_ref().is_some_and(|(file, line, _)| {
                    file == location.file() && *line == location.line()
                })
        })
    }

    fn resource_at(&self, location: &Location<'_>) -> Option<&SeenResource> {
        let at = expected(location);
        self.resources.values().find(|r| r.location == at)
    }

    /// Whether every task of `spawned` is reported finished with its final counts, and both
    /// timers are reported with their duration.
    fn has_all(&self, spawned: &Spawned) -> bool {
        let finished = |id: u64, polls: u64| {
            self.task(id)
                .is_some_and(|task| task.dropped && task.polls == polls)
        };
        finished(spawned.yielder.0, 5)
            && finished(spawned.woken.0, 2)
            && self
                .task(spawned.sleeper.0)
                .is_some_and(|task| task.dropped)
            && finished(spawned.blocking_id, 1)
            && self
                .resource_at(spawned.sleep_location)
                .is_some_and(|r| r.attributes.contains_key("duration"))
            && self
                .resource_at(spawned.timeout_location)
                .is_some_and(|r| r.attributes.contains_key("duration"))
            && self.sync_settled(spawned)
    }

    /// The concrete type of the resource an operation or poll belongs to.
    fn type_of(&self, resource: Option<u64>) -> &str {
        resource
            .and_then(|id| self.resources.get(&id))
            .map_or("", |r| r.concrete_type.as_str())
    }

    /// Whether an operation `source` on a `concrete_type` resource was reported.
    fn has_async_op(&self, source: &str, concrete_type: &str) -> bool {
        self.async_ops
            .iter()
            .any(|(s, resource)| s == source && self.type_of(*resource) == concrete_type)
    }

    /// Whether a poll `name` of a `concrete_type` resource was reported with readiness `ready`.
    fn has_poll_op(&self, name: &str, concrete_type: &str, ready: bool) -> bool {
        self.poll_ops.iter().any(|(n, resource, r)| {
            n == name && *r == ready && self.type_of(*resource) == concrete_type
        })
    }

    /// Whether the sync primitives' final states have arrived.
    fn sync_settled(&self, spawned: &Spawned) -> bool {
        let attr = |index: usize, name: &str| -> Option<String> {
            let (concrete_type, at) = spawned.sync_lines[index];
            let resource = self.resource_on_line(concrete_type, at)?;
            resource
                .attributes
                .get(name)
                .map(|(value, _)| value.clone())
        };
        attr(0, "locked").as_deref() == Some("false")
            && attr(1, "permits").as_deref() == Some("1")
            && attr(2, "write_locked").as_deref() == Some("false")
            && attr(2, "current_readers").as_deref() == Some("0")
            && attr(3, "value_received").as_deref() == Some("true")
            && attr(3, "rx_dropped").as_deref() == Some("true")
            && self.has_poll_op("poll_lock", "Mutex", false)
            && self.has_poll_op("poll_lock", "Mutex", true)
            && self.has_poll_op("poll_elapsed", "Sleep", true)
    }
}

/// A console client watching from its own thread (with a Tokio runtime for the gRPC client).
/// Poll operations are streamed only to clients watching when they happen, so it connects
/// before the workload runs.
struct Watcher {
    spawned_tx: std::sync::mpsc::Sender<Spawned>,
    view: std::thread::JoinHandle<(ConsoleView, Spawned)>,
}

impl Watcher {
    /// Connects and returns once the server streams to this client.
    fn connect() -> Watcher {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (spawned_tx, spawned_rx) = std::sync::mpsc::channel();
        let view = std::thread::spawn(move || watch_console(ready_tx, spawned_rx));
        ready_rx
            .recv_timeout(Duration::from_secs(20))
            .expect("the console server answers within 20 s");
        Watcher { spawned_tx, view }
    }

    /// Hands the watcher what to wait for, and waits for its view of it.
    fn finish(self, spawned: Spawned) -> (ConsoleView, Spawned) {
        self.spawned_tx.send(spawned).unwrap();
        self.view.join().expect("the watcher thread")
    }
}

/// The watcher thread: connects, says so on `ready`, then folds updates until the workload
/// sent on `spawned` is all there (bounded: 20 s after the workload is known).
fn watch_console(
    ready: std::sync::mpsc::Sender<()>,
    spawned: std::sync::mpsc::Receiver<Spawned>,
) -> (ConsoleView, Spawned) {
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime for the gRPC client");
    tokio.block_on(async move {
        let endpoint = format!("http://{}", console_addr());
        let connect = async {
            loop {
                match InstrumentClient::connect(endpoint.clone()).await {
                    Ok(client) => break client,
                    Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
                }
            }
        };
        let mut client = tokio::time::timeout(Duration::from_secs(20), connect)
            .await
            .expect("connected within 20 s");
        let mut updates = client
            .watch_updates(InstrumentRequest {})
            .await
            .expect("the console server streams updates")
            .into_inner();
        let mut view = ConsoleView::default();
        // The first update means this client is subscribed.
        let first = updates.message().await.expect("a well-formed update");
        view.apply(first.expect("a first update"));
        ready.send(()).unwrap();
        let mut workload: Option<Spawned> = None;
        let mut deadline = None;
        loop {
            if workload.is_none() {
                match spawned.try_recv() {
                    Ok(sent) => {
                        workload = Some(sent);
                        deadline = Some(tokio::time::Instant::now() + Duration::from_secs(20));
                    }
                    Err(std::sync::mpsc::TryRecvError::Empty) => {}
                    Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                        panic!("the test ended without running its workload")
                    }
                }
            }
            if let Some(workload) = &workload
                && view.has_all(workload)
            {
                break;
            }
            let next = match deadline {
                Some(deadline) => tokio::time::timeout_at(deadline, updates.message())
                    .await
                    .expect("the console reports every task and resource within 20 s"),
                None => updates.message().await,
            };
            match next.expect("a well-formed update") {
                Some(update) => view.apply(update),
                None => panic!("the console server ended the stream"),
            }
        }
        (view, workload.unwrap())
    })
}

fn check_console_shows_tasks_and_resources(rt: runtime::Runtime) {
    console_addr();
    let watcher = Watcher::connect();
    let (view, spawned) = watcher.finish(run_workload(&rt));

    let yielder = view.task(spawned.yielder.0).expect("the yielding task");
    assert_eq!(yielder.fields.get("kind").map(String::as_str), Some("task"));
    assert_eq!(
        yielder.fields.get("task.name").map(String::as_str),
        Some("yielder")
    );
    let woken_task = view
        .task(spawned.woken.0)
        .expect("the task woken from a thread");
    assert_eq!(
        woken_task.fields.get("task.name").map(String::as_str),
        Some(""),
        "an unnamed task's span has an empty name"
    );
    assert_eq!(yielder.location, expected(spawned.yielder.1));
    assert_eq!(yielder.polls, 5);
    assert_eq!((yielder.wakes, yielder.self_wakes), (4, 4));
    assert!(yielder.dropped, "a finished task's span is closed");

    let woken = view
        .task(spawned.woken.0)
        .expect("the task woken from a thread");
    assert_eq!(woken.location, expected(spawned.woken.1));
    assert_eq!(woken.polls, 2);
    assert_eq!(
        (
            woken.waker_clones,
            woken.wakes,
            woken.self_wakes,
            woken.waker_drops
        ),
        (1, 1, 0, 1),
        "one clone, woken by value from another thread (the console counts that as its drop)"
    );

    let sleeper = view.task(spawned.sleeper.0).expect("the sleeping task");
    assert_eq!(sleeper.location, expected(spawned.sleeper.1));
    assert!(
        sleeper.polls >= 2,
        "it slept at least once: {}",
        sleeper.polls
    );

    let blocking = view.task(spawned.blocking_id).expect("the blocking task");
    assert_eq!(
        blocking.fields.get("kind").map(String::as_str),
        Some("blocking")
    );
    assert_eq!(blocking.polls, 1);
    let blocking_file = blocking.location.as_ref().map(|(file, ..)| file.as_str());
    assert_eq!(blocking_file, Some(file!()));

    let sleep = view
        .resource_at(spawned.sleep_location)
        .expect("the Sleep resource");
    assert_eq!(sleep.concrete_type, "Sleep");
    assert!(sleep.is_timer, "a Sleep is a timer resource");
    let (duration, unit) = &sleep.attributes["duration"];
    let duration: u64 = duration.parse().expect("a duration in whole units");
    assert!(duration <= 30, "at most the 30 ms asked for: {duration}");
    assert_eq!(unit.as_deref(), Some("ms"));

    let timeout = view
        .resource_at(spawned.timeout_location)
        .expect("the Timeout resource");
    assert_eq!(timeout.concrete_type, "Timeout");
    assert!(timeout.is_timer);

    for (concrete_type, at) in spawned.sync_lines {
        let resource = view
            .resource_on_line(concrete_type, at)
            .unwrap_or_else(|| panic!("a {concrete_type} resource made on line {}", at.line()));
        assert!(!resource.is_timer, "{concrete_type} is a sync resource");
    }
    let attribute = |index: usize, name: &str| {
        let (concrete_type, at) = spawned.sync_lines[index];
        let resource = view.resource_on_line(concrete_type, at).unwrap();
        resource.attributes[name].0.clone()
    };
    assert_eq!(attribute(0, "locked"), "false", "the Mutex ends unlocked");
    assert_eq!(
        attribute(1, "permits"),
        "1",
        "two of the Semaphore's three permits forgotten"
    );
    assert_eq!(attribute(2, "write_locked"), "false");
    assert_eq!(attribute(2, "current_readers"), "0");
    assert_eq!(attribute(2, "max_readers"), (u32::MAX >> 3).to_string());
    assert_eq!(attribute(3, "value_sent"), "true");
    assert_eq!(attribute(3, "value_received"), "true");
    assert_eq!(attribute(3, "tx_dropped"), "true");

    for (source, concrete_type) in [
        ("Sleep::new_timeout", "Sleep"),
        ("Sleep::new_timeout", "Timeout"),
        ("Mutex::lock", "Mutex"),
        ("Semaphore::acquire_many", "Semaphore"),
        ("RwLock::read", "RwLock"),
        ("RwLock::write", "RwLock"),
        ("Receiver::await", "Sender|Receiver"),
    ] {
        assert!(
            view.has_async_op(source, concrete_type),
            "an async op {source} on a {concrete_type}: {:?}",
            view.async_ops
        );
    }
    // The contended lock: polled once while held (pending), then once more (ready); the sleep
    // pending, then ready.
    assert!(view.has_poll_op("poll_lock", "Mutex", false));
    assert!(view.has_poll_op("poll_lock", "Mutex", true));
    assert!(view.has_poll_op("poll_elapsed", "Sleep", false));
    assert!(view.has_poll_op("poll_elapsed", "Sleep", true));
}

#[test]
fn console_shows_tasks_polls_wakers_and_resources_on_multi_thread() {
    let rt = runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    check_console_shows_tasks_and_resources(rt);
}

#[test]
fn console_shows_tasks_polls_wakers_and_resources_on_current_thread() {
    let rt = runtime::Builder::new_current_thread().build().unwrap();
    check_console_shows_tasks_and_resources(rt);
}
