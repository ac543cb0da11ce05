//! Task dumps (issue 18, item 3): `Handle::dump` on both flavors: identity, states, poll
//! statistics, where idle tasks wait (leaf kinds and the user's `.await` lines), and that a
//! dump never disturbs the tasks it looks at.

mod support;

use runtime::dump::{Dump, TaskDump, TaskState};
use runtime::sync::{Mutex, Notify, mpsc, oneshot};
use runtime::task::{self, Builder};
use runtime::{Handle, Runtime};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use support::{HANG_BOUND, Watchdog};

fn flavors() -> [(&'static str, Runtime); 2] {
    [
        (
            "multi_thread",
            runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .build()
                .unwrap(),
        ),
        (
            "current_thread",
            runtime::Builder::new_current_thread().build().unwrap(),
        ),
    ]
}

/// Lets every spawned task run until it parks (the tasks here park within a few polls).
async fn settle() {
    for _ in 0..3 {
        runtime::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn forever() -> Result<(), ()> {
    std::future::pending().await
}

fn named<'a>(dump: &'a Dump, name: &str) -> &'a TaskDump {
    dump.tasks()
        .iter()
        .find(|t| t.name() == Some(name))
        .unwrap_or_else(|| panic!("no task {name:?} in the dump:\n{dump}"))
}

/// The one leaf of a task's trace, as (kind, file, line).
fn leaf(task: &TaskDump) -> (&'static str, &'static str, u32) {
    let leaves: Vec<_> = task.trace().iter().filter(|f| f.is_leaf()).collect();
    assert_eq!(leaves.len(), 1, "one leaf expected: {task}");
    let at = leaves[0].location();
    (leaves[0].kind(), at.file(), at.line())
}

#[test]
fn a_dump_lists_names_spawn_locations_states_and_poll_counts() {
    let _watchdog = Watchdog::new("identity in dumps", HANG_BOUND);
    for (flavor, rt) in flavors() {
        rt.block_on(async {
            let spawn_line = line!() + 3;
            let named_task = Builder::new()
                .name("conn 10.0.0.7")
                .spawn(std::future::pending::<()>())
                .unwrap();
            let unnamed = runtime::spawn(async {
                for _ in 0..4 {
                    task::yield_now().await;
                }
                std::future::pending::<()>().await
            });
            settle().await;
            let dump = Handle::current().dump().await;
            assert_eq!(dump.tasks().len(), 2, "{flavor}:\n{dump}");
            let a = named(&dump, "conn 10.0.0.7");
            assert_eq!(a.id(), named_task.id(), "{flavor}");
            assert_eq!(a.spawned_at().file(), file!(), "{flavor}");
            assert_eq!(a.spawned_at().line(), spawn_line, "{flavor}");
            assert_eq!(a.state(), TaskState::Idle, "{flavor}");
            assert_eq!(a.poll_count(), 1, "{flavor}");
            let since = a.since_last_poll().expect("polled once");
            assert!(since < HANG_BOUND, "{flavor}: {since:?}");
            let b = dump
                .tasks()
                .iter()
                .find(|t| t.id() == unnamed.id())
                .unwrap();
            assert_eq!(b.name(), None, "{flavor}");
            assert_eq!(b.poll_count(), 5, "{flavor}: four yields, five polls");
            assert_eq!(b.spawned_at().line(), spawn_line + 2, "{flavor}");
            // The dump's trace poll is not counted; the one wake-up it leaves behind (so no
            // wake-up can be lost) is a real poll and is.
            settle().await;
            let again = Handle::current().dump().await;
            assert_eq!(named(&again, "conn 10.0.0.7").poll_count(), 2, "{flavor}");
            let text = dump.to_string();
            let expected = format!(
                "task {} \"conn 10.0.0.7\" (spawned at {}:{}:",
                named_task.id(),
                file!(),
                spawn_line
            );
            assert!(text.contains(&expected), "{flavor}:\n{text}");
            assert!(
                text.contains("idle, 1 poll, last poll "),
                "{flavor}:\n{text}"
            );
            named_task.abort();
            unnamed.abort();
        });
    }
}

#[test]
fn spawn_locations_are_the_callers_of_every_spawn_function() {
    for (flavor, rt) in flavors() {
        let handle = rt.handle().clone();
        let rt_ref = &rt;
        let lines = rt.block_on(async move {
            let pending = std::future::pending::<()>;
            let mut set = task::JoinSet::new();
            let mut group = task::TaskGroup::<(), ()>::new();
            let lines = [
                (line!(), runtime::spawn(pending()).id()),
                (line!(), handle.spawn(pending()).id()),
                (line!(), rt_ref.spawn(pending()).id()),
                (line!(), set.spawn(pending()).id()),
                (line!(), set.spawn_on(pending(), &handle).id()),
                (line!(), group.spawn(forever()).id()),
                (line!(), Builder::new().spawn(pending()).unwrap().id()),
            ];
            settle().await;
            let dump = handle.dump().await;
            let found: Vec<_> = lines
                .iter()
                .map(|(line, id)| {
                    let t = dump.tasks().iter().find(|t| t.id() == *id).unwrap();
                    assert_eq!(t.spawned_at().file(), file!());
                    (*line, t.spawned_at().line())
                })
                .collect();
            set.abort_all();
            drop(group);
            found
        });
        for (expected, actual) in lines {
            assert_eq!(actual, expected, "{flavor}");
        }
    }
}

#[test]
// The `async move { x.await }` blocks are the point: the dump must name that `.await` line.
#[allow(clippy::redundant_async_block)]
fn idle_tasks_show_the_leaf_they_wait_on_at_the_users_await_line() {
    let _watchdog = Watchdog::new("leaves", HANG_BOUND);
    for (flavor, rt) in flavors() {
        rt.block_on(async {
            let mut lines = Vec::new();
            let b = |name: &'static str| Builder::new().name(name);

            lines.push(("sleep", "sleep", line!() + 3));
            b("sleep")
                .spawn(async {
                    runtime::time::sleep(Duration::from_secs(3600)).await;
                })
                .unwrap();
            let (_tx, mut rx) = mpsc::channel::<u8>(1);
            lines.push(("mpsc", "mpsc::Receiver::recv", line!() + 1));
            b("mpsc").spawn(async move { rx.recv().await }).unwrap();
            let (_otx, orx) = oneshot::channel::<u8>();
            lines.push(("oneshot", "oneshot::Receiver", line!() + 1));
            b("oneshot").spawn(async move { orx.await }).unwrap();
            let notify = Arc::new(Notify::new());
            let n = notify.clone();
            lines.push(("notify", "Notify::notified", line!() + 2));
            b("notify")
                .spawn(async move { n.notified().await })
                .unwrap();
            let mutex = Arc::new(Mutex::new(0));
            let guard = mutex.clone().lock_owned().await;
            let m = mutex.clone();
            lines.push(("mutex", "Mutex::lock", line!() + 2));
            b("mutex")
                .spawn(async move { *m.lock().await += 1 })
                .unwrap();
            let never = runtime::spawn(std::future::pending::<u8>());
            lines.push(("join", "JoinHandle", line!() + 1));
            b("join").spawn(async move { never.await }).unwrap();

            settle().await;
            let dump = Handle::current().dump().await;
            for (name, kind, line) in lines {
                let (k, file, l) = leaf(named(&dump, name));
                assert_eq!((k, file, l), (kind, file!(), line), "{flavor}:\n{dump}");
            }
            drop(guard);
        });
    }
}

#[test]
fn a_socket_read_shows_as_an_io_read_leaf() {
    use futures_util::AsyncReadExt;
    let _watchdog = Watchdog::new("socket read", HANG_BOUND);
    for (flavor, rt) in flavors() {
        rt.block_on(async {
            let listener = runtime::net::TcpListener::bind("127.0.0.1:0")
                .await
                .unwrap();
            let addr = listener.local_addr().unwrap();
            let client = runtime::net::TcpStream::connect(addr).await.unwrap();
            let (mut server, _) = listener.accept().await.unwrap();
            let reader = Builder::new()
                .name("reader")
                .spawn(async move {
                    let mut buf = [0u8; 4];
                    let n = server.read(&mut buf).await.unwrap();
                    buf[..n].to_vec()
                })
                .unwrap();
            settle().await;
            let dump = Handle::current().dump().await;
            let (kind, _, _) = leaf(named(&dump, "reader"));
            assert_eq!(kind, "I/O read", "{flavor}:\n{dump}");
            // Undisturbed: the read still completes with the bytes.
            client.try_write(b"ping").unwrap();
            assert_eq!(reader.await.unwrap(), b"ping", "{flavor}");
        });
    }
}

#[test]
fn a_timeout_is_a_frame_above_what_it_wraps() {
    for (flavor, rt) in flavors() {
        rt.block_on(async {
            let (_tx, mut rx) = mpsc::unbounded_channel::<u8>();
            let line = line!() + 3;
            Builder::new()
                .name("timed")
                .spawn(async move { runtime::time::timeout(Duration::from_secs(3600), rx.recv()).await })
                .unwrap();
            settle().await;
            let dump = Handle::current().dump().await;
            let trace = named(&dump, "timed").trace();
            let got: Vec<_> = trace
                .iter()
                .map(|f| (f.kind(), f.depth(), f.location().line()))
                .collect();
            assert_eq!(
                got,
                [("timeout", 0, line), ("mpsc::Receiver::recv", 1, line)],
                "{flavor}:\n{dump}"
            );
            let text = dump.to_string();
            assert!(
                text.contains(&format!("└─ timeout at {}:{line}:", file!()))
                    && text.contains(&format!("   └─ mpsc::Receiver::recv at {}:{line}:", file!())),
                "{flavor}:\n{text}"
            );
        });
    }
}

#[test]
fn a_join_of_two_leaves_lists_both() {
    for (flavor, rt) in flavors() {
        rt.block_on(async {
            let (_a, ra) = oneshot::channel::<u8>();
            let notify = Arc::new(Notify::new());
            let n = notify.clone();
            Builder::new()
                .name("joined")
                .spawn(async move { runtime::join!(ra, n.notified()) })
                .unwrap();
            settle().await;
            let dump = Handle::current().dump().await;
            let mut kinds: Vec<_> = named(&dump, "joined")
                .trace()
                .iter()
                .map(|f| f.kind())
                .collect();
            kinds.sort();
            assert_eq!(
                kinds,
                ["Notify::notified", "oneshot::Receiver"],
                "{flavor}:\n{dump}"
            );
        });
    }
}

#[test]
fn a_dump_does_not_disturb_the_tasks_they_complete_with_their_values() {
    let _watchdog = Watchdog::new("undisturbed", HANG_BOUND);
    for (flavor, rt) in flavors() {
        rt.block_on(async {
            let (tx, mut rx) = mpsc::channel::<u32>(1);
            let recv = runtime::spawn(async move { rx.recv().await });
            let (otx, orx) = oneshot::channel::<u32>();
            let once = runtime::spawn(orx);
            let notify = Arc::new(Notify::new());
            let n = notify.clone();
            let notified = runtime::spawn(async move {
                n.notified().await;
                "notified"
            });
            let mutex = Arc::new(Mutex::new(1));
            let guard = mutex.clone().lock_owned().await;
            let m = mutex.clone();
            let locked = runtime::spawn(async move {
                let mut g = m.lock().await;
                *g += 1;
                *g
            });
            let sleeper = runtime::spawn(async {
                runtime::time::sleep(Duration::from_millis(500)).await;
                "slept"
            });
            settle().await;
            for _ in 0..3 {
                let dump = Handle::current().dump().await;
                assert_eq!(dump.tasks().len(), 5, "{flavor}:\n{dump}");
            }
            tx.send(7).await.unwrap();
            otx.send(8).unwrap();
            notify.notify_one();
            drop(guard);
            assert_eq!(recv.await.unwrap(), Some(7), "{flavor}");
            assert_eq!(once.await.unwrap(), Ok(8), "{flavor}");
            assert_eq!(notified.await.unwrap(), "notified", "{flavor}");
            assert_eq!(locked.await.unwrap(), 2, "{flavor}");
            assert_eq!(sleeper.await.unwrap(), "slept", "{flavor}");
        });
    }
}

/// Counts its polls; pending until `release` is set, storing the waker it was polled with
/// (the task's own, also in a dump's trace poll).
struct Gate {
    polls: Arc<AtomicUsize>,
    waker: Arc<std::sync::Mutex<Option<Waker>>>,
    release: Arc<std::sync::atomic::AtomicBool>,
}

impl Future for Gate {
    type Output = usize;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        let polls = self.polls.fetch_add(1, Ordering::SeqCst) + 1;
        if self.release.load(Ordering::SeqCst) {
            return Poll::Ready(polls);
        }
        *self.waker.lock().unwrap() = Some(cx.waker().clone());
        Poll::Pending
    }
}

