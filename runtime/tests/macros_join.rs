//! `join!` and `try_join!` behaviour, checked poll by poll without a runtime.

mod macros_util;

use futures_util::FutureExt;
use macros_util::{Log, Probe, Stats, block_on, poll_once};
use std::future::{IntoFuture, Ready, ready};
use std::rc::Rc;
use std::sync::Arc;
use std::task::Poll;

#[test]
fn outputs_come_back_in_operand_order() {
    let log = Log::default();
    let out = block_on(async {
        runtime::join!(
            Probe::logged("a", 3, 'a', &log),
            Probe::logged("b", 0, "b", &log),
            Probe::logged("c", 1, 3u8, &log),
        )
    });
    assert_eq!(out, ('a', "b", 3));
}

#[test]
fn empty_and_single_operand() {
    let () = block_on(async { runtime::join!() });
    let (one,) = block_on(async { runtime::join!(async { 1 }) });
    assert_eq!(one, 1);
    let ok: Result<(), ()> = block_on(async { runtime::try_join!() });
    assert_eq!(ok, Ok(()));
}

/// Not a future itself, only convertible into one.
struct Answer;

impl IntoFuture for Answer {
    type Output = u32;
    type IntoFuture = Ready<u32>;
    fn into_future(self) -> Ready<u32> {
        ready(42)
    }
}

#[test]
fn operands_may_be_into_future_and_not_send() {
    let shared = Rc::new(5);
    let (a, b) = block_on(async { runtime::join!(Answer, async { *shared + 1 }) });
    assert_eq!((a, b), (42, 6));
}

#[test]
fn completed_operands_are_dropped_before_the_join_ends() {
    let fast = Arc::new(Stats::default());
    let slow = Arc::new(Stats::default());
    let join = async { runtime::join!(Probe::new(0, 1, &fast), Probe::new(2, 2, &slow)) };
    let mut join = std::pin::pin!(join);
    assert!(poll_once(join.as_mut()).is_pending());
    assert_eq!(
        (fast.polls(), fast.drops()),
        (1, 1),
        "the ready operand is dropped at once"
    );
    assert_eq!(slow.drops(), 0);
    assert!(poll_once(join.as_mut()).is_pending());
    assert_eq!(fast.polls(), 1, "a finished operand is never polled again");
    assert_eq!(poll_once(join.as_mut()), Poll::Ready((1, 2)));
    assert_eq!((slow.polls(), slow.drops()), (3, 1));
}

#[test]
fn each_poll_starts_one_operand_later() {
    let log = Log::default();
    let join = async {
        runtime::join!(
            Probe::logged("a", 5, (), &log),
            Probe::logged("b", 5, (), &log),
            Probe::logged("c", 5, (), &log),
        )
    };
    let mut join = std::pin::pin!(join);
    for _ in 0..3 {
        assert!(poll_once(join.as_mut()).is_pending());
    }
    assert_eq!(
        *log.lock().unwrap(),
        ["a", "b", "c", "b", "c", "a", "c", "a", "b"]
    );
}

#[test]
fn try_join_collects_every_ok() {
    let stats = Arc::new(Stats::default());
    let out: Result<_, String> = block_on(async {
        runtime::try_join!(async { Ok(1) }, Probe::new(2, Ok("two"), &stats), async {
            Ok::<_, String>(3.5)
        },)
    });
    assert_eq!(out, Ok((1, "two", 3.5)));
    assert_eq!(stats.drops(), 1);
}

#[test]
fn try_join_returns_first_err_and_drops_the_rest() {
    let pending_a = Arc::new(Stats::default());
    let pending_b = Arc::new(Stats::default());
    let failing = Arc::new(Stats::default());
    let done = Arc::new(Stats::default());
    let try_join = async {
        runtime::try_join!(
            Probe::forever(Ok::<u8, &str>(0), &pending_a),
            Probe::new(0, Ok(1), &done),
            Probe::new(1, Err::<(), _>("boom"), &failing),
            Probe::forever(Ok(0u8), &pending_b),
        )
    };
    let mut try_join = std::pin::pin!(try_join);
    assert!(poll_once(try_join.as_mut()).is_pending());
    assert_eq!(poll_once(try_join.as_mut()), Poll::Ready(Err("boom")));
    // Every operand was dropped exactly once by the time the error came back.
    for stats in [&pending_a, &pending_b, &failing, &done] {
        assert_eq!(stats.drops(), 1);
    }
    // The second poll started at operand 1 and stopped at operand 2's error: operand 3 was
    // polled only on the first round.
    assert_eq!(pending_b.polls(), 1);
    assert_eq!(failing.polls(), 2);
}

