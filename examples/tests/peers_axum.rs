//! axum on `runtime` (the `axum_server` example: hyper-util's `auto` builder over
//! `runtime::compat::hyper`, no Tokio) against real peers nobody here wrote: `curl` over
//! HTTP/1.1 and h2c for every route's extractors, the middleware and the shared state; `wrk`
//! and `h2load` short runs with only successes; axum's handlers running with no Tokio runtime
//! context anywhere (axum works natively). Then the idle deadline of
//! `support/idle_deadline.rs`, on both `axum_server` and `hyper_server`: 500 connections that
//! never send a byte (and a few that stall mid-preface, mid-head or after a request) are
//! closed by the server, and a graceful shutdown with them open finishes without cutting any.
//!
//! Needs curl, wrk and h2load on `PATH` (`bash .ci/peers` installs them; Debian:
//! `apt-get install -y curl wrk nghttp2-client`); a missing one fails the test with that
//! message. The silent-connection tests hold about 1,030 sockets each (both ends) and raise
//! the soft open-file limit to 8,192 if the hard limit allows it.

// Both example files include `support/idle_deadline.rs`, and this test runs both servers.
#![allow(clippy::duplicate_mod)]

#[path = "../../runtime/tests/support/mod.rs"]
mod support;

#[allow(dead_code)] // only `serve` and the app's constants are used, not `main`
#[path = "../axum_server.rs"]
mod axum_server;

#[allow(dead_code)] // only `serve_with` is used, not `main`
#[path = "../hyper_server.rs"]
mod hyper_server;

use axum_server::app::{HELLO, REQUEST_NUMBER};
use axum_server::idle_deadline::Limits;
use runtime::net::TcpListener;
use runtime::sync::CancellationToken;
use serde_json::{Value, json};
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Output};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};
use support::Watchdog;

/// Which example server a test runs.
#[derive(Clone, Copy)]
enum Server {
    Axum,
    Hyper,
}

/// A server started by [`start`]: cancel `shutdown` to stop it; `done` reports how many
/// connections it had to cut at the end of its grace period.
struct Running {
    addr: SocketAddr,
    shutdown: CancellationToken,
    done: Receiver<io::Result<usize>>,
}

impl Running {
    /// Shuts the server down and returns how many connections it cut.
    fn stop(self, within: Duration) -> usize {
        self.shutdown.cancel();
        self.done
            .recv_timeout(within)
            .expect("server did not stop")
            .expect("server failed")
    }
}

/// Starts `server` on a fresh port in a background 2-worker runtime.
fn start(server: Server, limits: Limits) -> Running {
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let (done_tx, done) = std::sync::mpsc::channel();
    let shutdown = CancellationToken::new();
    let token = shutdown.clone();
    std::thread::spawn(move || {
        let rt = support::multi(2);
        let result = rt.block_on(async move {
            let listener = TcpListener::bind("127.0.0.1:0").await?;
            addr_tx.send(listener.local_addr()?).unwrap();
            match server {
                Server::Axum => axum_server::serve(listener, token, limits).await,
                Server::Hyper => {
                    // The same file included twice: two `Limits` types.
                    let limits = hyper_server::idle_deadline::Limits {
                        idle: limits.idle,
                        grace: limits.grace,
                    };
                    hyper_server::serve_with(listener, token, limits).await
                }
            }
        });
        let _ = done_tx.send(result);
    });
    let addr = addr_rx
        .recv_timeout(Duration::from_secs(30))
        .expect("server did not start");
    Running {
        addr,
        shutdown,
        done,
    }
}

/// `name` as a command, after checking it is installed.
fn tool(name: &str, package: &str) -> Command {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output();
    assert!(
        found.is_ok_and(|out| out.status.success()),
        "`{name}` is not installed: run `bash .ci/peers` or `apt-get install -y {package}` \
         to run this test"
    );
    Command::new(name)
}

fn run(mut command: Command) -> String {
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&stdout).into_owned();
    assert!(
        status.success(),
        "{command:?} failed: {status}\n{stdout}\n{}",
        String::from_utf8_lossy(&stderr)
    );
    stdout
}

/// One response as curl saw it.
#[derive(Debug)]
struct Reply {
    /// `HTTP/1.1` or `HTTP/2`.
    version: String,
    status: u16,
    /// Header lines, names lowercased.
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        assert_eq!(
            self.header("content-type"),
            Some("application/json"),
            "{self:?}"
        );
        serde_json::from_str(&self.body).unwrap_or_else(|err| panic!("{err}: {self:?}"))
    }
}

