//! Real clients nobody here wrote talk to the `http_hello` example server: `curl` gets the
//! right answer over a keep-alive connection, and `wrk` runs for a few seconds with zero socket
//! errors and only 2xx answers. Needs `curl` and `wrk` on `PATH` (Debian: `apt-get install
//! curl wrk`); fails with that message if they are missing.

mod support;

#[allow(dead_code)] // the example's `main` is not used here, only its server
#[path = "../examples/http_hello.rs"]
mod http_hello;

use std::net::SocketAddr;
use std::process::Command;
use std::time::Duration;
use support::Watchdog;

/// Starts the example's server on a fresh port in a background multi-thread runtime.
fn start_server() -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = support::multi(2);
        rt.block_on(async move {
            let listener = runtime::net::TcpListener::bind("127.0.0.1:0")
                .await
                .unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            http_hello::serve(listener).await
        })
    });
    rx.recv_timeout(Duration::from_secs(30))
        .expect("server did not start")
}

fn tool(name: &str) -> Command {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output();
    assert!(
        found.is_ok_and(|out| out.status.success()),
        "`{name}` is not installed: install curl and wrk (Debian: `apt-get install -y curl wrk`) \
         to run this test"
    );
    Command::new(name)
}

#[test]
fn curl_and_wrk_talk_to_http_hello() {
    let _dog = Watchdog::new("http_hello_peers", Duration::from_secs(120));
    let addr = start_server();
    let url = format!("http://{addr}/");

    // Two requests on one connection: the second reuses it (keep-alive).
    let out = tool("curl")
        .args([
            "-sS",
            "-i",
            "--max-time",
            "20",
            &url,
            "--next",
            "-sS",
            "-i",
            &url,
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "curl failed: {stderr}");
    assert_eq!(text.matches("HTTP/1.1 200 OK").count(), 2, "{text}");
    assert_eq!(text.matches(http_hello::BODY).count(), 2, "{text}");
    assert!(text.contains("Content-Length: 13"), "{text}");

    let out = tool("wrk")
        .args(["-t2", "-c50", "-d3s", "--timeout", "10s", &url])
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "wrk failed: {report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !report.contains("Socket errors"),
        "wrk saw socket errors:\n{report}"
    );
    assert!(
        !report.contains("Non-2xx"),
        "wrk saw non-2xx answers:\n{report}"
    );
    let requests: u64 = report
        .lines()
        .find_map(|line| {
            line.trim()
                .split_once(" requests in ")
                .map(|(n, _)| n.trim().parse().unwrap())
        })
        .unwrap_or_else(|| panic!("no request count in wrk's report:\n{report}"));
    assert!(requests > 0, "{report}");
}

/// What the server's answers end with: the greeting, or the error status's text.
const BODIES: [&str; 3] = [
    http_hello::BODY,
    "400 Bad Request",
    "431 Request Header Fields Too Large",
];

/// Sends `request` on a fresh connection and returns what the server writes until `expect`
/// whole answers have arrived or it closes the connection.
fn exchange(addr: SocketAddr, request: &[u8], expect: usize) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream.write_all(request).unwrap();
    let mut got = String::new();
    let mut chunk = [0u8; 4096];
    while got.matches("HTTP/1.1 ").count() < expect || !BODIES.iter().any(|b| got.ends_with(b)) {
        match stream.read(&mut chunk).unwrap() {
            0 => break,
            n => got.push_str(std::str::from_utf8(&chunk[..n]).unwrap()),
        }
    }
    got
}

/// The parser (`httparse`) as a client sees it: pipelined requests each get an answer, in
/// order, a request body is skipped by its `Content-Length`, HTTP/1.0 and `Connection: close`
/// close after the answer, malformed heads get `400` and too many headers `431`.
#[test]
fn pipelining_bodies_and_bad_heads_get_the_right_answers() {
    let _dog = Watchdog::new("http_hello_parser", Duration::from_secs(60));
    let addr = start_server();

    let two = exchange(
        addr,
        b"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET /b HTTP/1.1\r\nHost: x\r\n\r\n",
        2,
    );
    assert_eq!(two.matches("HTTP/1.1 200 OK").count(), 2, "{two}");
    assert_eq!(two.matches("Connection: keep-alive").count(), 2, "{two}");
    assert!(two.ends_with("Hello, world!"), "{two}");

    let old = exchange(addr, b"GET / HTTP/1.0\r\n\r\n", 1);
    assert!(old.starts_with("HTTP/1.1 200 OK"), "{old}");
    assert!(old.contains("Connection: close"), "{old}");

    let closing = exchange(addr, b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", 1);
    assert!(closing.contains("Connection: close"), "{closing}");

    let bad = exchange(addr, b"GET / HTTP/1.1\r\nno colon here\r\n\r\n", 1);
    assert!(bad.starts_with("HTTP/1.1 400 Bad Request"), "{bad}");

    let bad_length = exchange(addr, b"GET / HTTP/1.1\r\nContent-Length: ten\r\n\r\n", 1);
    assert!(
        bad_length.starts_with("HTTP/1.1 400 Bad Request"),
        "{bad_length}"
    );

    let mut many = b"GET / HTTP/1.1\r\n".to_vec();
    for i in 0..100 {
        many.extend_from_slice(format!("X-H{i}: v\r\n").as_bytes());
    }
    many.extend_from_slice(b"\r\n");
    let too_many = exchange(addr, &many, 1);
    assert!(
        too_many.starts_with("HTTP/1.1 431 Request Header Fields Too Large"),
        "{too_many}"
    );
}
