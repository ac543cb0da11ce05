//! File rows (issue 22 item 5): 4 KiB random reads from a 256 MiB file by 16 tasks, and one
//! sequential read of a 1 GiB file, on `runtime` with its io_uring, `runtime` on the blocking
//! pool (`Builder::io_uring(false)`), Tokio's `fs::File` (seek + read, the way Tokio's `fs`
//! reads at an offset) and Tokio `spawn_blocking` + `pread` (one hop per read, the fastest a
//! Tokio user gets without io_uring). 2 workers each. The files are written once into a temp
//! directory (so they sit in the page cache: these rows measure the runtime's overhead per
//! operation, not the disk) and removed at the end.
//!
//! `compare` prints [`table`]; `cargo run --release -p benches --bin compare -- --filter fs`
//! runs these rows alone.

use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Size of the random-read file: 256 MiB (the row).
pub const RANDOM_FILE: u64 = 256 << 20;
/// Size of the sequential-read file: 1 GiB (the row).
pub const SEQUENTIAL_FILE: u64 = 1 << 30;
/// Tasks reading at random at once (the row).
pub const TASKS: usize = 16;
/// Bytes per random read.
pub const BLOCK: usize = 4096;
/// Caller buffer of the sequential read: 1 MiB (under both runtimes' 2 MiB per-op cap).
pub const SEQ_BUF: usize = 1 << 20;

/// Who does the reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// `runtime` with its io_uring (`File::read_at`, `File` reads).
    RuntimeRing,
    /// `runtime` with `io_uring(false)`: one blocking-pool hop per operation.
    RuntimePool,
    /// Tokio's `fs::File`: `seek` then `read_exact` (two blocking hops per random read).
    TokioFs,
    /// Tokio `spawn_blocking` around `pread` (one hop per random read; sequential: `std`
    /// reads in one blocking task).
    TokioBlocking,
}

/// Every side, in table order.
pub const SIDES: [Side; 4] = [
    Side::RuntimeRing,
    Side::RuntimePool,
    Side::TokioFs,
    Side::TokioBlocking,
];

impl Side {
    /// Column heading.
    pub fn name(self) -> &'static str {
        match self {
            Side::RuntimeRing => "runtime io_uring",
            Side::RuntimePool => "runtime pool",
            Side::TokioFs => "tokio fs",
            Side::TokioBlocking => "tokio spawn_blocking",
        }
    }
}

/// The temp files, removed on drop.
pub struct Files {
    dir: PathBuf,
    /// The 256 MiB file.
    pub random: PathBuf,
    /// The 1 GiB file.
    pub sequential: PathBuf,
}

impl Files {
    /// Writes both files (a byte pattern, so a checksum can be predicted).
    pub fn create() -> io::Result<Files> {
        let dir = std::env::temp_dir().join(format!("rt-bench-fs-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let files = Files {
            random: dir.join("random-256m"),
            sequential: dir.join("sequential-1g"),
            dir,
        };
        write_pattern(&files.random, RANDOM_FILE)?;
        write_pattern(&files.sequential, SEQUENTIAL_FILE)?;
        Ok(files)
    }
}

impl Drop for Files {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn write_pattern(path: &Path, len: u64) -> io::Result<()> {
    use std::io::Write;
    let chunk: Vec<u8> = (0..1 << 20).map(|i| (i % 251) as u8).collect();
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    for _ in 0..len / chunk.len() as u64 {
        file.write_all(&chunk)?;
    }
    file.flush()
}

/// The offsets task `task` reads, 4 KiB aligned (xorshift, fixed seed per task).
fn offsets(task: usize, count: usize) -> Vec<u64> {
    let mut x = 0x9e37_79b9_7f4a_7c15u64 ^ (task as u64 + 1).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    (0..count)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % (RANDOM_FILE / BLOCK as u64)) * BLOCK as u64
        })
        .collect()
}

/// The checksum every random-read run must return: the sum of the first byte of each block
/// (the file repeats a 1 MiB chunk of `i % 251`).
pub fn random_expected(reads_per_task: usize) -> u64 {
    (0..TASKS)
        .flat_map(|t| offsets(t, reads_per_task))
        .map(|off| off % (1 << 20) % 251)
        .sum()
}

/// The `runtime` of a `runtime` side: 2 workers, with the ring for [`Side::RuntimeRing`].
fn runtime_for(side: Side) -> io::Result<runtime::Runtime> {
    runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .io_uring(side == Side::RuntimeRing)
        .build()
}

/// Awaits the readers (join handles of either runtime) and adds up their checksums; the time
/// is taken when the last one has finished. A reader that panicked panics here.
async fn sum_readers<J, E>(readers: Vec<J>, begun: Instant) -> io::Result<(Duration, u64)>
where
    J: Future<Output = Result<io::Result<u64>, E>>,
    E: std::fmt::Debug,
{
    let mut sum = 0;
    for reader in readers {
        sum += reader.await.expect("reader panicked")?;
    }
    Ok((begun.elapsed(), sum))
}

