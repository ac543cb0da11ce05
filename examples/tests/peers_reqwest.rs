//! The `reqwest` example against `python3 -m http.server` (started here, on a port it picks
//! itself): concurrent GETs from `runtime` tasks through `async_compat::Compat`, bodies checked
//! byte for byte, a 404, a refused connection; and the panic reqwest gives outside a Tokio
//! context.
//!
//! Needs `python3` (`bash .ci/peers` installs it); fails with that message if it is missing.

#[path = "../../runtime/tests/support/mod.rs"]
mod support;

#[allow(dead_code)] // the example's `main` is not used here
#[path = "../reqwest.rs"]
mod reqwest_example;

use async_compat::Compat;
use reqwest_example as ex;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use support::Watchdog;

/// A `python3 -m http.server` child serving a temporary directory, killed when dropped.
struct HttpServer {
    child: Child,
    port: u16,
    dir: std::path::PathBuf,
}

impl HttpServer {
    /// Serves `files` from a fresh directory on a port python binds itself (port 0) and
    /// reports on its first line.
    fn start(files: &[(&str, Vec<u8>)]) -> HttpServer {
        // A directory of its own: tests run in parallel, each with its own server.
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "runtime-peers-reqwest-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        for (name, data) in files {
            std::fs::write(dir.join(name), data).unwrap();
        }
        let mut child = Command::new("python3")
            .args(["-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory"])
            .arg(&dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|err| {
                panic!("cannot start python3 -m http.server: {err}\nRun `bash .ci/peers` (installs Debian's python3).")
            });
        // "Serving HTTP on 127.0.0.1 port 43117 (http://127.0.0.1:43117/) ..."
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .split(" port ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| panic!("python3 -m http.server said {line:?}, not its port"));
        HttpServer { child, port, dir }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/{path}", self.port)
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn reqwest_concurrent_gets_return_each_files_bytes_and_404_for_a_missing_one() {
    let _dog = Watchdog::new("reqwest_gets", Duration::from_secs(120));
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("empty.txt", Vec::new()),
        ("hello.txt", b"Hello from python\n".to_vec()),
        (
            "binary.bin",
            (0..1_000_000u32)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
                .collect(),
        ),
        (
            "lines.txt",
            (0..5000)
                .map(|i| format!("line {i}\n"))
                .collect::<String>()
                .into_bytes(),
        ),
    ];
    let server = HttpServer::start(&files);
    let mut urls: Vec<String> = files.iter().map(|(name, _)| server.url(name)).collect();
    // Each file twice more: 12 GETs at once over the one client's pool.
    urls.extend(urls.clone());
    urls.push(server.url("missing.txt"));

    let results = support::multi(2).block_on(async {
        let client = ex::client().unwrap();
        ex::fetch_all(&client, &urls).await
    });
    assert_eq!(results.len(), urls.len());
    for ((name, data), result) in files.iter().cycle().zip(&results[..urls.len() - 1]) {
        let (status, body) = result
            .as_ref()
            .unwrap_or_else(|err| panic!("{name}: {err}"));
        assert_eq!(*status, 200, "{name}");
        assert!(
            body == data,
            "{name}: {} bytes fetched, {} on disk, or other bytes",
            body.len(),
            data.len()
        );
    }
    let (status, _) = results.last().unwrap().as_ref().unwrap();
    assert_eq!(*status, 404);
}

#[test]
fn reqwest_refused_connection_is_an_error_for_that_url_only() {
    let _dog = Watchdog::new("reqwest_refused", Duration::from_secs(60));
    let server = HttpServer::start(&[("ok.txt", b"ok".to_vec())]);
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let urls = vec![format!("http://127.0.0.1:{closed}/"), server.url("ok.txt")];
    let results =
        support::current().block_on(async { ex::fetch_all(&ex::client().unwrap(), &urls).await });
    let err = results[0].as_ref().unwrap_err().to_string();
    assert!(
        err.starts_with(&format!("GET {}: error sending request", urls[0])),
        "{err}"
    );
    let (status, body) = results[1].as_ref().unwrap();
    assert_eq!((status.as_u16(), &body[..]), (200, &b"ok"[..]));
}

#[test]
fn reqwest_outside_a_tokio_context_panics_asking_for_one() {
    let _dog = Watchdog::new("reqwest_no_context", Duration::from_secs(60));
    let server = HttpServer::start(&[("ok.txt", b"ok".to_vec())]);
    let url = server.url("ok.txt");
    // The same request without Compat around it.
    let panic = std::panic::catch_unwind(|| {
        support::current().block_on(async {
            let client = ex::client().unwrap();
            let _ = client.get(&url).send().await;
        })
    })
    .unwrap_err();
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    assert!(message.contains("Tokio 1.x runtime"), "{message}");
    // And with it, the same request goes through.
    let (status, body) = support::current().block_on(Compat::new(async {
        let response = ex::client().unwrap().get(&url).send().await.unwrap();
        (response.status(), response.bytes().await.unwrap())
    }));
    assert_eq!((status.as_u16(), &body[..]), (200, &b"ok"[..]));
}