#[test]
fn a_waker_stored_during_the_trace_poll_still_wakes_the_task() {
    let _watchdog = Watchdog::new("stored waker", HANG_BOUND);
    for (flavor, rt) in flavors() {
        rt.block_on(async {
            let gate = Gate {
                polls: Arc::default(),
                waker: Arc::default(),
                release: Arc::default(),
            };
            let (polls, waker, release) =
                (gate.polls.clone(), gate.waker.clone(), gate.release.clone());
            let task = runtime::spawn(gate);
            settle().await;
            assert_eq!(polls.load(Ordering::SeqCst), 1, "{flavor}");
            let _ = Handle::current().dump().await;
            settle().await;
            // The trace poll stored a waker, and the task was rescheduled once afterwards.
            assert_eq!(
                polls.load(Ordering::SeqCst),
                3,
                "{flavor}: first poll, trace poll, the one reschedule"
            );
            release.store(true, Ordering::SeqCst);
            // Wake with the waker the *last* poll stored, from another thread.
            let stored = waker.lock().unwrap().take().unwrap();
            std::thread::spawn(move || stored.wake()).join().unwrap();
            assert_eq!(task.await.unwrap(), 4, "{flavor}");
        });
    }
}

/// Pending (without arranging a wake-up) on its first poll, ready on the next.
struct ReadyOnSecondPoll(u32);

