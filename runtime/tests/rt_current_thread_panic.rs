//! A panic in `block_on`'s own future must leave the current-thread runtime usable and
//! droppable (the core is handed back during the unwind).

use std::panic::{AssertUnwindSafe, catch_unwind};

#[test]
fn runtime_survives_a_panicking_block_on_and_drops_cleanly() {
    let rt = runtime::Builder::new_current_thread().build().unwrap();
    let pending = rt.spawn(std::future::pending::<()>());
    let caught = catch_unwind(AssertUnwindSafe(|| {
        rt.block_on(async { panic!("main future failed") })
    }));
    let message = *caught.unwrap_err().downcast::<&str>().unwrap();
    assert_eq!(message, "main future failed");
    // Still usable afterwards.
    assert_eq!(
        rt.block_on(async { runtime::spawn(async { 3 }).await.unwrap() }),
        3
    );
    drop(pending);
    drop(rt); // must not hang waiting for the core
}
