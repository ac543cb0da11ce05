//! `accept` under descriptor exhaustion: with `RLIMIT_NOFILE` lowered (in a child process, so
//! no other test is affected), `accept` returns `EMFILE` and the listener keeps working once
//! descriptors are free again.

mod support;

use runtime::io::{AsyncReadExt, AsyncWriteExt};
use runtime::net::TcpListener;
use std::fs::File;
use std::io::{self, Write};
use std::process::Command;
use std::time::Duration;
use support::Watchdog;

const CHILD_ENV: &str = "RUNTIME_EMFILE_CHILD";
const CHILD_OK: &str = "emfile-child: ok";

#[test]
fn accept_reports_emfile_and_recovers_when_descriptors_free_up() {
    let _dog = Watchdog::new("emfile_parent", Duration::from_secs(120));
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "emfile_child",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "child failed:\n{stdout}\n{stderr}");
    assert!(
        stdout.contains(CHILD_OK),
        "child did not report success:\n{stdout}\n{stderr}"
    );
}

fn lower_fd_limit(soft: libc::rlim_t) {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid, writable `rlimit` for the duration of the call.
    let got = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
    assert_eq!(got, 0, "getrlimit failed");
    limit.rlim_cur = soft.min(limit.rlim_max);
    // SAFETY: `limit` is a valid `rlimit`; lowering the soft limit is always permitted.
    let set = unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) };
    assert_eq!(set, 0, "setrlimit failed");
}

#[test]
#[ignore = "runs only as the child process of accept_reports_emfile_and_recovers_..."]
fn emfile_child() {
    assert_eq!(
        std::env::var(CHILD_ENV).as_deref(),
        Ok("1"),
        "run through the parent test"
    );
    lower_fd_limit(128);
    let rt = runtime::Builder::new_current_thread().build().unwrap();
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        // Two connections wait in the kernel's backlog; then every descriptor is used up.
        let mut first = std::net::TcpStream::connect(addr).unwrap();
        let _second = std::net::TcpStream::connect(addr).unwrap();
        let mut fillers = Vec::new();
        loop {
            match File::open("/dev/null") {
                Ok(file) => fillers.push(file),
                Err(err) if err.raw_os_error() == Some(libc::EMFILE) => break,
                Err(err) => panic!("unexpected error filling descriptors: {err}"),
            }
        }
        for _ in 0..3 {
            let err = listener.accept().await.unwrap_err();
            assert_eq!(err.raw_os_error(), Some(libc::EMFILE), "{err}");
        }
        // Free descriptors: the listener accepts the queued connections again.
        fillers.truncate(fillers.len() - 4);
        let (mut conn, _) = listener.accept().await.unwrap();
        let (_conn2, _) = listener.accept().await.unwrap();
        first.write_all(b"still works").unwrap();
        let mut buf = [0u8; 11];
        conn.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"still works");
        conn.write_all(b"ok").await.unwrap();
        let mut reply = [0u8; 2];
        io::Read::read_exact(&mut first, &mut reply).unwrap();
        assert_eq!(&reply, b"ok");
    });
    println!("{CHILD_OK}");
}