/// Runs curl with `args` (plus `--http2-prior-knowledge` if `h2`) and parses its `-i` output.
fn curl(h2: bool, args: &[&str]) -> Reply {
    let mut command = tool("curl", "curl");
    command.args(["-sS", "-i", "--max-time", "20"]);
    if h2 {
        command.arg("--http2-prior-knowledge");
    }
    command.args(args);
    let text = run(command);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in curl's output:\n{text}"));
    let mut lines = head.lines();
    let status_line = lines.next().unwrap();
    let mut words = status_line.split_whitespace();
    let version = words.next().unwrap().to_owned();
    let status = words.next().and_then(|s| s.parse().ok()).unwrap();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Reply {
        version,
        status,
        headers,
        body: body.to_owned(),
    }
}

fn post_json(h2: bool, url: &str, body: &str) -> Reply {
    curl(
        h2,
        &[
            "-H",
            "content-type: application/json",
            "--data-binary",
            body,
            url,
        ],
    )
}

#[test]
fn curl_speaks_http1_and_h2c_to_axum_server() {
    let _dog = Watchdog::new("curl_axum_server", Duration::from_secs(120));
    let server = start(Server::Axum, Limits::default());
    let root = format!("http://{}/", server.addr);
    for (h2, version) in [(false, "HTTP/1.1"), (true, "HTTP/2")] {
        let reply = curl(h2, &[&root]);
        assert_eq!(reply.version, version, "{reply:?}");
        assert_eq!(reply.status, 200, "{reply:?}");
        assert_eq!(reply.body, HELLO);
    }
    // Two requests on one HTTP/1.1 keep-alive connection: curl reuses it for `--next`.
    let mut command = tool("curl", "curl");
    command.args(["-sS", "-v", &root, "--next", "-sS", "-v", &root]);
    let Output { stdout, stderr, .. } = command.output().unwrap();
    assert_eq!(String::from_utf8_lossy(&stdout), format!("{HELLO}{HELLO}"));
    assert!(
        String::from_utf8_lossy(&stderr).contains("Re-using existing connection"),
        "curl did not keep the connection alive:\n{}",
        String::from_utf8_lossy(&stderr)
    );
    assert_eq!(server.stop(Duration::from_secs(30)), 0);
}