/// Time for [`TASKS`] tasks to make `reads_per_task` random 4 KiB reads each, and their
/// checksum ([`random_expected`]).
pub fn random_reads(side: Side, path: &Path, reads_per_task: usize) -> io::Result<(Duration, u64)> {
    match side {
        Side::RuntimeRing | Side::RuntimePool => {
            let rt = runtime_for(side)?;
            assert_eq!(
                rt.handle().io_uring_active(),
                side == Side::RuntimeRing,
                "ring state"
            );
            rt.block_on(async {
                let file = Arc::new(runtime::fs::File::open(path).await?);
                let begun = Instant::now();
                let tasks: Vec<_> = (0..TASKS)
                    .map(|t| {
                        let file = file.clone();
                        runtime::spawn(async move {
                            let mut buf = vec![0u8; BLOCK];
                            let mut sum = 0u64;
                            for off in offsets(t, reads_per_task) {
                                let n = file.read_at(&mut buf, off).await?;
                                assert_eq!(n, BLOCK);
                                sum += buf[0] as u64;
                            }
                            io::Result::Ok(sum)
                        })
                    })
                    .collect();
                sum_readers(tasks, begun).await
            })
        }
        Side::TokioFs | Side::TokioBlocking => {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .build()?;
            rt.block_on(async {
                use tokio::io::{AsyncReadExt, AsyncSeekExt};
                let shared = Arc::new(std::fs::File::open(path)?);
                let mut files = Vec::new();
                for _ in 0..TASKS {
                    files.push(tokio::fs::File::open(path).await?);
                }
                let begun = Instant::now();
                let tasks: Vec<_> = files
                    .into_iter()
                    .enumerate()
                    .map(|(t, mut file)| {
                        let shared = shared.clone();
                        tokio::spawn(async move {
                            let mut buf = vec![0u8; BLOCK];
                            let mut sum = 0u64;
                            for off in offsets(t, reads_per_task) {
                                if side == Side::TokioFs {
                                    file.seek(SeekFrom::Start(off)).await?;
                                    file.read_exact(&mut buf).await?;
                                } else {
                                    let shared = shared.clone();
                                    buf = tokio::task::spawn_blocking(move || {
                                        let mut buf = buf;
                                        shared.read_exact_at(&mut buf, off).map(|()| buf)
                                    })
                                    .await
                                    .expect("pread panicked")?;
                                }
                                sum += buf[0] as u64;
                            }
                            io::Result::Ok(sum)
                        })
                    })
                    .collect();
                sum_readers(tasks, begun).await
            })
        }
    }
}

/// Time to read the whole 1 GiB file front to back through a 1 MiB buffer, and the bytes
/// read.
pub fn sequential_read(side: Side, path: &Path) -> io::Result<(Duration, u64)> {
    match side {
        Side::RuntimeRing | Side::RuntimePool => {
            let rt = runtime_for(side)?;
            rt.block_on(rt.spawn({
                let path = path.to_owned();
                async move {
                    use runtime::io::AsyncReadExt;
                    let mut file = runtime::fs::File::open(&path).await?;
                    let begun = Instant::now();
                    let mut buf = vec![0u8; SEQ_BUF];
                    let mut total = 0u64;
                    loop {
                        match file.read(&mut buf).await? {
                            0 => return Ok((begun.elapsed(), total)),
                            n => total += n as u64,
                        }
                    }
                }
            }))
            .expect("reader panicked")
        }
        Side::TokioFs | Side::TokioBlocking => {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .build()?;
            let path = path.to_owned();
            rt.block_on(async move {
                tokio::spawn(async move {
                    let begun = Instant::now();
                    let mut buf = vec![0u8; SEQ_BUF];
                    let mut total = 0u64;
                    if side == Side::TokioFs {
                        use tokio::io::AsyncReadExt;
                        let mut file = tokio::fs::File::open(&path).await?;
                        loop {
                            match file.read(&mut buf).await? {
                                0 => return Ok((begun.elapsed(), total)),
                                n => total += n as u64,
                            }
                        }
                    }
                    tokio::task::spawn_blocking(move || {
                        let mut file = std::fs::File::open(&path)?;
                        file.seek(SeekFrom::Start(0))?;
                        loop {
                            match file.read(&mut buf)? {
                                0 => return Ok((begun.elapsed(), total)),
                                n => total += n as u64,
                            }
                        }
                    })
                    .await
                    .expect("reader panicked")
                })
                .await
                .expect("reader panicked")
            })
        }
    }
}

