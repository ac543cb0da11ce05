//! redis-rs on `runtime`, natively: a `runtime::net::TcpStream` wrapped in
//! [`TokioIo`](runtime::compat::tokio_io::TokioIo) is handed to
//! `MultiplexedConnection::new_with_config`, and the connection's driver future it returns is
//! a `runtime` task. redis' `tokio-comp` feature is on only because `aio` does not compile
//! without one; nothing here reaches it (no `redis::Client`, no response timeout), so no Tokio
//! runtime is behind any of it. Shown: SET/GET, INCR from many tasks sharing one multiplexed
//! connection, a pipeline, and pub/sub over RESP3 push messages (redis-rs' `PubSub` type
//! spawns its driver on a runtime it locates itself, so it is not used).
//!
//! The server comes from `REDIS_URL`, by default [`DEFAULT_REDIS_URL`], the `redis-server`
//! that `bash .ci/peers` starts.
//!
//! ```text
//! bash .ci/peers   # or any redis-server >= 6 you point REDIS_URL at
//! cargo run --release -p examples --example redis
//! ```

use redis::aio::{MultiplexedConnection, SendError};
use redis::{AsyncCommands, AsyncConnectionConfig, ConnectionAddr, ConnectionInfo, PushInfo};
use runtime::compat::tokio_io::TokioIo;
use runtime::net::TcpStream;
use runtime::sync::mpsc;
use std::error::Error;

/// Where the example connects without `REDIS_URL`: the server `.ci/peers` starts.
pub const DEFAULT_REDIS_URL: &str = "redis://127.0.0.1:26379";

/// How many tasks INCR the counter, and how many times each.
pub const TASKS: i64 = 50;
/// INCRs by each of the [`TASKS`] tasks.
pub const INCRS_PER_TASK: i64 = 20;

/// Any failure, with the step that failed in its message.
pub type BoxError = Box<dyn Error + Send + Sync>;

/// Server push messages (pub/sub deliveries), forwarded into a `runtime` channel.
pub struct PushSender(pub mpsc::UnboundedSender<PushInfo>);

impl redis::aio::AsyncPushSender for PushSender {
    fn send(&self, info: PushInfo) -> Result<(), SendError> {
        self.0.send(info).map_err(|_| SendError)
    }
}

/// Reads `REDIS_URL`, or the default, and asks for RESP3 (push messages need it).
pub fn info_from_env() -> Result<ConnectionInfo, BoxError> {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| DEFAULT_REDIS_URL.to_owned());
    let mut info: ConnectionInfo = url
        .parse()
        .map_err(|err| format!("REDIS_URL {url:?} is not a redis URL: {err}"))?;
    info.redis.protocol = redis::ProtocolVersion::RESP3;
    Ok(info)
}

/// Connects over a `runtime` TCP stream and spawns the connection's driver as a `runtime`
/// task. With `push`, server pushes (pub/sub messages) go there.
pub async fn connect(
    info: &ConnectionInfo,
    push: Option<PushSender>,
) -> Result<MultiplexedConnection, BoxError> {
    let ConnectionAddr::Tcp(host, port) = &info.addr else {
        return Err(format!(
            "only redis:// (TCP) URLs are supported here, not {:?}",
            info.addr
        )
        .into());
    };
    let stream = TcpStream::connect((host.as_str(), *port))
        .await
        .map_err(|err| {
            format!(
                "cannot reach redis-server at {host}:{port}: {err} \
                 (start one with `bash .ci/peers`, or set REDIS_URL)"
            )
        })?;
    stream.set_nodelay(true)?;
    let mut config = AsyncConnectionConfig::new();
    if let Some(push) = push {
        config = config.set_push_sender(push);
    }
    let (connection, driver) =
        MultiplexedConnection::new_with_config(&info.redis, TokioIo::new(stream), config)
            .await
            .map_err(|err| format!("redis handshake with {host}:{port} failed: {err}"))?;
    runtime::spawn(driver);
    Ok(connection)
}

/// INCRs `key` [`INCRS_PER_TASK`] times from each of [`TASKS`] tasks sharing `connection`
/// (redis-rs pipelines their commands on the one socket); returns the counter's final value.
pub async fn count_concurrently(
    connection: &MultiplexedConnection,
    key: &str,
) -> Result<i64, BoxError> {
    let mut tasks = runtime::task::JoinSet::new();
    for _ in 0..TASKS {
        let (mut connection, key) = (connection.clone(), key.to_owned());
        tasks.spawn(async move {
            for _ in 0..INCRS_PER_TASK {
                let _: i64 = connection.incr(&key, 1).await?;
            }
            Ok::<(), redis::RedisError>(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.map_err(|err| format!("INCR task failed: {err}"))??;
    }
    Ok(connection.clone().get(key).await?)
}

/// A key unique to this process, so that runs sharing a server never collide.
pub fn key(name: &str) -> String {
    format!("runtime-example:{}:{name}", std::process::id())
}

#[runtime::main]
async fn main() -> Result<(), BoxError> {
    let info = info_from_env()?;
    let (push_tx, mut pushes) = mpsc::unbounded_channel();
    let mut subscriber = connect(&info, Some(PushSender(push_tx))).await?;
    let mut connection = connect(&info, None).await?;

    let greeting = key("greeting");
    let () = connection.set(&greeting, "hello from runtime").await?;
    let back: String = connection.get(&greeting).await?;
    println!("GET {greeting} -> {back:?}");

    let counter = key("counter");
    let () = connection.del(&counter).await?;
    let total = count_concurrently(&connection, &counter).await?;
    println!("{TASKS} tasks x {INCRS_PER_TASK} INCRs -> {total}");

    let (a, b): (i64, i64) = redis::pipe()
        .atomic()
        .incr(&counter, 1000)
        .incr(&counter, 1)
        .query_async(&mut connection)
        .await?;
    println!("pipeline (MULTI/EXEC): {a}, {b}");

    let channel = key("news");
    subscriber.subscribe(&channel).await?;
    let receivers: i64 = connection.publish(&channel, "extra extra").await?;
    println!("PUBLISH reached {receivers} subscriber(s)");
    while let Some(push) = pushes.recv().await {
        if push.kind == redis::PushKind::Message {
            let payload: String = redis::from_redis_value(&push.data[1])?;
            println!("message on {channel}: {payload:?}");
            break;
        }
    }
    let () = connection.del(&[&greeting, &counter]).await?;
    Ok(())
}
