//! Signals: SIGUSR1 raised on the process reaches every listener, deliveries coalesce, a
//! dropped listener does not disturb the others, and unhandleable signals are refused.

mod support;

use futures_util::StreamExt;
use runtime::signal::unix::{SignalKind, signal};
use std::io;
use std::time::Duration;
use support::Watchdog;

fn raise(signum: libc::c_int) {
    // SAFETY: every test installs a listener for `signum` before raising it, so the process
    // runs the handler instead of the default action.
    assert_eq!(unsafe { libc::raise(signum) }, 0);
}

#[test]
fn sigusr1_reaches_every_listener() {
    let _dog = Watchdog::new("sigusr1", Duration::from_secs(60));
    support::multi(2).block_on(async {
        let mut first = signal(SignalKind::user_defined1()).unwrap();
        let mut second = signal(SignalKind::user_defined1()).unwrap();
        let dropped = signal(SignalKind::user_defined1()).unwrap();
        drop(dropped);
        for _ in 0..3 {
            raise(libc::SIGUSR1);
            assert_eq!(first.recv().await, Some(()));
            assert_eq!(second.next().await, Some(()));
        }
        // Nothing further is pending on either listener.
        assert!(futures_util::poll!(std::pin::pin!(first.recv())).is_pending());
        assert!(futures_util::poll!(std::pin::pin!(second.recv())).is_pending());
    });
}

#[test]
fn deliveries_before_recv_coalesce_into_one() {
    let _dog = Watchdog::new("coalesce", Duration::from_secs(60));
    support::current().block_on(async {
        let mut usr2 = signal(SignalKind::user_defined2()).unwrap();
        for _ in 0..5 {
            raise(libc::SIGUSR2);
        }
        assert_eq!(usr2.recv().await, Some(()));
        assert!(futures_util::poll!(std::pin::pin!(usr2.recv())).is_pending());
    });
}

#[test]
fn ctrl_c_completes_on_sigint() {
    let _dog = Watchdog::new("ctrl_c", Duration::from_secs(60));
    support::current().block_on(async {
        let mut waiting = std::pin::pin!(runtime::signal::ctrl_c());
        assert!(futures_util::poll!(waiting.as_mut()).is_pending());
        raise(libc::SIGINT);
        waiting.await.unwrap();
    });
}

#[test]
fn unhandleable_signals_and_no_runtime_are_errors() {
    support::current().block_on(async {
        for signum in [libc::SIGKILL, libc::SIGSTOP, libc::SIGSEGV] {
            let err = signal(SignalKind::from_raw(signum)).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{err}");
        }
    });
    let err = signal(SignalKind::user_defined1()).unwrap_err();
    assert!(err.to_string().contains("no runtime"), "{err}");
}

#[test]
fn pending_recv_ends_with_none_when_the_runtime_shuts_down() {
    let rt = support::current();
    let mut hup = rt.block_on(async { signal(SignalKind::hangup()) }).unwrap();
    drop(rt);
    assert_eq!(support::block_on_plain(hup.recv()), None);
}
