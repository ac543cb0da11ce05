//! `runtime::fs`: round trips through every free function and `File`, read-ahead hidden from
//! the file position, write-behind that survives drop, and errors that keep kind and path.

mod support;

use futures_util::StreamExt;
use runtime::fs::{self, File};
use runtime::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use std::io::{self, SeekFrom};
use support::TempDir;

#[test]
fn free_functions_round_trip() {
    let dir = TempDir::new("ops");
    let root = dir.root().to_path_buf();
    support::multi(2).block_on(async move {
        let nested = root.join("a/b");
        fs::create_dir_all(&nested).await.unwrap();
        fs::write(nested.join("one.txt"), "first").await.unwrap();
        assert_eq!(
            fs::read_to_string(nested.join("one.txt")).await.unwrap(),
            "first"
        );
        assert_eq!(
            fs::copy(nested.join("one.txt"), nested.join("two.txt"))
                .await
                .unwrap(),
            5
        );
        fs::rename(nested.join("two.txt"), root.join("moved.txt"))
            .await
            .unwrap();
        assert_eq!(fs::read(root.join("moved.txt")).await.unwrap(), b"first");
        assert_eq!(fs::metadata(root.join("moved.txt")).await.unwrap().len(), 5);
        assert!(fs::metadata(&nested).await.unwrap().is_dir());
        let canonical = fs::canonicalize(nested.join("../b/./one.txt"))
            .await
            .unwrap();
        assert_eq!(
            canonical,
            std::fs::canonicalize(nested.join("one.txt")).unwrap()
        );
        fs::create_dir(root.join("empty")).await.unwrap();
        fs::remove_dir(root.join("empty")).await.unwrap();
        fs::remove_file(root.join("moved.txt")).await.unwrap();
        fs::remove_dir_all(root.join("a")).await.unwrap();
        let mut left = fs::read_dir(&root).await.unwrap();
        assert!(left.next_entry().await.unwrap().is_none());
    });
}

#[test]
fn read_dir_streams_every_entry_across_batches() {
    let dir = TempDir::new("readdir");
    let root = dir.root().to_path_buf();
    support::current().block_on(async move {
        for i in 0..100 {
            fs::write(root.join(format!("f{i:03}")), [i as u8])
                .await
                .unwrap();
        }
        let mut names = Vec::new();
        let mut entries = fs::read_dir(&root).await.unwrap();
        while let Some(entry) = entries.next().await {
            let entry = entry.unwrap();
            assert!(entry.file_type().await.unwrap().is_file());
            assert_eq!(entry.metadata().await.unwrap().len(), 1);
            assert_eq!(entry.path(), root.join(entry.file_name()));
            names.push(entry.file_name().into_string().unwrap());
        }
        names.sort();
        let expected: Vec<_> = (0..100).map(|i| format!("f{i:03}")).collect();
        assert_eq!(names, expected);
    });
}

#[test]
fn missing_paths_give_not_found_with_the_path_in_the_message() {
    let dir = TempDir::new("missing");
    let missing = dir.path("does-not-exist.txt");
    let shown = missing.display().to_string();
    support::current().block_on(async move {
        let errors: Vec<io::Error> = vec![
            fs::read(&missing).await.unwrap_err(),
            fs::read_to_string(&missing).await.unwrap_err(),
            fs::metadata(&missing).await.unwrap_err(),
            fs::remove_file(&missing).await.unwrap_err(),
            fs::read_dir(&missing).await.unwrap_err(),
            fs::canonicalize(&missing).await.unwrap_err(),
            File::open(&missing).await.unwrap_err(),
            fs::copy(&missing, dir.path("x")).await.unwrap_err(),
        ];
        for err in errors {
            assert_eq!(err.kind(), io::ErrorKind::NotFound, "{err}");
            assert!(err.to_string().contains(&shown), "{err}");
        }
    });
}

