//! I/O operations that complete at once still spend the task's cooperative budget (issue 16,
//! item 6): a loop over them on a current-thread runtime yields now and then, so a neighbour
//! task gets to run while the loop is still going.
//!
//! Each test first makes the operation immediately ready (data queued, readiness already
//! known), then spawns a neighbour that sets a flag, then runs the operation `ROUNDS` times
//! (far more than the per-poll budget of 128) and requires the flag to be seen mid-loop.

mod support;

use runtime::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use runtime::net::{TcpListener, TcpStream, UdpSocket, UnixDatagram, UnixStream};
use std::io::SeekFrom;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use support::{TempDir, Watchdog};

const ROUNDS: usize = 1000;
const DOG: Duration = Duration::from_secs(60);

/// Spawns a neighbour task that raises a flag, then runs `$op` up to `$rounds` times; true if
/// the neighbour ran before the loop ended.
macro_rules! neighbour_runs_during {
    ($rounds:expr, $op:expr) => {{
        let ran = Arc::new(AtomicBool::new(false));
        let flag = ran.clone();
        runtime::spawn(async move { flag.store(true, Ordering::SeqCst) });
        let mut seen = false;
        for _ in 0..$rounds {
            $op;
            if ran.load(Ordering::SeqCst) {
                seen = true;
                break;
            }
        }
        seen
    }};
}

/// Records `$what` in `$starved` unless a loop of `$rounds` runs of `$op` lets a neighbour run.
macro_rules! check {
    ($starved:ident, $what:expr, $rounds:expr, $op:expr) => {
        if !neighbour_runs_during!($rounds, $op) {
            $starved.push($what);
        }
    };
}

/// Runs `body` as a task on a fresh current-thread runtime; it returns the operations whose
/// loop never let the neighbour run (none, if every one spends the budget).
fn on_current_thread<F>(name: &str, body: F)
where
    F: std::future::Future<Output = Vec<&'static str>> + Send + 'static,
{
    let _dog = Watchdog::new(name, DOG);
    let starved = support::current().block_on(async { runtime::spawn(body).await.unwrap() });
    assert!(
        starved.is_empty(),
        "{name}: a loop of these never let the neighbour task run: {starved:?}"
    );
}

async fn tcp_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (server, _) = listener.accept().await.unwrap();
    (client, server)
}

#[test]
fn a_loop_of_accepts_with_connections_queued_lets_another_task_run() {
    on_current_thread("accept", async {
        // A backlog above the 300 blocking connects below (`bind` listens with 128).
        let socket =
            socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
        socket
            .bind(
                &"127.0.0.1:0"
                    .parse::<std::net::SocketAddr>()
                    .unwrap()
                    .into(),
            )
            .unwrap();
        socket.listen(1024).unwrap();
        let listener = TcpListener::from_std(socket.into()).unwrap();
        let addr = listener.local_addr().unwrap();
        let clients: Vec<_> = (0..300)
            .map(|_| std::net::TcpStream::connect(addr).unwrap())
            .collect();
        listener.accept().await.unwrap(); // readiness is known from here on
        let mut starved = Vec::new();
        check!(starved, "accept", clients.len() - 1, {
            listener.accept().await.unwrap();
        });
        drop(clients);
        starved
    });
}

#[test]
fn a_loop_of_ready_tcp_readable_writable_and_peek_lets_another_task_run() {
    on_current_thread("tcp readable/writable/peek", async {
        let (client, mut server) = tcp_pair().await;
        server.write_all(b"queued").await.unwrap();
        client.readable().await.unwrap();
        client.writable().await.unwrap();
        let mut buf = [0; 6];
        let mut starved = Vec::new();
        check!(
            starved,
            "readable",
            ROUNDS,
            client.readable().await.unwrap()
        );
        check!(
            starved,
            "writable",
            ROUNDS,
            client.writable().await.unwrap()
        );
        check!(
            starved,
            "peek",
            ROUNDS,
            client.peek(&mut buf).await.unwrap()
        );
        starved
    });
}

#[test]
fn a_loop_of_one_byte_tcp_reads_from_queued_data_lets_another_task_run() {
    on_current_thread("tcp read", async {
        let (mut client, mut server) = tcp_pair().await;
        server.write_all(&[7; ROUNDS + 1]).await.unwrap();
        let mut byte = [0; 1];
        client.read_exact(&mut byte).await.unwrap();
        let mut starved = Vec::new();
        check!(
            starved,
            "read_exact",
            ROUNDS,
            client.read_exact(&mut byte).await.unwrap()
        );
        starved
    });
}