impl Future for ReadyOnSecondPoll {
    type Output = &'static str;
    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<&'static str> {
        self.0 += 1;
        if self.0 == 1 {
            Poll::Pending
        } else {
            Poll::Ready("finished in the trace poll")
        }
    }
}

#[test]
fn a_task_that_finishes_during_its_trace_poll_completes_with_its_output() {
    let _watchdog = Watchdog::new("finishes in trace", HANG_BOUND);
    for (flavor, rt) in flavors() {
        rt.block_on(async {
            let task = runtime::spawn(ReadyOnSecondPoll(0));
            settle().await;
            assert!(!task.is_finished(), "{flavor}");
            let dump = Handle::current().dump().await;
            assert_eq!(dump.tasks().len(), 1, "{flavor}");
            assert_eq!(
                task.await.unwrap(),
                "finished in the trace poll",
                "{flavor}"
            );
            assert!(
                Handle::current().dump().await.tasks().is_empty(),
                "{flavor}"
            );
        });
    }
}

#[test]
fn a_task_that_aborts_itself_during_its_trace_poll_completes_cancelled() {
    let _watchdog = Watchdog::new("abort in trace", HANG_BOUND);
    for (flavor, rt) in flavors() {
        rt.block_on(async {
            let me: Arc<OnceLock<task::AbortHandle>> = Arc::default();
            let polls = Arc::new(AtomicUsize::new(0));
            let (me2, polls2) = (me.clone(), polls.clone());
            let task = runtime::spawn(std::future::poll_fn(move |_| {
                if polls2.fetch_add(1, Ordering::SeqCst) == 1 {
                    me2.get().unwrap().abort();
                }
                Poll::<()>::Pending
            }));
            me.set(task.abort_handle()).unwrap();
            settle().await;
            let dump = Handle::current().dump().await;
            assert_eq!(dump.tasks().len(), 1, "{flavor}");
            assert_eq!(polls.load(Ordering::SeqCst), 2, "{flavor}");
            assert!(task.await.unwrap_err().is_cancelled(), "{flavor}");
        });
    }
}