#[test]
fn try_join_error_types_may_be_converted_with_question_mark() {
    async fn run() -> Result<u32, Box<dyn std::error::Error>> {
        let (a, b) =
            runtime::try_join!(async { "4".parse::<u32>() }, async { "x".parse::<u32>() })?;
        Ok(a + b)
    }
    let err = block_on(run()).unwrap_err();
    assert_eq!(err.to_string(), "invalid digit found in string");
}

/// A `join!` future is no larger than Tokio's for the same operands. Tokio 1.54.1's figures,
/// measured on rustc 1.95 with `std::mem::size_of_val` on the unpolled
/// `async { tokio::join!(ready(1u32), ...) }` (1, 2, 3 operands), are 32, 48 and 56 bytes, and
/// 48 for `tokio::try_join!` over two `ready(Ok::<u32, ()>(_))`.
#[test]
fn join_futures_are_no_larger_than_tokios() {
    let one = async { runtime::join!(ready(1u32)) };
    let two = async { runtime::join!(ready(1u32), ready(2u32)) };
    let three = async { runtime::join!(ready(1u32), ready(2u32), ready(3u32)) };
    let try_two = async { runtime::try_join!(ready(Ok::<u32, ()>(1)), ready(Ok::<u32, ()>(2))) };
    let sizes = [
        std::mem::size_of_val(&one),
        std::mem::size_of_val(&two),
        std::mem::size_of_val(&three),
        std::mem::size_of_val(&try_two),
    ];
    let tokio = [32, 48, 56, 48];
    assert!(
        sizes
            .iter()
            .zip(tokio)
            .all(|(ours, theirs)| *ours <= theirs),
        "join!(1/2/3 operands) and try_join!(2) take {sizes:?} bytes; Tokio's take {tokio:?}"
    );
    assert_eq!(block_on(three), (1, 2, 3));
    assert_eq!(block_on(try_two), Ok((1, 2)));
}

#[test]
fn biased_join_polls_top_to_bottom_on_every_poll() {
    let log = Log::default();
    let join = async {
        runtime::join!(
            biased;
            Probe::logged("a", 5, (), &log),
            Probe::logged("b", 5, (), &log),
            Probe::logged("c", 5, (), &log),
        )
    };
    let mut join = std::pin::pin!(join);
    for _ in 0..3 {
        assert!(poll_once(join.as_mut()).is_pending());
    }
    assert_eq!(
        *log.lock().unwrap(),
        ["a", "b", "c", "a", "b", "c", "a", "b", "c"]
    );
}

#[test]
fn biased_try_join_polls_in_order_and_stops_at_the_first_err() {
    let log = Log::default();
    let out: Result<((), (), ()), &str> = block_on(async {
        runtime::try_join!(
            biased;
            Probe::logged("a", 1, Ok(()), &log),
            Probe::logged("b", 0, Err("b failed"), &log),
            Probe::logged("c", 0, Ok(()), &log),
        )
    });
    assert_eq!(out, Err("b failed"));
    assert_eq!(*log.lock().unwrap(), ["a", "b"], "c was never polled");
    let ok: Result<(u8, u8), ()> =
        block_on(async { runtime::try_join!(biased; async { Ok(1) }, async { Ok(2) }) });
    assert_eq!(ok, Ok((1, 2)));
}

#[test]
fn empty_biased_forms() {
    let () = block_on(async { runtime::join!(biased;) });
    let ok: Result<(), ()> = block_on(async { runtime::try_join!(biased;) });
    assert_eq!(ok, Ok(()));
    let (one,) = block_on(async { runtime::join!(biased; async { 1 }) });
    assert_eq!(one, 1);
}

#[test]
fn an_operand_may_borrow_a_temporary() {
    let (a, b) = block_on(async { runtime::join!(&mut ready(1), &mut async { 2 }.boxed()) });
    assert_eq!((a, b), (1, 2));
    let out: Result<(u8,), ()> = block_on(async { runtime::try_join!(&mut ready(Ok(3))) });
    assert_eq!(out, Ok((3,)));
}

#[test]
fn biased_join_on_both_runtime_flavors() {
    for rt in [
        runtime::Builder::new_current_thread().build().unwrap(),
        runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap(),
    ] {
        let out = rt.block_on(async {
            let (tx, rx) = runtime::sync::oneshot::channel();
            runtime::join!(
                biased;
                async { rx.await.unwrap() },
                async {
                    runtime::task::yield_now().await;
                    tx.send(7).unwrap();
                    8
                },
            )
        });
        assert_eq!(out, (7, 8));
    }
}
