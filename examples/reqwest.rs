//! Fetches several URLs concurrently with reqwest on `runtime`, one task per URL, all sharing
//! one `reqwest::Client` (and so its connection pool); results in the order the URLs were
//! given.
//!
//! reqwest needs a Tokio context: it connects with `tokio::net`, spawns each connection's
//! task with `tokio::spawn` and times out with `tokio::time`, with no way to plug in another
//! runtime's (without a context it panics: "must be called from the context of a Tokio 1.x
//! runtime"). So each task's future is wrapped in [`async_compat::Compat`], which enters a
//! one-thread Tokio runtime (thread `async-compat/tokio-1`, started on first use) while it is
//! polled: the tasks are `runtime` tasks, the sockets and the connection tasks live on that
//! thread. For plain HTTP on `runtime`'s own reactor, see the `hyper_client` example. Built
//! with no default features: HTTP/1.1, no TLS.
//!
//! ```text
//! python3 -m http.server 8000 --bind 127.0.0.1 &
//! cargo run --release -p examples --example reqwest \
//!     http://127.0.0.1:8000/ http://127.0.0.1:8000/Cargo.toml
//! ```

use async_compat::Compat;
use reqwest::{Client, StatusCode};
use std::error::Error;
use std::time::Duration;

/// Why one fetch failed.
pub type FetchError = Box<dyn Error + Send + Sync>;

/// A client with a 30 s timeout per request (connect included).
pub fn client() -> Result<Client, FetchError> {
    Ok(Client::builder().timeout(Duration::from_secs(30)).build()?)
}

/// GETs every URL at once, each from its own `runtime` task; the status and whole body of
/// each, in the order given. A failed fetch is reported for its URL and the others go on.
pub async fn fetch_all(
    client: &Client,
    urls: &[String],
) -> Vec<Result<(StatusCode, Vec<u8>), FetchError>> {
    let handles: Vec<_> = urls
        .iter()
        .map(|url| {
            let (client, url) = (client.clone(), url.clone());
            runtime::spawn(Compat::new(async move {
                let response = client
                    .get(&url)
                    .send()
                    .await
                    .map_err(|err| format!("GET {url}: {err}"))?;
                let status = response.status();
                let body = response
                    .bytes()
                    .await
                    .map_err(|err| format!("GET {url}: reading the body: {err}"))?;
                Ok::<_, FetchError>((status, body.to_vec()))
            }))
        })
        .collect();
    let mut results = Vec::with_capacity(handles.len());
    for handle in handles {
        results.push(handle.await.unwrap_or_else(|err| Err(err.into())));
    }
    results
}

#[runtime::main]
async fn main() -> Result<(), FetchError> {
    let mut urls: Vec<String> = std::env::args().skip(1).collect();
    if urls.is_empty() {
        urls.push("http://127.0.0.1:8000/".to_owned());
    }
    let client = client()?;
    for (url, result) in urls.iter().zip(fetch_all(&client, &urls).await) {
        match result {
            Ok((status, body)) => println!("{url}: {status}, {} bytes", body.len()),
            Err(err) => println!("{url}: error: {err}"),
        }
    }
    Ok(())
}