#[test]
fn file_small_writes_then_small_reads_round_trip() {
    let dir = TempDir::new("file");
    let path = dir.path("data.bin");
    support::multi(2).block_on(async move {
        let data: Vec<u8> = (0..1_000_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let mut file = File::create(&path).await.unwrap();
        for chunk in data.chunks(8 * 1024) {
            file.write_all(chunk).await.unwrap();
        }
        file.sync_all().await.unwrap();
        assert_eq!(file.metadata().await.unwrap().len(), data.len() as u64);
        drop(file);

        let mut file = File::open(&path).await.unwrap();
        let mut back = Vec::new();
        let mut buf = vec![0u8; 8 * 1024];
        loop {
            let n = file.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            back.extend_from_slice(&buf[..n]);
        }
        assert_eq!(back.len(), data.len());
        assert!(back == data, "contents differ");
    });
}

#[test]
fn read_ahead_is_invisible_to_seek_and_write_positions() {
    let dir = TempDir::new("position");
    let path = dir.path("pos.txt");
    support::current().block_on(async move {
        fs::write(&path, "0123456789abcdefghij").await.unwrap();
        let mut file = support::open_rw(&path).await;
        let mut head = [0u8; 4];
        file.read_exact(&mut head).await.unwrap(); // the whole file was read ahead
        assert_eq!(&head, b"0123");
        assert_eq!(file.stream_position().await.unwrap(), 4);
        file.write_all(b"WXYZ").await.unwrap(); // lands at 4, not at the end
        file.seek(SeekFrom::Start(2)).await.unwrap();
        let mut mid = [0u8; 8];
        file.read_exact(&mut mid).await.unwrap();
        assert_eq!(&mid, b"23WXYZ89");
        file.set_len(12).await.unwrap();
        let mut rest = String::new();
        file.read_to_string(&mut rest).await.unwrap();
        assert_eq!(rest, "ab");
        file.flush().await.unwrap();
    });
    assert_eq!(std::fs::read(dir.path("pos.txt")).unwrap(), b"0123WXYZ89ab");
}

#[test]
fn an_accepted_write_lands_even_if_the_file_is_dropped_unflushed() {
    let dir = TempDir::new("writebehind");
    let path = dir.path("late.txt");
    let rt = support::current();
    rt.block_on({
        let path = path.clone();
        async move {
            let mut file = File::create(&path).await.unwrap();
            file.write_all(b"written behind").await.unwrap();
            drop(file);
        }
    });
    drop(rt); // shutdown waits for mandatory blocking work
    assert_eq!(std::fs::read(&path).unwrap(), b"written behind");
}

#[test]
fn fs_outside_a_runtime_is_an_error_not_a_panic() {
    let err = support::block_on_plain(fs::read("/proc/self/stat")).unwrap_err();
    assert!(err.to_string().contains("no runtime"), "{err}");
}

#[test]
fn write_vectored_writes_every_buffer_in_order() {
    use std::io::IoSlice;
    let dir = TempDir::new("vectored");
    let path = dir.path("v.txt");
    support::multi(2).block_on(async move {
        let mut file = File::create(&path).await.unwrap();
        let parts: [&[u8]; 4] = [b"alpha ", b"", b"beta ", b"gamma"];
        let slices: Vec<IoSlice<'_>> = parts.iter().map(|p| IoSlice::new(p)).collect();
        let written = file.write_vectored(&slices).await.unwrap();
        assert_eq!(written, 16, "one write takes every buffer");
        // A second vectored write after the first job lands behind it.
        let more = [IoSlice::new(b" delta"), IoSlice::new(b"!")];
        assert_eq!(file.write_vectored(&more).await.unwrap(), 7);
        assert_eq!(file.write_vectored(&[]).await.unwrap(), 0);
        file.flush().await.unwrap();
        assert_eq!(
            fs::read_to_string(&path).await.unwrap(),
            "alpha beta gamma delta!"
        );
    });
}
