//! Fetches several URLs concurrently with hyper's HTTP/1.1 client on `runtime`: the
//! `fetch_all` example of aiohttp's tutorials (`asyncio.gather` over `session.get`).
//!
//! Each URL gets its own task and its own connection; results are printed in the order the
//! URLs were given, however the fetches interleave. Plain `http://` only (there is no TLS
//! here); an `https://` URL or an unreachable host is reported for that URL and the others go
//! on.
//!
//! ```text
//! python3 -m http.server 8000 &
//! cargo run --release -p examples --example hyper_client \
//!     http://127.0.0.1:8000/ http://127.0.0.1:8000/Cargo.toml
//! ```

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::{Request, StatusCode, Uri};
use runtime::compat::hyper::HyperIo;
use runtime::net::TcpStream;
use std::error::Error;

/// Why one fetch failed.
pub type FetchError = Box<dyn Error + Send + Sync>;

/// GETs `url` over a fresh connection; returns the status and the whole body.
pub async fn fetch(url: &str) -> Result<(StatusCode, Bytes), FetchError> {
    let uri: Uri = url
        .parse()
        .map_err(|err| format!("{url:?} is not a URL: {err}"))?;
    match uri.scheme_str() {
        Some("http") => {}
        Some(other) => {
            return Err(
                format!("{url}: scheme {other:?} is not supported (plain http only)").into(),
            );
        }
        None => return Err(format!("{url}: no scheme (write http://{url})").into()),
    }
    let host = uri.host().ok_or_else(|| format!("{url}: no host"))?;
    let port = uri.port_u16().unwrap_or(80);
    let stream = TcpStream::connect((host, port))
        .await
        .map_err(|err| format!("{url}: cannot connect to {host}:{port}: {err}"))?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(HyperIo::new(stream)).await?;
    // The connection future does the socket work; it ends when `sender` is dropped.
    runtime::spawn(async move {
        if let Err(err) = connection.await {
            eprintln!("connection error: {err}");
        }
    });
    let authority = uri.authority().map_or(host, |a| a.as_str()).to_owned();
    let path = uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
    let request = Request::get(path)
        .header(hyper::header::HOST, authority)
        .body(Empty::<Bytes>::new())?;
    let response = sender.send_request(request).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, body))
}

/// Fetches every URL at once, one task each; the results come back in the order of `urls`.
pub async fn fetch_all(urls: &[String]) -> Vec<Result<(StatusCode, Bytes), FetchError>> {
    let tasks: Vec<_> = urls
        .iter()
        .map(|url| {
            let url = url.clone();
            runtime::spawn(async move { fetch(&url).await })
        })
        .collect();
    let mut results = Vec::with_capacity(tasks.len());
    for task in tasks {
        results.push(
            task.await
                .unwrap_or_else(|err| Err(format!("fetch task failed: {err}").into())),
        );
    }
    results
}

#[runtime::main]
async fn main() {
    let urls: Vec<String> = std::env::args().skip(1).collect();
    if urls.is_empty() {
        eprintln!("usage: hyper_client URL...   (e.g. http://127.0.0.1:8000/)");
        std::process::exit(2);
    }
    let start = runtime::time::Instant::now();
    let results = fetch_all(&urls).await;
    let mut failed = 0;
    for (url, result) in urls.iter().zip(results) {
        match result {
            Ok((status, body)) => println!("{url}: {status}, {} bytes", body.len()),
            Err(err) => {
                failed += 1;
                println!("{url}: error: {err}");
            }
        }
    }
    println!("fetched {} URL(s) in {:?}", urls.len(), start.elapsed());
    if failed > 0 {
        std::process::exit(1);
    }
}
