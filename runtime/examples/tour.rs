//! The tour: every asyncio idea a newcomer knows, run on `runtime` in order, with what each
//! step did (and, where concurrency is the point, how long it took).
//!
//! Run with `cargo run --release --example tour`; it finishes in well under a second. The
//! steps follow `docs/from-asyncio.md`: `asyncio.run`, `create_task`, `gather`, `TaskGroup`,
//! `wait_for`, concurrent `sleep`s, `Semaphore`, `Queue`, `Event`, cancelling a background
//! task, catching a task's error, `to_thread`, file I/O, a TCP echo round trip, and finally
//! two workers sharing a burst of tasks by work stealing.
//!
//! Every step writes to the `out` writer it is given, so `runtime/tests/tour_output.rs` can
//! include this file and check the lines.

use runtime::io::{AsyncReadExt, AsyncWriteExt};
use runtime::net::{TcpListener, TcpStream};
use runtime::sync::{Event, Queue, Semaphore};
use runtime::task::{GroupError, TaskGroup};
use runtime::time::{Instant, sleep, timeout};
use std::collections::HashMap;
use std::error::Error;
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Anything a step can fail with.
pub type TourResult = Result<(), Box<dyn Error + Send + Sync>>;

/// Worker threads of the tour's runtime: two, so the stealing demo has a thief and a victim.
pub const WORKERS: usize = 2;

/// Length of each of the three concurrent sleeps (asyncio tutorials use 1 s; scaled down).
pub const SLEEP_MS: u64 = 30;

/// Tasks in the work-stealing burst.
pub const BURST: usize = 64;

fn main() -> TourResult {
    run(&mut std::io::stdout().lock())
}

/// Runs the whole tour on a fresh 2-worker runtime, writing its report to `out`.
pub fn run(out: &mut dyn Write) -> TourResult {
    // asyncio.run(main()): build a runtime and block on the top-level future.
    let rt = runtime::Builder::new_multi_thread()
        .worker_threads(WORKERS)
        .build()?;
    writeln!(
        out,
        "== 1. asyncio.run -> Runtime::block_on ({WORKERS} workers)"
    )?;
    rt.block_on(async {
        create_task(out).await?;
        gather(out).await?;
        task_group(out).await?;
        wait_for(out).await?;
        concurrent_sleeps(out).await?;
        semaphore(out).await?;
        queue(out).await?;
        event(out).await?;
        cancel(out).await?;
        task_error(out).await?;
        to_thread(out).await?;
        file_io(out).await?;
        tcp_echo(out).await?;
        Ok::<(), Box<dyn Error + Send + Sync>>(())
    })?;
    stealing(&rt, out)?;
    writeln!(out, "== done")?;
    Ok(())
}

/// Stands in for an I/O-bound coroutine: sleeps, then returns `n * 2`.
async fn io_bound(n: u64, ms: u64) -> u64 {
    sleep(Duration::from_millis(ms)).await;
    n * 2
}

async fn create_task(out: &mut dyn Write) -> TourResult {
    writeln!(out, "== 2. asyncio.create_task -> runtime::spawn")?;
    let task = runtime::spawn(io_bound(21, 1));
    writeln!(out, "spawned task returned {}", task.await?)?;
    Ok(())
}

async fn gather(out: &mut dyn Write) -> TourResult {
    writeln!(out, "== 3. asyncio.gather -> join! / awaiting JoinHandles")?;
    let (a, b, c) = runtime::join!(io_bound(1, 3), io_bound(2, 1), io_bound(3, 2));
    writeln!(out, "join! results in argument order: {:?}", [a, b, c])?;
    let handles: Vec<_> = (1..=3)
        .map(|n| runtime::spawn(io_bound(n, 4 - n)))
        .collect();
    let mut results = Vec::new();
    for handle in handles {
        results.push(handle.await?);
    }
    writeln!(out, "spawned handles awaited in spawn order: {results:?}")?;
    Ok(())
}

async fn task_group(out: &mut dyn Write) -> TourResult {
    writeln!(out, "== 4. asyncio.TaskGroup -> task::TaskGroup")?;
    let mut group = TaskGroup::<u64, String>::new();
    for n in 1..=3 {
        group.spawn(async move { Ok(io_bound(n, 1).await) });
    }
    let outputs = group.join().await.map_err(|e| e.to_string())?;
    writeln!(out, "all members succeeded: {outputs:?}")?;

    let mut group = TaskGroup::<u64, String>::new();
    group.spawn(async { Ok(io_bound(1, 60_000).await) }); // would take a minute
    group.spawn(async { Err("invalid input".to_string()) });
    match group.join().await {
        Err(GroupError::Failed(e)) => {
            writeln!(out, "first failure {e:?} cancelled the sibling at once")?
        }
        other => return Err(format!("unexpected group result {other:?}").into()),
    }
    Ok(())
}