#[test]
fn a_dump_taken_inside_a_task_reports_that_task_running() {
    for (flavor, rt) in flavors() {
        let (id, state, trace_len) = rt.block_on(async {
            let task = Builder::new()
                .name("dumper")
                .spawn(async {
                    let dump = Handle::current().dump().await;
                    let me = named(&dump, "dumper");
                    (me.id(), me.state(), me.trace().len())
                })
                .unwrap();
            let expected = task.id();
            let got = task.await.unwrap();
            assert_eq!(got.0, expected);
            got
        });
        let _ = id;
        assert_eq!((state, trace_len), (TaskState::Running, 0), "{flavor}");
    }
}

#[test]
fn a_task_blocked_on_another_worker_is_running_and_never_polled_by_the_dump() {
    let _watchdog = Watchdog::new("running elsewhere", HANG_BOUND);
    let rt = runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let polls = Arc::new(AtomicUsize::new(0));
    let (started_tx, started_rx) = std::sync::mpsc::channel();
    let (finish_tx, finish_rx) = std::sync::mpsc::channel::<()>();
    let p = polls.clone();
    let blocked = Builder::new()
        .name("blocked")
        .spawn_on(
            std::future::poll_fn(move |_| {
                p.fetch_add(1, Ordering::SeqCst);
                started_tx.send(()).unwrap();
                // Blocks this worker, inside the poll, until the test says so.
                finish_rx.recv_timeout(HANG_BOUND).unwrap();
                Poll::Ready("done")
            }),
            rt.handle(),
        )
        .unwrap();
    started_rx.recv_timeout(HANG_BOUND).unwrap();
    // Dump from outside the runtime (a plain thread), twice.
    let handle = rt.handle().clone();
    let other = runtime::Builder::new_current_thread().build().unwrap();
    for _ in 0..2 {
        let dump = other.block_on(handle.dump());
        let t = named(&dump, "blocked");
        assert_eq!(t.state(), TaskState::Running, "{dump}");
        assert!(t.trace().is_empty());
    }
    assert_eq!(
        polls.load(Ordering::SeqCst),
        1,
        "the dump polled a running task"
    );
    finish_tx.send(()).unwrap();
    assert_eq!(rt.block_on(blocked).unwrap(), "done");
    assert_eq!(polls.load(Ordering::SeqCst), 1);
}

