//! `fs::File`'s handle-level API: `rewind`, `try_clone`, `into_std` (waits for what is in
//! flight, gives read-ahead back), `try_into_std` (refuses while busy), `set_max_buf_size`,
//! `From<std::fs::File>` and the Unix descriptor traits, on both runtime flavors.

mod support;

use runtime::fs::File;
use runtime::io::{AsyncReadExt, AsyncWriteExt};
use std::io::{Read, Seek, SeekFrom};
use support::{HANG_BOUND, TempDir, Watchdog, open_rw};

fn both_flavors() -> [runtime::Runtime; 2] {
    [support::current(), support::multi(2)]
}

#[test]
fn rewind_returns_to_the_start_after_writes_and_read_ahead() {
    let _dog = Watchdog::new("rewind", HANG_BOUND);
    let dir = TempDir::new("rewind");
    for (i, rt) in both_flavors().into_iter().enumerate() {
        let path = dir.file(&format!("f{i}"), b"0123456789");
        rt.block_on(async {
            let mut file = open_rw(&path).await;
            let mut two = [0u8; 2];
            file.read_exact(&mut two).await.unwrap(); // read ahead to the end
            file.rewind().await.unwrap();
            file.write_all(b"ab").await.unwrap();
            file.rewind().await.unwrap();
            let mut all = String::new();
            file.read_to_string(&mut all).await.unwrap();
            assert_eq!(all, "ab23456789");
        });
    }
}

#[test]
fn try_clone_shares_the_position_and_the_maximum_buffer_size() {
    let _dog = Watchdog::new("try_clone", HANG_BOUND);
    let dir = TempDir::new("clone");
    for (i, rt) in both_flavors().into_iter().enumerate() {
        let path = dir.file(&format!("f{i}"), b"");
        rt.block_on(async {
            let mut file = open_rw(&path).await;
            file.set_max_buf_size(3);
            let mut other = file.try_clone().await.unwrap();
            file.write_all(b"one,").await.unwrap();
            file.flush().await.unwrap();
            assert_eq!(
                other.write(b"two").await.unwrap(),
                3,
                "the clone kept the cap"
            );
            other.flush().await.unwrap();
            drop((file, other));
            assert_eq!(std::fs::read(&path).unwrap(), b"one,two");
        });
    }
}

#[test]
fn into_std_gives_back_unread_read_ahead_bytes() {
    let _dog = Watchdog::new("into_std read-ahead", HANG_BOUND);
    let dir = TempDir::new("into-std");
    for (i, rt) in both_flavors().into_iter().enumerate() {
        let path = dir.file(&format!("f{i}"), b"abcdefghij");
        let mut std_file = rt.block_on(async {
            let mut file = File::open(&path).await.unwrap();
            let mut three = [0u8; 3];
            file.read_exact(&mut three).await.unwrap();
            assert_eq!(&three, b"abc");
            file.into_std().await
        });
        assert_eq!(std_file.stream_position().unwrap(), 3);
        let mut rest = String::new();
        std_file.read_to_string(&mut rest).unwrap();
        assert_eq!(rest, "defghij");
    }
}

#[test]
fn into_std_waits_for_the_write_in_flight() {
    let _dog = Watchdog::new("into_std write", HANG_BOUND);
    let dir = TempDir::new("into-std-write");
    let big = vec![7u8; 1 << 20];
    for (i, rt) in both_flavors().into_iter().enumerate() {
        let path = dir.file(&format!("f{i}"), b"");
        let std_file = rt.block_on(async {
            let mut file = File::create(&path).await.unwrap();
            assert_eq!(file.write(&big).await.unwrap(), big.len()); // accepted, in flight
            file.into_std().await
        });
        assert_eq!(std_file.metadata().unwrap().len(), big.len() as u64);
        let mut std_file = std_file;
        assert_eq!(std_file.stream_position().unwrap(), big.len() as u64);
    }
}

