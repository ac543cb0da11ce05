//! Task identity (issue 18, item 1): `task::Builder` names, `task::name()` / `try_name()`,
//! on both flavors, for async and blocking tasks.

mod support;

use runtime::Runtime;
use runtime::task::{self, Builder};
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

#[test]
fn a_named_task_reads_its_own_name_and_an_unnamed_one_reads_none() {
    let _watchdog = Watchdog::new("names", HANG_BOUND);
    for (flavor, rt) in flavors() {
        let (named, unnamed) = rt.block_on(async {
            let named = Builder::new()
                .name("conn 10.0.0.7")
                .spawn(async {
                    // Still named after a suspension point (possibly on another worker).
                    task::yield_now().await;
                    (task::name(), task::try_name())
                })
                .unwrap();
            let unnamed = runtime::spawn(async { task::name() });
            (named.await.unwrap(), unnamed.await.unwrap())
        });
        let expected = Some("conn 10.0.0.7".to_owned());
        assert_eq!(named, (expected.clone(), expected), "{flavor}");
        assert_eq!(unnamed, None, "{flavor}");
    }
}

#[test]
fn spawn_on_and_blocking_tasks_carry_their_names() {
    let _watchdog = Watchdog::new("blocking names", HANG_BOUND);
    for (flavor, rt) in flavors() {
        let on = Builder::new()
            .name("on handle")
            .spawn_on(async { task::name() }, rt.handle())
            .unwrap();
        let blocking_on = Builder::new()
            .name("blocking on handle")
            .spawn_blocking_on(task::name, rt.handle())
            .unwrap();
        let (on, blocking_on, blocking) = rt.block_on(async {
            let blocking = Builder::new()
                .name("hash files")
                .spawn_blocking(|| (task::name(), task::id()))
                .unwrap();
            let blocking_id = blocking.id();
            let (name, id) = blocking.await.unwrap();
            assert_eq!(id, blocking_id, "{flavor}: a blocking task knows its id");
            (on.await.unwrap(), blocking_on.await.unwrap(), name)
        });
        assert_eq!(on.as_deref(), Some("on handle"), "{flavor}");
        assert_eq!(
            blocking_on.as_deref(),
            Some("blocking on handle"),
            "{flavor}"
        );
        assert_eq!(blocking.as_deref(), Some("hash files"), "{flavor}");
    }
}

#[test]
fn outside_a_task_try_name_is_none_and_name_panics() {
    assert_eq!(task::try_name(), None);
    let panic = std::panic::catch_unwind(task::name).unwrap_err();
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_else(|| {
        panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .unwrap_or_default()
    });
    assert!(message.contains("outside a spawned task"), "{message}");
    // `block_on`'s future is not a spawned task either.
    let rt = runtime::Builder::new_current_thread().build().unwrap();
    assert_eq!(rt.block_on(async { task::try_name() }), None);
}

#[test]
fn builder_spawn_outside_a_runtime_is_an_error_not_a_panic() {
    let err = Builder::new().name("orphan").spawn(async {}).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::Other);
    assert!(err.to_string().contains("no runtime"), "{err}");
    assert!(err.to_string().contains("Builder::spawn"), "{err}");
    let err = Builder::new().spawn_blocking(|| ()).unwrap_err();
    assert!(err.to_string().contains("Builder::spawn_blocking"), "{err}");
}

#[test]
fn a_builder_spawn_on_a_shut_down_runtime_resolves_cancelled() {
    for (flavor, rt) in flavors() {
        let handle = rt.handle().clone();
        drop(rt);
        let task = Builder::new()
            .name("late")
            .spawn_on(async { 1 }, &handle)
            .unwrap();
        let other = runtime::Builder::new_current_thread().build().unwrap();
        let err = other.block_on(task).unwrap_err();
        assert!(err.is_cancelled(), "{flavor}: {err:?}");
    }
}

#[test]
fn join_set_build_task_names_the_member_and_records_its_callers_location() {
    let _watchdog = Watchdog::new("join set builder", HANG_BOUND);
    for (flavor, rt) in flavors() {
        rt.block_on(async {
            let mut set = task::JoinSet::new();
            let line = line!() + 4;
            let abort = set
                .build_task()
                .name("member")
                .spawn(std::future::pending::<Option<String>>())
                .unwrap();
            set.build_task()
                .name("blocking member")
                .spawn_blocking(task::name)
                .unwrap();
            assert_eq!(
                set.join_next().await.unwrap().unwrap().as_deref(),
                Some("blocking member"),
                "{flavor}"
            );
            task::yield_now().await;
            let dump = runtime::Handle::current().dump().await;
            let member = &dump.tasks()[0];
            assert_eq!(member.id(), abort.id(), "{flavor}");
            assert_eq!(member.name(), Some("member"), "{flavor}");
            assert_eq!(
                (member.spawned_at().file(), member.spawned_at().line()),
                (file!(), line),
                "{flavor}"
            );
            abort.abort();
            assert!(set.join_next().await.unwrap().unwrap_err().is_cancelled());
        });
    }
}