async fn wait_for(out: &mut dyn Write) -> TourResult {
    writeln!(out, "== 5. asyncio.wait_for -> time::timeout")?;
    let started = Instant::now();
    let result = timeout(Duration::from_millis(20), io_bound(1, 10_000)).await;
    let ms = started.elapsed().as_millis();
    match result {
        Err(elapsed) => writeln!(out, "timed out as expected ({elapsed}) after {ms} ms")?,
        Ok(v) => return Err(format!("a 10 s sleep finished within 20 ms with {v}").into()),
    }
    Ok(())
}

async fn concurrent_sleeps(out: &mut dyn Write) -> TourResult {
    writeln!(
        out,
        "== 6. asyncio.sleep, three at once -> time::sleep in spawned tasks"
    )?;
    let started = Instant::now();
    let handles: Vec<_> = (0..3)
        .map(|n| runtime::spawn(io_bound(n, SLEEP_MS)))
        .collect();
    for handle in handles {
        handle.await?;
    }
    let ms = started.elapsed().as_millis();
    writeln!(
        out,
        "three {SLEEP_MS} ms sleeps took {ms} ms together (one after another: {} ms)",
        3 * SLEEP_MS
    )?;
    Ok(())
}

async fn semaphore(out: &mut dyn Write) -> TourResult {
    writeln!(out, "== 7. asyncio.Semaphore -> sync::Semaphore")?;
    let sem = Arc::new(Semaphore::new(2));
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let (sem, running, peak) = (sem.clone(), running.clone(), peak.clone());
            runtime::spawn(async move {
                let _permit = sem.acquire().await.expect("semaphore is never closed");
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                sleep(Duration::from_millis(2)).await;
                running.fetch_sub(1, Ordering::SeqCst);
            })
        })
        .collect();
    for handle in handles {
        handle.await?;
    }
    let peak = peak.load(Ordering::SeqCst);
    writeln!(out, "8 tasks, limit 2: at most {peak} ran at once")?;
    Ok(())
}

async fn queue(out: &mut dyn Write) -> TourResult {
    writeln!(out, "== 8. asyncio.Queue -> sync::Queue")?;
    let q = Arc::new(Queue::new(4));
    let total = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..3)
        .map(|_| {
            let (q, total) = (q.clone(), total.clone());
            runtime::spawn(async move {
                while let Ok(item) = q.get().await {
                    total.fetch_add(item, Ordering::SeqCst);
                    q.task_done().expect("one task_done per get");
                }
            })
        })
        .collect();
    for item in 1..=10 {
        q.put(item).await.map_err(|e| e.to_string())?; // waits while 4 are queued
    }
    q.join().await;
    q.shutdown();
    for worker in workers {
        worker.await?;
    }
    let total = total.load(Ordering::SeqCst);
    writeln!(
        out,
        "3 workers processed items 1..=10, sum {total}; queue joined"
    )?;
    Ok(())
}

async fn event(out: &mut dyn Write) -> TourResult {
    writeln!(out, "== 9. asyncio.Event -> sync::Event")?;
    let ready = Arc::new(Event::new());
    let waiters: Vec<_> = (0..3)
        .map(|i| {
            let ready = ready.clone();
            runtime::spawn(async move {
                ready.wait().await;
                i
            })
        })
        .collect();
    sleep(Duration::from_millis(2)).await;
    ready.set();
    let mut released = Vec::new();
    for waiter in waiters {
        released.push(waiter.await?);
    }
    writeln!(
        out,
        "set() released waiters {released:?}; is_set = {}",
        ready.is_set()
    )?;
    Ok(())
}

async fn cancel(out: &mut dyn Write) -> TourResult {
    writeln!(out, "== 10. task.cancel() -> JoinHandle::abort")?;
    let beats = Arc::new(AtomicUsize::new(0));
    let heartbeat = {
        let beats = beats.clone();
        runtime::spawn(async move {
            loop {
                sleep(Duration::from_millis(1)).await;
                beats.fetch_add(1, Ordering::SeqCst);
            }
        })
    };
    while beats.load(Ordering::SeqCst) < 3 {
        sleep(Duration::from_millis(1)).await;
    }
    heartbeat.abort();
    match heartbeat.await {
        Err(e) if e.is_cancelled() => writeln!(out, "background task cancelled: {e}")?,
        other => return Err(format!("expected a cancelled task, got {other:?}").into()),
    }
    Ok(())
}

