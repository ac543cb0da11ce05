//! `start_paused = true` starts the runtime with its clock paused.

use runtime::time::{Duration, Instant};

#[runtime::test(start_paused = true)]
async fn test_start_paused_freezes_the_clock() {
    let before = Instant::now();
    // Real time passes, but a paused clock only moves when the runtime is idle or advanced.
    std::thread::sleep(std::time::Duration::from_millis(5));
    assert_eq!(Instant::now(), before);
    // So an hour-long sleep completes at once, an hour later in virtual time.
    runtime::time::sleep(Duration::from_secs(3600)).await;
    assert!(before.elapsed() >= Duration::from_secs(3600));
}

#[runtime::test(start_paused = false)]
async fn test_start_paused_false_leaves_the_clock_running() {
    let before = Instant::now();
    std::thread::sleep(std::time::Duration::from_millis(5));
    assert!(Instant::now() > before);
}

#[runtime::main(flavor = "current_thread", start_paused = true)]
async fn paused_entry() -> Duration {
    let before = Instant::now();
    runtime::time::sleep(Duration::from_secs(60)).await;
    before.elapsed()
}

#[test]
fn main_start_paused() {
    assert!(paused_entry() >= Duration::from_secs(60));
}
