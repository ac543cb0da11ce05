//! Files without blocking the workers (the `aiofiles` example): write a file in pieces, read it
//! back line by line, append, copy, list the directory, clean up.
//!
//! Run with `cargo run -p runtime --example file_io`.

use futures_util::StreamExt;
use runtime::fs::{self, File, OpenOptions};
use runtime::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

#[runtime::main]
async fn main() -> std::io::Result<()> {
    let dir = std::env::temp_dir().join(format!("runtime-file-io-{}", std::process::id()));
    fs::create_dir_all(&dir).await?;
    let path = dir.join("numbers.txt");

    // Write: small writes are buffered and handed to the blocking pool in the background.
    let mut file = File::create(&path).await?;
    for i in 1..=1000 {
        file.write_all(format!("line {i}\n").as_bytes()).await?;
    }
    file.sync_all().await?; // wait for the writes and flush them to disk

    // Read line by line: `File` reads ahead, so this is not one thread hop per line.
    let mut lines = BufReader::new(File::open(&path).await?).lines();
    let mut count = 0;
    let mut last = String::new();
    while let Some(line) = lines.next().await {
        last = line?;
        count += 1;
    }
    println!("read {count} lines, the last is {last:?}");

    // Append, copy, and look at the directory.
    let mut log = OpenOptions::new().append(true).open(&path).await?;
    log.write_all(b"appended\n").await?;
    log.flush().await?;
    fs::copy(&path, dir.join("copy.txt")).await?;
    let mut entries = fs::read_dir(&dir).await?;
    while let Some(entry) = entries.next_entry().await? {
        println!(
            "{:>8} bytes  {}",
            entry.metadata().await?.len(),
            entry.file_name().to_string_lossy()
        );
    }

    // Errors carry the path.
    if let Err(err) = fs::read(dir.join("missing.txt")).await {
        println!("expected error: {err}");
    }
    fs::remove_dir_all(&dir).await?;
    Ok(())
}