#[test]
fn the_time_since_the_last_poll_and_the_busy_time_grow_with_real_time() {
    let _watchdog = Watchdog::new("times", HANG_BOUND);
    for (flavor, rt) in flavors() {
        rt.block_on(async {
            let (started_tx, started_rx) = std::sync::mpsc::channel();
            let task = runtime::spawn(async move {
                // One long poll (blocking, on purpose), then idle.
                started_tx.send(()).unwrap();
                std::thread::sleep(Duration::from_millis(150));
                std::future::pending::<()>().await
            });
            // Meanwhile another thread takes dumps, each refreshing the coarse clock (as the
            // stall watchdog does): the long poll is charged what they publish.
            let handle = Handle::current();
            let refresher = std::thread::spawn(move || {
                started_rx.recv_timeout(HANG_BOUND).unwrap();
                let other = runtime::Builder::new_current_thread().build().unwrap();
                for _ in 0..20 {
                    other.block_on(handle.dump());
                    std::thread::sleep(Duration::from_millis(10));
                }
            });
            settle().await;
            refresher.join().unwrap();
            // Each of those dumps also rescheduled the task once (its last real poll); from
            // the last one on, it is left alone.
            runtime::time::sleep(Duration::from_millis(250)).await;
            let dump = Handle::current().dump().await;
            let t = &dump.tasks()[0];
            assert_eq!(t.id(), task.id());
            // Coarse clock, generous margins (never a speed assertion).
            assert!(t.busy() >= Duration::from_millis(100), "{flavor}: {t}");
            assert!(t.busy() <= Duration::from_millis(1000), "{flavor}: {t}");
            let since = t.since_last_poll().unwrap();
            assert!(since >= Duration::from_millis(200), "{flavor}: {t}");
            task.abort();
        });
    }
}