#[test]
fn path_query_and_json_extractors_answer_with_status_and_json() {
    let _dog = Watchdog::new("axum_extractors", Duration::from_secs(120));
    let server = start(Server::Axum, Limits::default());
    let url = |path: &str| format!("http://{}{path}", server.addr);
    for h2 in [false, true] {
        // Path.
        let reply = curl(h2, &[&url("/hello/ferris")]);
        assert_eq!((reply.status, reply.body.as_str()), (200, "Hello, ferris!"));
        let reply = curl(h2, &[&url("/hello/caf%C3%A9")]);
        assert_eq!((reply.status, reply.body.as_str()), (200, "Hello, café!"));

        // Query: JSON answer; a missing or non-integer parameter is a 400; overflow a 422.
        let reply = curl(h2, &[&url("/add?a=40&b=2")]);
        assert_eq!(reply.status, 200, "{reply:?}");
        assert_eq!(reply.json(), json!({"a": 40, "b": 2, "sum": 42}));
        let reply = curl(h2, &[&url("/add?a=-5&b=2")]);
        assert_eq!(reply.json(), json!({"a": -5, "b": 2, "sum": -3}));
        let reply = curl(h2, &[&url("/add?a=1")]);
        assert_eq!(reply.status, 400, "{reply:?}");
        assert!(reply.body.contains("missing field `b`"), "{reply:?}");
        assert_eq!(curl(h2, &[&url("/add")]).status, 400);
        assert_eq!(curl(h2, &[&url("/add?a=one&b=2")]).status, 400);
        let max = format!("/add?a={}&b=1", i64::MAX);
        assert_eq!(curl(h2, &[&url(&max)]).status, 422);

        // JSON body: 201 with the stored note; bad JSON 400, wrong shape 422, no JSON
        // content type 415.
        let reply = post_json(h2, &url("/notes"), r#"{"text":"buy milk"}"#);
        assert_eq!(reply.status, 201, "{reply:?}");
        assert_eq!(reply.json()["text"], "buy milk");
        assert!(reply.json()["id"].as_u64().is_some_and(|id| id > 0));
        let reply = post_json(h2, &url("/notes"), r#"{"text": "unclosed"#);
        assert_eq!(reply.status, 400, "{reply:?}");
        assert!(reply.body.contains("JSON"), "{reply:?}");
        assert_eq!(
            post_json(h2, &url("/notes"), r#"{"title":"no text"}"#).status,
            422
        );
        assert_eq!(post_json(h2, &url("/notes"), r#"{"text":7}"#).status, 422);
        // Over HTTP/1.1 only: the 415 is sent before the body is read, and over h2 hyper
        // then ends the stream with RST_STREAM(NO_ERROR) (RFC 9113 8.1 allows it), which
        // this curl reports as error 92 when it was still sending the body (CI saw it once).
        if !h2 {
            let reply = curl(h2, &["--data-binary", r#"{"text":"x"}"#, &url("/notes")]);
            assert_eq!(reply.status, 415, "{reply:?}");
        }

        // Path with a typed id: a non-integer is a 400, an unknown id a 404; no such route
        // is a 404 too.
        assert_eq!(curl(h2, &[&url("/notes/first")]).status, 400);
        assert_eq!(curl(h2, &[&url("/notes/999999")]).status, 404);
        assert_eq!(curl(h2, &[&url("/no/such/route")]).status, 404);
    }
    assert_eq!(server.stop(Duration::from_secs(30)), 0);
}

#[test]
fn middleware_numbers_requests_across_connections_and_protocols() {
    let _dog = Watchdog::new("axum_middleware", Duration::from_secs(120));
    let server = start(Server::Axum, Limits::default());
    let url = |path: &str| format!("http://{}{path}", server.addr);
    // Each curl run is a connection of its own; the count is the server's, shared by all,
    // and covers every answer: successes, rejections and unknown routes.
    let paths = ["/", "/hello/a", "/add?a=1", "/nowhere", "/add?a=1&b=1", "/"];
    for (i, path) in paths.iter().enumerate() {
        let reply = curl(i % 2 == 1, &[&url(path)]);
        let expected = (i + 1).to_string();
        assert_eq!(
            reply.header(REQUEST_NUMBER),
            Some(expected.as_str()),
            "{reply:?}"
        );
    }
    assert_eq!(server.stop(Duration::from_secs(30)), 0);
}

#[test]
fn notes_stored_on_one_connection_are_read_on_others() {
    let _dog = Watchdog::new("axum_shared_state", Duration::from_secs(120));
    let server = start(Server::Axum, Limits::default());
    let url = |path: &str| format!("http://{}{path}", server.addr);
    // Stored over HTTP/1.1 and HTTP/2 alternately, each on a new connection.
    let texts = ["first", "second", "third", "fourth"];
    let ids: Vec<u64> = texts
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let reply = post_json(
                i % 2 == 0,
                &url("/notes"),
                &json!({ "text": text }).to_string(),
            );
            assert_eq!(reply.status, 201, "{reply:?}");
            reply.json()["id"].as_u64().unwrap()
        })
        .collect();
    assert_eq!(ids, [1, 2, 3, 4], "ids count up across connections");
    // Read back over the other protocol.
    for (i, (id, text)) in ids.iter().zip(texts).enumerate() {
        let reply = curl(i % 2 == 1, &[&url(&format!("/notes/{id}"))]);
        assert_eq!(reply.status, 200, "{reply:?}");
        assert_eq!(reply.json(), json!({ "id": id, "text": text }));
    }
    assert_eq!(server.stop(Duration::from_secs(30)), 0);
}

/// Answers whether the handler runs inside a Tokio runtime context (`tokio::runtime::Handle`).
async fn tokio_context() -> &'static str {
    match tokio::runtime::Handle::try_current() {
        Ok(_) => "tokio",
        Err(_) => "none",
    }
}

#[test]
fn axum_handlers_run_on_runtime_workers_with_no_tokio_context() {
    let _dog = Watchdog::new("axum_native", Duration::from_secs(60));
    support::multi(2).block_on(async {
        // The example's app plus one route, served the way `axum_server` serves it.
        let app = axum_server::app::app().route("/context", axum::routing::get(tokio_context));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        runtime::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let service = hyper_util::service::TowerToHyperService::new(app);
            let builder = hyper_util::server::conn::auto::Builder::new(
                runtime::compat::hyper::Executor::current(),
            );
            let io = runtime::compat::hyper::HyperIo::new(stream);
            let _ = builder.serve_connection(io, service).await;
        });
        let answer = runtime::task::spawn_blocking(move || {
            curl(false, &[&format!("http://{addr}/context")])
        })
        .await
        .unwrap();
        assert_eq!((answer.status, answer.body.as_str()), (200, "none"));
    });
}

/// Parses `N requests in` out of wrk's report.
fn wrk_requests(report: &str) -> u64 {
    report
        .lines()
        .find_map(|line| {
            let (n, _) = line.trim().split_once(" requests in ")?;
            n.trim().parse().ok()
        })
        .unwrap_or_else(|| panic!("no request count in wrk's report:\n{report}"))
}

#[test]
fn wrk_and_h2load_get_only_successes_from_axum_server() {
    let _dog = Watchdog::new("wrk_h2load_axum_server", Duration::from_secs(180));
    let server = start(Server::Axum, Limits::default());

    // 3 s on 50 connections, 2 threads, through the path extractor.
    let mut wrk = tool("wrk", "wrk");
    let url = format!("http://{}/hello/wrk", server.addr);
    wrk.args(["-t2", "-c50", "-d3s", "--timeout", "10s", &url]);
    let report = run(wrk);
    assert!(
        !report.contains("Socket errors"),
        "wrk saw socket errors:\n{report}"
    );
    assert!(
        !report.contains("Non-2xx"),
        "wrk saw non-2xx answers:\n{report}"
    );
    assert!(wrk_requests(&report) > 0, "{report}");

    // HTTP/2: 10 connections, 10 streams in flight on each, through the query extractor.
    let mut h2load = tool("h2load", "nghttp2-client");
    let url = format!("http://{}/add?a=1&b=2", server.addr);
    h2load.args(["-n", "10000", "-c", "10", "-m", "10", &url]);
    let report = run(h2load);
    assert!(
        report.contains(
            "requests: 10000 total, 10000 started, 10000 done, 10000 succeeded, 0 failed, 0 errored, 0 timeout"
        ),
        "h2load saw failures:\n{report}"
    );
    assert!(
        report.contains("status codes: 10000 2xx"),
        "h2load saw non-2xx answers:\n{report}"
    );
    assert_eq!(server.stop(Duration::from_secs(30)), 0);
}

/// How many silent connections the tests open.
const SILENT: usize = 500;

/// Connections that stall in the ways a header-read timeout must cover: `.0` holds `SILENT`
/// that never send a byte, 5 that stop mid-way through HTTP/2's preface and 5 that go silent
/// after one complete request on a keep-alive connection (all idle to the server: no request
/// in flight); `.1` holds 5 that stop in the middle of an HTTP/1.1 request head.
fn open_stalled(addr: SocketAddr) -> (Vec<TcpStream>, Vec<TcpStream>) {
    raise_open_file_limit();
    let mut idle: Vec<TcpStream> = (0..SILENT)
        .map(|_| TcpStream::connect(addr).expect("connect"))
        .collect();
    let mut mid_head = Vec::new();
    for _ in 0..5 {
        let mut preface = TcpStream::connect(addr).unwrap();
        preface.write_all(b"PRI * HTTP/2.0\r\n").unwrap();
        idle.push(preface);
        let mut kept = TcpStream::connect(addr).unwrap();
        kept.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        read_until_hello(&mut kept);
        idle.push(kept);
        let mut head = TcpStream::connect(addr).unwrap();
        head.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
        mid_head.push(head);
    }
    (idle, mid_head)
}

/// Each silent-connection test holds ~1,030 sockets (both ends live in this process), and
/// several run at once: raises the soft open-file limit to the hard one (a common soft
/// default is 1,024), and fails with the fix if the hard limit is too low.
fn raise_open_file_limit() {
    const NEEDED: libc::rlim_t = 8192;
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid, writable `rlimit` for the call to fill in.
    let got = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
    assert_eq!(got, 0, "getrlimit: {}", io::Error::last_os_error());
    if limit.rlim_cur >= NEEDED {
        return;
    }
    assert!(
        limit.rlim_max >= NEEDED,
        "the open-file limit is {} (hard); these tests need {NEEDED}: run them as a user \
         allowed more (`ulimit -Hn {NEEDED}` as root, or limits.conf)",
        limit.rlim_max
    );
    limit.rlim_cur = NEEDED;
    // SAFETY: `limit` is a valid `rlimit` whose soft value does not exceed its hard one.
    let set = unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) };
    assert_eq!(set, 0, "setrlimit: {}", io::Error::last_os_error());
}

