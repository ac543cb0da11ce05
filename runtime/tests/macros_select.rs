//! `select!` behaviour, checked poll by poll without a runtime.

mod macros_util;

use macros_util::{Log, Probe, Stats, block_on, poll_once};
use std::future::{pending, ready};
use std::sync::Arc;
use std::task::Poll;

#[test]
fn biased_polls_top_to_bottom_and_first_ready_wins() {
    let log = Log::default();
    let out = block_on(async {
        runtime::select! {
            biased;
            v = Probe::logged("a", 1, "a", &log) => v,
            v = Probe::logged("b", 0, "b", &log) => v,
            v = Probe::logged("c", 0, "c", &log) => v,
        }
    });
    assert_eq!(out, "b");
    assert_eq!(*log.lock().unwrap(), ["a", "b"]);
}

#[test]
fn unbiased_start_is_fair() {
    const ROUNDS: u32 = 10_000;
    let mut wins = [0u32; 2];
    block_on(async {
        for _ in 0..ROUNDS {
            runtime::select! {
                () = ready(()) => wins[0] += 1,
                () = ready(()) => wins[1] += 1,
            }
        }
    });
    assert_eq!(wins[0] + wins[1], ROUNDS);
    // 40% is more than 20 standard deviations below the mean for a fair coin.
    for count in wins {
        assert!(count >= ROUNDS * 4 / 10, "unfair split: {wins:?}");
    }
}

#[test]
fn false_precondition_disables_branch_but_evaluates_its_future() {
    let disabled = Arc::new(Stats::default());
    let mut evaluated = 0;
    let out = block_on(async {
        runtime::select! {
            v = { evaluated += 1; Probe::new(0, 1, &disabled) }, if 1 + 1 == 3 => v,
            v = Probe::new(1, 2, &Arc::default()) => v,
        }
    });
    assert_eq!(out, 2);
    assert_eq!(evaluated, 1);
    assert_eq!((disabled.polls(), disabled.drops()), (0, 1));
}

#[test]
fn unmatched_pattern_disables_branch_and_the_rest_keep_going() {
    let mismatch = Arc::new(Stats::default());
    let select = async {
        runtime::select! {
            biased;
            Some(v) = Probe::new(0, None::<u8>, &mismatch) => v,
            v = Probe::new(2, 7u8, &Arc::default()) => v + 1,
        }
    };
    let mut select = std::pin::pin!(select);
    assert!(poll_once(select.as_mut()).is_pending());
    assert!(poll_once(select.as_mut()).is_pending());
    assert_eq!(poll_once(select.as_mut()), Poll::Ready(8));
    assert_eq!(mismatch.polls(), 1, "a disabled branch is not polled again");
}

#[test]
fn else_runs_when_every_branch_is_disabled() {
    let by_precondition = block_on(async {
        runtime::select! {
            () = pending::<()>(), if false => 1,
            () = pending::<()>(), if false => 2,
            else => 3,
        }
    });
    assert_eq!(by_precondition, 3);
    let by_pattern = block_on(async {
        runtime::select! {
            Ok(v) = async { Err::<u8, u8>(1) } => v,
            Some(v) = async { None::<u8> } => v,
            else => 9,
        }
    });
    assert_eq!(by_pattern, 9);
}

#[test]
#[should_panic(expected = "all branches of `select!` are disabled and there is no `else` branch")]
fn no_else_and_everything_disabled_panics_clearly() {
    block_on(async {
        runtime::select! {
            Some(v) = async { None::<u8> } => v,
        }
    });
}

#[test]
fn losers_are_dropped_before_the_handler_runs() {
    let loser = Arc::new(Stats::default());
    let drops_seen_by_handler = block_on(async {
        runtime::select! {
            biased;
            () = ready(()) => loser.drops(),
            () = Probe::forever((), &loser) => unreachable!(),
        }
    });
    assert_eq!(drops_seen_by_handler, 1);
}

#[test]
fn handler_may_use_what_the_futures_borrowed() {
    let mut data = vec![1, 2];
    block_on(async {
        runtime::select! {
            len = async { data.len() } => data.push(len),
        }
    });
    assert_eq!(data, [1, 2, 2]);
}

#[test]
fn handlers_control_the_enclosing_code() {
    let (mut iterations, mut skipped) = (0, 0);
    block_on(async {
        loop {
            iterations += 1;
            runtime::select! {
                n = ready(iterations) => {
                    if n < 3 {
                        skipped += 1;
                        continue;
                    }
                    break;
                }
            }
        }
    });
    assert_eq!((iterations, skipped), (3, 2));

    #[allow(clippy::needless_return)]
    async fn early(flag: bool) -> Result<&'static str, String> {
        let v = runtime::select! {
            v = ready(flag) => v,
        };
        if v {
            runtime::select! { r = async { Err::<(), _>("bad".to_string()) } => r? }
        }
        runtime::select! { () = ready(()) => return Ok("returned") }
    }
    assert_eq!(block_on(early(true)), Err("bad".to_string()));
    assert_eq!(block_on(early(false)), Ok("returned"));
}

#[test]
fn patterns_with_modifiers_references_and_alternatives() {
    let value = 5;
    let out = block_on(async {
        let a = runtime::select! { Some(mut v) = ready(Some(1)) => { v += 1; v } };
        let b = runtime::select! { &v = ready(&value) => v };
        let c = runtime::select! { (ref x, 1 | 2) = ready((String::from("s"), 2)) => x.len() };
        let d = runtime::select! { | 3 | 4 = ready(4) => 40, else => 0 };
        let e = runtime::select! { v @ 1..=9 = ready(7u8) => v, else => 0 };
        (a, b, c, d, e)
    });
    assert_eq!(out, (2, 5, 1, 40, 7));
}

#[test]
fn handler_can_await() {
    let out = block_on(async {
        runtime::select! {
            v = ready(1) => {
                let w = Probe::new(2, 10, &Arc::default()).await;
                v + w
            }
        }
    });
    assert_eq!(out, 11);
}

#[test]
fn pinned_future_survives_across_selects() {
    let stats = Arc::new(Stats::default());
    let out = block_on(async {
        let slow = Probe::new(3, "slow", &stats);
        runtime::pin!(slow);
        let mut ticks = 0;
        loop {
            runtime::select! {
                biased;
                v = &mut slow => break (v, ticks),
                () = ready(()) , if ticks < 2 => ticks += 1,
            }
        }
    });
    assert_eq!(out, ("slow", 2));
    assert_eq!(stats.polls(), 4);
}
