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
        let (yielder, yielder_at) = spawn_here(async {
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
        });
        bounded.await.expect("the workload finishes within 20 s");
        let (sleep_location, timeout_location) = locations_rx.recv().unwrap();
        Spawned {
            yielder: (ids.0, yielder_at),
            woken: (ids.1, woken_at),
            sleeper: (ids.2, sleeper_at),
            blocking_id: ids.3,
            sleep_location,
            timeout_location,
        }
    })
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
        if let Some(resources) = update.resource_update {
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
    }
}

/// Connects to the console server and folds updates until `spawned` is all there (or 20 s).
fn watch_console(spawned: &Spawned) -> ConsoleView {
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime for the gRPC client");
    tokio.block_on(async {
        let watch = async {
            let endpoint = format!("http://{}", console_addr());
            let mut client = loop {
                match InstrumentClient::connect(endpoint.clone()).await {
                    Ok(client) => break client,
                    Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
                }
            };
            let mut updates = client
                .watch_updates(InstrumentRequest {})
                .await
                .expect("the console server streams updates")
                .into_inner();
            let mut view = ConsoleView::default();
            while let Some(update) = updates.message().await.expect("a well-formed update") {
                view.apply(update);
                if view.has_all(spawned) {
                    break;
                }
            }
            view
        };
        tokio::time::timeout(Duration::from_secs(20), watch)
            .await
            .expect("the console reports every task and timer within 20 s")
    })
}

fn check_console_sees_tasks_and_timers(rt: runtime::Runtime) {
    console_addr();
    let spawned = run_workload(&rt);
    let view = watch_console(&spawned);

    let yielder = view.task(spawned.yielder.0).expect("the yielding task");
    assert_eq!(yielder.fields.get("kind").map(String::as_str), Some("task"));
    // merge: A's name/location. Named tasks (`task::Builder::name`) report their name here.
    assert_eq!(
        yielder.fields.get("task.name").map(String::as_str),
        Some("")
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
}

#[test]
fn console_sees_tasks_polls_wakers_and_timers_on_multi_thread() {
    let rt = runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    check_console_sees_tasks_and_timers(rt);
}

#[test]
fn console_sees_tasks_polls_wakers_and_timers_on_current_thread() {
    let rt = runtime::Builder::new_current_thread().build().unwrap();
    check_console_sees_tasks_and_timers(rt);
}