/// Reads one `GET /` response (both servers answer `Hello, world!`).
fn read_until_hello(stream: &mut TcpStream) {
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    while !seen.ends_with(HELLO.as_bytes()) {
        let n = stream.read(&mut buf).expect("response to GET /");
        assert!(n > 0, "connection closed before the response");
        seen.extend_from_slice(&buf[..n]);
    }
    assert!(seen.starts_with(b"HTTP/1.1 200 OK"));
}

/// Asserts the server closed every stream: a read returns end of file or a reset (never
/// data, and never times out after `wait`).
fn assert_all_closed_by_server(streams: &mut [TcpStream], wait: Duration) {
    for (i, stream) in streams.iter_mut().enumerate() {
        stream.set_read_timeout(Some(wait)).unwrap();
        let mut buf = [0u8; 64];
        match stream.read(&mut buf) {
            Ok(0) => {}
            Err(err) if err.kind() == io::ErrorKind::ConnectionReset => {}
            Ok(n) => panic!(
                "connection {i}: server sent {:?} instead of closing",
                String::from_utf8_lossy(&buf[..n])
            ),
            Err(err) => panic!("connection {i}: not closed by the server ({err})"),
        }
    }
}

fn silent_connections_are_closed_by_the_idle_deadline(server: Server) {
    let idle = Duration::from_secs(2);
    let limits = Limits {
        idle,
        ..Limits::default()
    };
    let running = start(server, limits);
    let opened = Instant::now();
    let (mut streams, mid_head) = open_stalled(running.addr);
    streams.extend(mid_head);
    // Not before the deadline: the first connection still open after half of it.
    let first = &mut streams[0];
    first.set_read_timeout(Some(idle / 2)).unwrap();
    if opened.elapsed() < idle / 2 {
        let err = first
            .read(&mut [0u8; 8])
            .expect_err("closed before the deadline");
        assert!(
            matches!(
                err.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ),
            "{err}"
        );
    }
    // The deadline closes stalled connections after `idle`, or twice that for a
    // connection stalled mid-head (asked to close gracefully first); 20 s bounds the test.
    assert_all_closed_by_server(&mut streams, Duration::from_secs(20));
    assert!(opened.elapsed() >= idle, "closed before the idle deadline");
    // The server still serves.
    let mut fresh = TcpStream::connect(running.addr).unwrap();
    fresh
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    read_until_hello(&mut fresh);
    assert_eq!(running.stop(Duration::from_secs(30)), 0);
}