/// This process's user + system CPU time so far (`getrusage`): every side runs in this
/// process one after the other, so the difference over a sample is that side's CPU.
fn cpu_time() -> Duration {
    // SAFETY: `getrusage` writes into the zeroed struct we own; RUSAGE_SELF is always valid.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// Median of the samples.
fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Runs both rows, sides interleaved (each rep starting with the next side), `reps` times
/// each (`quick`: 4 reps and fewer random reads), and renders the table: median time per side, per-read latency for the random row,
/// throughput for the sequential one, and `runtime` io_uring's ratio to each Tokio side.
pub fn table(quick: bool) -> io::Result<String> {
    let files = Files::create()?;
    let (reps, reads) = if quick { (4, 2_000) } else { (8, 10_000) };
    let expected = random_expected(reads);
    let mut random = vec![Vec::new(); SIDES.len()];
    let mut random_cpu = vec![Vec::new(); SIDES.len()];
    let mut sequential = vec![Vec::new(); SIDES.len()];
    let mut sequential_cpu = vec![Vec::new(); SIDES.len()];
    // Warm the page cache: a freshly written file reads faster on each of its first few
    // passes (1.2, 3.5, 5.1, 6.9 GiB/s measured here), so two passes each, and every rep
    // starts with a different side so none always takes the first, coldest turn.
    for _ in 0..2 {
        sequential_read(Side::TokioBlocking, &files.random)?;
        sequential_read(Side::TokioBlocking, &files.sequential)?;
    }
    for rep in 0..reps {
        for k in 0..SIDES.len() {
            let i = (rep + k) % SIDES.len();
            let side = &SIDES[i];
            let cpu = cpu_time();
            let (t, sum) = random_reads(*side, &files.random, reads)?;
            random_cpu[i].push(cpu_time() - cpu);
            assert_eq!(sum, expected, "{} random-read checksum", side.name());
            random[i].push(t);
            let cpu = cpu_time();
            let (t, bytes) = sequential_read(*side, &files.sequential)?;
            sequential_cpu[i].push(cpu_time() - cpu);
            assert_eq!(
                bytes,
                SEQUENTIAL_FILE,
                "{} read the whole file",
                side.name()
            );
            sequential[i].push(t);
        }
    }
    let random: Vec<Duration> = random.into_iter().map(median).collect();
    let sequential: Vec<Duration> = sequential.into_iter().map(median).collect();
    // CPU includes building and dropping the runtime and (random) opening the files.
    let random_cpu: Vec<Duration> = random_cpu.into_iter().map(median).collect();
    let sequential_cpu: Vec<Duration> = sequential_cpu.into_iter().map(median).collect();
    let per_read = |d: Duration| d.as_nanos() as f64 / (TASKS * reads) as f64;
    let gib_s = |d: Duration| SEQUENTIAL_FILE as f64 / d.as_secs_f64() / (1u64 << 30) as f64;
    let mut out = format!(
        "fs (page-cached files, 2 workers, median of {reps}): random = {TASKS} tasks x {reads} \
         reads of 4 KiB from 256 MiB; sequential = 1 GiB through a 1 MiB buffer\n\
         {:<22} {:>14} {:>14} {:>10} {:>14}\n",
        "side", "random ns/read", "cpu ns/read", "seq GiB/s", "seq cpu ms"
    );
    for (i, side) in SIDES.iter().enumerate() {
        out += &format!(
            "{:<22} {:>14.0} {:>14.0} {:>10.2} {:>14.1}\n",
            side.name(),
            per_read(random[i]),
            per_read(random_cpu[i]),
            gib_s(sequential[i]),
            sequential_cpu[i].as_secs_f64() * 1e3
        );
    }
    let speedup = |a: Duration, b: Duration| b.as_secs_f64() / a.as_secs_f64();
    out += &format!(
        "runtime io_uring vs tokio fs: random {:.2}x faster (target >= 3), sequential {:.2}x \
         (target >= 1); vs tokio spawn_blocking: random {:.2}x, sequential {:.2}x; vs runtime \
         pool: random {:.2}x, sequential {:.2}x\n",
        speedup(random[0], random[2]),
        speedup(sequential[0], sequential[2]),
        speedup(random[0], random[3]),
        speedup(sequential[0], sequential[3]),
        speedup(random[0], random[1]),
        speedup(sequential[0], sequential[1]),
    );
    out += &format!(
        "CPU per random read: runtime io_uring {:.2} of tokio fs, {:.2} of tokio spawn_blocking, \
         {:.2} of runtime pool\n",
        per_read(random_cpu[0]) / per_read(random_cpu[2]),
        per_read(random_cpu[0]) / per_read(random_cpu[3]),
        per_read(random_cpu[0]) / per_read(random_cpu[1]),
    );
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_side_reads_the_same_blocks() {
        let dir = std::env::temp_dir().join(format!("rt-bench-fs-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("f");
        write_pattern(&path, RANDOM_FILE).unwrap();
        for side in SIDES {
            let (_, sum) = random_reads(side, &path, 20).unwrap();
            assert_eq!(sum, random_expected(20), "{side:?}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