#[test]
fn a_loop_of_ready_udp_operations_lets_another_task_run() {
    on_current_thread("udp", async {
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let to = b.local_addr().unwrap();
        a.connect(to).await.unwrap();
        a.send(b"x").await.unwrap();
        b.readable().await.unwrap();
        let mut buf = [0; 4];
        let mut starved = Vec::new();
        check!(starved, "send", ROUNDS, a.send(b"x").await.unwrap());
        check!(
            starved,
            "send_to",
            ROUNDS,
            a.send_to(b"x", to).await.unwrap()
        );
        check!(starved, "writable", ROUNDS, a.writable().await.unwrap());
        check!(starved, "readable", ROUNDS, b.readable().await.unwrap());
        check!(
            starved,
            "peek_from",
            ROUNDS,
            b.peek_from(&mut buf).await.unwrap()
        );
        check!(
            starved,
            "recv_from",
            200,
            b.recv_from(&mut buf).await.unwrap()
        );
        starved
    });
}

#[test]
fn a_loop_of_binds_udp_connects_and_literal_lookups_lets_another_task_run() {
    on_current_thread("bind / udp connect / lookup_host", async {
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let to = a.local_addr().unwrap();
        let mut starved = Vec::new();
        check!(starved, "connect", ROUNDS, a.connect(to).await.unwrap());
        check!(starved, "udp bind", ROUNDS, {
            drop(UdpSocket::bind("127.0.0.1:0").await.unwrap());
        });
        check!(starved, "tcp bind", ROUNDS, {
            drop(TcpListener::bind("127.0.0.1:0").await.unwrap());
        });
        check!(starved, "lookup_host", ROUNDS, {
            let _ = runtime::net::lookup_host("127.0.0.1:80").await.unwrap();
        });
        starved
    });
}

#[test]
fn a_loop_of_ready_unix_operations_lets_another_task_run() {
    on_current_thread("unix", async {
        let (a, b) = UnixDatagram::pair().unwrap();
        a.send(b"x").await.unwrap();
        b.readable().await.unwrap();
        let (mut s, mut t) = UnixStream::pair().unwrap();
        t.write_all(&[1; ROUNDS + 1]).await.unwrap();
        s.readable().await.unwrap();
        let mut byte = [0; 1];
        let mut starved = Vec::new();
        check!(starved, "readable", ROUNDS, b.readable().await.unwrap());
        check!(starved, "send", 200, a.send(b"x").await.unwrap());
        check!(starved, "recv", 200, b.recv(&mut byte).await.unwrap());
        check!(starved, "writable", ROUNDS, s.writable().await.unwrap());
        check!(
            starved,
            "read_exact",
            ROUNDS,
            s.read_exact(&mut byte).await.unwrap()
        );
        starved
    });
}

#[test]
fn a_loop_of_buffered_file_reads_flushes_and_empty_writes_lets_another_task_run() {
    let dir = TempDir::new("io-coop");
    let path = dir.file("f", &vec![3u8; 4 * ROUNDS]);
    on_current_thread("fs::File", async move {
        let mut file = support::open_rw(&path).await;
        let mut byte = [0; 1];
        file.read_exact(&mut byte).await.unwrap(); // the read-ahead fills the buffer
        let mut starved = Vec::new();
        check!(
            starved,
            "buffered read",
            ROUNDS,
            file.read_exact(&mut byte).await.unwrap()
        );
        file.seek(SeekFrom::Start(0)).await.unwrap();
        check!(starved, "idle flush", ROUNDS, file.flush().await.unwrap());
        check!(starved, "empty write", ROUNDS, {
            assert_eq!(file.write(&[]).await.unwrap(), 0);
        });
        starved
    });
}

#[test]
fn a_loop_over_buffered_directory_entries_lets_another_task_run() {
    let dir = TempDir::new("io-coop-dir");
    for i in 0..600 {
        dir.file(&i.to_string(), b"");
    }
    let listed = dir.root().to_path_buf();
    on_current_thread("fs::ReadDir", async move {
        let mut entries = runtime::fs::read_dir(&listed).await.unwrap();
        let mut starved = Vec::new();
        check!(
            starved,
            "next_entry",
            600,
            entries.next_entry().await.unwrap().unwrap()
        );
        starved
    });
}