#[test]
fn silent_connections_are_closed_by_the_idle_deadline_on_axum_server() {
    let _dog = Watchdog::new("axum_silent_closed", Duration::from_secs(120));
    silent_connections_are_closed_by_the_idle_deadline(Server::Axum);
}

#[test]
fn silent_connections_are_closed_by_the_idle_deadline_on_hyper_server() {
    let _dog = Watchdog::new("hyper_silent_closed", Duration::from_secs(120));
    silent_connections_are_closed_by_the_idle_deadline(Server::Hyper);
}

fn shutdown_closes_silent_connections_at_once(server: Server) {
    // An idle deadline far beyond the test, so only the shutdown can close them.
    let limits = Limits {
        idle: Duration::from_secs(600),
        grace: Duration::from_secs(5),
    };
    let running = start(server, limits);
    let (mut idle, mut mid_head) = open_stalled(running.addr);
    // Accepted in order: once a later connection is served, the server holds all of the
    // silent ones (each on its own task, in hyper-util's wait for the first bytes).
    let mut last = TcpStream::connect(running.addr).unwrap();
    last.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    read_until_hello(&mut last);
    idle.push(last);

    running.shutdown.cancel();
    // Connections with no request in flight close as soon as the shutdown asks them to...
    assert_all_closed_by_server(&mut idle, Duration::from_secs(20));
    // ... while one in the middle of a request head is a request in progress: the shutdown
    // waits for it (still open after the others closed) until the grace period ends, then
    // cuts it. So the shutdown completes within the grace period either way.
    let mut probe = [0u8; 8];
    mid_head[0]
        .set_read_timeout(Some(Duration::from_millis(1)))
        .unwrap();
    let err = mid_head[0]
        .read(&mut probe)
        .expect_err("closed before the grace period ended");
    assert!(
        matches!(
            err.kind(),
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
        ),
        "{err}"
    );
    let cut = running
        .done
        .recv_timeout(limits.grace + Duration::from_secs(20))
        .expect("server did not stop")
        .expect("server failed");
    assert_eq!(cut, mid_head.len(), "only the mid-head connections are cut");
    assert_all_closed_by_server(&mut mid_head, Duration::from_secs(10));
}

#[test]
fn shutdown_closes_silent_connections_at_once_on_axum_server() {
    let _dog = Watchdog::new("axum_silent_shutdown", Duration::from_secs(120));
    shutdown_closes_silent_connections_at_once(Server::Axum);
}

#[test]
fn shutdown_closes_silent_connections_at_once_on_hyper_server() {
    let _dog = Watchdog::new("hyper_silent_shutdown", Duration::from_secs(120));
    shutdown_closes_silent_connections_at_once(Server::Hyper);
}
