//! hyper on `runtime` against real peers nobody here wrote: `curl` (HTTP/1.1 and
//! `--http2-prior-knowledge`), `wrk` for 10 s with zero errors and `h2load` against the
//! `hyper_server` example; the `hyper_client` example fetching files from
//! `python3 -m http.server`, bodies checked byte for byte; and the example server's graceful
//! shutdown finishing a request in flight.
//!
//! Needs curl, wrk, h2load and python3 on `PATH` (`bash .ci/peers` installs them; Debian:
//! `apt-get install -y curl wrk nghttp2-client python3`); a missing one fails the test with
//! that message.

#[path = "../../runtime/tests/support/mod.rs"]
mod support;

#[allow(dead_code)] // only the server is used, not the example's `main`
#[path = "../hyper_server.rs"]
mod hyper_server;

#[allow(dead_code)] // only `fetch_all` is used, not the example's `main`
#[path = "../hyper_client.rs"]
mod hyper_client;

use bytes::Bytes;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use runtime::compat::hyper::HyperIo;
use runtime::sync::CancellationToken;
use std::net::SocketAddr;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;
use support::Watchdog;

/// Starts the example server on a fresh port in a background 2-worker runtime; cancelling
/// the token shuts it down gracefully, and the returned receiver reports `serve`'s result.
fn start_server() -> (
    SocketAddr,
    CancellationToken,
    std::sync::mpsc::Receiver<std::io::Result<()>>,
) {
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    let shutdown = CancellationToken::new();
    let token = shutdown.clone();
    std::thread::spawn(move || {
        let rt = support::multi(2);
        let result = rt.block_on(async move {
            let listener = runtime::net::TcpListener::bind("127.0.0.1:0").await?;
            addr_tx.send(listener.local_addr()?).unwrap();
            hyper_server::serve(listener, token).await
        });
        let _ = done_tx.send(result);
    });
    let addr = addr_rx
        .recv_timeout(Duration::from_secs(30))
        .expect("server did not start");
    (addr, shutdown, done_rx)
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

fn run(mut command: Command) -> (String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    );
    assert!(
        status.success(),
        "{command:?} failed: {status}\n{stdout}\n{stderr}"
    );
    (stdout, stderr)
}

fn curl(args: &[&str]) -> String {
    let mut command = tool("curl", "curl");
    command.args(["-sS", "--max-time", "20"]).args(args);
    run(command).0
}

