//! A TCP echo server: every connection gets its bytes back until it closes.
//!
//! Run with `cargo run -p runtime --example echo_server [ADDR]` (default `127.0.0.1:8081`),
//! then talk to it with `cargo run -p runtime --example echo_client` or `nc 127.0.0.1 8081`.

use runtime::net::{TcpListener, TcpStream};

#[runtime::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8081".to_owned());
    let listener = TcpListener::bind(&addr).await?;
    println!("echo server listening on {}", listener.local_addr()?);
    loop {
        let (mut conn, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            // Out of descriptors, or a connection reset before we took it: keep serving.
            Err(err) => {
                eprintln!("accept failed: {err}");
                continue;
            }
        };
        runtime::spawn(async move {
            conn.set_nodelay(true).ok();
            // Borrowed halves: no lock, no extra allocation.
            let (mut reader, mut writer) = TcpStream::split(&mut conn);
            match runtime::io::copy(&mut reader, &mut writer).await {
                Ok(bytes) => println!("{peer}: echoed {bytes} bytes"),
                Err(err) => eprintln!("{peer}: {err}"),
            }
        });
    }
}