#[test]
fn into_std_after_a_cancelled_call_still_returns_the_file() {
    let _dog = Watchdog::new("into_std cancelled", HANG_BOUND);
    let dir = TempDir::new("into-std-cancel");
    for (i, rt) in both_flavors().into_iter().enumerate() {
        let path = dir.file(&format!("f{i}"), b"data");
        let std_file = rt.block_on(async {
            let file = File::open(&path).await.unwrap();
            {
                // Poll `metadata` once (its blocking job starts), then drop it.
                let mut meta = std::pin::pin!(file.metadata());
                let _ = futures_util::poll!(meta.as_mut());
            }
            file.into_std().await
        });
        assert_eq!(std_file.metadata().unwrap().len(), 4);
    }
}

#[test]
fn try_into_std_refuses_while_busy_and_succeeds_once_idle() {
    let _dog = Watchdog::new("try_into_std", HANG_BOUND);
    let dir = TempDir::new("try-into-std");
    for (i, rt) in both_flavors().into_iter().enumerate() {
        let path = dir.file(&format!("f{i}"), b"0123456789");
        let mut std_file = rt.block_on(async {
            let mut file = open_rw(&path).await;
            file.write_all(b"AB").await.unwrap(); // in flight
            let mut file = file.try_into_std().expect_err("a write is in flight");
            file.flush().await.unwrap();
            let mut one = [0u8; 1];
            file.read_exact(&mut one).await.unwrap(); // reads ahead from position 2
            assert_eq!(&one, b"2");
            file.try_into_std().expect("idle")
        });
        assert_eq!(
            std_file.stream_position().unwrap(),
            3,
            "read-ahead given back"
        );
        let mut rest = String::new();
        std_file.seek(SeekFrom::Start(0)).unwrap();
        std_file.read_to_string(&mut rest).unwrap();
        assert_eq!(rest, "AB23456789");
    }
}

#[test]
fn set_max_buf_size_caps_each_write_and_read_ahead() {
    let _dog = Watchdog::new("set_max_buf_size", HANG_BOUND);
    let dir = TempDir::new("max-buf");
    for (i, rt) in both_flavors().into_iter().enumerate() {
        let path = dir.file(&format!("f{i}"), b"");
        rt.block_on(async {
            let mut file = open_rw(&path).await;
            file.set_max_buf_size(4);
            assert_eq!(file.write(b"0123456789").await.unwrap(), 4);
            file.write_all(b"456789").await.unwrap(); // in pieces of at most 4
            file.rewind().await.unwrap();
            let mut buf = [0u8; 100];
            assert_eq!(
                file.read(&mut buf).await.unwrap(),
                4,
                "read-ahead capped too"
            );
            let mut rest = Vec::new();
            file.read_to_end(&mut rest).await.unwrap();
            assert_eq!(rest, b"456789");
            file.set_max_buf_size(0); // taken as 1: never a fake end of file
            file.rewind().await.unwrap();
            assert_eq!(file.read(&mut buf).await.unwrap(), 1);
            assert_eq!(buf[0], b'0');
        });
    }
}

#[test]
fn from_std_file_and_descriptor_traits_name_the_same_descriptor() {
    use std::os::fd::{AsFd, AsRawFd, FromRawFd, IntoRawFd};
    let _dog = Watchdog::new("fd traits", HANG_BOUND);
    let dir = TempDir::new("fd");
    let path = dir.file("f", b"fd contents");
    for rt in both_flavors() {
        rt.block_on(async {
            let std_file = std::fs::File::open(&path).unwrap();
            let raw = std_file.as_raw_fd();
            let file: File = std_file.into();
            assert_eq!(file.as_raw_fd(), raw);
            assert_eq!(file.as_fd().as_raw_fd(), raw);
            let fd = file.into_std().await.into_raw_fd();
            assert_eq!(fd, raw, "the same descriptor all the way through");
            // SAFETY: `fd` is open and owned here; ownership passes to the `File`.
            let mut file = unsafe { File::from_raw_fd(fd) };
            let mut text = String::new();
            file.read_to_string(&mut text).await.unwrap();
            assert_eq!(text, "fd contents");
        });
    }
}