#[test]
fn curl_speaks_http1_and_h2c_to_hyper_server() {
    let _dog = Watchdog::new("curl_hyper_server", Duration::from_secs(120));
    let (addr, shutdown, done) = start_server();
    let root = format!("http://{addr}/");
    let echo = format!("http://{addr}/echo");

    // HTTP/1.1: two requests on one keep-alive connection, then the echo and a 404.
    let text = curl(&["-i", &root, "--next", "-sS", "-i", &root]);
    assert_eq!(text.matches("HTTP/1.1 200 OK").count(), 2, "{text}");
    assert_eq!(text.matches(hyper_server::HELLO).count(), 2, "{text}");
    assert_eq!(curl(&["--data-binary", "echo me", &echo]), "echo me");
    let text = curl(&["-i", &format!("http://{addr}/nope")]);
    assert!(text.starts_with("HTTP/1.1 404"), "{text}");

    // HTTP/2 with prior knowledge on the same port.
    let text = curl(&["-i", "--http2-prior-knowledge", &root]);
    assert!(text.starts_with("HTTP/2 200"), "{text}");
    assert!(text.ends_with(hyper_server::HELLO), "{text}");
    let body: String = (0..20_000)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    let text = curl(&["--http2-prior-knowledge", "--data-binary", &body, &echo]);
    assert!(text == body, "h2 echo of {} bytes differs", body.len());

    shutdown.cancel();
    done.recv_timeout(Duration::from_secs(30))
        .expect("server did not stop")
        .unwrap();
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
fn wrk_and_h2load_get_only_successes() {
    let _dog = Watchdog::new("wrk_h2load_hyper_server", Duration::from_secs(180));
    let (addr, shutdown, done) = start_server();
    let url = format!("http://{addr}/");

    // 10 s, as the issue asks; 50 connections on 2 threads.
    let mut wrk = tool("wrk", "wrk");
    wrk.args(["-t2", "-c50", "-d10s", "--timeout", "10s", &url]);
    let (report, _) = run(wrk);
    assert!(
        !report.contains("Socket errors"),
        "wrk saw socket errors:\n{report}"
    );
    assert!(
        !report.contains("Non-2xx"),
        "wrk saw non-2xx answers:\n{report}"
    );
    assert!(wrk_requests(&report) > 0, "{report}");

    // HTTP/2: 10 connections, 10 streams in flight on each.
    let mut h2load = tool("h2load", "nghttp2-client");
    h2load.args(["-n", "20000", "-c", "10", "-m", "10", &url]);
    let (report, _) = run(h2load);
    assert!(
        report.contains(
            "requests: 20000 total, 20000 started, 20000 done, 20000 succeeded, 0 failed, 0 errored, 0 timeout"
        ),
        "h2load saw failures:\n{report}"
    );
    assert!(
        report.contains("status codes: 20000 2xx"),
        "h2load saw non-2xx answers:\n{report}"
    );

    shutdown.cancel();
    done.recv_timeout(Duration::from_secs(30))
        .expect("server did not stop")
        .unwrap();
}

#[test]
fn graceful_shutdown_finishes_the_request_in_flight() {
    let _dog = Watchdog::new("graceful_shutdown", Duration::from_secs(60));
    let (addr, shutdown, done) = start_server();
    support::multi(2).block_on(async move {
        let stream = runtime::net::TcpStream::connect(addr).await.unwrap();
        let (mut sender, conn) = hyper::client::conn::http1::handshake(HyperIo::new(stream))
            .await
            .unwrap();
        let conn = runtime::spawn(conn);
        // A streamed request body: the first half now, the second after shutdown starts.
        let (tx, rx) = runtime::sync::mpsc::channel::<Result<Frame<Bytes>, std::io::Error>>(4);
        let body = StreamBody::new(futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|frame| (frame, rx))
        }));
        let request = hyper::Request::post("/echo")
            .header("host", "test")
            .body(body)
            .unwrap();
        tx.send(Ok(Frame::data(Bytes::from("first half, "))))
            .await
            .unwrap();
        // The echo handler answers at once, so response headers prove the server is inside
        // the request.
        let response = sender.send_request(request).await.unwrap();
        assert_eq!(response.status(), 200);

        shutdown.cancel();
        tx.send(Ok(Frame::data(Bytes::from("second half"))))
            .await
            .unwrap();
        drop(tx);
        let body = response.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(body, "first half, second half");
        // The server closes the connection after that response (no keep-alive once
        // shutting down), so the client connection ends.
        conn.await.unwrap().unwrap();
    });
    // `serve` returns (dropping the listener it owns) once its last connection is done. (Not
    // checked by connecting again: a parallel test may already have bound the freed port.)
    done.recv_timeout(Duration::from_secs(30))
        .expect("server did not stop after its last connection closed")
        .unwrap();
}

/// A `python3 -m http.server` child, killed when dropped.
struct HttpServer(Child);

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn hyper_client_fetches_files_from_python_http_server() {
    let _dog = Watchdog::new("hyper_client_python", Duration::from_secs(120));
    let dir = std::env::temp_dir().join(format!("runtime-peers-hyper-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let files: Vec<(String, Vec<u8>)> = vec![
        ("empty.txt".into(), Vec::new()),
        ("hello.txt".into(), b"Hello from python\n".to_vec()),
        (
            "binary.bin".into(),
            (0..1_500_000u32)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
                .collect(),
        ),
        (
            "lines.txt".into(),
            (0..5000)
                .map(|i| format!("line {i}\n"))
                .collect::<String>()
                .into_bytes(),
        ),
    ];
    for (name, data) in &files {
        std::fs::write(dir.join(name), data).unwrap();
    }
    // A free port: bind, read it, release it for python.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let python = tool("python3", "python3")
        .args([
            "-m",
            "http.server",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--directory",
        ])
        .arg(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start python3 -m http.server");
    let _python = HttpServer(python);
    support::wait_until("python3 -m http.server accepts connections", || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });

    let mut urls: Vec<String> = files
        .iter()
        .map(|(name, _)| format!("http://127.0.0.1:{port}/{name}"))
        .collect();
    urls.push(format!("http://127.0.0.1:{port}/missing.txt"));
    urls.push("https://127.0.0.1/".to_owned());
    let results = support::multi(2).block_on(hyper_client::fetch_all(&urls));
    assert_eq!(results.len(), urls.len());
    for ((name, data), result) in files.iter().zip(&results) {
        let (status, body) = result
            .as_ref()
            .unwrap_or_else(|err| panic!("{name}: {err}"));
        assert_eq!(*status, 200, "{name}");
        assert!(
            body[..] == data[..],
            "{name}: {} bytes fetched, {} on disk, or different bytes",
            body.len(),
            data.len()
        );
    }
    let (status, _) = results[files.len()].as_ref().unwrap();
    assert_eq!(*status, 404, "missing file");
    let err = results[files.len() + 1].as_ref().unwrap_err();
    assert!(err.to_string().contains("not supported"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
