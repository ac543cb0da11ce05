use super::*;
use crate::sync::test_util::{Harness, block_on, iters};
use std::sync::Arc;

#[test]
fn readers_share_and_writer_excludes() {
    let lock = RwLock::new(1);
    let r1 = lock.try_read().unwrap();
    let r2 = lock.try_read().unwrap();
    assert!(lock.try_write().is_err());
    drop((r1, r2));
    let w = lock.try_write().unwrap();
    assert!(lock.try_read().is_err());
    drop(w);
}

#[test]
fn waiting_writer_blocks_new_readers_and_is_served_first() {
    let lock = RwLock::new(0);
    let reader = lock.try_read().unwrap();
    let mut writer = Harness::new(async {
        *lock.write().await += 1;
    });
    writer.pending();
    // A later reader queues behind the writer instead of overtaking it.
    assert!(lock.try_read().is_err());
    let mut late_reader = Harness::new(async { *lock.read().await });
    late_reader.pending();
    drop(reader);
    assert_eq!(writer.wakes(), 1);
    writer.ready();
    assert_eq!(late_reader.wakes(), 1);
    assert_eq!(late_reader.ready(), 1, "the reader saw the writer's update");
}

#[test]
fn dropped_writer_at_every_poll_releases_collected_reader_slots() {
    for k in 0..3 {
        let lock = RwLock::with_max_readers(0, 2);
        let r1 = lock.try_read().unwrap();
        let r2 = lock.try_read().unwrap();
        let mut writer = Harness::new(lock.write());
        let mut reader = Harness::new(lock.read());
        for _ in 0..k {
            writer.pending();
        }
        drop(r1); // a queued writer collects this slot
        drop(writer);
        // Whatever the writer had collected came back: the reader gets in next to r2.
        let r3 = reader.ready();
        assert_eq!(*r3, 0, "k={k}");
        drop((r2, r3));
        assert!(lock.try_write().is_ok(), "k={k}: all slots free again");
    }
}

#[test]
fn downgrade_and_owned_guards() {
    let lock = Arc::new(RwLock::new(String::new()));
    let mut w = lock.clone().try_write_owned().unwrap();
    w.push('x');
    drop(w);
    let w = lock.try_write().unwrap();
    let r = w.downgrade();
    let r2 = lock.clone().try_read_owned().unwrap();
    assert_eq!((r.as_str(), r2.as_str()), ("x", "x"));
    assert!(lock.try_write().is_err());
    drop((r, r2));
    assert_eq!(format!("{lock:?}"), "RwLock { data: \"x\" }");
}

#[test]
fn threads_mix_reads_and_writes_consistently() {
    let lock = Arc::new(RwLock::new((0usize, 0usize)));
    let n = iters(500);
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let lock = lock.clone();
            std::thread::spawn(move || {
                for _ in 0..n {
                    if i % 2 == 0 {
                        let mut g = block_on(lock.write());
                        g.0 += 1;
                        g.1 += 1;
                    } else {
                        let g = block_on(lock.read());
                        assert_eq!(g.0, g.1, "a reader saw a half-done write");
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(*lock.try_read().unwrap(), (2 * n, 2 * n));
}
