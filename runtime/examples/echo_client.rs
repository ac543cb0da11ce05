//! A TCP echo client: sends a few lines to an echo server and checks each reply.
//!
//! Start `cargo run -p runtime --example echo_server` first, then
//! `cargo run -p runtime --example echo_client [ADDR]` (default `127.0.0.1:8081`).

use runtime::io::{AsyncReadExt, AsyncWriteExt};
use runtime::net::TcpStream;

#[runtime::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8081".to_owned());
    let mut stream = TcpStream::connect(&addr).await?;
    stream.set_nodelay(true)?;
    println!("connected to {}", stream.peer_addr()?);
    for line in ["hello", "from", "the runtime echo client"] {
        stream.write_all(line.as_bytes()).await?;
        let mut reply = vec![0; line.len()];
        stream.read_exact(&mut reply).await?;
        assert_eq!(
            reply,
            line.as_bytes(),
            "the server must echo exactly what it got"
        );
        println!("echoed: {}", String::from_utf8_lossy(&reply));
    }
    // Half-close: the server sees end-of-file and closes its side too.
    stream.close().await?;
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).await?;
    println!(
        "server closed the connection ({} trailing bytes)",
        rest.len()
    );
    Ok(())
}
