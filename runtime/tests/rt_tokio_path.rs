//! Tokio's `tokio::runtime` surface: the `runtime::runtime` module path, the always-on
//! drivers' `enable_*` no-ops, and `Handle::id` / `runtime::Id`.

mod support;

use runtime::runtime::{Builder, Handle, Id, Runtime, RuntimeMetrics};
use std::collections::HashSet;
use std::time::Duration;
use support::{HANG_BOUND, Watchdog};

fn both_flavors() -> [Runtime; 2] {
    [
        Builder::new_current_thread().enable_all().build().unwrap(),
        Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap(),
    ]
}

#[test]
fn module_path_names_the_same_types_as_the_crate_root() {
    let rt: runtime::Runtime = Builder::new_current_thread().build().unwrap();
    let handle: &runtime::Handle = rt.handle();
    let metrics: RuntimeMetrics = handle.metrics();
    assert_eq!(metrics.num_workers(), 1);
    let _: runtime::runtime::UnhandledPanic = runtime::UnhandledPanic::Ignore;
}

#[test]
fn enable_calls_change_nothing_and_timers_and_sockets_work() {
    let _dog = Watchdog::new("enable_*", HANG_BOUND);
    for rt in [
        Builder::new_current_thread().enable_io().build().unwrap(),
        Builder::new_multi_thread()
            .worker_threads(1)
            .enable_time()
            .enable_io()
            .enable_all()
            .build()
            .unwrap(),
    ] {
        let echoed = rt.block_on(async {
            runtime::time::sleep(Duration::from_millis(1)).await;
            let socket = runtime::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
            socket
                .send_to(b"hi", socket.local_addr().unwrap())
                .await
                .unwrap();
            let mut buf = [0u8; 4];
            let (n, _) = socket.recv_from(&mut buf).await.unwrap();
            buf[..n].to_vec()
        });
        assert_eq!(echoed, b"hi");
    }
}

#[test]
fn id_is_the_same_from_every_handle_and_thread_of_one_runtime() {
    let _dog = Watchdog::new("id same", HANG_BOUND);
    for rt in both_flavors() {
        let id = rt.handle().id();
        assert_eq!(rt.handle().clone().id(), id);
        assert_eq!(rt.block_on(async { Handle::current().id() }), id);
        let from_task = rt.block_on(rt.spawn(async { Handle::current().id() }));
        assert_eq!(from_task.unwrap(), id);
        let handle = rt.handle().clone();
        let from_thread = std::thread::spawn(move || handle.id()).join().unwrap();
        assert_eq!(from_thread, id);
        let blocking = rt.block_on(rt.spawn_blocking(|| Handle::current().id()));
        assert_eq!(blocking.unwrap(), id);
    }
}

#[test]
fn ids_of_runtimes_alive_together_all_differ() {
    let runtimes: Vec<Runtime> = (0..4).flat_map(|_| both_flavors()).collect();
    let ids: HashSet<Id> = runtimes.iter().map(|rt| rt.handle().id()).collect();
    assert_eq!(ids.len(), runtimes.len());
}

#[test]
fn id_displays_as_its_number_and_debugs_as_id() {
    let rt = Builder::new_current_thread().build().unwrap();
    let id = rt.handle().id();
    let shown = id.to_string();
    assert!(shown.parse::<u64>().unwrap() > 0, "{shown}");
    assert_eq!(format!("{id:?}"), format!("Id({shown})"));
}

#[test]
fn name_is_read_back_from_every_handle_of_the_runtime() {
    let _dog = Watchdog::new("name", HANG_BOUND);
    for mut builder in [Builder::new_current_thread(), Builder::new_multi_thread()] {
        let rt = builder.worker_threads(1).name("ingest").build().unwrap();
        assert_eq!(rt.handle().name(), Some("ingest"));
        let from_task =
            rt.block_on(rt.spawn(async { Handle::current().name().map(str::to_owned) }));
        assert_eq!(from_task.unwrap().as_deref(), Some("ingest"));
        assert!(format!("{:?}", rt.handle()).contains("ingest"));
    }
    let unnamed = Builder::new_current_thread().build().unwrap();
    assert_eq!(unnamed.handle().name(), None);
}

#[test]
#[should_panic(expected = "a runtime name must not be empty or only whitespace")]
fn an_empty_name_panics_as_tokio_does() {
    let _ = Builder::new_current_thread().name(" \t");
}

#[test]
fn runtime_flavor_names_the_scheduler_from_any_handle() {
    use runtime::runtime::RuntimeFlavor;
    let [current, multi] = both_flavors();
    assert_eq!(
        current.handle().runtime_flavor(),
        RuntimeFlavor::CurrentThread
    );
    assert_eq!(multi.handle().runtime_flavor(), RuntimeFlavor::MultiThread);
    let inside = multi.block_on(multi.spawn(async { Handle::current().runtime_flavor() }));
    assert_eq!(inside.unwrap(), RuntimeFlavor::MultiThread);
    let inside = current.block_on(async { Handle::current().runtime_flavor() });
    assert_eq!(inside, RuntimeFlavor::CurrentThread);
}
