//! HTTP/1.1 keep-alive "hello world" under load (issue 8): a minimal server written once over
//! [`RtNet`](crate::RtNet) and an in-process load client on the same runtime. One operation is
//! one request/response on a kept-alive connection.

use super::echo::{loopback_listener, serve_n};
use crate::{Rt, Workload};
use std::net::SocketAddr;

/// The request every client sends (HTTP/1.1 keeps the connection alive by default).
pub const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: bench\r\nUser-Agent: benches\r\n\r\n";
/// The server's only answer.
pub const RESPONSE: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\r\nHello, world!";
/// Largest request head the server accepts; a longer one gets 431 and the connection closes.
const MAX_HEAD: usize = 8 * 1024;
const TOO_LARGE: &[u8] =
    b"HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

/// Index just past the first `\r\n\r\n` in `buf`, if any.
///
/// ```
/// use benches::workloads::http::head_end;
/// assert_eq!(head_end(b"GET / HTTP/1.1\r\n\r\nrest"), Some(18));
/// assert_eq!(head_end(b"GET / HTTP/1.1\r\n"), None);
/// ```
pub fn head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4)
}

/// Serves requests on one connection until the peer closes; answers each complete request head
/// (bodies are not supported: the load client sends GETs) with [`RESPONSE`].
async fn serve<R: Rt>(mut stream: R::Stream) {
    let mut buf = vec![0u8; MAX_HEAD];
    let (mut start, mut end) = (0, 0);
    loop {
        while let Some(len) = head_end(&buf[start..end]) {
            start += len;
            if R::write_all(&mut stream, RESPONSE).await.is_err() {
                return;
            }
        }
        if start == end {
            (start, end) = (0, 0);
        } else if end == buf.len() {
            if start == 0 {
                // The head does not fit: refuse it rather than buffer without bound.
                let _ = R::write_all(&mut stream, TOO_LARGE).await;
                return;
            }
            buf.copy_within(start..end, 0);
            (start, end) = (0, end - start);
        }
        match R::read(&mut stream, &mut buf[end..]).await {
            Ok(0) | Err(_) => return,
            Ok(n) => end += n,
        }
    }
}

/// One keep-alive client: `requests` sequential requests; returns how many got [`RESPONSE`].
async fn client<R: Rt>(addr: SocketAddr, requests: u64) -> u64 {
    let mut stream = R::connect(addr)
        .await
        .unwrap_or_else(|e| panic!("{}: connect failed: {e}", R::NAME));
    let mut back = vec![0u8; RESPONSE.len()];
    let mut ok = 0;
    for _ in 0..requests {
        R::write_all(&mut stream, REQUEST).await.expect("request");
        R::read_exact(&mut stream, &mut back)
            .await
            .expect("response");
        ok += u64::from(back == RESPONSE);
    }
    ok
}

/// `CONNS` keep-alive connections each send `REQS` requests to the in-process server.
///
/// ```
/// use benches::{Rt, Workload, adapters::RuntimeRt, workloads::http::HttpHello};
/// let rt = RuntimeRt::new(1).unwrap();
/// assert_eq!(HttpHello::run(&rt), HttpHello::expected());
/// ```
#[derive(Debug)]
pub struct Http<const CONNS: u64, const REQS: u64>;

/// 50 connections x 100 requests.
pub type HttpHello = Http<50, 100>;

impl<const CONNS: u64, const REQS: u64> Workload for Http<CONNS, REQS> {
    const NAME: &'static str = "http_hello_50c";
    const OPS: u64 = CONNS * REQS;
    const UNIT: &'static str = "req";
    const CPU: bool = true;

    fn run<R: Rt>(rt: &R) -> u64 {
        rt.block_on(rt.spawn_remote(async {
            let (listener, addr) = loopback_listener::<R>().await;
            let server = serve_n::<R, _, _>(listener, CONNS, serve::<R>);
            let clients: Vec<_> = (0..CONNS)
                .map(|_| R::spawn(client::<R>(addr, REQS)))
                .collect();
            server.await;
            let mut ok = 0;
            for c in clients {
                ok += c.await;
            }
            ok
        }))
    }

    fn expected() -> u64 {
        CONNS * REQS
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RtNet;
    use crate::adapters::TokioRt;

    #[test]
    fn oversized_head_gets_431_and_pipelined_requests_each_get_an_answer() {
        let rt = TokioRt::new(1).unwrap();
        rt.block_on(async {
            let (listener, addr) = loopback_listener::<TokioRt>().await;
            let server = serve_n::<TokioRt, _, _>(listener, 2, serve::<TokioRt>);
            // Two pipelined requests in one write: two responses.
            let mut c = TokioRt::connect(addr).await.unwrap();
            let two = [REQUEST, REQUEST].concat();
            TokioRt::write_all(&mut c, &two).await.unwrap();
            let mut back = vec![0u8; 2 * RESPONSE.len()];
            TokioRt::read_exact(&mut c, &mut back).await.unwrap();
            assert_eq!(back, [RESPONSE, RESPONSE].concat());
            drop(c);
            // A head with no end that fills the buffer: 431, then the server closes.
            let mut c = TokioRt::connect(addr).await.unwrap();
            TokioRt::write_all(&mut c, &vec![b'a'; MAX_HEAD])
                .await
                .unwrap();
            let mut answer = Vec::new();
            let mut chunk = [0u8; 256];
            loop {
                match TokioRt::read(&mut c, &mut chunk).await.unwrap() {
                    0 => break,
                    n => answer.extend_from_slice(&chunk[..n]),
                }
            }
            assert_eq!(answer, TOO_LARGE);
            server.await;
        });
    }
}
