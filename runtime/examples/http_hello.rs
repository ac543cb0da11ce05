//! A minimal HTTP/1.1 server answering every request with "Hello, world!", with keep-alive
//! and pipelining, written directly on `TcpListener` (request heads parsed by `httparse`).
//!
//! Run with `cargo run --release -p runtime --example http_hello [ADDR]` (default
//! `127.0.0.1:8080`), then `curl -v http://127.0.0.1:8080/` or
//! `wrk -t2 -c50 -d5 http://127.0.0.1:8080/`.

use runtime::io::{AsyncReadExt, AsyncWriteExt};
use runtime::net::{TcpListener, TcpStream};
use std::io;

/// The one response body.
pub const BODY: &str = "Hello, world!";

/// Largest request head accepted; bigger ones get `431` and the connection is closed.
const MAX_HEAD: usize = 16 * 1024;

/// Accepts connections forever, serving each on its own task.
pub async fn serve(listener: TcpListener) -> io::Result<()> {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                runtime::spawn(async move {
                    let _ = serve_connection(stream).await;
                });
            }
            Err(err) => eprintln!("accept failed: {err}"),
        }
    }
}

/// One parsed request head: how long it is, its body length, whether to close afterwards.
struct Head {
    len: usize,
    body: usize,
    close: bool,
}

/// Most headers a request may carry; more get `431` and the connection is closed.
const MAX_HEADERS: usize = 64;

/// Parses the head at the start of `buf` with `httparse`: `None` until it is complete, else
/// the head or the error status to answer with.
fn parse_head(buf: &[u8]) -> Option<Result<Head, &'static str>> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut headers);
    let len = match request.parse(buf) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return None,
        Err(httparse::Error::TooManyHeaders) => {
            return Some(Err("431 Request Header Fields Too Large"));
        }
        Err(_) => return Some(Err("400 Bad Request")),
    };
    // HTTP/1.0 closes after the answer unless it asks for keep-alive.
    let mut head = Head {
        len,
        body: 0,
        close: request.version == Some(0),
    };
    for header in request.headers.iter() {
        let value = header.value.trim_ascii();
        if header.name.eq_ignore_ascii_case("content-length") {
            match std::str::from_utf8(value).ok().and_then(|v| v.parse().ok()) {
                Some(n) => head.body = n,
                None => return Some(Err("400 Bad Request")),
            }
        } else if header.name.eq_ignore_ascii_case("connection") {
            head.close = value.eq_ignore_ascii_case(b"close");
        }
    }
    Some(Ok(head))
}

async fn serve_connection(mut stream: TcpStream) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    let mut out = Vec::with_capacity(1024);
    loop {
        // Answer every complete request in the buffer (pipelining), then write once.
        let mut close = false;
        while let Some(parsed) = parse_head(&buf) {
            let (status, head_len, body) = match parsed {
                Ok(head) => {
                    close |= head.close;
                    ("200 OK", head.len, head.body)
                }
                Err(status) => {
                    close = true;
                    (status, buf.len(), 0)
                }
            };
            if buf.len() < head_len + body {
                break; // the body has not fully arrived yet
            }
            buf.drain(..head_len + body);
            let body_text = if status == "200 OK" { BODY } else { status };
            let connection = if close { "close" } else { "keep-alive" };
            out.extend_from_slice(
                format!(
                    "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: {connection}\r\n\r\n{body_text}",
                    body_text.len()
                )
                .as_bytes(),
            );
            if close {
                break;
            }
        }
        if !out.is_empty() {
            stream.write_all(&out).await?;
            out.clear();
        }
        if close {
            return stream.close().await;
        }
        if buf.len() > MAX_HEAD {
            let reply = "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            stream.write_all(reply.as_bytes()).await?;
            return stream.close().await;
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

#[runtime::main]
async fn main() -> io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let listener = TcpListener::bind(&addr).await?;
    println!("http_hello listening on http://{}/", listener.local_addr()?);
    serve(listener).await
}