#[test]
fn a_dump_of_a_thousand_tasks_returns_and_lists_them_all() {
    let _watchdog = Watchdog::new("thousand", HANG_BOUND);
    for (flavor, rt) in flavors() {
        rt.block_on(async {
            let gate = Arc::new(runtime::sync::Semaphore::new(0));
            let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
            let mut set = task::JoinSet::new();
            for i in 0..1000u32 {
                let (gate, stop) = (gate.clone(), stop.clone());
                if i % 2 == 0 {
                    set.spawn(async move {
                        gate.acquire().await.unwrap().forget();
                        i
                    });
                } else {
                    set.spawn(async move {
                        // Busy: always scheduled or running while the dump runs.
                        while !stop.load(Ordering::Relaxed) {
                            task::yield_now().await;
                        }
                        i
                    });
                }
            }
            task::yield_now().await;
            let dump = Handle::current().dump().await;
            assert_eq!(dump.tasks().len(), 1000, "{flavor}");
            let idle = dump
                .tasks()
                .iter()
                .filter(|t| t.state() == TaskState::Idle)
                .count();
            assert!(
                idle <= 500,
                "{flavor}: only the gated half can be idle, {idle}"
            );
            stop.store(true, Ordering::Relaxed);
            gate.add_permits(500);
            let mut sum = 0u64;
            while let Some(r) = set.join_next().await {
                sum += u64::from(r.unwrap());
            }
            assert_eq!(sum, (0..1000u64).sum::<u64>(), "{flavor}");
        });
    }
}

#[test]
fn a_wake_during_the_trace_poll_reschedules_the_task_exactly_once() {
    let _watchdog = Watchdog::new("wake during trace", HANG_BOUND);
    for (flavor, rt) in flavors() {
        rt.block_on(async {
            let polls = Arc::new(AtomicUsize::new(0));
            let counted = polls.clone();
            let task = runtime::spawn(std::future::poll_fn(move |cx| {
                let n = counted.fetch_add(1, Ordering::SeqCst) + 1;
                if n == 2 {
                    // The trace poll: woken from another thread while it runs (the task is
                    // RUNNING, so the wake only marks it NOTIFIED).
                    let waker = cx.waker().clone();
                    std::thread::spawn(move || waker.wake()).join().unwrap();
                }
                // Never ready, never arranges another wake-up: every extra poll would show.
                Poll::<()>::Pending
            }));
            settle().await;
            assert_eq!(polls.load(Ordering::SeqCst), 1, "{flavor}");
            let _ = Handle::current().dump().await;
            settle().await;
            assert_eq!(
                polls.load(Ordering::SeqCst),
                3,
                "{flavor}: first poll, trace poll, then exactly one rescheduled poll"
            );
            task.abort();
        });
    }
}