async fn task_error(out: &mut dyn Write) -> TourResult {
    writeln!(out, "== 11. except ValueError -> the task's Result")?;
    let risky = runtime::spawn(async {
        sleep(Duration::from_millis(1)).await;
        Err::<u32, String>("Something went wrong!".to_string())
    });
    match risky.await? {
        Err(e) => writeln!(out, "caught the task's error: {e}")?,
        Ok(v) => return Err(format!("the risky task succeeded with {v}").into()),
    }
    Ok(())
}

async fn to_thread(out: &mut dyn Write) -> TourResult {
    writeln!(out, "== 12. asyncio.to_thread -> task::spawn_blocking")?;
    let sum = runtime::task::spawn_blocking(|| (1..=1_000_000u64).sum::<u64>()).await?;
    writeln!(out, "blocking pool summed 1..=1000000 = {sum}")?;
    Ok(())
}

async fn file_io(out: &mut dyn Write) -> TourResult {
    writeln!(out, "== 13. aiofiles -> fs::File on the blocking pool")?;
    let path = std::env::temp_dir().join(format!("runtime-tour-{}.txt", std::process::id()));
    let mut file = runtime::fs::File::create(&path).await?;
    file.write_all(b"hello from the tour\n").await?;
    file.flush().await?;
    drop(file);
    let mut text = String::new();
    runtime::fs::File::open(&path)
        .await?
        .read_to_string(&mut text)
        .await?;
    runtime::fs::remove_file(&path).await?;
    writeln!(
        out,
        "wrote and read back {} bytes: {:?}",
        text.len(),
        text.trim_end()
    )?;
    Ok(())
}

async fn tcp_echo(out: &mut dyn Write) -> TourResult {
    writeln!(
        out,
        "== 14. asyncio.start_server/open_connection -> net::TcpListener/TcpStream"
    )?;
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = runtime::spawn(async move {
        let (mut conn, _) = listener.accept().await?;
        let (mut r, mut w) = TcpStream::split(&mut conn);
        runtime::io::copy(&mut r, &mut w).await
    });
    let mut stream = TcpStream::connect(addr).await?;
    stream.write_all(b"ping over tcp").await?;
    let mut buf = [0; 13];
    stream.read_exact(&mut buf).await?;
    stream.close().await?; // the server's copy sees end-of-stream and returns
    let echoed = server.await??;
    writeln!(
        out,
        "echo server on {} returned {:?} ({echoed} bytes)",
        addr.ip(),
        std::str::from_utf8(&buf)?
    )?;
    Ok(())
}

/// One task spawns a burst of CPU-bound tasks: they land on its worker's queue, and the idle
/// worker wakes up and steals half of them.
fn stealing(rt: &runtime::Runtime, out: &mut dyn Write) -> TourResult {
    writeln!(
        out,
        "== 15. work stealing: {BURST} tasks spawned from one worker"
    )?;
    let ran_on: Arc<Mutex<HashMap<std::thread::ThreadId, usize>>> = Arc::default();
    let steals_before: u64 = (0..WORKERS)
        .map(|w| rt.metrics().worker_steal_count(w))
        .sum();
    let spawner = {
        let ran_on = ran_on.clone();
        rt.spawn(async move {
            let handles: Vec<_> = (0..BURST)
                .map(|_| {
                    let ran_on = ran_on.clone();
                    runtime::spawn(async move {
                        // ~0.2 ms of CPU work, so the burst outlasts a wake-up and a steal.
                        let until = std::time::Instant::now() + Duration::from_micros(200);
                        while std::time::Instant::now() < until {
                            std::hint::spin_loop();
                        }
                        let me = std::thread::current().id();
                        *ran_on.lock().unwrap().entry(me).or_default() += 1;
                    })
                })
                .collect();
            for handle in handles {
                handle.await.expect("burst task panicked");
            }
        })
    };
    rt.block_on(spawner)?;
    let mut counts: Vec<usize> = ran_on.lock().unwrap().values().copied().collect();
    counts.sort_unstable_by(|a, b| b.cmp(a));
    let total: usize = counts.iter().sum();
    let steals: u64 = (0..WORKERS)
        .map(|w| rt.metrics().worker_steal_count(w))
        .sum::<u64>()
        - steals_before;
    writeln!(
        out,
        "tasks completed per worker thread: {counts:?} (total {total}; steals recorded: {steals})"
    )?;
    Ok(())
}
