//! `spawn_local_cost`: `n` tasks spawned and awaited from inside `block_on` on a current-thread
//! runtime, either with `runtime::spawn` or with `task::spawn_local` in a `LocalSet`. Made for
//! counting instructions (issue 20: a `spawn_local` is not more expensive than a `spawn`): run
//! it under callgrind with two `n` and divide the difference by the extra tasks.
//!
//! ```text
//! cargo build --release -p benches --bin spawn_local_cost
//! valgrind --tool=callgrind target/release/spawn_local_cost local 20000
//! ```
//!
//! Measured when `spawn_local` landed (runs with 0 and 20 000 tasks, the difference divided by
//! 20 000): `spawn` 928 instructions per task (spawn, run, await), `spawn_local` 901.

use benches::local_spawn::{spawn_many_current_thread, spawn_many_local};

fn main() {
    let mut args = std::env::args().skip(1);
    let kind = args.next().unwrap_or_else(|| "local".to_owned());
    let n: u64 = args
        .next()
        .map(|n| n.parse().expect("n must be a number"))
        .unwrap_or(20_000);
    let sum = match kind.as_str() {
        "spawn" => spawn_many_current_thread(n),
        "local" => spawn_many_local(n),
        other => panic!("unknown kind `{other}`: expected `spawn` or `local`"),
    };
    assert_eq!(sum, n * n.saturating_sub(1) / 2);
    println!("{kind}: {n} tasks, checksum {sum}");
}
