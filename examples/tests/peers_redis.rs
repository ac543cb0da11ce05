//! The `redis` example against a real `redis-server`: redis-rs over a `runtime` TCP stream
//! (TokioIo), its driver a `runtime` task, no Tokio runtime and no extra thread; SET/GET,
//! INCR from 50 tasks on one multiplexed connection, a MULTI/EXEC pipeline, pub/sub over RESP3
//! pushes, and the error an unreachable server gives.
//!
//! Needs the server `bash .ci/peers` starts (redis-server on 127.0.0.1:26379), or another one
//! named by `REDIS_URL`; fails with that message if none is reachable.

#[path = "../../runtime/tests/support/mod.rs"]
mod support;

#[allow(dead_code)] // the example's `main` is not used here
#[path = "../redis.rs"]
mod redis_example;

use redis::AsyncCommands;
use redis::aio::MultiplexedConnection;
use redis_example as ex;
use runtime::sync::mpsc;
use std::time::Duration;
use support::Watchdog;

async fn connect(push: Option<ex::PushSender>) -> MultiplexedConnection {
    ex::connect(&ex::info_from_env().unwrap(), push)
        .await
        .unwrap_or_else(|err| {
            panic!(
                "no redis-server to test against: {err}\n\
                 Run `bash .ci/peers` (installs Debian's `redis-server` and starts it on \
                 127.0.0.1:26379) or point REDIS_URL at a server."
            )
        })
}

fn key(name: &str) -> String {
    ex::key(&format!("test:{name}"))
}

#[test]
fn redis_set_then_get_returns_the_value_with_no_tokio_runtime_or_extra_thread() {
    let _dog = Watchdog::new("redis_set_get", Duration::from_secs(60));
    support::multi(2).block_on(async {
        let mut con = connect(None).await;
        let key = key("set-get");
        let () = con.set_ex(&key, "value with spaces ✓", 60).await.unwrap();
        let back: String = con.get(&key).await.unwrap();
        assert_eq!(back, "value with spaces ✓");
        let missing: Option<String> = con.get(self::key("never-set")).await.unwrap();
        assert_eq!(missing, None);
        let () = con.del(&key).await.unwrap();
        assert!(tokio::runtime::Handle::try_current().is_err());
    });
    let names: Vec<String> = std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
        .collect();
    assert!(
        !names
            .iter()
            .any(|n| n.starts_with("async-compat") || n.starts_with("tokio")),
        "{names:?}"
    );
}

#[test]
fn redis_incr_from_50_tasks_on_one_connection_sums_every_increment() {
    let _dog = Watchdog::new("redis_incr", Duration::from_secs(60));
    support::multi(2).block_on(async {
        let mut con = connect(None).await;
        let key = key("counter");
        let () = con.del(&key).await.unwrap();
        let total = ex::count_concurrently(&con, &key).await.unwrap();
        assert_eq!(total, ex::TASKS * ex::INCRS_PER_TASK);
        let () = con.del(&key).await.unwrap();
    });
}

#[test]
fn redis_atomic_pipeline_returns_every_reply_in_order() {
    let _dog = Watchdog::new("redis_pipeline", Duration::from_secs(60));
    support::current().block_on(async {
        let mut con = connect(None).await;
        let (list, n) = (key("list"), key("n"));
        let () = con.del(&[&list, &n]).await.unwrap();
        let (pushed, incremented, items): (i64, i64, Vec<String>) = redis::pipe()
            .atomic()
            .rpush(&list, &["a", "b", "c"])
            .incr(&n, 41)
            .ignore()
            .incr(&n, 1)
            .lrange(&list, 0, -1)
            .query_async(&mut con)
            .await
            .unwrap();
        assert_eq!((pushed, incremented), (3, 42));
        assert_eq!(items, ["a", "b", "c"]);
        // A command the server rejects is an error, and the connection goes on.
        let err = con.incr::<_, _, i64>(&list, 1).await.unwrap_err();
        assert_eq!(err.code(), Some("WRONGTYPE"), "{err}");
        let () = con.del(&[&list, &n]).await.unwrap();
    });
}

#[test]
fn redis_subscriber_receives_each_published_message_in_order() {
    let _dog = Watchdog::new("redis_pubsub", Duration::from_secs(60));
    support::multi(2).block_on(async {
        let (tx, mut pushes) = mpsc::unbounded_channel();
        let mut subscriber = connect(Some(ex::PushSender(tx))).await;
        let mut publisher = connect(None).await;
        let channel = key("news");
        subscriber.subscribe(&channel).await.unwrap();
        for i in 0..3 {
            let reached: i64 = publisher
                .publish(&channel, format!("item {i}"))
                .await
                .unwrap();
            assert_eq!(reached, 1);
        }
        let mut got = Vec::new();
        while got.len() < 3 {
            let push = pushes.recv().await.expect("push channel open");
            if push.kind == redis::PushKind::Message {
                let on: String = redis::from_redis_value(&push.data[0]).unwrap();
                assert_eq!(on, channel);
                got.push(redis::from_redis_value::<String>(&push.data[1]).unwrap());
            }
        }
        assert_eq!(got, ["item 0", "item 1", "item 2"]);
    });
}

#[test]
fn redis_unreachable_server_is_an_error_naming_the_address_and_the_fix() {
    let _dog = Watchdog::new("redis_unreachable", Duration::from_secs(60));
    support::current().block_on(async {
        // Bind then drop a listener: nothing listens on that port now.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let info = format!("redis://127.0.0.1:{port}").parse().unwrap();
        let err = ex::connect(&info, None).await.unwrap_err().to_string();
        assert!(
            err.starts_with(&format!("cannot reach redis-server at 127.0.0.1:{port}")),
            "{err}"
        );
        assert!(err.contains("bash .ci/peers"), "{err}");
    });
}
